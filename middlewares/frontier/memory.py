"""Queued requests in memory: one Scrapy priority queue per origin (the frontier without ``JOBDIR``).

A :class:`~politecrawl.frontier.RequestStore` whose handles are the origin
keys. Each origin's queue is Scrapy's ``ScrapyPriorityQueue`` over
``SCHEDULER_MEMORY_QUEUE`` (and ``SCHEDULER_START_MEMORY_QUEUE`` for start
requests), so the order within an origin is Scrapy's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scrapy.pqueues import ScrapyPriorityQueue

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler


class MemoryRequestStore:
    """Per-origin Scrapy priority queues in memory."""

    def __init__(self, crawler: Crawler, downstream_queue_cls: type, start_queue_cls: type | None) -> None:
        self.crawler = crawler
        self.downstream_queue_cls = downstream_queue_cls
        self.start_queue_cls = start_queue_cls
        self.queues: dict[str, ScrapyPriorityQueue] = {}  # origin key -> queue
        self._site_of: dict[str, str] = {}  # origin key -> site key
        self._origins_of: dict[str, set[str]] = {}  # site key -> origin keys
        self._total = 0

    def push(self, request: Request, site: str, origin: str) -> str | None:
        queue = self.queues.get(origin)
        new = queue is None
        if queue is None:
            queue = self.queues[origin] = ScrapyPriorityQueue(
                self.crawler, self.downstream_queue_cls, "", (), start_queue_cls=self.start_queue_cls
            )
            self._site_of[origin] = site
            self._origins_of.setdefault(site, set()).add(origin)
        queue.push(request)
        self._total += 1
        return origin if new else None

    def names(self, origin: str) -> tuple[str, str]:
        return self._site_of[origin], origin

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
        return [(self._site_of[origin], origin, len(queue)) for origin, queue in self.queues.items() if len(queue)]

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
        site = self._site_of.pop(origin)
        origins = self._origins_of.get(site)
        if origins is not None:
            origins.discard(origin)
            if not origins:
                del self._origins_of[site]
