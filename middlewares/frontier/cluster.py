"""Scrapy glue of a cluster node: scrapy-redis's shared frontier feeding the paced frontier.

``SCHEDULER = "politecrawl.middlewares.frontier.cluster.ClusterScheduler"`` (see
``docs/cluster.md``). It is scrapy-redis's ``Scheduler`` — the same Redis
queue, dupefilter, keys and settings (``SCHEDULER_QUEUE_KEY``,
``SCHEDULER_QUEUE_CLASS``, ``SCHEDULER_DUPEFILTER_KEY``,
``SCHEDULER_SERIALIZER``, ``SCHEDULER_FLUSH_ON_START``) — with four changes:

* Requests taken from the shared queue wait in a bounded local
  ``SCHEDULER_PRIORITY_QUEUE`` (the add-on's paced frontier), never in the
  downloader; the engine gets only what the pacer lets go, and every such
  request has taken a token from the site's bucket in Redis.
* Redis is asked at a bounded rate: in batches when the local frontier runs
  low, every ``POLITECRAWL_CLUSTER_POLL_INTERVAL`` when the shared queue is
  empty; never with a blocking pop (it would stall the reactor).
* Redis unreachable: nothing leaves the node (fail closed), it says so once,
  new requests are held locally and pushed when Redis is back, and the node
  keeps trying instead of closing.
* Closing never flushes the shared frontier (other nodes still use it), and
  the requests still waiting locally go back to it.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry
from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy.utils.misc import load_object
from scrapy_redis import connection, defaults
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.scheduler import Scheduler

from politecrawl.middlewares._scrapy_compat import (
    call_later,
    downloads_in_flight,
    drain_priority_queue,
    memory_priority_queue,
    redis_dupefilter,
    take_from_redis_queue,
    wake_engine,
)
from politecrawl.cluster import ClusterSettings, SharedFrontierLink
from politecrawl.config import ConfigError
from politecrawl.middlewares.runtime import Runtime
from politecrawl.state.redis import redact_url

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

logger = logging.getLogger("politecrawl.cluster")

#: Client defaults for the frontier's Redis: short timeouts (every call runs in
#: the reactor thread) and no automatic retries. ``REDIS_PARAMS`` overrides them.
REDIS_CLIENT_DEFAULTS: dict[str, Any] = {
    "socket_timeout": 2.0,
    "socket_connect_timeout": 2.0,
    "retry_on_timeout": False,
    "encoding": defaults.REDIS_ENCODING,
}

_REDIS_SCHEMES = ("redis", "rediss", "unix")


def frontier_redis_url(settings: BaseSettings, state_url: str) -> str | None:
    """``REDIS_URL`` if set, else the server of a ``redis://`` ``POLITECRAWL_STATE``."""
    url = settings.get("REDIS_URL")
    if url:
        return str(url)
    if urlsplit(state_url).scheme.lower() in _REDIS_SCHEMES:
        parts = urlsplit(state_url)
        query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "prefix"]
        return urlunsplit(parts._replace(query=urlencode(query)))
    return None


def frontier_redis(settings: BaseSettings, state_url: str) -> redis.Redis:
    params = {**REDIS_CLIENT_DEFAULTS, "retry": Retry(NoBackoff(), 0)}
    params.update(settings.getdict("REDIS_PARAMS"))
    url = frontier_redis_url(settings, state_url)
    if url is None and not settings.get("REDIS_HOST"):
        raise ConfigError(
            "ClusterScheduler needs the Redis the nodes share: set REDIS_URL "
            "(redis://host:port/db), or POLITECRAWL_STATE to a redis:// URL."
        )
    for name in ("REDIS_HOST", "REDIS_PORT", "REDIS_DB"):
        if settings.get(name) and url is None:
            params[name.split("_", 1)[1].lower()] = settings.get(name)
    if url is not None:
        params["url"] = url
    return connection.get_redis(**params)


class ClusterScheduler(Scheduler):
    """scrapy-redis's scheduler with a local paced frontier (see the module doc)."""

    def __init__(self, server: redis.Redis, crawler: Crawler, cluster: ClusterSettings,
                 **kwargs: Any) -> None:
        super().__init__(server, persist=True, **kwargs)
        self.crawler = crawler
        self.runtime = Runtime.of(crawler)
        self.cluster = cluster
        self.link = SharedFrontierLink(cluster, self.runtime.clock)
        self.local: Any = None
        self.unsent: list[tuple[Request, bool]] = []  # (request, dupefilter already asked)
        self._wake_call: Any = None
        self.frontier_url = ""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ClusterScheduler:
        settings = crawler.settings
        runtime = Runtime.of(crawler)
        state_scheme = urlsplit(runtime.config.state_url).scheme.lower()
        if state_scheme not in _REDIS_SCHEMES:
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
        if settings.get("SCHEDULER_PERSIST") is False:
            logger.info(
                "politecrawl cluster: SCHEDULER_PERSIST is ignored: a node never flushes the "
                "shared frontier when it closes (the other nodes still use it)"
            )
        kwargs: dict[str, Any] = {
            "flush_on_start": settings.getbool("SCHEDULER_FLUSH_ON_START"),
            "queue_key": settings.get("SCHEDULER_QUEUE_KEY") or defaults.SCHEDULER_QUEUE_KEY,
            "queue_cls": settings.get("SCHEDULER_QUEUE_CLASS") or defaults.SCHEDULER_QUEUE_CLASS,
            "dupefilter_key": settings.get("SCHEDULER_DUPEFILTER_KEY")
            or defaults.SCHEDULER_DUPEFILTER_KEY,
            "dupefilter_cls": _shared_dupefilter_cls(settings),
        }
        serializer = settings.get("SCHEDULER_SERIALIZER")
        if serializer:
            import importlib  # noqa: PLC0415

            kwargs["serializer"] = (
                importlib.import_module(serializer) if isinstance(serializer, str) else serializer
            )
        server = frontier_redis(settings, runtime.config.state_url)
        scheduler = cls(server, crawler, cluster, **kwargs)
        scheduler.stats = crawler.stats
        url = frontier_redis_url(settings, runtime.config.state_url)
        scheduler.frontier_url = redact_url(url) if url else str(settings.get("REDIS_HOST"))
        return scheduler

    # -- life cycle ------------------------------------------------------------
    def open(self, spider: Spider) -> None:
        self.df = redis_dupefilter(
            load_object(self.dupefilter_cls), self.server,
            self.dupefilter_key % {"spider": spider.name},
            self.crawler.settings.getbool("DUPEFILTER_DEBUG"),
        )
        self.local = memory_priority_queue(self.crawler)
        self.crawler.signals.connect(self._spider_idle, signal=signals.spider_idle)
        try:
            super().open(spider)  # the shared queue; flushes it if SCHEDULER_FLUSH_ON_START
        except redis.exceptions.RedisError as exc:
            self._failed("open", exc)
        logger.info(
            "politecrawl cluster: shared frontier %s (queue %r, dupefilter %r); up to %d "
            "requests wait in this node's paced frontier",
            self.frontier_url, self.queue.key, self.df.key,
            self.cluster.local_queue,
        )

    def close(self, reason: str) -> None:
        if self._wake_call is not None and self._wake_call.active():
            self._wake_call.cancel()
        waiting = drain_priority_queue(self.local) if self.local is not None else []
        returned = 0
        try:
            self._push_unsent()
            for request in waiting:
                self.queue.push(request)  # already seen by the dupefilter
                returned += 1
        except redis.exceptions.RedisError as exc:
            lost = len(waiting) - returned + len(self.unsent)
            logger.error(
                "politecrawl cluster: Redis is unreachable while closing (%s): %d waiting "
                "requests could not go back to the shared frontier and are lost",
                type(exc).__name__, lost,
            )
            self.runtime.inc_stat("cluster/lost_on_close", lost)
        if returned:
            self.runtime.inc_stat("cluster/returned", returned)
            logger.info(
                "politecrawl cluster: %d requests that waited here went back to the shared "
                "frontier", returned,
            )
        if self.local is not None:
            self.local.close()

    # -- the scheduler protocol --------------------------------------------------
    def enqueue_request(self, request: Request) -> bool:
        if not self.link.may_send():  # known down: no call that could block for a timeout
            self._hold(request, checked=False)
            return True
        try:
            if not request.dont_filter and self.df.request_seen(request):
                self.df.log(request, self.spider)
                return False
        except redis.exceptions.RedisError as exc:
            self._failed("dupefilter", exc)
            self._hold(request, checked=False)
            return True
        try:
            self.queue.push(request)
        except redis.exceptions.RedisError as exc:
            self._failed("push", exc)
            self._hold(request, checked=True)
            return True
        self.link.pushed(self.runtime.clock())
        self.runtime.inc_stat("cluster/pushed")
        return True

    def next_request(self) -> Request | None:
        now = self.runtime.clock()
        if self.link.should_probe(now):
            self._probe(now)
        if not self.link.may_send():
            self._wake_at(self.link.next_ask_at())
            return None
        self._refill(now)
        self._beat(now)
        request = self.local.pop()
        if request is not None and self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def has_pending_requests(self) -> bool:
        if len(self.local) or self.unsent or not self.link.may_send():
            return True
        try:
            size = len(self.queue)
        except redis.exceptions.RedisError as exc:
            self._failed("size", exc)
            return True
        self.link.seen_size(size, self.runtime.clock())
        return size > 0

    def __len__(self) -> int:
        return len(self.local) + len(self.unsent)

    # -- internals ---------------------------------------------------------------
    def _refill(self, now: float) -> None:
        if self.unsent and self.link.due(now):
            try:
                self._push_unsent(now)
            except redis.exceptions.RedisError as exc:
                self._failed("push", exc)
                return
        want = self.link.to_take(len(self.local), now)
        if not want:
            if not self.link.due(now):
                self._wake_at(self.link.next_ask_at())
            return
        try:
            taken = take_from_redis_queue(self.queue, want)
        except redis.exceptions.RedisError as exc:
            self._failed("pop", exc)
            self._wake_at(self.link.next_ask_at())
            return
        self.link.took(want, len(taken), now)
        for request in taken:
            self.local.push(request)
        if taken:
            self.runtime.inc_stat("cluster/taken", len(taken))
        if len(taken) < want:
            self._wake_at(self.link.next_ask_at())

    def _push_unsent(self, now: float | None = None) -> None:
        while self.unsent:
            request, checked = self.unsent[0]
            if checked or request.dont_filter or not self.df.request_seen(request):
                self.queue.push(request)
            self.unsent.pop(0)
        self.link.pushed(self.runtime.clock() if now is None else now)

    def _hold(self, request: Request, *, checked: bool) -> None:
        self.unsent.append((request, checked))
        self.runtime.inc_stat("cluster/held_while_down")

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
            return
        self._wake_call = call_later(when - self.runtime.clock(), self._wake)

    def _wake(self) -> None:
        self._wake_call = None
        wake_engine(self.crawler)

    @property
    def busy_key(self) -> str:
        """Set (with a TTL) while some node has requests waiting or in flight."""
        return self.queue.key + ":busy"

    def _beat(self, now: float) -> None:
        busy = bool(len(self.local)) or downloads_in_flight(self.crawler) > 0
        if not self.link.beat_due(busy, now):
            return
        try:
            self.server.set(self.busy_key, "1", px=int(self.link.beat_ttl * 1000))
        except redis.exceptions.RedisError as exc:
            self._failed("busy mark", exc)
            return
        self.link.beaten(now)

    def _spider_idle(self, spider: Spider | None = None) -> None:
        """Stay open while Redis is down, the shared queue has requests, or another
        node is busy (it may push more); close after POLITECRAWL_CLUSTER_IDLE_CLOSE."""
        now = self.runtime.clock()
        if self.link.may_send():
            try:
                work = len(self.queue) + self.server.exists(self.busy_key)
            except redis.exceptions.RedisError as exc:
                self._failed("idle check", exc)
            else:
                self.link.seen_size(work, now)
        if self.link.keep_open(now):
            self._wake_at(now + self.cluster.poll_interval)
            raise DontCloseSpider


def _shared_dupefilter_cls(settings: BaseSettings) -> str:
    """The dupefilter class: scrapy-redis's unless a subclass of it is named."""
    name = settings.get("DUPEFILTER_CLASS")
    if not name or name in (
        "scrapy.dupefilters.RFPDupeFilter", "scrapy.dupefilters.BaseDupeFilter",
        "politecrawl.middlewares.frontier.disk.DiskDupeFilter",  # the add-on's, for one process
    ):
        return defaults.SCHEDULER_DUPEFILTER_CLASS
    cls = load_object(name)
    if not (isinstance(cls, type) and issubclass(cls, RFPDupeFilter)):
        raise ConfigError(
            f"DUPEFILTER_CLASS ({name!r}) must be scrapy_redis.dupefilter.RFPDupeFilter or a "
            "subclass of it with ClusterScheduler: the nodes must share one dupefilter."
        )
    return name
