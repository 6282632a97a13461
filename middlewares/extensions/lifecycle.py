"""Scrapy glue: the crawl's life cycle (start, flushes of the state store, garbage-collector freeze, summary)."""

from __future__ import annotations

import gc
import logging
from typing import TYPE_CHECKING

from scrapy import signals
from twisted.internet.task import LoopingCall

from politecrawl.config import gc_threshold_setting
from politecrawl.settings_reader import SettingsReader
from politecrawl.middlewares.downloader.sizecut import cut_oversized
from politecrawl.middlewares.frontier.queue import tally_waiting
from politecrawl.middlewares.runtime import Runtime
from politecrawl.running import state_name
from politecrawl.state import StateStoreError
from politecrawl.state.writebehind import FLUSH_INTERVAL

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler

logger = logging.getLogger("politecrawl")

_frozen_crawls = 0  # crawls of this process that run with their start-up objects frozen
_tuned_crawls = 0  # crawls of this process that run with POLITECRAWL_GC_THRESHOLD set
_python_thresholds: tuple[int, ...] = ()  # the collector's thresholds before the first of them


def set_gc_threshold(threshold: int) -> None:
    """Collect the youngest generation after *threshold* allocations (Python's: 700) while a crawl runs.

    A crawl makes and drops thousands of objects a page (requests, responses, Deferreds, items); with
    Python's 700 the collector runs a young collection every few hundred of them and an older one every
    tenth. Counted per crawl, like the freeze: :func:`restore_gc_threshold` puts Python's thresholds back
    when the last crawl of the process ends. Measured in docs/speed.md (CPU a page, peak RSS).
    """
    global _tuned_crawls, _python_thresholds  # noqa: PLW0603 - one count per process, as the collector is
    if _tuned_crawls == 0:
        _python_thresholds = gc.get_threshold()
    _tuned_crawls += 1
    gc.set_threshold(threshold, *_python_thresholds[1:])


def restore_gc_threshold() -> None:
    global _tuned_crawls  # noqa: PLW0603
    if _tuned_crawls > 0:
        _tuned_crawls -= 1
        if _tuned_crawls == 0:
            gc.set_threshold(*_python_thresholds)


def freeze_startup_objects() -> int:
    """Exempt what exists once a crawl has started from the garbage collector's scans.

    Modules, compiled patterns, phone-number metadata and the other start-up
    objects (~100,000 in a politecrawl crawl) live as long as the process, yet
    every full collection walks them (docs/benchmarks.md has the measurements).
    ``gc.freeze()`` moves them to a permanent generation.
    Counted per crawl; :func:`thaw_startup_objects` undoes it when the last
    crawl of the process ends, so a process that runs crawl after crawl keeps
    nothing alive for ever. Returns how many objects are frozen.
    """
    global _frozen_crawls  # noqa: PLW0603 - one count per process, as the collector is
    _frozen_crawls += 1
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


def thaw_startup_objects() -> None:
    global _frozen_crawls  # noqa: PLW0603
    if _frozen_crawls > 0:
        _frozen_crawls -= 1
        if _frozen_crawls == 0:
            gc.unfreeze()




class CrawlLifecycle:
    """Extension: builds the runtime at start, logs what is active, writes what the state store
    holds unwritten every ``FLUSH_INTERVAL`` and at the end, summarises at the end."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.runtime = Runtime.of(crawler)
        self._flusher: LoopingCall | None = None
        read = SettingsReader(crawler.settings)
        self._gc_freeze = read.boolean("POLITECRAWL_GC_FREEZE", True)
        self._gc_threshold = gc_threshold_setting(read)
        self._frozen = False
        self._tuned = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlLifecycle:
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(cut_oversized, signal=signals.bytes_received)
        return ext

    def spider_opened(self, spider: Spider) -> None:
        config = self.runtime.config
        logger.info(
            "politecrawl: crawl %s as %r for purpose %r, state %s",
            self.runtime.crawl_id,
            config.user_agent,
            config.purpose,
            state_name(self.runtime.store.url),
        )
        self.runtime.stats.set_value("politecrawl/crawl_id", self.runtime.crawl_id)
        self._flusher = LoopingCall(self._flush)
        self._flusher.start(FLUSH_INTERVAL, now=False)
        if self._gc_freeze:
            frozen = freeze_startup_objects()
            self._frozen = True
            self.runtime.stats.set_value("politecrawl/gc_frozen_objects", frozen)
            logger.info("politecrawl: %d start-up objects exempted from garbage-collector scans "
                        "(POLITECRAWL_GC_FREEZE)", frozen)
        if self._gc_threshold:
            set_gc_threshold(self._gc_threshold)
            self._tuned = True

    def _flush(self, *, release: bool = False) -> None:
        """Write buffered budget takes (the crash bound holds in time too, not only in count)."""
        try:
            self.runtime.store.flush(release=release)
        except StateStoreError as exc:  # the next take fails closed on it too
            logger.error("politecrawl: the state store cannot be written (%s)", exc)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self._flusher is not None and self._flusher.running:
            self._flusher.stop()
        self._flush(release=True)
        if self._frozen:
            self._frozen = False
            thaw_startup_objects()
        if self._tuned:
            self._tuned = False
            restore_gc_threshold()
        tally_waiting(self.crawler)
        if self.runtime.stats is not None:  # requests sent: the audit trail's count, read
            self.runtime.stats.set_value("politecrawl/requests", self.runtime.audit.totals.grand_total("requests"))
        tallies = self.runtime.tallies
        waiting = {site: tallies.get(site, "waiting") for site in tallies.sites()}
        waiting = {site: n for site, n in waiting.items() if n}
        if waiting:
            logger.info(
                "politecrawl: %d requests still wait for their sites' budget or pause: %s",
                sum(waiting.values()),
                ", ".join(f"{site} {n}" for site, n in sorted(waiting.items())),
            )
