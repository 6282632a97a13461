"""The per-site table of a report, as plain text (``politecrawl report`` / ``status``)."""

from __future__ import annotations

from typing import Any

from .report import fmt_bytes, fmt_duration, fmt_time, pct, reserved

__all__ = ["format_report"]

HEADER = ("site", "requests", "bytes", "cap/day", "peak min", "peak hour", "robots f/r",
          "stops", "pauses", "honour", "reserved", "pii removed")


def _pct(peak: dict[str, Any] | None) -> str:
    if not peak or peak.get("share") is None:
        return "-"
    mark = "" if peak.get("within", True) else " OVER"
    return f"{pct(peak['share'])}{mark}"


def _row(s: dict[str, Any]) -> tuple[str, ...]:
    cap = s["cap"]
    holds = s["stops"] + s["pauses"]
    honour = "-"
    if holds:
        worst = max(h["time_to_honour"] for h in holds)
        flags = {h["honoured"] for h in holds}
        honour = fmt_duration(worst) + (" NOT" if False in flags else " ?" if None in flags else "")
    return (
        s["site"],
        f"{s['requests']:,}",
        fmt_bytes(s["bytes"]),
        f"{cap['per_day']:,.0f}" if cap else "none",
        _pct(s["peak_minute"]),
        _pct(s["peak_hour"]),
        f"{len(s['robots']['fetches'])}/{s['robots']['refused']}"
        + (" robots.txt unreachable" if s["robots"].get("unreachable") else ""),
        str(len(s["stops"])),
        str(len(s["pauses"])),
        honour,
        str(reserved(s)),
        str(s["pii"]["removed"]),
    )


def format_report(report: dict[str, Any]) -> str:
    crawl = report["crawl"]
    state = "running" if crawl["running"] else f"ended {fmt_time(crawl['ended_at'])} ({crawl['end_reason']})"
    head = [
        f"crawl {crawl['id']}: started {fmt_time(crawl['started_at'])}, {state}",
        f"as {crawl.get('user_agent', '?')}, purpose {crawl.get('purpose', '?')}",
        "",
        *report["summary"]["text"],
        "",
    ]
    rows = [HEADER, *(_row(s) for s in report["sites"])]
    widths = [max(len(r[i]) for r in rows) for i in range(len(HEADER))]
    lines = ["  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths))).rstrip()
             for r in rows]
    nodes = report.get("nodes") or []
    if nodes:
        lines += ["", f"{len(nodes)} nodes (a cluster crawl; the table above is the whole cluster's):"]
        for n in nodes:
            end = "running" if n["ended_at"] is None else \
                f"ended {fmt_time(n['ended_at'])} ({n['end_reason']})"
            lines.append(f"  {n['node']}: started {fmt_time(n['started_at'])}, {end}, "
                         f"{n['requests']:,} requests, {fmt_bytes(n['bytes'])}")
    foot = ["", "peak min / peak hour: the most requests in any minute / hour as a share of what the cap "
            "allows in that time (its steady rate plus the burst; OVER: above it); robots f/r: robots.txt fetches / requests refused by robots.txt "
            "(\"robots.txt unreachable\": requests not sent because it could not be read); honour: "
            "the longest time from receiving a stop or pause to honouring it."]
    return "\n".join(head + lines + foot)
