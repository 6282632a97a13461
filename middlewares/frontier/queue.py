"""The paced frontier: requests wait here, not in the downloader.

A request waiting in a downloader middleware or a download-slot queue holds
a place of ``CONCURRENT_REQUESTS``, so a crawl of many slow-budget sites would
stall behind them (head-of-line blocking). :class:`PacedPriorityQueue` is a
``SCHEDULER_PRIORITY_QUEUE`` that keeps one queue per origin in a
:class:`~politecrawl.frontier.RequestStore` and hands the engine only a
request that :class:`~politecrawl.admission.Admission` lets go *now*; when
none is ready it returns nothing and wakes the engine when the earliest
becomes ready. In memory it keeps one ready time per origin with requests.

The store is in memory (``middlewares/frontier/memory.py``) for Scrapy's
memory queue and one SQLite file in ``JOBDIR`` (``middlewares/frontier/disk.py``)
for its disk queue, so waiting requests survive a restart or a kill.

A request's site and origin are stamped in its meta when it enters
(``runtime.KEYS``), and the admission answer when it leaves
(``runtime.ADMISSION``): a request whose gate answer is already known to be a
refusal (admission reads the head's URL from the store) leaves at once, with
no budget token and no pace turn taken, and the gate refuses it; so does a
request a local cache will answer (``runtime.answers_locally``: Scrapy's HTTP
cache), which never reaches the site (both stores show their head request).

A stopped site's queued requests are dropped here, counted, never fetched.
"""

from __future__ import annotations

import logging
import math
from typing import TYPE_CHECKING, Any

from politecrawl.middlewares._scrapy_compat import call_later, scheduler_queues, wake_engine
from politecrawl.admission import GO, LOCAL, REFUSED, STOPPED
from politecrawl.frontier.ready import ReadyHeap
from politecrawl.middlewares.frontier.disk import DiskRequestStore
from politecrawl.middlewares.frontier.memory import MemoryRequestStore
from politecrawl.middlewares.runtime import ADMISSION, NOT_LOCAL, Runtime, stamp_keys

if TYPE_CHECKING:
    from collections.abc import Iterable

    from scrapy import Request
    from scrapy.crawler import Crawler

    from politecrawl.frontier import RequestStore

logger = logging.getLogger(__name__)


class PacedPriorityQueue:
    """Per-origin queues in a :class:`~politecrawl.frontier.RequestStore`, popped only when admission says so."""

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
        if startprios:  # the disk store keeps its own state: anything here is another format
            raise ValueError(
                f"PacedPriorityQueue cannot resume the JOBDIR {key!r}: it was written by another "
                "SCHEDULER_PRIORITY_QUEUE or an older politecrawl; start with a new JOBDIR."
            )
        self.crawler = crawler
        self.runtime = Runtime.of(crawler)
        self.key = key
        self.store: RequestStore = (
            DiskRequestStore.open(crawler, downstream_queue_cls, start_queue_cls) if key
            else MemoryRequestStore(crawler, downstream_queue_cls, start_queue_cls)
        )
        self._wake_at = math.inf
        self._wake_call: Any = None
        self.runtime.pacer.subscribe(self._site_changed)
        now = self.runtime.clock()
        # (ready_at, origin handle); stale entries allowed. The disk store's handles are ints: one int an entry
        # the disk store knows the site of each origin it holds: no public-suffix lookup for a known one
        self._site_of_origin = getattr(self.store, "site_of_origin", None)
        self._heap = ReadyHeap(((now, handle) for handle in self.store.handles()),
                               int_handles=isinstance(self.store, DiskRequestStore))

    # -- the queue protocol ---------------------------------------------
    def push(self, request: Request) -> None:
        site, origin = stamp_keys(request, self._site_of_origin)
        request.meta.pop(ADMISSION, None)
        stop = self.runtime.pacer.stopped(site)
        if stop is not None:
            self._count_dropped(site, stop.source, 1)
            return
        handle = self.store.push(request, site, origin)  # raises ValueError if it cannot be kept
        if handle is not None:
            self._heap.push(self.runtime.clock(), handle)

    def pop(self) -> Request | None:
        if not self._heap:  # Scrapy's scheduler asks its memory queue first, empty under JOBDIR: at no cost
            return None
        admission = self.runtime.admission
        store = self.store
        now = self.runtime.clock()
        while self._heap:
            ready_at, handle = self._heap.first()
            if ready_at > now:
                self._schedule_wake(ready_at)
                return None
            self._heap.drop_first()
            if not store.count(handle):
                continue  # a stale entry
            site, origin = store.names(handle)
            answer = admission.admit(site, origin, store.head_url(handle), now, local=self._answered_locally(handle))
            if answer.kind == STOPPED:
                self._drop_site(site)
                continue
            if answer.kind not in (GO, REFUSED, LOCAL):
                # A wait too small to move a float timestamp (a bucket a rounding error short
                # of a token: 1e-10 s added to 1.8e9 is 1.8e9) would put the origin back at
                # `now` and spin this loop for ever; the next float after `now` ends it.
                ready = max(now + answer.wait, math.nextafter(now, math.inf))
                self._heap.push(ready, handle)
                continue
            request = store.pop(handle)
            if answer.kind == REFUSED:
                self.runtime.inc_stat(f"admission/refused_before_token/{answer.refused_by}")
            elif answer.kind == LOCAL:
                self.runtime.inc_stat("admission/answered_locally")
            if store.count(handle):
                # a refused or locally answered request took no turn: the next one may go at once
                ready = now if answer.kind != GO else self.runtime.pacer.ready_at(site, origin, now)
                self._heap.push(ready, handle)
            if request is not None:
                request.meta[ADMISSION] = answer
                return request
        return None

    def _answered_locally(self, handle: Any) -> bool:
        """Will a local cache (``runtime.answers_locally``) answer the origin's next request? A store that
        cannot show its head request cannot tell; then the request takes a token."""
        answers = self.runtime.answers_locally
        head = getattr(self.store, "head", None)
        if answers is None or head is None:
            return False
        request = head(handle)
        return request is not None and NOT_LOCAL not in request.meta and bool(answers(request))

    def peek(self) -> Request | None:
        """Not supported: which request comes next depends on time."""
        raise NotImplementedError("PacedPriorityQueue does not support peek()")

    def drain(self) -> list[Request]:
        """Take every waiting request out, without asking the pacer or spending budget.

        For a cluster node that hands its local requests back to the shared
        frontier when it closes (``politecrawl.middlewares.frontier.cluster``).
        """
        self._heap.clear()
        return self.store.drain()

    def close(self) -> Any:
        if self._wake_call is not None and self._wake_call.active():
            self._wake_call.cancel()
        self.tally_waiting()
        return self.store.close()

    def __len__(self) -> int:
        return len(self.store)

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
        for site, _, n in self.store.waiting():
            counts[site] = counts.get(site, 0) + n
        return counts

    def waiting_for_turn(self, now: float) -> tuple[int, str | None, float]:
        """Queued requests whose site or origin may not be sent to at *now*, and the site due next
        (``(count, site, due_at)``; ``(0, None, inf)`` when every queued request could go)."""
        pacer = self.runtime.pacer
        waiting, next_site, next_at = 0, None, math.inf
        for site, origin, n in self.store.waiting():
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
        for handle in self.store.handles_of(site):
            self._heap.push(now, handle)
        wake_engine(self.crawler)

    def _drop_site(self, site: str) -> None:
        stop = self.runtime.pacer.stopped(site)
        source = stop.source if stop is not None else "stop"
        dropped = sum(self.store.drop(handle) for handle in self.store.handles_of(site))
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


def tally_waiting(crawler: Crawler) -> None:
    """Tally the requests still waiting in the frontier at the end of a crawl.

    Scrapy closes only the disk queue (``JOBDIR``) before ``spider_closed``;
    the memory queue is tallied here, once, by whichever end-of-crawl handler
    asks first.
    """
    for queue in scheduler_queues(crawler):
        if isinstance(queue, PacedPriorityQueue):
            queue.tally_waiting()
