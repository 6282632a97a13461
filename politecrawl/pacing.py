"""When may a site, and an origin of it, get its next request?

:class:`Pacer` is the one place that answers. It combines every limit that
politecrawl honours, and the strictest wins:

* a stop of the site (operator, robots.txt, repeated throttling, a block) —
  nothing, ever, until resumed;
* a pause of the site (``Retry-After``, back-off) — nothing before a time;
* a minimum interval between requests to an origin (robots.txt
  ``Crawl-delay`` / ``Request-rate``);
* a visit window of an origin (robots.txt ``Visit-time``, UTC);
* the site's traffic budget, through a pluggable :class:`BudgetGate`;
* the bucket of the server the origin's host is on, through a pluggable
  :class:`ServerGate` (asked before the budget, so that no site token is
  spent while the server is known to be busy, and taken after it).

It is sans-IO: the caller passes ``now``; it keeps only in-memory state and
calls listeners when a site's state changes so the frontier can re-examine
(or drop) that site's queue.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

__all__ = ["BudgetGate", "Pacer", "ServerGate", "SiteStop", "next_window_opening"]

INFINITY = math.inf


@dataclass(frozen=True)
class SiteStop:
    """A site gets no request while it is stopped."""

    site: str
    source: str  # operator, robots, throttle, block, reservation, ...
    reason: str
    stop_id: str = ""
    at: float = 0.0


class BudgetGate(Protocol):
    """The traffic budget, as the pacer sees it."""

    def acquire(self, site: str, now: float) -> float:
        """Spend one request of *site*'s budget: 0.0 if granted, else seconds to wait."""

    def ready_at(self, site: str, now: float) -> float:
        """Earliest time *site* could be granted a request (no spending)."""


class ServerGate(Protocol):
    """The per-server limit, as the pacer sees it (:class:`politecrawl.budget.servers.ServerLimit`)."""

    def ready_at(self, site: str, origin: str, now: float) -> float:
        """Earliest time *origin*'s server could take a request (no spending)."""

    def wait(self, site: str, origin: str, now: float, *, site_ready: bool = True) -> float:
        """Seconds *origin*'s server is known to need before its next request (no spending);
        *site_ready*: whether the site's own budget would let it go (then a wait is the server's)."""

    def take(self, site: str, origin: str, now: float) -> float:
        """Spend one request of *origin*'s server: 0.0 if granted, else seconds to wait."""


def next_window_opening(now: float, start: dt.time, end: dt.time) -> float:
    """*now* if the UTC time of day is inside ``[start, end)``, else when it next opens.

    A window whose end is before its start wraps past midnight
    (``2300-0100``). ``start == end`` is an empty window... except that
    protego gives that for "all day", so it is read as always open.
    """
    if start == end:
        return now
    moment = dt.datetime.fromtimestamp(now, tz=dt.timezone.utc)
    tod = moment.time().replace(tzinfo=None)
    inside = (start <= tod < end) if start < end else (tod >= start or tod < end)
    if inside:
        return now
    opening = moment.replace(
        hour=start.hour, minute=start.minute, second=start.second, microsecond=0
    )
    if opening <= moment:
        opening += dt.timedelta(days=1)
    return opening.timestamp()


class Pacer:
    """Per-site and per-origin pacing state of one crawl process."""

    def __init__(self, budget: BudgetGate | None = None, servers: ServerGate | None = None) -> None:
        self.budget = budget
        self.servers = servers
        self._stops: dict[str, SiteStop] = {}
        self._pauses: dict[str, tuple[float, str]] = {}
        self._origin_pauses: dict[str, tuple[float, str]] = {}
        self._intervals: dict[str, tuple[float, str]] = {}
        self._windows: dict[str, tuple[dt.time, dt.time]] = {}
        self._last_sent: dict[str, float] = {}
        self._listeners: list[Callable[[str], None]] = []
        self._origin_listeners: list[Callable[[str], None]] = []

    # -- listeners -------------------------------------------------------
    def subscribe(self, listener: Callable[[str], None]) -> None:
        """Call *listener(site)* whenever a site's pacing changes."""
        self._listeners.append(listener)

    def _changed(self, site: str) -> None:
        for listener in self._listeners:
            listener(site)

    def subscribe_origins(self, listener: Callable[[str], None]) -> None:
        """Call *listener(origin)* whenever an origin's interval, visit window or pause changes."""
        self._origin_listeners.append(listener)

    def _origin_changed(self, origin: str) -> None:
        for listener in self._origin_listeners:
            listener(origin)

    # -- limits set by the policies -------------------------------------
    def set_min_interval(self, origin: str, seconds: float, source: str) -> None:
        before = self.min_interval(origin)
        if seconds > 0:
            self._intervals[origin] = (float(seconds), source)
        else:
            self._intervals.pop(origin, None)
        if self._origin_listeners and self.min_interval(origin) != before:
            self._origin_changed(origin)

    def min_interval(self, origin: str) -> float:
        return self._intervals.get(origin, (0.0, ""))[0]

    def set_visit_window(self, origin: str, start: dt.time | None, end: dt.time | None) -> None:
        before = self._windows.get(origin)
        if start is None or end is None:
            self._windows.pop(origin, None)
        else:
            self._windows[origin] = (start, end)
        if self._origin_listeners and self._windows.get(origin) != before:
            self._origin_changed(origin)

    def visit_window(self, origin: str) -> tuple[dt.time, dt.time] | None:
        """The origin's Visit-time window (UTC start, end), or ``None``."""
        return self._windows.get(origin)

    def pause_site(self, site: str, until: float, source: str) -> None:
        """No request to *site* before *until* (a later pause extends, never shortens)."""
        current = self._pauses.get(site)
        if current is None or until > current[0]:
            self._pauses[site] = (until, source)
            self._changed(site)

    def pause_origin(self, site: str, origin: str, until: float, source: str) -> None:
        """No request to *origin* (of *site*) before *until*, e.g. while its robots.txt is
        unreachable; the site's other origins go on. A later pause extends, never shortens."""
        current = self._origin_pauses.get(origin)
        if current is None or until > current[0]:
            self._origin_pauses[origin] = (until, source)
            self._changed(site)
            self._origin_changed(origin)

    def origin_paused_until(self, origin: str) -> float:
        return self._origin_pauses.get(origin, (0.0, ""))[0]

    def paused_until(self, site: str) -> float:
        return self._pauses.get(site, (0.0, ""))[0]

    def paused_sites(self, now: float) -> list[str]:
        """The sites paused at *now* (Retry-After, back-off)."""
        return sorted(site for site, (until, _) in self._pauses.items() if until > now)

    def stop_site(self, site: str, source: str, reason: str, stop_id: str = "", at: float = 0.0) -> None:
        if site not in self._stops:
            self._stops[site] = SiteStop(site, source, reason, stop_id, at)
            self._changed(site)

    def resume_site(self, site: str) -> None:
        if self._stops.pop(site, None) is not None:
            self._changed(site)

    def stopped(self, site: str) -> SiteStop | None:
        return self._stops.get(site)

    @property
    def stops(self) -> dict[str, SiteStop]:
        return dict(self._stops)

    # -- the decision ----------------------------------------------------
    def _local_ready_at(self, site: str, origin: str, now: float) -> float:
        if site in self._stops:
            return INFINITY
        ready = now
        pause = self._pauses.get(site)
        if pause is not None:
            if pause[0] > now:
                ready = pause[0]
            else:
                del self._pauses[site]
        if self._origin_pauses:
            held = self._origin_pauses.get(origin)
            if held is not None:
                if held[0] > now:
                    ready = max(ready, held[0])
                else:
                    del self._origin_pauses[origin]
        interval = self._intervals.get(origin)
        if interval is not None:
            ready = max(ready, self._last_sent.get(origin, -INFINITY) + interval[0])
        window = self._windows.get(origin)
        if window is not None:
            ready = next_window_opening(ready, *window)
        return ready

    def ready_at(self, site: str, origin: str, now: float) -> float:
        """Earliest time a request to *origin* (of *site*) may be sent; ``inf`` if stopped."""
        ready = self._local_ready_at(site, origin, now)
        if ready <= now and self.budget is not None:
            ready = max(ready, self.budget.ready_at(site, now))
        if ready < INFINITY and self.servers is not None:
            ready = max(ready, self.servers.ready_at(site, origin, now))
        return ready

    def acquire(self, site: str, origin: str, now: float) -> float:
        """Try to send one request now: 0.0 if granted (and recorded), else seconds to wait.

        ``inf`` means the site is stopped.
        """
        ready = self._local_ready_at(site, origin, now)
        if ready > now:
            return ready - now
        servers = self.servers
        if servers is not None:
            site_wait = 0.0 if self.budget is None else self.budget.ready_at(site, now) - now
            wait = servers.wait(site, origin, now, site_ready=site_wait <= 0)
            if wait > 0:
                return max(wait, site_wait)
        if self.budget is not None:
            wait = self.budget.acquire(site, now)
            if wait > 0:
                return wait
        if servers is not None:
            wait = servers.take(site, origin, now)
            if wait > 0:  # the site's token is spent: the site gets less, never more
                return wait
        self._last_sent[origin] = now
        return 0.0
