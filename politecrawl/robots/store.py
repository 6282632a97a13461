"""robots.txt records, versions and evidence in the :class:`~politecrawl.state.StateStore`.

Keys (one origin = ``scheme://host:port``):

``robots:record:<origin>``    the current :class:`RobotsRecord` as JSON (a string
                              key; kept ``last_good_max_age`` past its expiry so a
                              later failure can still fall back to it)
``robots:versions:<origin>``  hash, one field per version seen: compact JSON
                              ``{"first","last","kind","status","bytes","truncated"}``
``robots:evidence:<origin>``  hash, field ``"<version> <allow|deny> <rule>"``: number
                              of requests decided by that rule of that version
``robots:fetching:<origin>``  a short lease: the process fetching robots.txt now
``robots:stops``              log: one entry per (origin, version) whose rules disallow
                              everything for our bot — the site asking us to stop

A restart or another process on the same store reads the record and does not
fetch robots.txt again until it expires.
"""

from __future__ import annotations

import json

from ..state import StateStore
from .config import RobotsConfig
from .record import PARSED, RobotsRecord
from .rules import Verdict

__all__ = [
    "claim_fetch",
    "evidence",
    "load_record",
    "note_decision",
    "release_fetch",
    "note_stop",
    "save_record",
    "stop_events",
    "versions",
]


def _record_key(origin: str) -> str:
    return f"robots:record:{origin}"


def load_record(store: StateStore, origin: str) -> RobotsRecord | None:
    """The stored record of *origin*, or ``None`` (absent or unreadable)."""
    data = store.get(_record_key(origin))
    if data is None:
        return None
    record = RobotsRecord.from_json(data)
    if record is None or record.origin != origin:
        return None
    return record


def save_record(store: StateStore, record: RobotsRecord, now: float, config: RobotsConfig) -> None:
    """Store *record* and note its version."""
    keep = max(record.expires_at - now, 0.0) + config.last_good_max_age + config.ttl
    store.set(_record_key(record.origin), record.to_json(), ttl=keep)
    key = f"robots:versions:{record.origin}"
    seen = store.hgetall(key).get(record.version)
    first = record.fetched_at
    if seen is not None:
        try:
            first = float(json.loads(seen)["first"])
        except (ValueError, KeyError, TypeError):
            pass
    entry = {
        "first": first,
        "last": record.fetched_at,
        "kind": record.kind,
        "status": record.status,
        "bytes": record.nbytes,
        "truncated": record.truncated,
    }
    if record.kind == PARSED:
        entry["redirects"] = record.redirects
    store.hset(key, {record.version: json.dumps(entry, separators=(",", ":"))})


def versions(store: StateStore, origin: str) -> dict[str, dict[str, object]]:
    """Every robots.txt version seen for *origin*: ``{version: {first, last, kind, ...}}``."""
    out: dict[str, dict[str, object]] = {}
    for version, data in store.hgetall(f"robots:versions:{origin}").items():
        try:
            out[version] = json.loads(data)
        except ValueError:
            continue
    return out


def note_decision(store: StateStore, origin: str, version: str, verdict: Verdict, n: int = 1) -> None:
    """Count one decision of *verdict* under robots.txt *version* of *origin*."""
    word = "allow" if verdict.allowed else "deny"
    store.hincr(f"robots:evidence:{origin}", f"{version} {word} {verdict.rule}", n)


def evidence(store: StateStore, origin: str) -> dict[tuple[str, str, str], int]:
    """``{(version, "allow"|"deny", rule): count}`` for *origin*."""
    out: dict[tuple[str, str, str], int] = {}
    for field, count in store.hgetall(f"robots:evidence:{origin}").items():
        version, _, rest = field.partition(" ")
        word, _, rule = rest.partition(" ")
        out[(version, word, rule)] = int(float(count))
    return out


def claim_fetch(store: StateStore, origin: str, owner: str, lease: float) -> bool:
    """Try to become the one process fetching *origin*'s robots.txt for *lease* seconds."""
    return store.set_if_absent(f"robots:fetching:{origin}", owner, ttl=lease)


def release_fetch(store: StateStore, origin: str) -> None:
    store.delete(f"robots:fetching:{origin}")


STOPS_LOG = "robots:stops"


def note_stop(
    store: StateStore,
    origin: str,
    *,
    site: str,
    version: str,
    fetched_at: float,
    previous_version: str = "",
    crawl_id: str = "",
) -> None:
    """Record that *origin*'s robots.txt *version* disallows everything for us."""
    store.append(
        STOPS_LOG,
        {
            "origin": origin,
            "site": site,
            "version": version,
            "fetched_at": fetched_at,
            "previous_version": previous_version,
            "crawl_id": crawl_id,
        },
    )


def stop_events(store: StateStore) -> list[dict[str, str]]:
    """Every recorded robots.txt stop request, oldest first."""
    return [record for _, record in store.read_log(STOPS_LOG)]
