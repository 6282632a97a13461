"""Scrapy glue: the progress line of a long crawl (text from :mod:`politecrawl.progress`).

:class:`ProgressExtension` logs one line every ``POLITECRAWL_PROGRESS_INTERVAL``
seconds (pages, items, requests queued, how many wait for their turn and the
site due next, sites stopped or paused), as Scrapy's LogStats does for pages
and items. When standard error is a terminal (and ``POLITECRAWL_PROGRESS_LIVE``
is on) the same line is kept on the terminal's last line, redrawn every second;
a log record first clears it. At the end it logs where the items and the state
are and the ``politecrawl report`` command to run.
"""

from __future__ import annotations

import logging
import math
import os
import sys
import time
from typing import TYPE_CHECKING, Any, TextIO

from scrapy import signals
from twisted.internet.task import LoopingCall

from politecrawl.middlewares._scrapy_compat import scheduler_queues
from politecrawl.middlewares.frontier.queue import PacedPriorityQueue
from politecrawl.progress import Progress, ProgressSettings, closing_lines, format_progress
from politecrawl.middlewares.runtime import Runtime

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger("politecrawl.progress")

#: Seconds between two redraws of the live line.
LIVE_INTERVAL = 1.0
#: The frontier walk behind "waiting for their turn" is redone after this many times its own duration.
WALK_SHARE_INVERSE = 20
_CLEAR = "\r\x1b[2K"


class _ClearLiveLine(logging.Filter):
    """On a terminal's log handler: wipe the live line before a record is written over it."""

    def __init__(self, stream: TextIO) -> None:
        super().__init__()
        self.stream = stream
        self.shown = False

    def filter(self, record: logging.LogRecord) -> bool:
        if self.shown:
            self.stream.write(_CLEAR)
            self.shown = False
        return True


def _terminal_handlers(stream: TextIO) -> list[logging.Handler]:
    return [h for h in logging.getLogger().handlers
            if isinstance(h, logging.StreamHandler) and getattr(h, "stream", None) is stream]


class ProgressExtension:
    """Extension: progress lines in the log and live on a terminal; where things are, at the end."""

    def __init__(self, crawler: Crawler, settings: ProgressSettings, stream: TextIO | None = None) -> None:
        self.crawler = crawler
        self.runtime = Runtime.of(crawler)
        self.settings = settings
        self.stream = stream if stream is not None else sys.stderr
        self.live = settings.live and _isatty(self.stream)
        self._loops: list[LoopingCall] = []
        self._filter: _ClearLiveLine | None = None
        self._started = self.runtime.clock()
        self._walked: tuple[float, tuple[int, str | None, float]] | None = None
        self._walk_cost = 0.0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProgressExtension:
        settings = ProgressSettings.from_settings(crawler.settings.get)
        ext = cls(crawler, settings)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def _waiting(self, now: float) -> tuple[int, str | None, float]:
        """Requests waiting for their turn and the site due next, over every origin's queue.

        A walk over many origins costs time, so it is redone only when at least
        :data:`WALK_SHARE_INVERSE` times its last duration has passed (at most
        ~5 % of the crawl's time, however many origins; the live line reuses it).
        """
        if self._walked is not None and now - self._walked[0] < self._walk_cost * WALK_SHARE_INVERSE:
            return self._walked[1]
        began = time.perf_counter()
        waiting, next_site, next_at = 0, None, math.inf
        for queue in scheduler_queues(self.crawler):
            if isinstance(queue, PacedPriorityQueue):
                n, site, at = queue.waiting_for_turn(now)
                waiting += n
                if at < next_at:
                    next_site, next_at = site, at
        self._walk_cost = time.perf_counter() - began
        self._walked = (now, (waiting, next_site, next_at))
        return self._walked[1]

    def progress(self) -> Progress:
        now = self.runtime.clock()
        stats = self.crawler.stats
        queued = sum(len(queue) for queue in scheduler_queues(self.crawler))
        waiting, next_site, next_at = self._waiting(now)
        pacer = self.runtime.pacer
        return Progress(
            pages=self.runtime.audit.totals.grand_total("responses"),  # the audit trail's count of answers
            items=int(stats.get_value("item_scraped_count", 0) or 0),
            queued=queued, waiting=waiting, next_site=next_site,
            next_in=None if next_site is None else next_at - now,
            stopped=sorted(pacer.stops), paused=pacer.paused_sites(now), elapsed=now - self._started,
        )

    def spider_opened(self, spider: Any = None) -> None:
        self._started = self.runtime.clock()
        if self.settings.interval:
            loop = LoopingCall(self.log_line)
            loop.start(self.settings.interval, now=False)
            self._loops.append(loop)
        if self.live:
            handlers = _terminal_handlers(self.stream)
            self._filter = _ClearLiveLine(self.stream)
            for handler in handlers:
                handler.addFilter(self._filter)
            loop = LoopingCall(self.draw)
            loop.start(LIVE_INTERVAL, now=False)
            self._loops.append(loop)

    def log_line(self) -> None:
        logger.info("politecrawl progress: %s", format_progress(self.progress()))

    def draw(self) -> None:
        text = "politecrawl: " + format_progress(self.progress())
        width = _width()
        if len(text) > width - 1:
            text = text[: width - 2] + "…"
        self.stream.write(_CLEAR + text)
        self.stream.flush()
        if self._filter is not None:
            self._filter.shown = True

    def spider_closed(self, spider: Any = None, reason: str = "") -> None:
        for loop in self._loops:
            if loop.running:
                loop.stop()
        if self._filter is not None:
            if self._filter.shown:
                self.stream.write(_CLEAR)
                self.stream.flush()
            for handler in _terminal_handlers(self.stream):
                handler.removeFilter(self._filter)
            self._filter = None
        if self.settings.interval:
            logger.info("politecrawl progress: %s", format_progress(self.progress()))
        feeds = list((self.crawler.settings.getdict("FEEDS") or {}).keys())
        for line in closing_lines([str(f) for f in feeds], self.runtime.store.url, self.runtime.crawl_id,
                                  os.getcwd()):
            logger.info("politecrawl: %s", line)


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _width() -> int:
    try:
        return os.get_terminal_size(sys.stderr.fileno()).columns
    except (OSError, ValueError, AttributeError):
        return 100
