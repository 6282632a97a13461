"""W3C TDM Reservation Protocol (TDMRep, Community Group Final Report 2024-02-02).

Three carriers, in increasing precedence (a later one supersedes an earlier
one; the *absence* of a property never resets a value, §3):

1. ``/.well-known/tdmrep.json`` of the origin: a JSON array of rules
   ``{"location": <pattern>, "tdm-reservation": 0|1, "tdm-policy": <url>}``.
   ``location`` is a robots-style pattern (``*``, ``$``), matched
   case-sensitively; the first matching rule wins; no match = unset.
2. The ``tdm-reservation`` / ``tdm-policy`` response headers.
3. ``<meta name="tdm-reservation" content="1">`` / ``<meta name="tdm-policy">``.

``tdm-reservation`` values other than ``1`` or ``0`` are protocol errors and
count as unset.

Fetch results of the file (:func:`parse_tdmrep_file`):

* 2xx with a JSON array → its rules (entries that are not objects or have no
  string ``location`` are skipped and counted).
* 3xx left at the end of redirects, 4xx other than 429 → ``absent``: the report
  says an origin that does not serve the file does not implement the protocol.
* 429, 5xx, a status past 599 or a network error (reset, timeout, DNS) →
  ``unreachable``: the site may have a file we could not read, so for the
  purposes TDM binds the origin counts as reserved (fail closed) until a later
  fetch answers. The fetch is tried again on robots.txt's outage schedule
  (:mod:`politecrawl.robots.outage`; :func:`outage_after` keeps the count);
  meanwhile the origin's requests wait.
* a body over the size cap (``POLITECRAWL_TDMREP_MAX_BYTES``, default 512 KiB)
  or one that is not a JSON array → ``too-large`` / ``malformed``: the site
  tried to say something we cannot read, so for the purposes TDM binds
  (research, ai-training) the whole origin counts as reserved (fail closed).
  A JSON document cannot be cut short and still parsed, so unlike robots.txt
  it is not truncated.
"""

from __future__ import annotations

import json
from typing import NamedTuple

from ..robots.outage import backoff
from .html_meta import meta_values
from .patterns import pattern_matches
from .purposes import TDM, Reservation

__all__ = [
    "DEFAULT_TDMREP_MAX_BYTES",
    "TDMREP_PATH",
    "UNREACHABLE",
    "TDMRepFile",
    "TDMRepOutage",
    "TDMRepRule",
    "effective_tdm_reservation",
    "outage_after",
    "parse_tdm_value",
    "parse_tdmrep_file",
    "tdm_header_reservation",
    "tdm_meta_reservation",
]

TDMREP_PATH = "/.well-known/tdmrep.json"
DEFAULT_TDMREP_MAX_BYTES = 512 * 1024
#: The status of a tdmrep.json that could not be fetched (a network error, 429, 5xx).
UNREACHABLE = "unreachable"


class TDMRepRule(NamedTuple):
    location: str
    reservation: int | None  # 1, 0, or None (unset / protocol error)
    policy: str | None


class TDMRepFile(NamedTuple):
    """One origin's parsed tdmrep.json."""

    status: str  # "ok", "absent", "malformed", "too-large", "unreachable"
    rules: tuple[TDMRepRule, ...] = ()
    skipped: int = 0  # entries that were not rules

    @property
    def fail_closed(self) -> bool:
        return self.status in ("malformed", "too-large", UNREACHABLE)

    def lookup(self, path: str) -> TDMRepRule | None:
        """The first rule whose location matches *path*, or ``None``."""
        for rule in self.rules:
            if pattern_matches(rule.location, path):
                return rule
        return None

    def reservation(self, path: str) -> Reservation | None:
        """The reservation this file puts on *path*, if any."""
        if self.fail_closed:
            return Reservation(TDM, "tdmrep.json", f"file {self.status}: reserved by default")
        rule = self.lookup(path)
        if rule is not None and rule.reservation == 1:
            return Reservation(TDM, "tdmrep.json", _rule_detail(rule))
        return None


def _rule_detail(rule: TDMRepRule) -> str:
    detail = f"location={rule.location} tdm-reservation=1"
    return f"{detail} tdm-policy={rule.policy}" if rule.policy else detail


def parse_tdm_value(value: object) -> int | None:
    """``1`` or ``0`` from a JSON value, header or meta content; anything else ``None``."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value in (0, 1) else None
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    if isinstance(value, str) and value.strip() in ("0", "1"):
        return int(value.strip())
    return None


class TDMRepOutage(NamedTuple):
    """An origin's tdmrep.json failing to answer: *failures* in a row since *since*, the next
    try at *retry_at*, and *why* the last one failed (``HTTP 503`` or the error's type)."""

    failures: int
    since: float
    retry_at: float
    why: str


def outage_after(
    previous: TDMRepOutage | None, now: float, why: str, retry_after: float | None, *, base: float, cap: float
) -> TDMRepOutage:
    """The outage after a failed fetch at *now* (*retry_after*: the seconds the answer asked for)."""
    failures = previous.failures + 1 if previous is not None else 1
    since = previous.since if previous is not None else now
    return TDMRepOutage(failures, since, now + backoff(failures, retry_after, base=base, cap=cap), why)


def parse_tdmrep_file(
    status: int | None, body: bytes | None, max_bytes: int = DEFAULT_TDMREP_MAX_BYTES
) -> TDMRepFile:
    """Parse a fetched tdmrep.json (*status* ``None`` = the fetch failed on the network)."""
    if status is None or status == 429 or status >= 500:
        return TDMRepFile(UNREACHABLE)
    if not 200 <= status < 300 or body is None:
        return TDMRepFile("absent")
    if len(body) > max_bytes:
        return TDMRepFile("too-large")
    try:
        data = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return TDMRepFile("malformed")
    if not isinstance(data, list):
        return TDMRepFile("malformed")
    rules = []
    skipped = 0
    for entry in data:
        location = entry.get("location") if isinstance(entry, dict) else None
        if not isinstance(location, str) or not location:
            skipped += 1
            continue
        policy = entry.get("tdm-policy")
        rules.append(
            TDMRepRule(
                location,
                parse_tdm_value(entry.get("tdm-reservation")),
                policy if isinstance(policy, str) else None,
            )
        )
    return TDMRepFile("ok", tuple(rules), skipped)


def tdm_header_reservation(headers: dict[str, str | None]) -> int | None:
    """The ``tdm-reservation`` header as 1/0/None (*headers* keyed lower-case)."""
    return parse_tdm_value(headers.get("tdm-reservation"))


def tdm_meta_reservation(html: str | bytes) -> int | None:
    """The ``<meta name="tdm-reservation">`` value as 1/0/None (first tag wins)."""
    values = meta_values(html, "tdm-reservation")
    return parse_tdm_value(values[0]) if values else None


def effective_tdm_reservation(
    file_rule: TDMRepRule | None, header: int | None, meta: int | None
) -> tuple[int | None, str]:
    """The value in force and its carrier: meta over header over file; absence never resets."""
    if meta is not None:
        return meta, "tdm-reservation-meta"
    if header is not None:
        return header, "tdm-reservation-header"
    if file_rule is not None and file_rule.reservation is not None:
        return file_rule.reservation, "tdmrep.json"
    return None, ""
