"""Bringing an origin's robots.txt rules up to date: the stored copy, another process's fetch, or ours.

Every process of a crawl (and every later crawl) shares one state store, and
one of them fetches an origin's robots.txt at a time (a lease in the store).
For an origin whose rules are not current, the robots gate asks a
:class:`Refresh`, one step at a time, and does what it says:

1. :meth:`Refresh.start`, with the stored record: :data:`USE_STORED` (it is
   fresh) or :data:`CLAIM` (take the fetch lease).
2. :meth:`Refresh.claimed`, with whether the lease was taken: :data:`FETCH`,
   or :data:`POLL` (another process is fetching).
3. :meth:`Refresh.polled`, with the stored record, every :attr:`Refresh.poll_interval`:
   :data:`USE_STORED` once the other process has stored a fresh record,
   :data:`POLL` while its lease runs, :data:`FETCH` when the lease ran out.

:attr:`Refresh.previous` is the record a fetch replaces (its last good copy and
its run of failures carry over: :func:`.record.record_from_fetch`).

sans-IO: records and times in, the next step out; the glue reads and writes
the store, waits and fetches.
"""

from __future__ import annotations

from .record import RobotsRecord

__all__ = ["CLAIM", "FETCH", "POLL", "USE_STORED", "Refresh"]

USE_STORED, CLAIM, FETCH, POLL = "use_stored", "claim", "fetch", "poll"


class Refresh:
    """The steps that bring one origin's record up to date (see the module)."""

    #: Seconds another process may take to fetch a robots.txt before we fetch it ourselves.
    LEASE = 60.0
    #: Seconds between two looks at the store while another process fetches.
    POLL_INTERVAL = 0.2

    def __init__(self, current: RobotsRecord | None, *, lease: float = LEASE,
                 poll_interval: float = POLL_INTERVAL) -> None:
        self.lease = lease
        self.poll_interval = poll_interval
        self._current = current
        self._stored: RobotsRecord | None = None
        self._lease_ends: float | None = None

    @property
    def stored(self) -> RobotsRecord | None:
        """The last record read from the store (the one to use after :data:`USE_STORED`)."""
        return self._stored

    @property
    def previous(self) -> RobotsRecord | None:
        """The record a fetch replaces: the stored one if any, else the one in force here."""
        return self._stored if self._stored is not None else self._current

    def start(self, stored: RobotsRecord | None, now: float) -> str:
        self._remember(stored)
        return USE_STORED if stored is not None and not stored.expired(now) else CLAIM

    def claimed(self, taken: bool, now: float) -> str:
        if taken:
            return FETCH
        self._lease_ends = now + self.lease
        return POLL

    def polled(self, stored: RobotsRecord | None, now: float) -> str:
        self._remember(stored)
        if stored is not None and not stored.expired(now):
            return USE_STORED
        if self._lease_ends is None or now >= self._lease_ends:
            return FETCH
        return POLL

    def _remember(self, stored: RobotsRecord | None) -> None:
        self._stored = stored
