"""Scrapy glue of a cluster node: scrapy-redis's scheduler on the per-origin shared frontier.

``SCHEDULER = "politecrawl.middlewares.frontier.cluster.ClusterScheduler"`` (see
``docs/cluster.md``). It is scrapy-redis's ``Scheduler`` — the same dupefilter,
keys, serializer and settings (``SCHEDULER_QUEUE_KEY``,
``SCHEDULER_DUPEFILTER_KEY``, ``SCHEDULER_SERIALIZER``,
``SCHEDULER_FLUSH_ON_START``) — on a queue of its own
(:class:`~politecrawl.middlewares.frontier.shared.OriginQueues`: one queue per
origin in Redis and an index of origins by ready time), with these changes:

* One round trip (a Lua script) pushes the node's new requests after the
  shared dupefilter and pops requests of ready origins only, each with its
  site's budget token taken in the same script; a node takes no more than it
  can send at once, so it never holds requests of a site that cannot go.
* Redis is asked at a bounded rate: when the node can send and the earliest
  origin is due, else every ``POLITECRAWL_CLUSTER_POLL_INTERVAL``; never with a
  blocking pop (it would stall the reactor).
* Redis unreachable: nothing leaves the node (fail closed), it says so once,
  new requests are held locally and pushed when Redis is back, and the node
  keeps trying instead of closing.
* Closing never flushes the shared frontier; the nodes share one crawl id.
* Leases: what a node is granted stays in its lease in Redis until the engine
  is done with it and the requests it produced are pushed (the acknowledgement
  rides on the next exchange); a node killed leaves its lease to expire, and
  any node's next round trip puts those requests back into the shared frontier.
"""

from __future__ import annotations

import logging
import math
import secrets
from urllib.parse import urlsplit
from collections import deque
from typing import TYPE_CHECKING, Any

import redis
from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy.utils.misc import load_object
from scrapy_redis.scheduler import Scheduler

from politecrawl.admission import GO, REFUSED, Answer
from politecrawl.cluster import ClusterSettings, LeaseBook, SharedFrontierLink
from politecrawl.config import ConfigError
from politecrawl.middlewares._scrapy_compat import (
    call_later,
    downloads_in_flight,
    on_request_finished,
    redis_dupefilter,
    wake_engine,
)
from politecrawl.middlewares.downloader.recrawl import POPPED_RECORD_META, Recrawl
from politecrawl.middlewares.frontier.shared import (
    LEASE, REDIS_SCHEMES, OriginQueues, SendSlots, SharedPacing, SharedSendSlots, frontier_redis,
    frontier_redis_url, join_cluster, join_when_reachable, scheduler_kwargs,
)
from politecrawl.middlewares.runtime import ADMISSION, KEYS, SEND_SLOT, Runtime, node_name, stamp_keys
from politecrawl.state.redis import BUDGET_KEY, redact_url
from politecrawl.budget.servers import SERVER_KEY, host_of_origin
from politecrawl.state.redis_frontier import PushItem, RedisFrontier
from politecrawl.recrawl.history import url_key

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from twisted.internet.defer import Deferred

logger = logging.getLogger("politecrawl.cluster")


class ClusterScheduler(Scheduler):
    """scrapy-redis's scheduler on the per-origin shared frontier (see the module doc)."""

    def __init__(self, server: redis.Redis, crawler: Crawler, cluster: ClusterSettings,
                 **kwargs: Any) -> None:
        super().__init__(server, persist=True, **kwargs)
        self.crawler = crawler
        self.runtime = Runtime.of(crawler)
        self.cluster = cluster
        self.link = SharedFrontierLink(cluster, self.runtime.clock)
        self.pending: list[tuple[PushItem, Request, Answer | None]] = []  # not yet pushed
        self.granted: deque[Request] = deque()  # popped with their tokens: they go now
        self.answered: deque[Request] = deque()  # refused by a known answer: no token
        #: requests whose host's address is being looked up (host -> (request, fingerprint, ordinal)),
        #: held here until the lookup answers, so that no origin is pushed under its host's name while
        #: its address is coming (the per-server limit; the single node holds them in its frontier)
        self.resolving: dict[str, list[tuple[Request, str, int]]] = {}
        self._resolving_count = 0
        self._answered_hosts: set[str] = set()  # of those hosts, the ones whose lookup answered
        self.pacing: SharedPacing | None = None
        self._wake_call: Any = None
        self._rates_at = -math.inf
        self._pending_since = -math.inf
        self.frontier_url = ""
        self.concurrency = max(1, crawler.settings.getint("CONCURRENT_REQUESTS"))
        self.leases = LeaseBook(cluster.poll_interval)  # what this node holds in its lease
        self._hooked = False
        self._history: Any = None  # the fetch history, if written behind (an ack waits for its write)
        self._tick_call: Any = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ClusterScheduler:
        settings = crawler.settings
        runtime = Runtime.of(crawler)
        state_scheme = urlsplit(runtime.config.state_url).scheme.lower()
        if state_scheme not in REDIS_SCHEMES:
            raise ConfigError(
                f"POLITECRAWL_STATE ({runtime.store.url!r}) must be a redis:// URL with "
                "ClusterScheduler: nodes that share a frontier must share budgets and stops too, "
                "or each node would spend a whole site budget of its own."
            )
        cluster = ClusterSettings.from_settings(settings)
        if settings.getint("SCHEDULER_IDLE_BEFORE_CLOSE"):
            raise ConfigError(
                f"SCHEDULER_IDLE_BEFORE_CLOSE ({settings.get('SCHEDULER_IDLE_BEFORE_CLOSE')!r}) "
                "must be 0 with ClusterScheduler: it makes scrapy-redis block the reactor in "
                "BRPOP. Use POLITECRAWL_CLUSTER_IDLE_CLOSE (seconds) instead."
            )
        kwargs = scheduler_kwargs(settings)
        server = frontier_redis(settings, runtime.config.state_url)
        scheduler = cls(server, crawler, cluster, **kwargs)
        scheduler.stats = crawler.stats
        url = frontier_redis_url(settings, runtime.config.state_url)
        scheduler.frontier_url = redact_url(url) if url else str(settings.get("REDIS_HOST"))
        return scheduler

    # -- life cycle ------------------------------------------------------------
    def open(self, spider: Spider) -> Deferred | None:
        self.df = redis_dupefilter(
            load_object(self.dupefilter_cls), self.server,
            self.dupefilter_key % {"spider": spider.name},
            self.crawler.settings.getbool("DUPEFILTER_DEBUG"),
        )
        self.crawler.signals.connect(self._spider_idle, signal=signals.spider_idle)
        self.spider = spider
        store = self.runtime.store
        limit = self.runtime.pacer.servers  # the per-server limit: taken in the pop too
        if limit is not None:
            limit.subscribe(self._host_answered)
        recrawl = Recrawl.peek(self.crawler)  # the fetch history: the pop reads each request's record
        if recrawl is not None and not recrawl.settings.enabled:
            recrawl = None
        if recrawl is not None and recrawl.history.write_behind:
            self._history = recrawl.history
        frontier = RedisFrontier(self.server, self.queue_key % {"spider": spider.name},
                                 self.df.key, store.prefix + BUDGET_KEY, node=node_name(),
                                 live=4 * self.cluster.poll_interval + 1.0,
                                 servers=limit and (store.prefix + SERVER_KEY, limit.pace, limit.burst),
                                 history_prefix=store.prefix + url_key("") if recrawl is not None else "",
                                 lease=f"{node_name()}:{secrets.token_hex(4)}",
                                 lease_timeout=self.cluster.lease)
        self.queue = OriginQueues(self.server, spider, frontier.base, self.serializer)
        self.queue.bind(frontier, self.runtime, recrawl)
        if self.flush_on_start:
            try:
                self.flush()
            except redis.exceptions.RedisError as exc:
                self._failed("flush", exc)
        self.frontier = frontier
        self.pacing = SharedPacing(self.runtime, frontier, self._failed)
        self.runtime.send_slots = SharedSendSlots(self.runtime, SendSlots(self.server, frontier.base), self._failed)
        given = self.cluster.crawl_id or self.runtime.crawl_id
        joined = join_when_reachable(
            lambda: join_cluster(store, self.server, frontier, self.runtime, given),
            self._failed, self.cluster.poll_interval)
        logger.info(
            "politecrawl cluster: shared frontier %s (queues under %r, dupefilter %r), crawl %s; "
            "this node takes up to %d requests at a time, only of sites that may go now",
            self.frontier_url, frontier.base, self.df.key, self.runtime.crawl_id,
            self.cluster.local_queue,
        )
        self._tick_call = call_later(self.cluster.poll_interval, self._tick)
        return joined

    def close(self, reason: str) -> None:
        for call in (self._wake_call, self._tick_call):
            if call is not None and call.active():
                call.cancel()
        self._release(all_hosts=True)  # lookups still running: pushed under the host's name
        granted = [(self.queue.item(r, ""), r, None) for r in self.granted]
        self.granted.clear()
        self.pending.extend(granted)
        lost = len(self.pending)
        try:
            self._exchange(self.runtime.clock(), 0, closing=True)
        except redis.exceptions.RedisError as exc:
            logger.error(
                "politecrawl cluster: Redis is unreachable while closing (%s): %d requests "
                "could not go to the shared frontier and are lost", type(exc).__name__, lost,
            )
            self.runtime.inc_stat("cluster/lost_on_close", lost)
            return
        if granted:
            self.runtime.inc_stat("cluster/returned", len(granted))
        try:  # what it holds is done (or was handed back just now): nothing to put back
            self.frontier.release()
        except redis.exceptions.RedisError as exc:
            logger.error("politecrawl cluster: Redis is unreachable while closing (%s): this node's "
                         "lease expires by itself (%d requests in it go back to the shared frontier)",
                         type(exc).__name__, len(self.leases.held))

    # -- the scheduler protocol --------------------------------------------------
    def enqueue_request(self, request: Request) -> bool:
        url, meta, now = request.url, request.meta, self.runtime.clock()
        # a leased request (or its copy: a retry, a redirect, one sent back for a new turn) enqueued
        # again: its lease is acknowledged with the push of this request
        lease = meta.pop(LEASE, None)
        site, origin = stamp_keys(request)
        meta.pop(ADMISSION, None)
        stop = self.runtime.pacer.stopped(site)
        if stop is not None:
            self._dropped(site, stop.source)
            if lease is not None:
                self.leases.finished(lease)
            return True
        gates, refused_by = self.runtime.admission.known_answers(origin, url, now)
        answer = Answer(REFUSED, refused_by=refused_by, gates=gates) if refused_by else None
        fingerprint = "" if request.dont_filter else self.df.request_fingerprint(request)
        if self.stats:
            self.stats.inc_value("scheduler/enqueued/redis")
        self.leases.enqueued()
        if lease is not None:
            self.leases.finished(lease)
        if answer is None and self._hold_for_lookup(request, fingerprint, site, origin):
            return True
        self._add_pending(self.queue.item(request, fingerprint, data=answer is None), request, answer, now)
        if len(self.pending) >= self.link.PUSH_BATCH and self.link.may_send():
            self._try_exchange(now, 0)
        return True

    def next_request(self) -> Request | None:
        now = self.runtime.clock()
        if self._answered_hosts:
            self._release()
        if self.link.should_probe(now):
            self._probe(now)
        if not self.link.may_send():
            self._wake_at(self.link.next_ask_at())
            return None
        if not self.granted and not self.answered:
            want = self.link.to_take(self._free(), now)
            if want or self.link.push_due(len(self.pending), self._pending_since, now):
                self._try_exchange(now, want)
            elif self.pending:
                self._wake_at(self._pending_since + self.link.PUSH_DELAY)
            if now - self._rates_at >= self.cluster.poll_interval:
                self._rates_at = now
                self.pacing.sync_rates()
        self._beat(now)
        if self.answered:
            return self.answered.popleft()
        while self.granted:
            request = self._admitted(self.granted.popleft(), now)
            if request is not None:
                return request
        self._wake_at(self.link.next_ask_at())
        return None

    def has_pending_requests(self) -> bool:
        if self.granted or self.answered or self.pending or self.resolving or not self.link.may_send():
            return True
        now = self.runtime.clock()
        size = self.link.queued_seen(now)
        if size is None:
            try:
                size = len(self.queue)
            except redis.exceptions.RedisError as exc:
                self._failed("size", exc)
                return True
            self.link.seen_size(size, now)
        return size > 0

    def __len__(self) -> int:
        return len(self.granted) + len(self.answered) + len(self.pending) + self._resolving_count

    def push_pending(self) -> None:
        """Push the requests collected since the last round trip now (and pop nothing)."""
        self._try_exchange(self.runtime.clock(), 0)

    # -- internals ---------------------------------------------------------------
    def _add_pending(self, item: PushItem, request: Request, answer: Answer | None, now: float) -> None:
        self.pacing.pushed_rate(item.site, item.rate)
        if not self.pending:
            self._pending_since = now
        self.pending.append((item, request, answer))

    def _hold_for_lookup(self, request: Request, fingerprint: str, site: str, origin: str) -> bool:
        """Hold *request* here while its host's address is being looked up (the lookup starts with
        the host's first request, once per host and node): pushed now, its origin would be written
        under the host's name and take that bucket's tokens, not its server's."""
        servers = self.runtime.pacer.servers
        if servers is None:
            return False
        host = host_of_origin(origin)
        held = self.resolving.get(host)  # requests of the host already held: it goes behind them
        if held is None:
            if servers.server_of(site, origin) is not None:
                return False
            held = self.resolving[host] = []
        held.append((request, fingerprint, self.leases.ordinal))
        self._resolving_count += 1
        self.runtime.inc_stat("cluster/held_for_lookup")
        return True

    def _host_answered(self, host: str) -> None:
        """The per-server limit learned *host*'s address (or that it has none to know)."""
        if host in self.resolving:
            self._answered_hosts.add(host)
            self._wake_at(self.runtime.clock())

    def _release(self, *, all_hosts: bool = False) -> None:
        """Move the held requests whose host's lookup answered (or all) to the next push."""
        hosts = list(self.resolving) if all_hosts else self._answered_hosts
        self._answered_hosts = set()
        now = self.runtime.clock()
        for host in hosts:
            for request, fingerprint, _ in self.resolving.pop(host, ()):
                self._resolving_count -= 1
                self._add_pending(self.queue.item(request, fingerprint), request, None, now)

    def _free(self) -> int:
        return self.concurrency - downloads_in_flight(self.crawler) - len(self.granted)

    def _try_exchange(self, now: float, want: int) -> None:
        try:
            self._exchange(now, want)
        except redis.exceptions.RedisError as exc:
            self._failed("exchange", exc)

    def _exchange(self, now: float, want: int, *, closing: bool = False) -> None:
        """Push what waits to be pushed, acknowledge what is done, and pop up to *want* ready
        requests: one round trip."""
        batch = self.pending
        busy = not closing and (bool(self.granted or batch) or downloads_in_flight(self.crawler) > 0)
        acks = self._acks()
        # the busy mark and the lease's renewal ride on the round trip (the mark renewed if busy or
        # handed requests)
        result = self.frontier.exchange([item for item, _, _ in batch], want, now,
                                        busy=busy, busy_ttl=None if closing else self.link.beat_ttl,
                                        acks=acks, leased=bool(self.leases))
        if busy or result.popped:
            self.link.beaten(now)
        self.pending = []
        self._acked(acks, now)
        self._lease_news(result.requeued, result.lease_lost, result.unseen)
        pushed = duplicates = 0
        for (_, request, answer), new in zip(batch, result.new):
            if not new:
                duplicates += 1
                self.df.log(request, self.spider)
            elif answer is not None:
                request.meta[ADMISSION] = answer
                self.answered.append(request)
            else:
                pushed += 1
        servers = self.runtime.pacer.servers
        for server, site in result.held if servers is not None else ():
            servers.held_elsewhere(server, site)
        for popped in result.popped:
            if servers is not None:
                servers.taken_elsewhere(popped.site, popped.origin)
            try:
                request = self.queue.decode(popped.data)
            except Exception:  # noqa: BLE001 - a request another node wrote that cannot be read
                self.runtime.inc_stat("cluster/undecodable")
                if popped.lease:  # dropped: no node could read it either
                    self.leases.leased(popped.lease, "")
                    self.leases.finished(popped.lease)
                continue
            request.meta[KEYS] = (request.url, popped.site, popped.origin)
            request.meta[SEND_SLOT] = popped.slot
            if popped.lease:
                request.meta[LEASE] = popped.lease
                self.leases.leased(popped.lease, request.url)
            if popped.record is not None:
                request.meta[POPPED_RECORD_META] = (request.url, popped.record or None)
            self.granted.append(request)
        if pushed:
            self.runtime.inc_stat("cluster/pushed", pushed)
        if duplicates:
            self.runtime.inc_stat("cluster/duplicates", duplicates)
        if result.popped:
            self.runtime.inc_stat("cluster/taken", len(result.popped))
            if not self._hooked and self.leases:
                self._hooked = on_request_finished(self.crawler, self._finished)
        self.link.exchanged(want, len(result.popped), result.next_ready, result.queued, now,
                            pushed=bool(pushed))

    def _admitted(self, request: Request, now: float) -> Request | None:
        """A request popped with its token: stopped meanwhile (dropped), refused by a known
        answer (the gate refuses it; its token was spent), or on its way."""
        url, site, origin = request.meta[KEYS]
        stop = self.runtime.pacer.stopped(site)
        if stop is not None:
            self._dropped(site, stop.source)
            self._finished(request)  # the engine never sees it
            return None
        gates, refused_by = self.runtime.admission.known_answers(origin, url, now)
        if refused_by:
            self.runtime.inc_stat(f"cluster/refused_after_token/{refused_by}")
            request.meta[ADMISSION] = Answer(REFUSED, refused_by=refused_by, gates=gates)
        else:
            request.meta[ADMISSION] = Answer(GO, gates=gates)
        if self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request

    # -- leases ------------------------------------------------------------------
    def _finished(self, request: Request) -> None:
        """The engine is done with *request* (answered and parsed, failed, refused, redirected or
        sent back): acknowledge it once the requests enqueued until now are pushed and the fetch
        history of the request its lease was for is written."""
        lease = request.meta.pop(LEASE, None)
        if lease is not None:
            self.leases.finished(lease)

    def _acks(self) -> list[str]:
        """The leases to acknowledge in this round trip (see :class:`LeaseBook`)."""
        if not self.leases.done:
            return []
        first_held = min((held[0][2] for held in self.resolving.values() if held), default=math.inf)
        history = self._history
        return self.leases.to_ack(first_held, history.holds if history is not None else None)

    def _acked(self, acks: list[str], now: float) -> None:
        self.leases.acked(acks, now)
        if acks:
            self.runtime.inc_stat("cluster/acknowledged", len(acks))

    def _lease_news(self, requeued: list[tuple[str, int]], lost: bool, unseen: int = 0) -> None:
        if unseen:
            self.runtime.inc_stat("cluster/reply_lost")
            self.runtime.inc_stat("cluster/reply_lost_requeued", unseen)
            self.runtime.audit.event("cluster-reply-lost", lease=self.frontier.lease, requests=unseen)
            logger.warning(
                "politecrawl cluster: the reply to this node's last pop was lost (Redis ran it, the node "
                "got an error): the %d requests it granted are back in the shared frontier", unseen)
        for lease, n in requeued:
            self.runtime.inc_stat("cluster/leases_expired")
            self.runtime.inc_stat("cluster/requeued", n)
            self.runtime.audit.event("cluster-requeued", lease=lease, requests=n)
            logger.warning(
                "politecrawl cluster: the lease of node %s expired (killed, or stalled for more than "
                "%.3g s): %d requests it was granted and had not finished are back in the shared "
                "frontier", lease, self.cluster.lease, n)
        if lost:
            self.leases.lost()  # called before this round trip's grants are recorded
            self.runtime.inc_stat("cluster/lease_lost")
            logger.warning(
                "politecrawl cluster: this node's lease expired (it was not renewed for %.3g s): the "
                "requests it held went back to the shared frontier and may be fetched twice",
                self.cluster.lease)

    def _tick(self) -> None:
        """Every poll interval: renew the lease (and the busy mark) if no round trip did, also
        while the downloader is full and the engine asks nothing."""
        self._tick_call = call_later(self.cluster.poll_interval, self._tick)
        if self.link.may_send():
            self._beat(self.runtime.clock())

    def _dropped(self, site: str, source: str) -> None:
        self.runtime.inc_stat(f"frontier/dropped/{source}")
        self.runtime.tallies.add(site, f"dropped:{source}")

    def _probe(self, now: float) -> bool:
        """One PING; ``True`` (and say so if it was down) when Redis answers."""
        try:
            self.server.ping()
        except redis.exceptions.RedisError as exc:
            self._failed("ping", exc)
            return False
        down = self.link.recovered(now)
        if down is not None:
            logger.warning(
                "politecrawl cluster: Redis answers again after %.1f s; this node sends again",
                down,
            )
        return True

    def _failed(self, operation: str, exc: Exception) -> None:
        self.runtime.inc_stat("cluster/redis_errors")
        if self.link.failed(self.runtime.clock()):
            logger.error(
                "politecrawl cluster: the shared frontier's Redis is unreachable (%s: %s.%s); "
                "this node sends nothing until it answers again (fail closed) and keeps trying "
                "every %.2g s",
                operation, type(exc).__module__, type(exc).__name__,
                self.cluster.poll_interval,
            )

    def _wake_at(self, when: float) -> None:
        if self._wake_call is not None and self._wake_call.active():
            if self._wake_at_time <= when:
                return
            self._wake_call.cancel()
        self._wake_at_time = when
        self._wake_call = call_later(when - self.runtime.clock(), self._wake)

    def _wake(self) -> None:
        self._wake_call = None
        wake_engine(self.crawler)

    @property
    def busy_key(self) -> str:
        """Set (with a TTL) while some node has requests waiting or in flight."""
        return self.queue.key + ":busy"

    @property
    def leases_key(self) -> str:
        """The index of the nodes' leases that hold requests (see :mod:`~politecrawl.state.redis_frontier`)."""
        return self.queue.key + ":leases"

    def _beat(self, now: float) -> None:
        """Renew the busy mark (a busy node, once a poll interval) and the lease (a node holding
        leased requests, once a poll interval) if no round trip did: one script."""
        busy = bool(self.granted or self.pending) or downloads_in_flight(self.crawler) > 0
        mark = self.link.beat_due(busy, now)
        renew = self.leases.renew_due(now)
        if not (mark or renew):
            return
        try:
            requeued, lost, unseen = self.frontier.beat(now, busy_ttl=self.link.beat_ttl if mark else None,
                                                leased=bool(self.leases))
        except redis.exceptions.RedisError as exc:
            self._failed("beat (busy mark, lease)", exc)
            return
        self.leases.acked([], now)
        if mark:
            self.link.beaten(now)
        self._lease_news(requeued, lost, unseen)

    def _spider_idle(self, spider: Spider | None = None) -> None:
        """Stay open while Redis is down, the shared queue has requests, or another
        node is busy (it may push more); close after POLITECRAWL_CLUSTER_IDLE_CLOSE."""
        now = self.runtime.clock()
        self.leases.engine_idle()  # every request the engine took is done
        if self.link.may_send():
            try:
                # a lease in the index: a node holds requests, or one that died did (put back soon)
                work = len(self.queue) + self.server.exists(self.busy_key, self.leases_key)
            except redis.exceptions.RedisError as exc:
                self._failed("idle check", exc)
            else:
                self.link.seen_size(work, now)
        if self.link.keep_open(now):
            self._wake_at(now + self.cluster.poll_interval)
            raise DontCloseSpider
