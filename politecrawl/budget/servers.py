"""The per-server limit: every request also takes a token from its server's bucket.

Budgets are per site, but many sites can live on one server (shared hosting,
several hosts of a few sites on one address). So each request to an origin
also takes one token from the bucket of the server the origin's host resolves
to (``server:<address>`` in the state store), refilled at
``POLITECRAWL_MAX_IP_RATE`` up to ``POLITECRAWL_BURST`` tokens: over any
window W a server receives at most ``rate × W + burst`` requests, whatever the
sites on it are allowed, across restarts and processes sharing the store.

The server of a host is its address, learned once per host from the crawler's
resolver (:attr:`ServerLimit.lookup` starts the lookup; :meth:`ServerLimit.learn`
is called with the answer). Until the answer comes the host's requests wait
(they would wait for the same lookup in the downloader). Where the crawler does
not know the address (an HTTP proxy is in use for the host, the lookup failed)
the server is the host name itself, so such a crawl goes on as before, one
bucket per host. An IP literal is its own server.

:class:`ServerLimit` is a :class:`~politecrawl.pacing.ServerGate`: the pacer
asks it inside the one admission step, before the site's budget token
(:meth:`ServerLimit.wait`, no spending) and after it (:meth:`ServerLimit.take`).
"""

from __future__ import annotations

import ipaddress
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass, field

from ..state import StateStore, StateStoreError
from .ledger import LEDGER_RETRY, PACE_MARGIN_MAX_SHARE, SeenBucket

__all__ = ["ADDRESS", "LOOKUP_FAILED", "PROXY", "RESOLVE_POLL", "SERVER_KEY", "YIELD", "ServerLimit",
           "ServerRecord", "host_of_origin"]

logger = logging.getLogger("politecrawl.budget")

#: The key of a server's bucket in the state store, without the server (and the store's prefix).
SERVER_KEY = "server:"
#: Seconds between two asks of an origin whose host's address is still being looked up.
RESOLVE_POLL = 0.05
#: Seconds an origin waits when its server has a token but another origin has waited for it
#: longer (that one is due now: it comes first).
YIELD = 0.01
#: An origin waiting for its server that was not asked again for this long (plus two of the
#: server's intervals) has stopped waiting (its site was stopped, its queue emptied).
STALE = 0.25
#: How a server was identified: by the host's address, or by its name because the
#: address is unknown to the crawler (an HTTP proxy in use, the lookup failed).
ADDRESS, PROXY, LOOKUP_FAILED = "address", "host name (HTTP proxy)", "host name (lookup failed)"


def host_of_origin(origin: str) -> str:
    """The host of an origin key ``scheme://host:port`` (an IPv6 literal without brackets)."""
    host = origin.partition("://")[2].rpartition(":")[0]
    return host[1:-1] if host.startswith("[") else host


def _literal(host: str) -> str | None:
    try:
        return ipaddress.ip_address(host).compressed
    except ValueError:
        return None


@dataclass
class ServerRecord:
    """One server met in the crawl: how it was identified, its sites, what it held back."""

    server: str
    basis: str
    sites: set[str] = field(default_factory=set)
    requests: int = 0  #: tokens taken (requests let go to it)
    waits: int = 0  #: admissions held back by its bucket (the server bound the crawl)
    held_sites: set[str] = field(default_factory=set)  #: sites whose requests it held back
    #: Its bucket as this process last saw it: what :meth:`ServerLimit.wait` reads without spending.
    seen: SeenBucket = field(default_factory=SeenBucket)
    #: Origins waiting for its next token, in the order they began to wait (-> when last asked):
    #: a busy server's tokens go round them in turn.
    waiting: dict[str, float] = field(default_factory=dict)


class ServerLimit:
    """The per-server bucket of every request, backed by the state store."""

    def __init__(
        self,
        store: StateStore,
        rate: float,
        burst: float,
        *,
        pace_margin: float = 0.03,
        lookup: Callable[[str], None] | None = None,
        proxied: Callable[[str, str], bool] | None = None,
        on_first_wait: Callable[[ServerRecord], None] | None = None,
    ) -> None:
        if not 0 < rate < math.inf:
            raise ValueError(f"ServerLimit: rate ({rate!r}) must be a positive number")
        self.store = store
        self.rate = float(rate)
        self.burst = float(burst)
        #: Requests are spaced a little wider than the rate, as a site's are (docs/budget.md).
        self.pace = self.rate / (1.0 + min(self.rate * pace_margin, PACE_MARGIN_MAX_SHARE))
        #: ``lookup(host)`` starts resolving *host* and calls :meth:`learn` with the answer
        #: (at once or later); ``None``: every host is its own server.
        self.lookup = lookup
        #: ``proxied(scheme, host)``: does the crawler send this origin's requests through
        #: an HTTP proxy (then it never learns the host's address)?
        self.proxied = proxied
        self.on_first_wait = on_first_wait
        self.servers: dict[str, ServerRecord] = {}
        self._server_of: dict[str, ServerRecord] = {}  # origin -> its server, once known
        self._addresses: dict[str, str | None] = {}  # host -> address (None: lookup failed)
        self._pending: set[str] = set()  # hosts being looked up
        self._listeners: list[Callable[[str], None]] = []
        self.ledger_errors = 0

    def subscribe(self, listener: Callable[[str], None]) -> None:
        """Call *listener(host)* when a lookup of *host* answers (a cluster node holds the host's
        requests until then, so that it never pushes them under the host's name)."""
        self._listeners.append(listener)

    # -- which server ----------------------------------------------------
    def learn(self, host: str, address: str | None) -> None:
        """The lookup of *host* answered *address* (``None``: it failed)."""
        self._pending.discard(host)
        self._addresses[host] = _literal(address) if address else None
        for listener in self._listeners:
            listener(host)

    def server_of(self, site: str, origin: str) -> ServerRecord | None:
        """*origin*'s server, or ``None`` while its host's address is being looked up."""
        record = self._server_of.get(origin)
        if record is not None:
            return record
        host = host_of_origin(origin)
        key, basis = _literal(host), ADDRESS
        if key is None:
            if self.lookup is None:
                key, basis = host, LOOKUP_FAILED
            elif self.proxied is not None and self.proxied(origin.partition("://")[0], host):
                key, basis = host, PROXY
            elif host in self._addresses:
                address = self._addresses[host]
                key, basis = (address, ADDRESS) if address else (host, LOOKUP_FAILED)
            else:
                if host not in self._pending:
                    self._pending.add(host)
                    self.lookup(host)  # may answer at once (a cached address)
                if host not in self._addresses:
                    return None
                return self.server_of(site, origin)
        record = self.servers.get(key)
        if record is None:
            record = self.servers[key] = ServerRecord(key, basis)
        record.sites.add(site)
        self._server_of[origin] = record
        return record

    # -- the decision ----------------------------------------------------
    def ready_at(self, site: str, origin: str, now: float) -> float:
        """Earliest time *origin*'s server could take a request (nothing spent, nothing counted)."""
        record = self.server_of(site, origin)
        if record is None:
            return now + RESOLVE_POLL
        return now + record.seen.wait(now, self.pace, self.burst)

    def wait(self, site: str, origin: str, now: float, *, site_ready: bool = True) -> float:
        """Asked before the site's token is taken: seconds *origin* must wait for its server
        (``0.0``: try it), so that no site token is spent in vain.

        The server's bucket is read as this process last saw it: exact when no other process
        shares it; otherwise they may have taken the token meanwhile, and :meth:`take`
        refuses. While the site is ready (*site_ready*: its own budget would let the
        request go) a wait is the server holding it back: the origin joins the server's
        waiting line, and when a token is there the origin that has waited longest takes it.
        """
        record = self.server_of(site, origin)
        if record is None:
            return RESOLVE_POLL
        wait = record.seen.wait(now, self.pace, self.burst)
        waiting = record.waiting
        if not site_ready:  # the site's own budget holds it: not waiting for the server
            waiting.pop(origin, None)
            return wait
        if wait == 0.0:
            stale = now - STALE - 2.0 / self.pace
            while waiting:
                head = next(iter(waiting))
                if head == origin:
                    return 0.0
                if waiting[head] >= stale:
                    wait = YIELD  # the origin that has waited longest comes first
                    break
                del waiting[head]  # no longer asking: not waiting
            else:
                return 0.0
        waiting[origin] = now  # joins the line (or keeps its place)
        self._held(record, site)
        return wait

    def take(self, site: str, origin: str, now: float) -> float:
        """Take one token from *origin*'s server: ``0.0`` if granted, else seconds to wait.

        Asked after the site's token was taken; a refusal leaves that token spent
        (the site gets less, never more) and counts as the server holding the site
        back. A ledger that cannot be read gives no request (fail closed).
        """
        record = self.server_of(site, origin)
        if record is None:
            return RESOLVE_POLL
        try:
            granted, wait = self.store.take_tokens(SERVER_KEY + record.server, now, self.pace, self.burst)
        except StateStoreError as exc:
            self.ledger_errors += 1
            if self.ledger_errors == 1 or math.log2(self.ledger_errors).is_integer():
                logger.error(
                    "politecrawl budget: the ledger cannot be read (%s); server %s gets no request "
                    "until it can (fail closed)", exc, record.server,
                )
            return LEDGER_RETRY
        if granted:
            record.requests += 1
            record.seen.granted(now, self.pace, self.burst)
            record.waiting.pop(origin, None)
            return 0.0
        record.seen.refused(now, wait, self.pace)
        record.waiting[origin] = now
        self._held(record, site)
        return wait

    # -- the cluster's shared frontier takes the tokens (docs/cluster.md) --
    def server_key(self, site: str, origin: str) -> str:
        """The server a cluster node writes into the shared frontier for *origin*: its address,
        or its host name where the address is not known (a proxy, a failed lookup; a lookup still
        running only when the node closes: the node otherwise holds the request until it answers)."""
        record = self.server_of(site, origin)
        return record.server if record is not None else host_of_origin(origin)

    def taken_elsewhere(self, site: str, origin: str) -> None:
        """The shared frontier's pop took a token of *origin*'s server: count it."""
        record = self.server_of(site, origin)
        if record is not None:
            record.requests += 1

    def held_elsewhere(self, server: str, site: str) -> None:
        """The shared frontier's pop held a request of *site* back: *server* had no token."""
        record = self.servers.get(server)
        if record is None:
            basis = ADDRESS if _literal(server) is not None else LOOKUP_FAILED
            record = self.servers[server] = ServerRecord(server, basis)
        record.sites.add(site)
        self._held(record, site)

    def _held(self, record: ServerRecord, site: str) -> None:
        record.waits += 1
        record.held_sites.add(site)
        if record.waits == 1 and self.on_first_wait is not None:
            self.on_first_wait(record)

    # -- what it did -----------------------------------------------------
    def bound(self) -> list[ServerRecord]:
        """The servers that held requests back (bound the crawl), most waits first."""
        return sorted((r for r in self.servers.values() if r.waits), key=lambda r: (-r.waits, r.server))

    def keyed_by_host(self) -> int:
        """How many servers are host names (the crawler does not know their address)."""
        return sum(1 for r in self.servers.values() if r.basis != ADDRESS)
