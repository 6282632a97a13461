"""The only module that touches Scrapy internals.

Scrapy plans to rework download slots (its PR 6931); when it does, this is
the file to change. Everything here is a small named helper.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from scrapy import Request
from scrapy.http.headers import Headers
from scrapy.pqueues import _path_safe
from scrapy.statscollectors import StatsCollector
from tldextract import TLDExtract

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


#: A key as Scrapy's priority queues name a per-slot disk-queue folder.
path_safe = _path_safe


def wake_engine(crawler: Crawler) -> None:
    """Ask the engine to poll the scheduler again now.

    The engine polls on its own only after a download finishes, a request is
    scheduled, or every 5 s (heartbeat); a frontier that held requests back
    must wake it when the earliest of them becomes ready.
    """
    slot = getattr(_engine(crawler), "_slot", None)
    nextcall = getattr(slot, "nextcall", None)
    if nextcall is not None:
        nextcall.schedule()


def _engine(crawler: Crawler) -> Any:
    try:
        return getattr(crawler, "engine", None)
    except RuntimeError:  # Scrapy 2.19: "Crawler.engine is not set yet"
        return None


def scheduler_queues(crawler: Crawler) -> list[Any]:
    """The scheduler's memory and disk priority queues (those that exist)."""
    slot = getattr(_engine(crawler), "_slot", None)
    scheduler = getattr(slot, "scheduler", None)
    return [q for q in (getattr(scheduler, "mqs", None), getattr(scheduler, "dqs", None)) if q]


def downloader_middlewares(crawler: Crawler) -> list[Any]:
    """The downloader middleware instances of a running crawl (``[]`` before the engine exists)."""
    downloader = getattr(_engine(crawler), "downloader", None)
    manager = getattr(downloader, "middleware", None)
    return list(getattr(manager, "middlewares", ()) or ())


def on_request_finished(crawler: Crawler, hook: Any) -> bool:
    """Call ``hook(request)`` when the engine is done with a request it took from the scheduler.

    Done means answered and parsed (its callback's requests scheduled), failed,
    refused or redirected: the engine's slot forgets it then
    (``ExecutionEngine._slot.remove_request``, Scrapy 2.19; no signal says it).
    The hook runs first, so it sees the crawl still open. ``False`` if the engine
    has no slot yet (nothing hooked).
    """
    slot = getattr(_engine(crawler), "_slot", None)
    if slot is None:
        return False
    remove = slot.remove_request

    def remove_request(request: Any) -> None:
        try:
            hook(request)
        finally:
            remove(request)

    slot.remove_request = remove_request
    return True


def bound_idle_connections(pool: Any, limit: int) -> None:
    """Keep at most *limit* idle keep-alive connections in a Twisted ``HTTPConnectionPool``, oldest closed first;
    as many per host as in all.

    Twisted keeps up to ``maxPersistentPerHost`` idle connections *per host*
    for ``cachedConnectionTimeout`` (240 s): a crawl of thousands of hosts
    would hold one open socket per host it visited in the last 4 minutes
    (under ``ulimit -n 1024``, new connections then fail). Wraps the pool's
    ``_putConnection`` and closes with its ``_removeConnection`` (Twisted 25).

    Scrapy sets ``maxPersistentPerHost`` to ``CONCURRENT_REQUESTS_PER_DOMAIN``:
    a site's slot sends its next request before the last answer's connection
    is back in the pool, so it opens one more, and when both are back the one
    over the per-host bound is closed: plain Scrapy opened a new connection
    for every other page of a site (bench/speed_bench.py, connections/page).
    With the bound in all only, each host may keep up to *limit* idle.
    """
    pool.maxPersistentPerHost = limit
    idle: dict[Any, Any] = {}  # connection -> pool key, oldest first (stale entries dropped when met)
    put = pool._putConnection

    def _putConnection(key: Any, connection: Any) -> None:
        put(key, connection)
        idle.pop(connection, None)
        if connection in pool._timeouts:
            idle[connection] = key
        while len(idle) > limit:
            old = next(iter(idle))
            old_key = idle.pop(old)
            if old in pool._connections.get(old_key, ()):
                pool._timeouts[old].cancel()
                pool._removeConnection(old_key, old)

    pool._putConnection = _putConnection


def call_later(delay: float, func: Any) -> Any:
    """Schedule *func* on the running reactor; returns a handle with ``cancel()``."""
    from twisted.internet import reactor  # noqa: PLC0415 - installed reactor only

    return reactor.callLater(max(0.0, delay), func)


def is_default_get(request: Any) -> bool:
    """Whether *request* is a ``scrapy.Request`` whose every field but its URL and meta is at Scrapy's default: GET,
    no callback or errback, headers, body, cookies, flags or ``cb_kwargs``, priority 0, filtered, UTF-8.

    Reads the private slots of the fields Scrapy makes on first access (``_headers``, ``_cookies``, ``_flags``,
    ``_cb_kwargs``: ``Request.headers`` builds a ``Headers`` each time it is first read), so asking makes none.
    """
    return (
        type(request) is Request
        and request.callback is None
        and request.errback is None
        and request.method == "GET"
        and not request._headers
        and not request._body
        and not request._cookies
        and not request._flags
        and not request._cb_kwargs
        and request.priority == 0
        and not request.dont_filter
        and request._encoding == "utf-8"
    )


def shares_no_mutable_field(request: Any) -> bool:
    """Whether *request* has no cookies and no ``cb_kwargs``: the two fields a copy of a request could not give back
    as the same objects the spider made (read from the private slots, so asking makes neither)."""
    return not request._cookies and not request._cb_kwargs


#: The slots ``Request.__init__`` fills (Scrapy 2.19), for :func:`rebuild_request`; a Scrapy that has other
#: slots gets ``Request(...)`` itself.
_REQUEST_SLOTS = frozenset({
    "__weakref__", "_body", "_cb_kwargs", "_cookies", "_encoding", "_flags", "_headers", "_meta", "_url",
    "callback", "dont_filter", "errback", "method", "priority",
})
_REBUILD = (
    frozenset(getattr(Request, "__slots__", ())) == _REQUEST_SLOTS
    and vars(Headers(encoding="ascii")) == {"encoding": "ascii"}  # Headers keeps nothing else beside its dict
)


def rebuild_request(
    url: str, callback: Any, errback: Any, method: str, headers: dict[bytes, list[bytes]] | None, body: bytes | None,
    cookies: Any, meta: dict[str, Any] | None, encoding: str, priority: int, dont_filter: bool,
    flags: list[str] | None, cb_kwargs: dict[str, Any] | None,
) -> Request:
    """A ``scrapy.Request`` with these fields, each taken as it is: for values read back from a request Scrapy
    made (the disk frontier's): a quoted *url*, an upper-case *method*, *headers* as ``Headers`` keep them
    (normalised names, lists of bytes, as ``dict(request.headers)`` gives them), *body* bytes; the dicts and
    lists are the request's own from then on (not copied).

    ``Request.__init__`` would quote the URL again (``safe_url_string``) and normalise every header name and
    value again (``Headers.update``), ~30 % of a disk frontier pop; this fills the slots ``__init__`` fills
    (Scrapy 2.19, checked at import: another Scrapy gets ``Request(...)``), through ``Request.__new__`` (Scrapy's
    live-reference tracking), so the request is the one ``__init__`` would make from the same values.
    """
    if not _REBUILD:
        request = Request(
            url, callback=callback, method=method, headers=headers, body=body, cookies=cookies,
            meta={**(meta or {}), "verbatim_url": True}, encoding=encoding, priority=priority,
            dont_filter=dont_filter, errback=errback, flags=flags, cb_kwargs=cb_kwargs,
        )
        if meta and "verbatim_url" in meta:
            request.meta["verbatim_url"] = meta["verbatim_url"]
        else:
            del request.meta["verbatim_url"]
        return request
    request = Request.__new__(Request)
    request._encoding = encoding
    request.method = method
    request._meta = meta or None
    request._url = url
    request._body = body or b""
    request.priority = priority
    request.callback = callback
    request.errback = errback
    request._cookies = cookies or None
    if headers:
        restored = Headers.__new__(Headers)
        restored.encoding = encoding
        dict.update(restored, headers)
        request._headers = restored
    else:
        request._headers = None
    request.dont_filter = dont_filter
    request._cb_kwargs = cb_kwargs or None
    request._flags = flags or None
    return request


def make_cookie_domain_splitter_offline() -> None:
    """Replace the TLDExtract that Scrapy's cookie middleware builds at import.

    It is built with tldextract's default suffix-list URLs and would fetch the
    Public Suffix List from the internet the first time a cookie carries a
    domain attribute. politecrawl never reaches the network on its own.
    """
    from scrapy.downloadermiddlewares import cookies  # noqa: PLC0415

    splitter = getattr(cookies, "_split_domain", None)
    if isinstance(splitter, TLDExtract) and splitter.suffix_list_urls:
        cookies._split_domain = TLDExtract(  # type: ignore[attr-defined]
            suffix_list_urls=(),
            cache_dir=None,
            include_psl_private_domains=True,
        )


async def sleep(seconds: float) -> None:
    """Wait on the running reactor from an ``async def`` Scrapy component."""
    from twisted.internet import reactor  # noqa: PLC0415
    from twisted.internet.task import deferLater  # noqa: PLC0415

    from scrapy.utils.defer import maybe_deferred_to_future  # noqa: PLC0415

    await maybe_deferred_to_future(deferLater(reactor, max(0.0, seconds), lambda: None))


def evict_queued_downloads(
    crawler: Crawler, belongs: Any, make_exception: Any
) -> int:
    """Fail the requests waiting in download-slot queues for which *belongs(request)* is true.

    A request that has passed the downloader middlewares waits in its slot's
    queue for a free transfer place; a stop or pause seen meanwhile would not
    hold it back. Each evicted request's download fails with
    ``make_exception(request)``, so the downloader middlewares'
    ``process_exception`` can reschedule it (a pause) or let it drop (a stop).
    Requests already transferring are left alone. Returns how many were evicted.
    """
    from twisted.python.failure import Failure  # noqa: PLC0415

    downloader = getattr(_engine(crawler), "downloader", None)
    slots = getattr(downloader, "slots", None) or {}
    evicted = []
    for slot in list(slots.values()):
        queue = getattr(slot, "queue", None)
        if not queue:
            continue
        keep = [(req, dfd) for req, dfd in queue if not belongs(req)]
        if len(keep) == len(queue):
            continue
        evicted += [(req, dfd) for req, dfd in queue if belongs(req)]
        queue.clear()
        queue.extend(keep)
    for request, dfd in evicted:
        dfd.errback(Failure(make_exception(request)))
    return len(evicted)


# -- scrapy-redis (the cluster scheduler, middlewares/frontier/cluster.py) ------------------
def redis_request_codec(queue: Any) -> tuple[Any, Any]:
    """scrapy-redis's request serialisation of *queue* (``request.to_dict`` and its serializer,
    pickle by default): ``(encode(request) -> bytes, decode(bytes) -> request)``."""
    return queue._encode_request, queue._decode_request


def redis_dupefilter(dupefilter_cls: Any, server: Any, key: str, debug: bool) -> Any:
    """A scrapy-redis dupefilter on *server* (not on a client of its own with 30 s timeouts)."""
    return dupefilter_cls(server, key=key, debug=debug)


def downloads_in_flight(crawler: Crawler) -> int:
    """Requests the downloader holds (in slot queues or transferring)."""
    try:
        engine = crawler.engine
    except (AttributeError, RuntimeError):  # Scrapy 2.19 raises until the crawl starts
        return 0
    return len(getattr(getattr(engine, "downloader", None), "active", ()) or ())


# -- header lookups on the per-page path ------------------------------------
# Scrapy's Headers normalise the name on every lookup (title case, bytes), and
# getlist() of an absent name raises and catches a KeyError. Headers is a dict keyed by the normalised names, so a name normalised
# once gives the same answer by a plain dict lookup. Any other mapping type (a
# subclass that may normalise otherwise) goes through its own methods.


def header_name(name: bytes) -> bytes:
    """*name* as Scrapy's Headers store it (for :func:`header_list` and :func:`has_any_header`)."""
    return Headers().normkey(name)


def header_list(headers: Any, name: bytes) -> list[bytes]:
    """``headers.getlist(name)`` for a *name* from :func:`header_name`."""
    if type(headers) is Headers:
        return dict.get(headers, name) or []
    return headers.getlist(name)


def has_any_header(headers: Any, names: frozenset[bytes]) -> bool:
    """Whether *headers* hold any of *names* (each from :func:`header_name`)."""
    if type(headers) is Headers:
        return not names.isdisjoint(headers)
    return any(name in headers for name in names)


def set_header(headers: Any, name: bytes, value: bytes) -> None:
    """``headers[name] = value`` for a *name* from :func:`header_name` and a bytes *value*."""
    if type(headers) is Headers:
        dict.__setitem__(headers, name, [value])
    else:
        headers[name] = value


# -- a response body in lower case, once a page -------------------------------
# The page rules look for meta tags by ASCII-case-insensitive byte patterns. A
# case-insensitive pattern cannot use the regex engine's quick literal search;
# the same pattern in lower case over the lower-cased
# body can (bytes.lower() folds ASCII letters only, as re.IGNORECASE does on
# bytes). The last body lowered is kept, for the next rule of the same page.
_last_lowered: tuple[bytes, bytes] = (b"", b"")


def lowered_body(body: bytes) -> bytes:
    """*body* with its ASCII letters in lower case (the previous answer, for the same body object)."""
    global _last_lowered  # noqa: PLW0603 - a one-entry cache
    last = _last_lowered
    if last[0] is body:
        return last[1]
    lowered = body.lower()
    _last_lowered = (body, lowered)
    return lowered


# -- stats increments without the per-access shim ------------------------------
def stats_incrementer(stats: Any) -> Any:
    """``inc(key, n=1)`` for Scrapy's stats collector *stats* (``None`` for none).

    Scrapy's collector wraps every attribute access in a deprecation shim (the
    spider argument), so most of an ``inc_value`` call is the shim (one lookup
    of the method, one of ``_stats`` inside it). For a collector
    that keeps Scrapy's own ``inc_value`` and attribute access (the memory
    collector, the default), ``inc`` does what that ``inc_value`` does, on the
    collector's current stats dict; any other collector (one that
    overrides ``inc_value``, as scrapy-redis's does) gets its own ``inc_value``.
    """
    if stats is None:
        return None
    cls = type(stats)
    attrs = getattr(stats, "__dict__", None)
    if (
        getattr(cls, "inc_value", None) is StatsCollector.inc_value
        and cls.__getattribute__ in (StatsCollector.__getattribute__, object.__getattribute__)
        and isinstance(attrs, dict)
        and isinstance(attrs.get("_stats"), dict)
    ):
        def inc(key: str, n: int = 1) -> None:
            d = attrs["_stats"]  # read each time: set_stats() replaces the dict
            d[key] = d.setdefault(key, 0) + n

        return inc
    return stats.inc_value


def decompression_too_large() -> type[Exception]:
    """The exception ``scrapy.utils.gz.gunzip`` raises past its ``max_size`` (a private name)."""
    try:
        from scrapy.utils._compression import _DecompressionMaxSizeExceeded  # noqa: PLC0415
    except ImportError:  # pragma: no cover - Scrapy moved it
        return ValueError
    return _DecompressionMaxSizeExceeded


# -- the exit code of Scrapy's command line --------------------------------------
def fail_scrapy_command(code: int = 1) -> bool:
    """Make Scrapy's command line (``scrapy crawl``) exit with *code* (or a higher code it has).

    ``scrapy.cmdline.execute`` runs the command, whose crawl runs inside it (the
    reactor's loop is below it on this thread's stack), then exits with
    ``sys.exit(cmd.exitcode)``; the ``crawl`` command sets that to 1 only when the
    crawl could not start. This sets the running command's ``exitcode`` (its
    local ``cmd``, Scrapy 2.19). Returns whether a command was found: ``False``
    outside Scrapy's command line (a script, ``politecrawl crawl``), where the
    caller's own result says the crawl failed.
    """
    from scrapy.cmdline import execute  # noqa: PLC0415

    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code is execute.__code__:
            cmd = frame.f_locals.get("cmd")
            if cmd is None or not hasattr(cmd, "exitcode"):
                return False
            cmd.exitcode = max(code, cmd.exitcode or 0)
            return True
        frame = frame.f_back
    return False
