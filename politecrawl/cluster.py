"""Crawls that span processes and machines: when a node asks the shared frontier.

A cluster node keeps a small local paced frontier (the
:class:`~politecrawl.middlewares.frontier.queue.PacedPriorityQueue`) and fills it
from the frontier all nodes share in Redis (scrapy-redis's queue and
dupefilter). :class:`SharedFrontierLink` decides, from the time and what the
last Redis calls returned, *when* to ask Redis and *how many* requests to
take, whether the node may send at all (not while Redis is unreachable: fail
closed), and whether an idle node may close. It is sans-IO: the Scrapy glue
(``politecrawl.middlewares.frontier.cluster``) makes the calls and reports back.

Why a local buffer and not a Redis-side queue per site: the local buffer
reuses the one paced frontier politecrawl has (pauses, stops, robots.txt
delays, budgets) unchanged, and the budget that must hold for the whole
cluster is already one atomic Redis step per request (``take_tokens``). The
buffer is bounded (``POLITECRAWL_CLUSTER_LOCAL_QUEUE``) so a node does not
hoard work the other nodes could do; what it holds when it closes goes back
to the shared frontier.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .clock import Clock
from .settings_reader import SettingsReader

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

__all__ = ["ClusterSettings", "SharedFrontierLink"]


def _number(settings: BaseSettings, name: str, default: float, *, minimum: float,
            integer: bool = False) -> Any:
    kind = "a whole number" if integer else "a number"
    return SettingsReader(settings).number(name, default, f"{kind} >= {minimum:g} (finite)",
                                           lambda v: v >= minimum, integer=integer)


@dataclass(frozen=True)
class ClusterSettings:
    """The ``POLITECRAWL_CLUSTER_*`` settings (see ``docs/cluster.md``)."""

    #: At most this many requests wait in a node's local paced frontier.
    local_queue: int = 8
    #: Seconds between asks of an empty shared frontier or an unreachable Redis.
    poll_interval: float = 0.5
    #: An idle node closes once the shared frontier was empty this many seconds.
    idle_close: float = 5.0

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> ClusterSettings:
        return cls(
            local_queue=_number(settings, "POLITECRAWL_CLUSTER_LOCAL_QUEUE", cls.local_queue,
                                minimum=1, integer=True),
            poll_interval=_number(settings, "POLITECRAWL_CLUSTER_POLL_INTERVAL",
                                  cls.poll_interval, minimum=0.01),
            idle_close=_number(settings, "POLITECRAWL_CLUSTER_IDLE_CLOSE", cls.idle_close,
                               minimum=0),
        )


class SharedFrontierLink:
    """A node's view of the shared frontier: due to ask? how many? reachable? idle?

    The glue calls :meth:`to_take` before asking Redis for requests, then
    :meth:`took` (or :meth:`failed`); :meth:`pushed` after it put a request
    into the shared frontier; :meth:`seen_size` after it read its size.
    """

    def __init__(self, settings: ClusterSettings, clock: Clock) -> None:
        self.settings = settings
        self.clock = clock
        self.reachable = True
        self.down_since: float | None = None
        self.failures = 0
        self._next_ask = -math.inf
        self._empty_since: float | None = None
        self._last_contact = -math.inf
        self._last_beat = -math.inf

    # -- taking requests -----------------------------------------------------
    @property
    def low_water(self) -> int:
        """Refill only when the local frontier has at most this many (half the bound)."""
        return self.settings.local_queue // 2

    def due(self, now: float) -> bool:
        return now >= self._next_ask

    def next_ask_at(self) -> float:
        return self._next_ask

    def to_take(self, local: int, now: float) -> int:
        """How many requests to take from the shared frontier now (0: do not ask)."""
        if not self.due(now) or local > self.low_water:
            return 0
        return max(0, self.settings.local_queue - local)

    def took(self, asked: int, got: int, now: float) -> None:
        """*got* of *asked* requests came back; fewer means the shared frontier ran dry."""
        self._ok(now)
        if got < asked:
            self._next_ask = now + self.settings.poll_interval
            if got == 0 and self._empty_since is None:
                self._empty_since = now
        else:
            self._next_ask = now
            self._empty_since = None

    def pushed(self, now: float) -> None:
        """This node put a request into the shared frontier: it is not empty, ask again."""
        self._ok(now)
        self._next_ask = now
        self._empty_since = None

    def seen_size(self, size: int, now: float) -> None:
        self._ok(now)
        if size > 0:
            self._empty_since = None
            self._next_ask = min(self._next_ask, now)
        elif self._empty_since is None:
            self._empty_since = now

    # -- reachability --------------------------------------------------------
    def failed(self, now: float) -> bool:
        """A Redis call failed; return ``True`` the first time (say so once)."""
        self.failures += 1
        self._next_ask = now + self.settings.poll_interval
        first = self.reachable
        if first:
            self.reachable = False
            self.down_since = now
        return first

    def _ok(self, now: float) -> None:
        self.reachable = True
        self.down_since = None
        self._last_contact = max(self._last_contact, now)

    def should_probe(self, now: float) -> bool:
        """Whether to PING now: Redis is down and a retry is due, or it has not been
        heard from for a poll interval (a node busy with its local frontier must
        still notice an outage, and stop sending)."""
        if not self.reachable:
            return self.due(now)
        return now - self._last_contact >= self.settings.poll_interval

    def recovered(self, now: float) -> float | None:
        """Mark Redis reachable; return how long it was down (``None`` if it was up)."""
        if self.reachable:
            return None
        down = now - (self.down_since if self.down_since is not None else now)
        self._ok(now)
        self._next_ask = now
        return down

    def may_send(self) -> bool:
        """Fail closed: nothing leaves the node while Redis is unreachable."""
        return self.reachable

    # -- closing -------------------------------------------------------------
    @property
    def beat_ttl(self) -> float:
        """How long a node's "I am busy" mark lives: it may yet push new requests."""
        return self.settings.idle_close + 2 * self.settings.poll_interval

    def beat_due(self, busy: bool, now: float) -> bool:
        """Whether a busy node should renew its mark now (at most once per poll interval)."""
        return busy and self.reachable and now - self._last_beat >= self.settings.poll_interval

    def beaten(self, now: float) -> None:
        self._ok(now)
        self._last_beat = now

    def idle_for(self, now: float) -> float:
        """Seconds the shared frontier has been seen empty (0 if not empty)."""
        return 0.0 if self._empty_since is None else now - self._empty_since

    def keep_open(self, now: float) -> bool:
        """Whether an idle node should stay open (Redis down, or not idle long enough)."""
        if not self.reachable:
            return True
        if self._empty_since is None:
            return True
        return self.idle_for(now) < self.settings.idle_close
