"""Scrapy glue of the shared frontier: its Redis client, scrapy-redis's queue interface over
the per-origin Redis frontier, and the pacing facts a node tells every other node.

:class:`OriginQueues` is a scrapy-redis queue class (``scrapy_redis.queue.Base``:
its serializer, its request encoding) whose storage is
:class:`~politecrawl.state.redis_frontier.RedisFrontier`. :class:`SharedPacing`
mirrors what this node's pacer learns — a Retry-After pause or back-off, a stop,
a robots.txt Crawl-delay or Visit-time, an origin paused while its robots.txt
is unreachable, the site's budget rate — into the frontier, where the pop of
every node reads it.
"""

from __future__ import annotations

import logging
import math
import secrets
from typing import TYPE_CHECKING, Any, Callable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry
from scrapy.utils.misc import load_object
from scrapy_redis import connection, defaults
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import Base
from twisted.internet.defer import Deferred

from politecrawl.budget.ledger import SEND_HOLD
from politecrawl.config import ConfigError
from politecrawl.middlewares._scrapy_compat import call_later, redis_request_codec
from politecrawl.middlewares.downloader.recrawl import POPPED_RECORD_META, Recrawl
from politecrawl.middlewares.runtime import SEND_SLOT, Runtime
from politecrawl.sites import InvalidURL, site_key
from politecrawl.state.base import StateStoreError
from politecrawl.state.redis_frontier import UNLIMITED, PushItem, RedisFrontier
from politecrawl.state.send_slots import SendSlots

if TYPE_CHECKING:
    from scrapy import Request
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

REDIS_SCHEMES = ("redis", "rediss", "unix")
#: Meta key of a popped request's id in its node's lease (acknowledged when the engine is done with it;
#: never pushed: a request pushed again is a new one).
LEASE = "politecrawl_cluster_lease"
#: SCHEDULER_QUEUE_CLASS values the cluster accepts (scrapy-redis's default: replaced by its own).
QUEUE_CLASSES = ("scrapy_redis.queue.PriorityQueue",
                  "politecrawl.middlewares.frontier.shared.OriginQueues")


def frontier_redis_url(settings: BaseSettings, state_url: str) -> str | None:
    """``REDIS_URL`` if set, else the server of a ``redis://`` ``POLITECRAWL_STATE``."""
    url = settings.get("REDIS_URL")
    if url:
        return str(url)
    if urlsplit(state_url).scheme.lower() in REDIS_SCHEMES:
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


def join_cluster(store: Any, server: redis.Redis, frontier: RedisFrontier, runtime: Runtime,
                 given: str) -> None:
    """A node's opening steps on Redis: the same server as the state, operator stops of an
    earlier crawl cleared, and the crawl id the nodes share joined."""
    same_server(store, server, frontier.base)
    frontier.clear_operator_stops()
    runtime.join_crawl(frontier.claim_crawl_id(given))


def join_when_reachable(join: Callable[[], None], failed: Callable[[str, Exception], None],
                        interval: float, later: Callable[[float, Callable[[], None]], Any] = call_later,
                        ) -> Deferred | None:
    """Run a node's opening steps on Redis (*join*); while Redis is unreachable, tell *failed*
    and try again every *interval* seconds. Returns ``None`` when they ran at once, else a
    Deferred Scrapy's engine awaits before the spider opens: a node started while Redis is
    down sends nothing (fail closed) and starts once Redis answers, instead of failing."""
    unreachable = (redis.exceptions.RedisError, StateStoreError)
    try:
        join()
        return None
    except unreachable as exc:
        failed("open", exc)
    joined: Deferred = Deferred()

    def retry() -> None:
        try:
            join()
        except unreachable as exc:
            failed("open", exc)
            later(interval, retry)
        except Exception as exc:  # a ConfigError found once Redis answers: the crawl fails with it
            joined.errback(exc)
        else:
            joined.callback(None)

    later(interval, retry)
    return joined


def same_server(store: Any, server: redis.Redis, base: str) -> None:
    """Refuse a frontier on another Redis server or database than the state store: the pop
    takes budget tokens from the state store's keys in the same script."""
    probe = f"{base}:probe:{secrets.token_hex(8)}"
    store.set(probe, "1", ttl=30)
    try:
        seen = server.get(store.prefix + probe)
    finally:
        store.delete(probe)
    if seen is None:
        raise ConfigError(
            "REDIS_URL must name the same Redis server and database as POLITECRAWL_STATE with "
            "ClusterScheduler: the shared frontier takes each request's budget token from the "
            "state's keys in the same step."
        )


def shared_dupefilter_cls(settings: BaseSettings) -> str:
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


class OriginQueues(Base):
    """scrapy-redis's queue interface on the per-origin shared frontier (one request at a time;
    the cluster scheduler pushes and pops in batches through :attr:`frontier`)."""

    frontier: RedisFrontier
    runtime: Runtime | None = None
    #: the recrawl context (the fetch history), if the recrawl middleware is on
    recrawl: Recrawl | None = None

    def bind(self, frontier: RedisFrontier, runtime: Runtime, recrawl: Recrawl | None = None) -> None:
        self.frontier = frontier
        self.runtime = runtime
        self.recrawl = recrawl
        self.encode, self.decode = redis_request_codec(self)

    def __len__(self) -> int:
        return len(self.frontier)

    def push(self, request: Request) -> None:
        self.frontier.exchange([self.item(request, "")], 0, self._now())

    def pop(self, timeout: int = 0) -> Request | None:
        popped = self.frontier.exchange([], 1, self._now()).popped
        return self.decode(popped[0].data) if popped else None

    def clear(self) -> None:
        self.frontier.clear()

    def _now(self) -> float:
        return self.runtime.clock() if self.runtime is not None else 0.0

    def item(self, request: Request, fingerprint: str, *, data: bool = True) -> PushItem:
        """The push of *request* (its keys stamped by the scheduler), with its site's budget and
        its origin's server (the pop takes a token of both), and the fingerprint of its fetch-history
        record if the recrawl middleware will read it (the pop reads it)."""
        _, site, origin = request.meta["politecrawl_keys"]
        request.meta.pop(POPPED_RECORD_META, None)  # read by an earlier pop: stale once back in the queue
        request.meta.pop(LEASE, None)
        budget = self.runtime.budget if self.runtime is not None else None
        if budget is not None:
            rate, burst = budget.site(site).pace, budget.settings.burst
        else:  # the budget component is off (POLITECRAWL_BUDGET_ENABLED = False): no tokens
            rate, burst = UNLIMITED, 1.0
        servers = self.runtime.pacer.servers if self.runtime is not None else None
        recrawl = self.recrawl
        return PushItem(fingerprint, site, origin, request.priority,
                        self.encode(request) if data else b"", rate, burst,
                        servers.server_key(site, origin) if servers is not None else "",
                        recrawl.record_fingerprint(request) if recrawl is not None and data else "")


class SharedPacing:
    """Writes this node's pacing facts into the shared frontier, once per change."""

    def __init__(self, runtime: Runtime, frontier: RedisFrontier, on_error: Any) -> None:
        self.runtime = runtime
        self.frontier = frontier
        self.on_error = on_error
        self._sites: dict[str, tuple[float, str | None]] = {}
        self._origins: dict[str, tuple[Any, ...]] = {}
        self._rates: dict[str, float] = {}
        runtime.pacer.subscribe(self.site_changed)
        runtime.pacer.subscribe_origins(self.origin_changed)

    def site_changed(self, site: str) -> None:
        pacer, now = self.runtime.pacer, self.runtime.clock()
        stop = pacer.stopped(site)
        until = pacer.paused_until(site)
        facts = (until if until > now else 0.0, stop.source if stop is not None else None)
        if self._sites.get(site, (0.0, None)) == facts:
            return
        fields: dict[str, Any] = {"stopped": facts[1]}
        if facts[0]:
            fields["pause"] = facts[0]
        if self._write(self.frontier.set_site, site, now, **fields):
            self._sites[site] = facts

    def origin_changed(self, origin: str) -> None:
        pacer, now = self.runtime.pacer, self.runtime.clock()
        try:
            site = site_key(origin)
        except InvalidURL:
            return
        window = pacer.visit_window(origin)
        until = pacer.origin_paused_until(origin)
        facts = (pacer.min_interval(origin), window, until if until > now else 0.0)
        if self._origins.get(origin, (0.0, None, 0.0)) == facts:
            return
        fields: dict[str, Any] = {"interval": facts[0] or None}
        if window is None:
            fields.update(wstart=None, wend=None)
        else:
            fields.update(wstart=_seconds_of_day(window[0]), wend=_seconds_of_day(window[1]))
        if facts[2]:
            fields["pause"] = facts[2]
        if self._write(self.frontier.set_origin, site, origin, now, **fields):
            self._origins[origin] = facts

    def pushed_rate(self, site: str, rate: float | None) -> None:
        """The rate a push carried (kept by the frontier if it had none)."""
        if rate is not None:
            self._rates.setdefault(site, rate)

    def sync_rates(self) -> None:
        """Write the sites whose budget rate changed here (strain, byte budget) since last told."""
        budget = self.runtime.budget
        if budget is None:
            return
        now = self.runtime.clock()
        for site, known in list(self._rates.items()):
            pace = budget.site(site).pace
            if not math.isclose(pace, known, rel_tol=1e-9) and self._write(
                self.frontier.set_site, site, now, rate=pace
            ):
                self._rates[site] = pace

    def _write(self, setter: Any, *args: Any, **fields: Any) -> bool:
        try:
            setter(*args, **fields)
        except redis.exceptions.RedisError as exc:
            self.on_error("pacing facts", exc)
            return False
        return True


class SharedSendSlots:
    """A cluster node's send-time pace (``runtime.send_slots``, asked by the send gate): a request
    goes on the send slot its pop took, or takes a new one if it became late (see
    :mod:`politecrawl.state.send_slots`). Replaces the budget ledger's per-process send bucket,
    which cannot see the other nodes' sends."""

    def __init__(self, runtime: Runtime, slots: SendSlots, on_error: Any) -> None:
        self.runtime = runtime
        self.slots = slots
        self.on_error = on_error

    def send_wait(self, request: Request, site: str, now: float, *, force: bool = False,
                  hold: float = SEND_HOLD) -> float:
        """``0.0``: send now; a wait: hold it, then ask again; ``inf``: back to the frontier (its
        slot is more than *hold* seconds away). *force* (robots.txt, tdmrep.json: they cannot go
        back, and have their budget token) goes now and moves the site's slots up to it."""
        meta = request.meta
        slot = meta.get(SEND_SLOT)  # None: never popped (a protocol-file fetch); "": no slots kept
        if slot == "":
            return 0.0
        if not force:
            budget = self.runtime.budget
            rate = budget.site(site).pace if budget is not None else 0.0
            burst = budget.settings.burst if budget is not None else 0.0
            if slot is not None and not SendSlots.late(float(slot), now, rate, burst):
                return SendSlots.wait(slot, now)
        try:
            taken, new = self.slots.take(site, now, slot or "", hold=None if force else hold)
        except redis.exceptions.RedisError as exc:
            self.on_error("send slot", exc)
            return 0.0 if force else math.inf  # fail closed: back to a frontier that gives nothing
        if force:
            return 0.0
        if not taken:
            return math.inf
        meta[SEND_SLOT] = new
        if slot is not None:
            self.runtime.inc_stat("cluster/late_sends")
        return SendSlots.wait(new, now)


def _seconds_of_day(moment: Any) -> float:
    return moment.hour * 3600.0 + moment.minute * 60.0 + moment.second


def scheduler_kwargs(settings: BaseSettings) -> dict[str, Any]:
    """scrapy-redis ``Scheduler`` arguments from the settings, refusing what the cluster cannot use."""
    queue_cls = settings.get("SCHEDULER_QUEUE_CLASS")
    if queue_cls and queue_cls not in QUEUE_CLASSES:
        raise ConfigError(
            f"SCHEDULER_QUEUE_CLASS ({queue_cls!r}) cannot be used with ClusterScheduler: its "
            "shared frontier keeps one queue per origin (by priority, then first in first out) "
            "so that a node takes only requests of sites that may go now."
        )
    if settings.get("SCHEDULER_PERSIST") is False:
        logger.info(
            "politecrawl cluster: SCHEDULER_PERSIST is ignored: a node never flushes the "
            "shared frontier when it closes (the other nodes still use it)"
        )
    kwargs: dict[str, Any] = {
        "flush_on_start": settings.getbool("SCHEDULER_FLUSH_ON_START"),
        "queue_key": settings.get("SCHEDULER_QUEUE_KEY") or defaults.SCHEDULER_QUEUE_KEY,
        "queue_cls": f"{OriginQueues.__module__}.{OriginQueues.__name__}",
        "dupefilter_key": settings.get("SCHEDULER_DUPEFILTER_KEY")
        or defaults.SCHEDULER_DUPEFILTER_KEY,
        "dupefilter_cls": shared_dupefilter_cls(settings),
    }
    serializer = settings.get("SCHEDULER_SERIALIZER")
    if serializer:
        import importlib  # noqa: PLC0415

        kwargs["serializer"] = (
            importlib.import_module(serializer) if isinstance(serializer, str) else serializer
        )
    return kwargs
