"""One spider-middleware layer for what a page's own headers and meta tags say about its output.

Scrapy wraps the spider's output in two async generators per spider middleware
(the middleware's and its own error guard), for every item and request of every
page. politecrawl's two page-level rules run in one layer, in this order:

1. :class:`~politecrawl.middlewares.spider.robots_page.RobotsPageMiddleware`: ``X-Robots-Tag``
   and robots ``<meta>`` directives (``nofollow`` drops the page's requests;
   items are marked, ``noindex`` ones dropped for the ``search`` purpose).
2. :class:`~politecrawl.middlewares.spider.reserved_items.ReservedItems`: items of pages reserved
   for the crawl's purpose by their headers or meta tags, or of an
   operator-stopped site, are dropped and counted.

Each rule is decided once per page, as in its own middleware; both classes stay
usable as middlewares of their own. The layer sits at 950, next to the spider;
the reserved-items rule touches only items, which the spider middlewares
between 800 and 950 pass on unchanged.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scrapy import Request

from politecrawl.middlewares.runtime import response_site
from politecrawl.middlewares.spider.robots_page import RobotsPageMiddleware
from politecrawl.middlewares.spider.reserved_items import ReservedItems

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterable, Iterator

    from scrapy.crawler import Crawler
    from scrapy.http import Response


class PageMiddleware:
    """Spider middleware: page robots directives, then reserved items, in one layer."""

    #: What runs in the layer, in order (the Addon's start-up log line names them).
    PARTS = (
        "politecrawl.middlewares.spider.robots_page.RobotsPageMiddleware",
        "politecrawl.middlewares.spider.reserved_items.ReservedItems",
    )

    def __init__(self, robots: RobotsPageMiddleware, reserved: ReservedItems) -> None:
        self.robots = robots
        self.reserved = reserved

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PageMiddleware:
        return cls(RobotsPageMiddleware.from_crawler(crawler), ReservedItems.from_crawler(crawler))

    def _decide(self, response: Response | None) -> tuple[Any, str | None]:
        found = self.robots.directives(response)
        reason = self.reserved.drop_reason(response) if response is not None else None
        return found, reason

    def _apply(self, o: Any, response: Response | None, found: Any, reason: str | None) -> Any:
        o = self.robots.apply(o, response, found)
        if o is None or reason is None or isinstance(o, Request):
            return o
        self.reserved.count_dropped(response_site(response), reason)  # type: ignore[union-attr]
        return None

    async def process_spider_output_async(
        self, response: Response | None, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        found, reason = self._decide(response)
        if found is None and reason is None:  # most pages: nothing to apply
            async for o in result:
                yield o
            return
        async for o in result:
            if (o := self._apply(o, response, found, reason)) is not None:
                yield o

    def process_spider_output(self, response: Response | None, result: Iterable[Any]) -> Iterator[Any]:
        found, reason = self._decide(response)
        for o in result:
            if (o := self._apply(o, response, found, reason)) is not None:
                yield o


__all__ = ["PageMiddleware"]
