"""The stop registry: which sites politecrawl must not send anything to.

An *operator stop* (a site owner mailed the contact in our User-Agent, phoned,
or sent a letter) is persistent: it lives in the state store the crawls use
and every later crawl on that store refuses the site until someone resumes it
with a reason. Stops a crawl decides on its own (repeated throttling, a block,
a Retry-After beyond the cap) last for that crawl only; they are written to
the same append-only log so the audit trail has them, but not to the active
set.

Only the :class:`~politecrawl.state.StateStore` operations are used (one
atomic Redis command each), so a Redis store behaves like the SQLite one:

==========================  =======================================================
key                         what it holds
==========================  =======================================================
``stops:active``            hash: site key → JSON of the active persistent stop
``stops:log``               append-only log of ``stop`` / ``resume`` /
                            ``crawl-stop`` events, and crawl-side facts
                            (``dropped``: queued requests dropped for a stop,
                            ``http451``: a URL refused for legal reasons)
``stops:seq``               counter that numbers the stops (``stop-<n>``)
``stops:version``           counter bumped *after* every change of ``stops:active``
``stops:wake``              (Redis) channel published on after each bump, so crawls on
                            other machines read the registry at once
==========================  =======================================================

A running crawl reads ``stops:version`` (one GET) every poll interval and
re-reads ``stops:active`` only when it moved. The version is bumped last, so a
poller that sees the new version always sees the change it stands for.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass

from ..state import StateStore

__all__ = [
    "ACTIVE_KEY",
    "LOG_KEY",
    "MAX_REASON_CHARS",
    "SEQ_KEY",
    "VERSION_KEY",
    "WAKE_CHANNEL",
    "Stop",
    "StopEvent",
    "StopRegistry",
    "StopWatcher",
    "StopsChange",
]

ACTIVE_KEY = "stops:active"
LOG_KEY = "stops:log"
SEQ_KEY = "stops:seq"
VERSION_KEY = "stops:version"
#: Channel a shared (Redis) store publishes on after a change of ``stops:active``.
WAKE_CHANNEL = "stops:wake"

#: Longer reasons are refused rather than cut (a cut reason may change its meaning).
MAX_REASON_CHARS = 2000


@dataclass(frozen=True)
class Stop:
    """One stop of one site."""

    id: str
    site: str
    reason: str
    source: str  # "operator", "retry-after", "throttle", "block", "robots", ...
    by: str  # who issued it: an operator name, or "crawl:<crawl id>"
    at: float  # seconds since the epoch
    scope: str = "persistent"  # or "crawl"

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Stop:
        data = json.loads(text)
        return cls(
            id=str(data["id"]),
            site=str(data["site"]),
            reason=str(data["reason"]),
            source=str(data["source"]),
            by=str(data.get("by", "")),
            at=float(data["at"]),
            scope=str(data.get("scope", "persistent")),
        )


@dataclass(frozen=True)
class StopEvent:
    """One record of the stop log."""

    log_id: str
    event: str  # "stop", "resume" or "crawl-stop"
    stop_id: str
    site: str
    reason: str
    source: str
    by: str
    at: float


@dataclass(frozen=True)
class StopsChange:
    """What a poll of the registry found new since the previous poll."""

    stopped: tuple[Stop, ...]
    resumed: tuple[str, ...]  # site keys


def _clean_reason(reason: str) -> str:
    text = (reason or "").strip()
    if not text:
        raise ValueError("a reason is required (say who asked and how, e.g. 'mail from the site owner')")
    if len(text) > MAX_REASON_CHARS:
        raise ValueError(f"the reason is {len(text)} characters; at most {MAX_REASON_CHARS} are kept")
    return text


class StopRegistry:
    """Stops and resumes of sites, kept in a :class:`StateStore`."""

    def __init__(self, store: StateStore, clock: Callable[[], float]) -> None:
        self.store = store
        self.clock = clock

    # -- writes ----------------------------------------------------------
    def stop(self, site: str, reason: str, source: str = "operator", by: str = "") -> Stop:
        """Record a persistent stop of *site*; return it.

        A site that is already stopped keeps its first stop (its id stays the
        one the queue-drop counts refer to); the new request is logged as a
        ``stop`` event with the existing id and the existing stop is returned.
        """
        reason = _clean_reason(reason)
        existing = self.active(site)
        now = self.clock()
        if existing is not None:
            self._log("stop", existing.id, site, reason, source, by, now)
            return existing
        seq = int(self.store.incr(SEQ_KEY))
        stop = Stop(id=f"stop-{seq}", site=site, reason=reason, source=source, by=by, at=now)
        self.store.hset(ACTIVE_KEY, {site: stop.to_json()})
        self._log("stop", stop.id, site, reason, source, by, now)
        self.store.incr(VERSION_KEY)  # last: pollers that see it see the change
        self.store.publish(WAKE_CHANNEL)
        return stop

    def resume(self, site: str, reason: str, by: str = "") -> Stop | None:
        """End the active stop of *site*; return the stop that ended (``None`` if none)."""
        reason = _clean_reason(reason)
        existing = self.active(site)
        if existing is None:
            return None
        self.store.hdel(ACTIVE_KEY, site)
        self._log("resume", existing.id, site, reason, "operator", by, self.clock())
        self.store.incr(VERSION_KEY)
        self.store.publish(WAKE_CHANNEL)
        return existing

    def record_crawl_stop(self, site: str, reason: str, source: str, crawl_id: str) -> Stop:
        """Log a stop that lasts for one crawl only (it does not enter the active set)."""
        reason = _clean_reason(reason)
        seq = int(self.store.incr(SEQ_KEY))
        now = self.clock()
        by = f"crawl:{crawl_id}"
        stop = Stop(
            id=f"stop-{seq}", site=site, reason=reason, source=source, by=by, at=now, scope="crawl"
        )
        self._log("crawl-stop", stop.id, site, reason, source, by, now)
        return stop

    def record_event(
        self, event: str, site: str, detail: str, source: str, crawl_id: str, stop_id: str = ""
    ) -> None:
        """Log a crawl-side fact about a stop (``dropped`` queue counts, ``http451``, ...)."""
        self._log(event, stop_id, site, detail, source, f"crawl:{crawl_id}", self.clock())

    def _log(
        self, event: str, stop_id: str, site: str, reason: str, source: str, by: str, at: float
    ) -> None:
        self.store.append(
            LOG_KEY,
            {
                "event": event,
                "stop_id": stop_id,
                "site": site,
                "reason": reason,
                "source": source,
                "by": by,
                "at": repr(at),
            },
        )

    # -- reads -----------------------------------------------------------
    def version(self) -> float:
        """The change counter (0 before the first change); one GET."""
        value = self.store.get(VERSION_KEY)
        return float(value) if value is not None else 0.0

    def active(self, site: str) -> Stop | None:
        """The active persistent stop of *site*, if any."""
        raw = self.store.hgetall(ACTIVE_KEY).get(site)
        return Stop.from_json(raw) if raw is not None else None

    def list(self) -> list[Stop]:
        """Every active persistent stop, oldest first."""
        stops = [Stop.from_json(raw) for raw in self.store.hgetall(ACTIVE_KEY).values()]
        return sorted(stops, key=lambda s: (s.at, s.id))

    def history(self, site: str | None = None, limit: int | None = None) -> list[StopEvent]:
        """The stop log (all sites, or one), in append order."""
        events = []
        for log_id, rec in self.store.read_log(LOG_KEY):
            if site is not None and rec.get("site") != site:
                continue
            events.append(
                StopEvent(
                    log_id=log_id,
                    event=rec.get("event", ""),
                    stop_id=rec.get("stop_id", ""),
                    site=rec.get("site", ""),
                    reason=rec.get("reason", ""),
                    source=rec.get("source", ""),
                    by=rec.get("by", ""),
                    at=float(rec.get("at", "0") or 0),
                )
            )
        return events[-limit:] if limit else events


class StopWatcher:
    """Lets a running crawl see new stops and resumes cheaply.

    :meth:`poll` costs nothing before the interval is up, one GET when the
    version has not moved, and one HGETALL when it has. A stop issued at any
    moment is therefore seen at most ``interval`` seconds (plus the read time)
    later. The first poll reports every stop already active.
    """

    def __init__(
        self, registry: StopRegistry, clock: Callable[[], float], interval: float = 0.5
    ) -> None:
        if interval <= 0:
            raise ValueError(f"poll interval must be > 0 seconds, got {interval!r}")
        self.registry = registry
        self.clock = clock
        self.interval = interval
        self._version: float | None = None
        self._known: dict[str, Stop] = {}
        self._next_at = float("-inf")

    @property
    def known(self) -> dict[str, Stop]:
        """The active stops as of the last poll, by site."""
        return dict(self._known)

    def due(self) -> bool:
        """Whether :meth:`poll` would read the store now (the interval is up)."""
        return self.clock() >= self._next_at

    def poll(self, force: bool = False) -> StopsChange | None:
        """Return what changed since the last poll, or ``None`` if nothing (or not due).

        Raises :class:`~politecrawl.state.StateStoreError` when the store
        cannot be read; the caller fails closed.
        """
        now = self.clock()
        if not force and now < self._next_at:
            return None
        self._next_at = now + self.interval
        version = self.registry.version()
        if version == self._version:
            return None
        current = {stop.site: stop for stop in self.registry.list()}
        self._version = version
        stopped = tuple(s for site, s in current.items() if self._known.get(site) != s)
        resumed = tuple(sorted(site for site in self._known if site not in current))
        self._known = current
        if not stopped and not resumed:
            return None
        return StopsChange(stopped=stopped, resumed=resumed)

