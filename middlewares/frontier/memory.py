"""Queued requests in memory: one Scrapy priority queue per origin (the frontier without ``JOBDIR``).

A :class:`~politecrawl.frontier.RequestStore` whose handles are the origin
keys. Each origin's queue is Scrapy's ``ScrapyPriorityQueue`` over
``SCHEDULER_MEMORY_QUEUE`` (and ``SCHEDULER_START_MEMORY_QUEUE`` for start
requests), so the order within an origin is Scrapy's.

Requests queued beyond the first :data:`PACK_FROM` are kept packed: the bytes
the disk frontier's codec writes (``codec.encode``: a plain GET is its URL alone,
any other a pickled tuple of its non-default fields) in place of the ``Request``
object, its headers, meta and caches. A breadth-first crawl queues a whole level
of a site before it goes deeper (half of the 20,000 pages of the speed bench's
site at the peak, ~2.8 KB each as objects, ~0.3 KB packed; docs/speed.md). A
request is packed only if its copy is the same request to the spider: its class
``scrapy.Request``, its callbacks the spider's methods, no cookies and no
``cb_kwargs``, and every meta value an immutable scalar (``str``, ``bytes``,
numbers, ``None``, tuples of them); any other stays an object. The head of a
queue is unpacked once, by ``peek`` or ``pop``, and both give the same object.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scrapy import Request
from scrapy.pqueues import ScrapyPriorityQueue
from scrapy.utils.misc import build_from_crawler

from politecrawl.middlewares._scrapy_compat import shares_no_mutable_field
from politecrawl.middlewares.frontier.codec import decode, encode
from politecrawl.middlewares.runtime import KEYS

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

#: Queued requests (in all origins) kept as objects before the next ones are packed.
PACK_FROM = 1024

_SCALARS = (str, bytes, int, float, type(None))  # bool is an int


def _immutable(value: Any) -> bool:
    return isinstance(value, _SCALARS) or (type(value) is tuple and all(isinstance(v, _SCALARS) for v in value))


class _Packed:
    """A queued request as the codec's bytes, its URL beside them, and its origin's ``(site, origin)``."""

    __slots__ = ("body", "names", "url")

    def __init__(self, url: str, body: bytes, names: tuple[str, str]) -> None:
        self.url, self.body, self.names = url, body, names


def _packing(inner_cls: type, store: MemoryRequestStore) -> type:
    """A downstream queue class that keeps what *store* packs, in an *inner_cls* queue."""

    class PackingQueue:
        @classmethod
        def from_crawler(cls, crawler: Crawler, key: str) -> PackingQueue:
            return cls(build_from_crawler(inner_cls, crawler, key))

        def __init__(self, inner: Any) -> None:
            self.inner = inner
            self._head: tuple[Any, Request] | None = None  # (stored item, its request), unpacked once

        def push(self, request: Request) -> None:
            self.inner.push(store.pack(request))

        def _unpack(self, item: Any) -> Request:
            if type(item) is not _Packed:
                return item
            head = self._head
            if head is None or head[0] is not item:
                head = self._head = (item, store.unpack(item))
            return head[1]

        def peek(self) -> Request | None:
            item = self.inner.peek()
            return None if item is None else self._unpack(item)

        def pop(self) -> Request | None:
            item = self.inner.pop()
            if item is None:
                return None
            request = self._unpack(item)
            self._head = None
            return request

        def close(self) -> Any:
            return self.inner.close()

        def __len__(self) -> int:
            return len(self.inner)

    PackingQueue.__qualname__ = PackingQueue.__name__ = f"Packing{inner_cls.__name__}"
    return PackingQueue


class MemoryRequestStore:
    """Per-origin Scrapy priority queues in memory."""

    def __init__(self, crawler: Crawler, downstream_queue_cls: type, start_queue_cls: type | None) -> None:
        self.crawler = crawler
        self.downstream_queue_cls = _packing(downstream_queue_cls, self)
        self.start_queue_cls = start_queue_cls
        self._names: dict[str, tuple[str, str]] = {}  # origin key -> (site, origin), shared by its packed requests
        self._pushing: tuple[str, str] | None = None
        self.queues: dict[str, ScrapyPriorityQueue] = {}  # origin key -> queue
        self._origins_of: dict[str, set[str]] = {}  # site key -> origin keys
        self._total = 0

    def push(self, request: Request, site: str, origin: str) -> str | None:
        queue = self.queues.get(origin)
        new = queue is None
        if queue is None:
            queue = self.queues[origin] = ScrapyPriorityQueue(
                self.crawler, self.downstream_queue_cls, "", (), start_queue_cls=self.start_queue_cls
            )
            self._names[origin] = (site, origin)
            self._origins_of.setdefault(site, set()).add(origin)
        self._pushing = self._names[origin]
        queue.push(request)
        self._total += 1
        return origin if new else None

    def pack(self, request: Request) -> Any:
        """*request* as it is queued: packed once :data:`PACK_FROM` others are queued and it can be (module doc)."""
        if self._total < PACK_FROM or type(request) is not Request or not shares_no_mutable_field(request):
            return request
        if not all(_immutable(value) for key, value in request.meta.items() if key != KEYS):
            return request
        try:
            body = encode(request, self.crawler.spider, KEYS)
        except ValueError:
            return request
        return _Packed(request.url, body, self._pushing)

    def unpack(self, packed: _Packed) -> Request:
        request = decode(packed.body, self.crawler.spider, packed.url)
        request.meta[KEYS] = (request.url, *packed.names)
        return request

    def names(self, origin: str) -> tuple[str, str]:
        return self._names[origin]

    def head_url(self, origin: str) -> str | None:
        head = self.head(origin)
        return None if head is None else head.url

    def head(self, origin: str) -> Request | None:
        """The request :meth:`pop` would return next, or ``None``."""
        queue = self.queues.get(origin)
        if queue is None:
            return None
        try:
            return queue.peek()
        except NotImplementedError:
            return None

    def pop(self, origin: str) -> Request | None:
        queue = self.queues.get(origin)
        if queue is None:
            return None
        request = queue.pop()
        if request is not None:
            self._total -= 1
        if not len(queue):
            self._forget(origin)
        return request

    def count(self, origin: str) -> int:
        queue = self.queues.get(origin)
        return 0 if queue is None else len(queue)

    def handles(self) -> list[str]:
        return list(self.queues)

    def handles_of(self, site: str) -> list[str]:
        return list(self._origins_of.get(site, ()))

    def drop(self, origin: str) -> int:
        queue = self.queues.get(origin)
        if queue is None:
            return 0
        n = len(queue)
        self._total -= n
        self._forget(origin)
        return n

    def waiting(self) -> list[tuple[str, str, int]]:
        return [(*self._names[origin], len(queue)) for origin, queue in self.queues.items() if len(queue)]

    def drain(self) -> list[Request]:
        drained: list[Request] = []
        for origin in list(self.queues):
            queue = self.queues[origin]
            while (request := queue.pop()) is not None:
                drained.append(request)
            self._forget(origin)
        self._total = 0
        return drained

    def finished(self, request: Any) -> None:
        """Nothing to forget: a popped request is no longer held."""

    def close(self) -> dict[str, list[int]]:
        state = {origin: queue.close() for origin, queue in self.queues.items()}
        self.queues.clear()
        return state

    def __len__(self) -> int:
        return self._total

    def _forget(self, origin: str) -> None:
        self.queues.pop(origin).close()
        site, _ = self._names.pop(origin)
        origins = self._origins_of.get(site)
        if origins is not None:
            origins.discard(origin)
            if not origins:
                del self._origins_of[site]
