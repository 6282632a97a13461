"""The stops component's extension (decisions in :mod:`politecrawl.stops`).

:class:`StopsExtension` lists the crawl among the running crawls and reads the
stop registry when woken by ``politecrawl stop`` (:mod:`.presence`), and as a
fail-safe polls it (one GET of its version key every
``POLITECRAWL_STOPS_POLL_INTERVAL``); it turns stops into ``pacer.stop_site``
(the frontier drops the site's queue) and resumes into ``pacer.resume_site``.
It applies a 429/503 as soon as the answer is downloaded, and keeps the
AI-use lines of each origin's robots.txt in force, as the robots gate read them
(:data:`~politecrawl.middlewares.downloader.robots.robots_rules_in_force`).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from scrapy import Request, signals
from scrapy.http import Response
from twisted.internet.task import LoopingCall

from politecrawl.middlewares.extensions.presence import CrawlPresence
from politecrawl.running import state_name
from politecrawl.middlewares.downloader.robots import robots_rules_in_force
from politecrawl.robots import RobotsRules
from politecrawl.stops import THROTTLE_STATUSES, RobotsSignals

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

from politecrawl.middlewares.downloader.stops import StopsContext

logger = logging.getLogger("politecrawl.stops")


class StopsExtension:
    """Extension: polls the stop registry while the crawl runs."""

    def __init__(self, ctx: StopsContext) -> None:
        self.ctx = ctx
        self._loop: LoopingCall | None = None
        self.presence = CrawlPresence(ctx.runtime, self.woken)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StopsExtension:
        ext = cls(StopsContext.of(crawler))
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.robots_rules_in_force, signal=robots_rules_in_force)
        ext.ctx.runtime.connect(crawler, ext.response_downloaded, signals.response_downloaded)
        return ext

    def response_downloaded(self, response: Response, request: Request, spider: Any = None) -> None:
        if response.status in THROTTLE_STATUSES:
            self.ctx.on_throttle(request, response)

    def woken(self) -> None:
        """A wake-up datagram came (``politecrawl stop`` wrote to the registry): read it now."""
        self.ctx.runtime.inc_stat("stops/wakeups")
        self.ctx.poll(force=True)

    def _tick(self) -> None:
        self.ctx.poll()
        self.presence.refresh()

    def spider_opened(self, spider: Any = None) -> None:
        self.ctx.poll(force=True)
        self.presence.start()
        self._loop = LoopingCall(self._tick)
        self._loop.start(self.ctx.settings.poll_interval, now=False)
        stops = self.ctx.watcher.known
        if stops:
            logger.info(
                "politecrawl: %d sites are stopped in %s and get no request: %s",
                len(stops), state_name(self.ctx.runtime.store.url), ", ".join(sorted(stops)),
            )

    def spider_closed(self, spider: Any = None, reason: str = "") -> None:
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        self.presence.close()

    def robots_rules_in_force(self, origin: str, rules: RobotsRules) -> None:
        """Keep the AI-use lines of the origin's robots.txt in force (fetched, stored or last good)."""
        self.ctx.robots[origin] = RobotsSignals(rules.ai_use())


__all__ = ["StopsExtension"]
