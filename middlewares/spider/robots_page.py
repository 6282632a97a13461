"""A page's own robots directives (``X-Robots-Tag``, robots ``<meta>``) applied to what the spider made of it."""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.spidermiddlewares.base import BaseSpiderMiddleware

from politecrawl.middlewares._scrapy_compat import header_list, header_name, lowered_body
from politecrawl.robots import page_directives
from politecrawl.middlewares.runtime import Runtime, response_site
from politecrawl.middlewares.spider.meta import meta_tags_of

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterable

    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)

#: Item field the page middleware sets: the page's directives, e.g. ``["noai", "noindex"]``.
ITEM_FIELD = "politecrawl_robots"
_X_ROBOTS_TAG = header_name(b"X-Robots-Tag")


class RobotsPageMiddleware(BaseSpiderMiddleware):
    """Spider middleware: ``X-Robots-Tag`` / robots ``<meta>`` directives of a page.

    * ``nofollow`` / ``none``: every request the spider made from that page is dropped.
    * ``noindex`` / ``none``: items are marked; with ``POLITECRAWL_PURPOSE = "search"``
      they are dropped.
    * ``noarchive``, ``noai``, ``noimageai``: items are marked.

    Marking: the item's ``politecrawl_robots`` field is set to the sorted list of
    directives (dict items, or Item classes that declare the field). Items that
    cannot take the field are counted (``politecrawl/robots/page/unmarked_items``).
    """

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.runtime = Runtime.of(crawler)
        self.bot_name = self.runtime.config.bot_name
        self.drop_noindex = self.runtime.config.purpose == "search"
        # Only pages that can hold a robots <meta> are searched with XPath.
        # in lower case, over the lower-cased body (_scrapy_compat.lowered_body): as re.I over the body
        names = b"robots|" + re.escape(self.bot_name.encode().lower())
        self._maybe_meta = re.compile(rb"<meta[^>]*?name\s*=\s*[\"']?\s*(?:" + names + rb")").search

    def process_spider_output(self, response: Response | None, result: Iterable[Any]) -> Iterable[Any]:
        found = self.directives(response)
        for o in result:
            if (o := self.apply(o, response, found)) is not None:
                yield o

    async def process_spider_output_async(
        self, response: Response | None, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        found = self.directives(response)
        async for o in result:
            if (o := self.apply(o, response, found)) is not None:
                yield o

    def directives(self, response: Response | None) -> Any:
        if response is None:
            return None
        headers = [v.decode("latin-1") for v in header_list(response.headers, _X_ROBOTS_TAG)]
        metas: list[tuple[str, str]] = []
        if isinstance(response, HtmlResponse) and self._maybe_meta(lowered_body(response.body)):
            metas = [(name, content) for name, contents in meta_tags_of(response).items() for content in contents]
        if not headers and not metas:
            return None  # most pages: no header, no robots meta tag
        found = page_directives(headers, metas, self.bot_name)
        if found:
            self.runtime.inc_stat("robots/page/with_directives")
        return found or None

    def apply(self, o: Any, response: Response | None, found: Any) -> Any:
        if found is None:
            return o
        if isinstance(o, Request):
            if found.nofollow:
                self.runtime.inc_stat("robots/page/nofollow_dropped")
                self.runtime.log_once(
                    ("robots-nofollow", _site(response)), logging.INFO,
                    "politecrawl: pages of %s say nofollow: links found there are not followed "
                    "(counted under politecrawl/robots/page/nofollow_dropped)", _site(response),
                )
                return None
            return o
        if found.noindex and self.drop_noindex:
            self.runtime.inc_stat("robots/page/noindex_dropped")
            return None
        try:
            ItemAdapter(o)[ITEM_FIELD] = found.as_list()
            self.runtime.inc_stat("robots/page/marked_items")
        except (KeyError, TypeError):
            self.runtime.inc_stat("robots/page/unmarked_items")
            self.runtime.log_once(
                ("robots-unmarked", type(o).__name__), logging.WARNING,
                "politecrawl: items of type %s cannot take the %r field; page robots "
                "directives are not recorded on them (declare the field)", type(o).__name__, ITEM_FIELD,
            )
        return o


def _site(response: Response | None) -> str:
    return response_site(response) if response is not None else "(none)"


__all__ = ["ITEM_FIELD", "RobotsPageMiddleware"]
