"""Crawls that span processes and machines: when a node asks the shared frontier.

The frontier all nodes share lives in Redis
(:mod:`politecrawl.state.redis_frontier`): one queue per origin and an index of
origins by the time they may next go; one round trip pushes a node's new
requests and pops requests of ready origins only, each with its budget token
taken. :class:`SharedFrontierLink` decides, from the time and what the last
Redis calls returned, *when* to ask Redis and *how many* requests to take,
whether the node may send at all (not while Redis is unreachable: fail
closed), and whether an idle node may close. It is sans-IO: the Scrapy glue
(``politecrawl.middlewares.frontier.cluster``) makes the calls and reports back.

A node takes no more requests than it can send at once (``CONCURRENT_REQUESTS``
less those in flight, at most ``POLITECRAWL_CLUSTER_LOCAL_QUEUE``): what it
takes has its tokens and goes out at once, so it never holds requests of a
site that cannot go. What it takes stays leased to it in Redis until it is done
(:class:`LeaseBook`), so a node that dies loses nothing: its lease expires and
another node puts those requests back.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .clock import Clock
from .settings_reader import SettingsReader
from .state.send_slots import SLOT_AHEAD

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

__all__ = ["ClusterSettings", "LeaseBook", "SharedFrontierLink"]


def _number(settings: BaseSettings, name: str, default: float, *, minimum: float,
            integer: bool = False) -> Any:
    kind = "a whole number" if integer else "a number"
    return SettingsReader(settings).number(name, default, f"{kind} >= {minimum:g} (finite)",
                                           lambda v: v >= minimum, integer=integer)


@dataclass(frozen=True)
class ClusterSettings:
    """The ``POLITECRAWL_CLUSTER_*`` settings (see ``docs/cluster.md``)."""

    #: At most this many requests a node takes from the shared frontier in one round trip.
    local_queue: int = 16
    #: Seconds between asks of an empty shared frontier or an unreachable Redis.
    poll_interval: float = 0.5
    #: An idle node closes once the shared frontier was empty this many seconds.
    idle_close: float = 5.0
    #: The crawl id every node writes its audit records under ("": the first node's own id).
    crawl_id: str = ""
    #: Seconds a node's lease on the requests it was granted lives unrenewed (``None``: ``4 ×
    #: poll_interval + 1``); after it, any node puts them back into the shared frontier.
    lease_timeout: float | None = None

    @property
    def lease(self) -> float:
        """The lease timeout in seconds (see :attr:`lease_timeout`)."""
        return self.lease_timeout if self.lease_timeout is not None else 4 * self.poll_interval + 1.0

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> ClusterSettings:
        poll = _number(settings, "POLITECRAWL_CLUSTER_POLL_INTERVAL", cls.poll_interval, minimum=0.01)
        lease = None
        if settings.get("POLITECRAWL_CLUSTER_LEASE_TIMEOUT") not in (None, ""):
            # a node renews its lease once a poll interval: two must fit in it, and some margin
            lease = SettingsReader(settings).number(
                "POLITECRAWL_CLUSTER_LEASE_TIMEOUT", 4 * poll + 1.0,
                f"a number of seconds > 2 x POLITECRAWL_CLUSTER_POLL_INTERVAL ({2 * poll:g}) (finite)",
                lambda v: v > 2 * poll)
        return cls(
            local_queue=_number(settings, "POLITECRAWL_CLUSTER_LOCAL_QUEUE", cls.local_queue,
                                minimum=1, integer=True),
            poll_interval=poll,
            idle_close=_number(settings, "POLITECRAWL_CLUSTER_IDLE_CLOSE", cls.idle_close,
                               minimum=0),
            crawl_id=_crawl_id(settings.get("POLITECRAWL_CLUSTER_CRAWL_ID")),
            lease_timeout=lease,
        )


_CRAWL_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


def _crawl_id(value: Any) -> str:
    if value is None or value == "":
        return ""
    if not isinstance(value, str) or not _CRAWL_ID.fullmatch(value):
        from .config import ConfigError  # noqa: PLC0415 - avoid a cycle at import

        raise ConfigError(
            f"POLITECRAWL_CLUSTER_CRAWL_ID ({value!r}) must be 1 to 64 letters, digits, '.', '_' "
            "or '-', starting with a letter or digit (the id the nodes' audit records share)."
        )
    return value


class SharedFrontierLink:
    """A node's view of the shared frontier: due to ask? how many? reachable? idle?

    The glue calls :meth:`to_take` before asking Redis for requests, then
    :meth:`exchanged` (or :meth:`failed`); :meth:`seen_size` after it read the
    shared frontier's size.
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
        self._queued = 0
        self._queued_at = -math.inf

    # -- taking requests -----------------------------------------------------
    #: The shortest pause between two asks when the last one came back short (a scan limit
    #: reached with origins still ready): a node never spins on Redis. A pop grants a fast site's
    #: send slots up to this far ahead (``SLOT_AHEAD``), so the gap does not cap its pace.
    MIN_GAP = SLOT_AHEAD
    #: New requests go in a round trip of their own once there are this many (else they ride
    #: on a pop, at most :attr:`PUSH_DELAY` later).
    PUSH_BATCH = 64

    @property
    def PUSH_DELAY(self) -> float:  # noqa: N802 - read as the constant it was
        """New requests wait at most one poll interval for a pop to ride on (a node asks at least that
        often), then go in a round trip of their own: a push-only round trip was ~0.2 of the round trips
        a request with 3 nodes at 0.1 s (tests/test_e2e_cluster_round_trips.py)."""
        return self.settings.poll_interval

    def due(self, now: float) -> bool:
        return now >= self._next_ask

    def next_ask_at(self) -> float:
        return self._next_ask

    def to_take(self, free: int, now: float) -> int:
        """How many requests to take now, for *free* places to send (0: do not ask)."""
        if not self.due(now) or free <= 0:
            return 0
        return min(free, self.settings.local_queue)

    def exchanged(self, asked: int, got: int, next_ready: float | None, queued: int,
                  now: float, *, pushed: bool = False) -> None:
        """One round trip: *got* of *asked* requests came back; the shared frontier holds
        *queued* more, the earliest of them ready at *next_ready* (``None``: none queued)."""
        self._ok(now)
        self._queued, self._queued_at = queued, now
        if queued:
            self._empty_since = None
        elif not got and self._empty_since is None:
            self._empty_since = now
        if pushed:
            self._empty_since = None
        ready = math.inf if next_ready is None else next_ready
        if not asked:  # pushes only: ask at once if they made an origin ready (a new site)
            if ready <= now:
                self._next_ask = min(self._next_ask, now)
        elif got >= asked:
            self._next_ask = now  # a full batch: more may be ready
        else:
            self._next_ask = max(now + self.MIN_GAP,
                                 min(ready, now + self.settings.poll_interval))

    def push_due(self, pending: int, since: float, now: float) -> bool:
        """Whether to send *pending* pushes (collected since *since*) in a round trip of their
        own: they ride on the next pop unless that is more than :attr:`PUSH_DELAY` away."""
        return pending >= self.PUSH_BATCH or (pending > 0 and now - since >= self.PUSH_DELAY)

    def queued_seen(self, now: float) -> int | None:
        """The shared frontier's size as last seen, if seen within a poll interval."""
        if now - self._queued_at <= self.settings.poll_interval:
            return self._queued
        return None

    def pushed(self, now: float) -> None:
        """This node put requests into the shared frontier: it is not empty, ask again."""
        self._ok(now)
        self._next_ask = now
        self._empty_since = None

    def seen_size(self, size: int, now: float) -> None:
        self._ok(now)
        self._queued, self._queued_at = size, now
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


class LeaseBook:
    """What a node holds in its lease in the shared frontier, and when to acknowledge it (sans-IO).

    Each request a pop grants the node is leased to it in Redis (:meth:`leased`). The node
    acknowledges it once the engine is done with it (:meth:`finished`: answered and parsed,
    failed, refused, redirected, dropped) **and** what that produced is written: the requests
    enqueued until then are pushed — the acknowledgement rides on a later push, so those
    enqueued before it are in the same round trip or an earlier one, except the ones held for
    their host's lookup (:meth:`to_ack`'s *first_held*) — and the fetch-history record of the
    request the lease was for (its URL as popped, whichever copy of it finishes: a redirect's, a
    retry's) is written (*writing*). Until then a node killed leaves the request in its lease, and another node puts
    it back. The lease is renewed by every round trip (:meth:`renewed`) and otherwise once every
    *renew_every* seconds while the node holds any (:meth:`renew_due`).
    """

    def __init__(self, renew_every: float) -> None:
        self.renew_every = renew_every
        self.ordinal = 0  # requests enqueued so far
        #: leased to this node, not acknowledged: lease id -> the URL of the request it was granted
        #: (its fetch-history record gates the acknowledgement)
        self.held: dict[str, str] = {}
        self.done: list[tuple[int, str, str]] = []  # (ordinal when done, lease id, URL)
        self.renewed_at = -math.inf

    def __bool__(self) -> bool:
        return bool(self.held)

    def leased(self, lease: str, url: str = "") -> None:
        """*lease* was granted to this node for the request of *url* ("": no record to wait for)."""
        self.held[lease] = url

    def enqueued(self) -> int:
        """A request was enqueued (to be pushed); its ordinal."""
        self.ordinal += 1
        return self.ordinal

    def finished(self, lease: str) -> None:
        """The engine is done with the request of *lease*, or with the copy of it that carried the
        lease (a redirect, a retry, one sent back for a new turn): its acknowledgement waits for the
        fetch-history record of the URL the lease was granted for, not the copy's (after a redirect,
        the original's answer may be held unwritten: a meta refresh is a 200 with a record)."""
        self.done.append((self.ordinal, lease, self.held.get(lease, "")))

    def to_ack(self, first_held: float = math.inf,
               writing: Callable[[str], bool] | None = None) -> list[str]:
        """The leases to acknowledge with the next push: done before the first request still held
        for its host's lookup was enqueued (ordinal *first_held*), and whose record is not being
        written (*writing(url)*)."""
        return [lease for ordinal, lease, url in self.done
                if ordinal < first_held and not (writing is not None and url and writing(url))]

    def acked(self, acks: list[str], now: float) -> None:
        """A round trip renewed the lease and acknowledged *acks*."""
        self.renewed_at = now
        if acks:
            sent = set(acks)
            self.done = [entry for entry in self.done if entry[1] not in sent]
            for lease in sent:
                self.held.pop(lease, None)

    def renew_due(self, now: float) -> bool:
        return bool(self.held) and now - self.renewed_at >= self.renew_every

    def engine_idle(self) -> None:
        """The engine has nothing in flight: whatever is held is done (a request the engine
        dropped without saying so must not keep the lease, and the other nodes open, forever)."""
        done = {lease for _, lease, _ in self.done}
        self.done.extend((self.ordinal, lease, url) for lease, url in self.held.items() if lease not in done)
