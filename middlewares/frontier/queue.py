"""The paced frontier: requests wait here, not in the downloader.

A request waiting in a downloader middleware or a download-slot queue holds
a place of ``CONCURRENT_REQUESTS``, so a crawl of many slow-budget sites would
stall behind them (head-of-line blocking). :class:`PacedPriorityQueue` is a
``SCHEDULER_PRIORITY_QUEUE`` that keeps one priority queue per origin and
hands the engine only a request that :class:`~politecrawl.admission.Admission`
lets go *now*; when none is ready it returns nothing and wakes the engine when
the earliest becomes ready.

A request's site and origin are stamped in its meta when it enters
(``runtime.KEYS``), and the admission answer when it leaves
(``runtime.ADMISSION``): a request whose gate answer is already known to be a
refusal leaves at once, with no budget token and no pace turn taken, and the
gate refuses it; so does a request a local cache will answer
(``runtime.answers_locally``, Scrapy's HTTP cache), which never reaches the
site (memory queues; requests in ``JOBDIR`` disk queues are answered by the
gates and take a token, see :func:`_peek`).

A stopped site's queued requests are dropped here, counted, never fetched.
With ``JOBDIR`` the per-origin queues are on disk, so waiting requests
survive a restart.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import math
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy.pqueues import ScrapyPriorityQueue

from politecrawl.middlewares._scrapy_compat import call_later, path_safe, scheduler_queues, wake_engine
from politecrawl.admission import GO, LOCAL, REFUSED, STOPPED
from politecrawl.middlewares.runtime import ADMISSION, KEYS, NOT_LOCAL, Runtime
from politecrawl.sites import INVALID_SITE, InvalidURL

if TYPE_CHECKING:
    from collections.abc import Iterable

    from scrapy import Request
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

_INVALID = (INVALID_SITE, INVALID_SITE)


class PacedPriorityQueue:
    """Per-origin priority queues, popped only when the pacer says so."""

    @classmethod
    def from_crawler(
        cls,
        crawler: Crawler,
        downstream_queue_cls: type,
        key: str,
        startprios: dict[str, Iterable[int]] | None = None,
        *,
        start_queue_cls: type | None = None,
    ) -> PacedPriorityQueue:
        return cls(crawler, downstream_queue_cls, key, startprios, start_queue_cls=start_queue_cls)

    def __init__(
        self,
        crawler: Crawler,
        downstream_queue_cls: type,
        key: str,
        startprios: dict[str, Iterable[int]] | None = None,
        *,
        start_queue_cls: type | None = None,
    ) -> None:
        if startprios and not isinstance(startprios, dict):
            raise ValueError(
                "PacedPriorityQueue cannot resume a JOBDIR written by another "
                "SCHEDULER_PRIORITY_QUEUE; start with a new JOBDIR."
            )
        self.crawler = crawler
        self.runtime = Runtime.of(crawler)
        self.downstream_queue_cls = downstream_queue_cls
        self.start_queue_cls = start_queue_cls
        self.key = key
        self.queues: dict[str, ScrapyPriorityQueue] = {}  # origin key -> queue
        self._site_of: dict[str, str] = {}  # origin key -> site key
        self._origins_of: dict[str, set[str]] = {}  # site key -> origin keys
        self._heap: list[tuple[float, int, str]] = []  # (ready_at, seq, origin)
        self._seq = itertools.count()
        self._wake_at = math.inf
        self._wake_call: Any = None
        self.runtime.pacer.subscribe(self._site_changed)
        for origin, prios in (startprios or {}).items():
            self._queue_for(origin, prios)

    # -- queue bookkeeping ----------------------------------------------
    def _queue_for(self, origin: str, startprios: Iterable[int] = ()) -> ScrapyPriorityQueue:
        queue = self.queues.get(origin)
        if queue is None:
            queue = ScrapyPriorityQueue(
                self.crawler,
                self.downstream_queue_cls,
                self.key + "/" + path_safe(origin) if self.key else "",
                startprios,
                start_queue_cls=self.start_queue_cls,
            )
            self.queues[origin] = queue
            site = self._site_from_origin(origin)
            self._site_of[origin] = site
            self._origins_of.setdefault(site, set()).add(origin)
            heapq.heappush(self._heap, (self.runtime.clock(), next(self._seq), origin))
        return queue

    @staticmethod
    def _site_from_origin(origin: str) -> str:
        try:
            return Runtime.site_and_origin(origin)[0]
        except InvalidURL:
            return _INVALID[0]

    def _forget(self, origin: str) -> None:
        queue = self.queues.pop(origin)
        queue.close()
        site = self._site_of.pop(origin)
        origins = self._origins_of.get(site)
        if origins is not None:
            origins.discard(origin)
            if not origins:
                del self._origins_of[site]
        if self.key:
            with suppress(OSError):
                Path(self.key, path_safe(origin)).rmdir()

    # -- the queue protocol ---------------------------------------------
    def push(self, request: Request) -> None:
        url = request.url
        try:
            site, origin = Runtime.site_and_origin(url)
        except InvalidURL:
            site, origin = _INVALID
        meta = request.meta
        meta[KEYS] = (url, site, origin)
        meta.pop(ADMISSION, None)
        stop = self.runtime.pacer.stopped(site)
        if stop is not None:
            self._count_dropped(site, stop.source, 1)
            return
        self._queue_for(origin).push(request)

    def pop(self) -> Request | None:
        admission = self.runtime.admission
        now = self.runtime.clock()
        while self._heap:
            ready_at, _, origin = self._heap[0]
            if ready_at > now:
                self._schedule_wake(ready_at)
                return None
            heapq.heappop(self._heap)
            queue = self.queues.get(origin)
            if queue is None:
                continue
            site = self._site_of[origin]
            head = None if self.key else _peek(queue)
            local = (head is not None and self.runtime.answers_locally is not None
                     and NOT_LOCAL not in head.meta and self.runtime.answers_locally(head))
            answer = admission.admit(site, origin, None if head is None else head.url, now, local=local)
            if answer.kind == STOPPED:
                self._drop_site(site)
                continue
            if answer.kind not in (GO, REFUSED, LOCAL):
                # A wait too small to move a float timestamp (a bucket a rounding error short
                # of a token: 1e-10 s added to 1.8e9 is 1.8e9) would put the origin back at
                # `now` and spin this loop for ever; the next float after `now` ends it.
                ready = max(now + answer.wait, math.nextafter(now, math.inf))
                heapq.heappush(self._heap, (ready, next(self._seq), origin))
                continue
            request = queue.pop()
            if answer.kind == REFUSED:
                self.runtime.inc_stat(f"admission/refused_before_token/{answer.refused_by}")
            elif answer.kind == LOCAL:
                self.runtime.inc_stat("admission/answered_locally")
            if len(queue):
                # a refused or locally answered request took no turn: the next one may go at once
                ready = now if answer.kind != GO else self.runtime.pacer.ready_at(site, origin, now)
                heapq.heappush(self._heap, (ready, next(self._seq), origin))
            else:
                self._forget(origin)
            if request is not None:
                request.meta[ADMISSION] = answer
                return request
        return None

    def peek(self) -> Request | None:
        """Not supported: which request comes next depends on time."""
        raise NotImplementedError("PacedPriorityQueue does not support peek()")

    def drain(self) -> list[Request]:
        """Take every waiting request out, without asking the pacer or spending budget.

        For a cluster node that hands its local requests back to the shared
        frontier when it closes (``politecrawl.middlewares.frontier.cluster``).
        """
        drained: list[Request] = []
        for origin in list(self.queues):
            queue = self.queues[origin]
            while (request := queue.pop()) is not None:
                drained.append(request)
            self._forget(origin)
        return drained

    def close(self) -> dict[str, list[int]]:
        if self._wake_call is not None and self._wake_call.active():
            self._wake_call.cancel()
        self.tally_waiting()
        state = {origin: queue.close() for origin, queue in self.queues.items()}
        self.queues.clear()
        return state

    def __len__(self) -> int:
        return sum(len(q) for q in self.queues.values())

    # -- waiting, stopping ----------------------------------------------
    def tally_waiting(self) -> None:
        """Tally what still waits here per site, once (at close, or at the end of the crawl)."""
        if getattr(self, "_tallied", False):
            return
        self._tallied = True
        for site, count in self.waiting_by_site().items():
            self.runtime.tallies.add(site, "waiting", count)

    def waiting_by_site(self) -> dict[str, int]:
        """How many requests wait per site (for the end-of-crawl report)."""
        counts: dict[str, int] = {}
        for origin, queue in self.queues.items():
            site = self._site_of[origin]
            counts[site] = counts.get(site, 0) + len(queue)
        return counts

    def waiting_for_turn(self, now: float) -> tuple[int, str | None, float]:
        """Queued requests whose site or origin may not be sent to at *now*, and the site due next
        (``(count, site, due_at)``; ``(0, None, inf)`` when every queued request could go)."""
        pacer = self.runtime.pacer
        waiting, next_site, next_at = 0, None, math.inf
        for origin, queue in self.queues.items():
            n = len(queue)
            if not n:
                continue
            site = self._site_of[origin]
            ready = pacer.ready_at(site, origin, now)
            if ready > now:
                waiting += n
                if ready < next_at:
                    next_site, next_at = site, ready
        return waiting, next_site, next_at

    def _schedule_wake(self, when: float) -> None:
        if when >= self._wake_at and self._wake_call is not None and self._wake_call.active():
            return
        if self._wake_call is not None and self._wake_call.active():
            self._wake_call.cancel()
        self._wake_at = when
        self._wake_call = call_later(when - self.runtime.clock(), self._wake)

    def _wake(self) -> None:
        self._wake_at = math.inf
        self._wake_call = None
        wake_engine(self.crawler)

    def _site_changed(self, site: str) -> None:
        if self.runtime.pacer.stopped(site) is not None:
            self._drop_site(site)
            return
        now = self.runtime.clock()
        for origin in self._origins_of.get(site, ()):
            heapq.heappush(self._heap, (now, next(self._seq), origin))
        wake_engine(self.crawler)

    def _drop_site(self, site: str) -> None:
        stop = self.runtime.pacer.stopped(site)
        source = stop.source if stop is not None else "stop"
        dropped = 0
        for origin in list(self._origins_of.get(site, ())):
            queue = self.queues[origin]
            while queue.pop() is not None:
                dropped += 1
            self._forget(origin)
        if dropped:
            self._count_dropped(site, source, dropped)

    def _count_dropped(self, site: str, source: str, n: int) -> None:
        self.runtime.inc_stat(f"frontier/dropped/{source}", n)
        self.runtime.tallies.add(site, f"dropped:{source}", n)
        self.runtime.log_once(
            ("frontier-drop", site),
            logging.INFO,
            "politecrawl: %s is stopped (%s): its queued and new requests are dropped, not fetched",
            site,
            source,
        )


def _peek(queue: ScrapyPriorityQueue) -> Request | None:
    """The request a memory *queue* would pop next, or ``None`` if its queues cannot tell.

    Not for disk queues (``JOBDIR``): queuelib's ``LifoDiskQueue.peek`` leaves
    the file position before the last record, and the next push writes there.
    Requests from disk queues get their gate answers from the gates.
    """
    try:
        return queue.peek()
    except NotImplementedError:
        return None


def tally_waiting(crawler: Crawler) -> None:
    """Tally the requests still waiting in the frontier at the end of a crawl.

    Scrapy closes only the disk queue (``JOBDIR``) before ``spider_closed``;
    the memory queue is tallied here, once, by whichever end-of-crawl handler
    asks first.
    """
    for queue in scheduler_queues(crawler):
        if isinstance(queue, PacedPriorityQueue):
            queue.tally_waiting()
