"""The stops and pauses of a report (:mod:`politecrawl.audit.report`)."""

from __future__ import annotations

from typing import Any

__all__ = ["hold_entry"]


def hold_entry(kind: str, site: str, data: dict[str, Any], outcome: dict[str, Any] | None,
               crawl_start: float, ended: bool, node: str = "") -> dict[str, Any]:
    """A stop or pause of the report, with its outcome (requests sent despite it) if recorded.

    In a cluster crawl each node records the holds it honoured (*node*: its name).
    """
    received = float(data.get("received_at", 0))
    honoured = float(data.get("honoured_at", 0))
    before = received < crawl_start
    entry = {
        "source": data.get("source", ""),
        "signal": data.get("signal", ""),
        "stop_id": data.get("stop_id", ""),
        "received_at": received,
        "honoured_at": honoured,
        "before_crawl": before,
        "time_to_honour": 0.0 if before else max(0.0, honoured - received),
        "dropped": int(data.get("dropped", 0) or 0),
    }
    if node:
        entry["node"] = node
    if kind == "pause":
        entry["until"] = data.get("until")
    if outcome is not None:
        entry["sent_between"] = int(outcome.get("sent_between", 0))
        entry["sent_after"] = int(outcome.get("sent_after", 0))
        entry["honoured"] = entry["sent_after"] == 0
    else:
        entry["sent_between"] = entry["sent_after"] = None
        # running: checked so far in memory, written at the end; killed: not provable
        entry["honoured"] = None
        entry["outcome"] = "crawl running" if not ended else "not recorded"
    return entry
