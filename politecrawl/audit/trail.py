"""The audit trail of one crawl: append-only records in the state store.

Only :class:`~politecrawl.state.StateStore` operations are used (``append``,
``read_log``), so a Redis store serves many machines exactly like the
embedded SQLite one.

==========================  ===================================================
key                         what it holds
==========================  ===================================================
``audit:crawls``            log: one ``start`` and one ``end`` record per crawl
                            (the index; the latest crawl is the last ``start``)
``audit:log:<crawl id>``    log: the crawl's records, in the order written
==========================  ===================================================

Each record has ``kind``, ``at`` (seconds since the epoch, from the injected
clock), ``site`` (may be empty) and ``data`` (JSON). Kinds:

* ``crawl-start`` / ``crawl-end`` — identity, purpose, share, the settings
  that matter; the end reason.
* ``counts`` — what happened in one time bucket (a minute by default), per
  site: requests sent, bytes received, answers by status class, robots
  refusals by origin and rule, runtime tallies (refusals, drops, reservations),
  personal data removed by type and field name. Counts are kept in memory
  until their bucket is over and written at the next flush (every
  ``flush_interval`` seconds) and at the end: one record per bucket for all
  sites, one entry per site and bucket, never one per URL. A bucket may be
  written in several records (late counts); readers add them up.
* ``robots-fetch`` — origin, status, version hash of a robots.txt fetched.
* ``budget`` — a site's traffic estimate and its source, the cap, the burst.
* ``stop`` / ``pause`` — source, raw signal, when it was received and when it
  was honoured, requests dropped; ``stop-outcome`` / ``pause-outcome`` at the
  end: requests sent between receipt and honour, and after honour (0 when the
  stop was honoured).
* ``request`` — one per request, only when per-request records are on: the
  URL without its query, status, bytes, the robots.txt evidence.

No record holds a value of personal data: personal data is counted per type
and field name only.

The trail is also where a crawl's per-site facts are counted, once: requests
sent, answers, bytes, status classes and the runtime's tallies (refusals,
drops, throttles). Their running totals are :attr:`AuditTrail.totals`
(:mod:`.totals`); the end-of-crawl summary, the progress line and the
budget's byte average read them.
"""

from __future__ import annotations

import json
import logging
import math
from collections import Counter, deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..sites import site_or_invalid
from ..state import StateStore, StateStoreError
from .totals import FACTS, SiteTotals

__all__ = [
    "BUCKET_CHOICES",
    "CRAWLS_KEY",
    "AuditTrail",
    "log_key",
]

logger = logging.getLogger("politecrawl.audit")

CRAWLS_KEY = "audit:crawls"
#: Bucket lengths (seconds) that tile a minute and an hour exactly.
BUCKET_CHOICES = (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30, 60)
#: Send times kept per site to count requests sent between a stop's receipt and its honour.
RECENT_SENDS = 4096
# Counter keys (metric, detail) of an answer, made once (AuditTrail.received)
_BYTES = ("bytes", "")
_RESPONSES = ("responses", "")
_STATUS = {n: ("status", f"{n}xx") for n in range(1, 6)}


def log_key(crawl_id: str) -> str:
    return f"audit:log:{crawl_id}"


def _json(data: Any) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


@dataclass
class _Hold:
    """A stop or pause whose outcome (requests sent despite it) is counted until the end."""

    kind: str  # "stop" or "pause"
    site: str
    source: str
    received_at: float
    honoured_at: float
    until: float = math.inf
    stop_id: str = ""
    sent_between: int = 0  # sent in [received_at, honoured_at)
    sent_after: int = 0  # sent in [honoured_at, until)
    extra: dict[str, Any] = field(default_factory=dict)


class AuditTrail:
    """Writes one crawl's audit records; every method takes its time from *clock*."""

    def __init__(
        self,
        store: StateStore,
        crawl_id: str,
        clock: Callable[[], float],
        *,
        flush_interval: float = 5.0,
        bucket: int = 60,
        per_request: bool = False,
    ) -> None:
        if bucket not in BUCKET_CHOICES:
            raise ValueError(f"bucket ({bucket!r}) must be one of {BUCKET_CHOICES} seconds")
        self.store = store
        self.crawl_id = crawl_id
        self.clock = clock
        self.flush_interval = float(flush_interval)
        self.bucket = bucket
        self.per_request = per_request
        self.key = log_key(crawl_id)
        #: The process's name in a cluster crawl (``host:pid``), written in every record; "" alone.
        self.node = ""
        self.started_at: float | None = None
        self.ended = False
        self.write_errors = 0
        self._counts: dict[int, dict[str, Counter[tuple[str, str]]]] = {}  # bucket -> site -> counts
        self._requests: list[dict[str, Any]] = []
        self._pending: deque[tuple[str, dict[str, Any]]] = deque()  # not yet written
        self._last_flush = clock()
        self._holds: dict[str, list[_Hold]] = {}
        self._recent: dict[str, deque[float]] = {}
        #: Running totals of the facts and tallies counted here, by site (the one counter of each).
        self.totals = SiteTotals()

    def configure(self, *, flush_interval: float, bucket: int, per_request: bool) -> None:
        """Set the settings (before :meth:`start`)."""
        if bucket not in BUCKET_CHOICES:
            raise ValueError(f"bucket ({bucket!r}) must be one of {BUCKET_CHOICES} seconds")
        self.flush_interval = float(flush_interval)
        self.bucket = bucket
        self.per_request = per_request

    def join(self, crawl_id: str, node: str) -> None:
        """Write as node *node* of the crawl *crawl_id* that several processes share (a cluster),
        before :meth:`start`."""
        if self.started_at is not None:
            raise RuntimeError("AuditTrail.join: the crawl has started already")
        self.crawl_id, self.key, self.node = crawl_id, log_key(crawl_id), node

    # -- writing ---------------------------------------------------------
    def _append(self, log: str, record: dict[str, Any]) -> None:
        if self.node:
            record["node"] = self.node
        self._pending.append((log, record))
        self._drain()

    def _drain(self) -> None:
        """Write the pending records in order; on a store error keep them for the next try."""
        while self._pending:
            log, record = self._pending[0]
            try:
                self.store.append(log, record)
            except StateStoreError as exc:
                self.write_errors += 1
                if self.write_errors == 1:
                    logger.error(
                        "politecrawl: the audit trail cannot be written to %s (%s); its records are "
                        "kept in memory and written at the next flush", self.store.url,
                        type(exc).__name__,
                    )
                return
            self._pending.popleft()

    def _record(self, kind: str, site: str, data: Mapping[str, Any], at: float | None = None) -> None:
        when = self.clock() if at is None else at
        self._append(self.key, {"kind": kind, "at": repr(float(when)), "site": site, "data": _json(data)})

    # -- life cycle ------------------------------------------------------
    def start(self, info: Mapping[str, Any]) -> None:
        """The crawl starts: identity, purpose, share and the settings that matter."""
        now = self.clock()
        self.started_at = now
        self._last_flush = now
        self._append(CRAWLS_KEY, {"crawl_id": self.crawl_id, "event": "start", "at": repr(now)})
        self._record("crawl-start", "", {**info, "bucket": self.bucket}, at=now)

    def end(self, reason: str) -> None:
        """The crawl ends: counts flushed, stop and pause outcomes written, index closed."""
        for holds in self._holds.values():
            for hold in holds:
                self._record(f"{hold.kind}-outcome", hold.site, {
                    "source": hold.source, "stop_id": hold.stop_id,
                    "received_at": hold.received_at, "honoured_at": hold.honoured_at,
                    "sent_between": hold.sent_between, "sent_after": hold.sent_after,
                })
        self.flush(final=True)
        self.ended = True
        now = self.clock()
        self._record("crawl-end", "", {"reason": reason, "write_errors": self.write_errors}, at=now)
        self._append(CRAWLS_KEY, {"crawl_id": self.crawl_id, "event": "end", "at": repr(now)})

    # -- counting (buffered) ---------------------------------------------
    def count(self, site: str, metric: str, n: float = 1, key: str = "", at: float | None = None,
              *, total: bool = True) -> None:
        """Add *n* to *site*'s *metric* (and optional detail *key*) in the bucket of *at*
        (and to its running total, for a fact or a tally, unless *total* is false)."""
        if total and (metric == "tally" or metric in FACTS):
            self.totals.add(site, key if metric == "tally" else metric, n)
        if self.ended:
            return  # after the end record: kept in the totals only
        when = self.clock() if at is None else at
        self._counter(site, when)[(metric, key)] += n
        if when - self._last_flush >= self.flush_interval:  # cheap: no clock call per count
            self.flush()

    def tally(self, site: str, name: str, n: int = 1) -> None:
        """A runtime tally of *site* (``refused:<component>:<reason>``, ``dropped:<source>``, ...)."""
        self.count(site, "tally", n, key=name)

    def _counter(self, site: str, at: float) -> Counter:
        """*site*'s counts in the bucket of *at*."""
        bucket = int(at // self.bucket) * self.bucket
        sites = self._counts.get(bucket)
        if sites is None:
            sites = self._counts[bucket] = {}
        counter = sites.get(site)
        if counter is None:
            counter = sites[site] = Counter()
        return counter

    def sent(self, site: str, at: float) -> None:
        """One request was sent to *site* at *at*; checked against its stops and pauses."""
        self.count(site, "requests", 1, at=at)  # the one count of requests sent
        recent = self._recent.get(site)
        if recent is None:
            recent = self._recent[site] = deque(maxlen=RECENT_SENDS)
        recent.append(at)
        for hold in self._holds.get(site, ()):
            self._check(hold, at)

    @staticmethod
    def _check(hold: _Hold, at: float) -> None:
        if hold.received_at <= at < hold.honoured_at:
            hold.sent_between += 1
        elif hold.honoured_at <= at < hold.until:
            hold.sent_after += 1

    def received(self, site: str, nbytes: int, status: int, at: float | None = None) -> None:
        """An answer of *nbytes* body bytes and *status* came from *site*."""
        at = self.clock() if at is None else at  # one clock reading for the three counts
        self.totals.answer(site, nbytes, status)
        if at - self._last_flush >= self.flush_interval:  # a flush is due: one count at a time
            self.count(site, "bytes", nbytes, at=at, total=False)
            self.count(site, "responses", 1, at=at, total=False)
            self.count(site, "status", 1, key=f"{status // 100}xx", at=at)
            return
        # no flush can fall between the three counts: one bucket and site lookup for them
        counter = self._counter(site, at)
        counter[_BYTES] += nbytes
        counter[_RESPONSES] += 1
        counter[_STATUS.get(status // 100) or ("status", f"{status // 100}xx")] += 1

    def request(self, site: str, record: Mapping[str, Any]) -> None:
        """One per-request record (only kept when per-request records are on)."""
        if self.per_request:
            self._requests.append({"site": site, **record})
            self.flush_if_due()

    def flush_if_due(self) -> None:
        if self.clock() - self._last_flush >= self.flush_interval:
            self.flush()

    def flush(self, *, final: bool = False) -> None:
        """Write the counts of every bucket that has ended (all of them when *final*), one record per bucket.

        A bucket is written once it is over, so a site that gets one request every half minute still
        makes one entry per minute; a count that arrives late for a written bucket (an answer that took
        long) is written in a further record for the same bucket, and readers add them up.
        """
        now = self.clock()
        self._last_flush = now
        self._drain()
        for bucket in sorted(self._counts):
            if not final and bucket + self.bucket > now:
                continue
            sites = self._counts.pop(bucket)
            rows = {
                site: [[metric, key, _num(n)] for (metric, key), n in sorted(counter.items())]
                for site, counter in sorted(sites.items())
            }
            self._record("counts", "", {"bucket": bucket, "sites": rows}, at=float(bucket))
        requests, self._requests = self._requests, []
        for req in requests:
            self._record("request", req["site"], req, at=float(req.get("at", now)))

    # -- events (written at once) ----------------------------------------
    def event(self, kind: str, site: str = "", **data: Any) -> None:
        """An event record of any *kind* (rare things: one per origin, site or stop)."""
        self._record(kind, site, data)

    def robots_fetch(self, origin: str, status: int | None, version: str, **data: Any) -> None:
        """A robots.txt of *origin* was fetched (or failed: *status* ``None``)."""
        self._record("robots-fetch", site_or_invalid(origin),
                     {"origin": origin, "status": status, "version": version, **data})

    def robots_refused(self, origin: str, rule: str, n: int = 1) -> None:
        """*n* requests to *origin* were refused by its robots.txt *rule*."""
        self.count(site_or_invalid(origin), "robots-refused", n, key=f"{origin} {rule}")

    def pii_removed(self, site: str, by_type: Mapping[str, int], by_field: Mapping[str, int],
                    removed: Mapping[tuple[str, str], int] | None = None) -> None:
        """Personal data removed from an item of *site*: counts per type and field name, no value; *removed*
        counts per (field path, type) (the report's "how to keep it" table)."""
        for type_, n in by_type.items():
            self.count(site, "pii-type", n, key=type_)
        for name, n in by_field.items():
            self.count(site, "pii-field", n, key=name)
        for (path, type_), n in (removed or {}).items():
            self.count(site, "pii-removal", n, key=f"{type_} {path}")

    def budget(self, site: str, **data: Any) -> None:
        """A site's budget: ``estimate_per_day``, ``source``, ``cap`` (req/s), ``burst``, ..."""
        self._record("budget", site, data)

    def stop(
        self, site: str, *, source: str, signal: str, received_at: float, honoured_at: float,
        dropped: int = 0, stop_id: str = "", **data: Any,
    ) -> None:
        """*site* was stopped: nothing may be sent to it from *honoured_at* on."""
        hold = _Hold("stop", site, source, received_at, honoured_at, stop_id=stop_id)
        self._hold(hold)
        self._record("stop", site, {
            "source": source, "signal": signal, "received_at": received_at,
            "honoured_at": honoured_at, "dropped": dropped, "stop_id": stop_id, **data,
        }, at=honoured_at)

    def pause(
        self, site: str, *, source: str, signal: str, received_at: float, honoured_at: float,
        until: float, **data: Any,
    ) -> None:
        """*site* was paused: nothing may be sent to it in ``[honoured_at, until)``."""
        self._hold(_Hold("pause", site, source, received_at, honoured_at, until=until))
        self._record("pause", site, {
            "source": source, "signal": signal, "received_at": received_at,
            "honoured_at": honoured_at, "until": until if math.isfinite(until) else None, **data,
        }, at=honoured_at)

    def _hold(self, hold: _Hold) -> None:
        # requests already known to have been sent since the receipt
        for at in self._recent.get(hold.site, ()):
            self._check(hold, at)
        self._holds.setdefault(hold.site, []).append(hold)


def _num(n: float) -> float | int:
    return int(n) if float(n).is_integer() else n
