"""Items of reserved pages are not emitted (decisions in :mod:`politecrawl.stops`).

:class:`ReservedItems` drops the items of pages reserved for the crawl's
purpose by their headers or meta tags, and of pages of an operator-stopped
site that were in flight when the stop was seen.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from scrapy import Request
from scrapy.http import Response, TextResponse

from politecrawl.middlewares._scrapy_compat import has_any_header, header_name, lowered_body
from politecrawl.middlewares.runtime import response_keys, response_site
from politecrawl.sites import InvalidURL
from politecrawl.stops import TDMRepFile
from politecrawl.stops.page_reservations import page_reservations
from politecrawl.stops.patterns import path_of
from politecrawl.stops.purposes import Reservation

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

from politecrawl.middlewares.downloader.stops import StopsContext
from politecrawl.middlewares.spider.meta import meta_tags_of

logger = logging.getLogger("politecrawl.stops")

_RESERVING_HEADERS = (b"tdm-reservation", b"Content-Usage", b"X-Robots-Tag")
_RESERVING_KEYS = frozenset(header_name(name) for name in _RESERVING_HEADERS)


class ReservedItems:
    """Spider middleware: items of reserved pages (headers / meta) are not emitted.

    Also drops the items of pages of an operator-stopped site that were in
    flight when the stop was seen: the owner had asked us to stop before they
    were fetched, so nothing from them is kept (docs/stops.md).
    """

    def __init__(self, ctx: StopsContext) -> None:
        self.ctx = ctx
        self.runtime = ctx.runtime
        bot = re.escape(self.runtime.config.bot_name.lower().encode())
        # in lower case, over the lower-cased body (_scrapy_compat.lowered_body): as (?i) over the body
        self._meta_hint = re.compile(rb"name\s*=\s*[\"']?\s*(?:tdm-|robots|" + bot + rb")")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ReservedItems:
        return cls(StopsContext.of(crawler))

    def reservations(self, response: Response) -> list[Reservation]:
        """What the response's own headers and meta tags reserve for this crawl's purpose."""
        headers = response.headers
        is_text = isinstance(response, TextResponse)
        # parse the HTML only when a meta tag that matters can be there (most pages have none)
        hinted = is_text and self._meta_hint.search(lowered_body(response.body)) is not None
        if not hinted and not has_any_header(headers, _RESERVING_KEYS):
            # Neither a header nor a meta tag that can reserve: nothing to find here
            # (a tdmrep.json rule alone is enforced before the request, by ReservationGate).
            return []
        meta = meta_tags_of(response) if hinted else {}
        origin = None
        try:
            origin = response_keys(response)[1]
        except InvalidURL:
            pass
        file = self.ctx.tdmrep.get(origin) if origin else None
        found = page_reservations(
            tdmrep_rule=file.lookup(path_of(response.url)) if isinstance(file, TDMRepFile) else None,
            tdm_header=headers.get(b"tdm-reservation"),
            content_usage=[v.decode("latin-1") for v in headers.getlist(b"Content-Usage")],
            x_robots_tag=[v.decode("latin-1") for v in headers.getlist(b"X-Robots-Tag")],
            content_type=(headers.get(b"Content-Type") or b"").decode("latin-1"),
            meta=meta,
            bot_name=self.runtime.config.bot_name,
        )
        return [r for r in found if self.ctx.binds(r)]

    def drop_reason(self, response: Response) -> str | None:
        site = response_site(response)
        stop = self.runtime.pacer.stopped(site)
        if stop is not None and stop.source == "operator":
            return "operator-stop"
        binding = self.reservations(response)
        return binding[0].source if binding else None

    def count_dropped(self, site: str, reason: str) -> None:
        self.runtime.inc_stat(f"reservations/items_dropped/{reason}")
        self.runtime.tallies.add(site, f"items_dropped:{reason}")
        self.runtime.log_once(
            ("items-dropped", site, reason), logging.INFO,
            "politecrawl: items from %s are not emitted (%s, purpose %s); they are counted",
            site, reason, self.ctx.purpose,
        )

    async def process_spider_output_async(
        self, response: Response, result: AsyncIterator[Any], spider: Any = None
    ) -> AsyncIterator[Any]:
        reason = self.drop_reason(response)
        async for obj in result:
            if reason is None or isinstance(obj, Request):
                yield obj
            else:
                self.count_dropped(response_site(response), reason)

    def process_spider_output(
        self, response: Response, result: Iterable[Any], spider: Any = None
    ) -> Iterator[Any]:
        reason = self.drop_reason(response)
        for obj in result:
            if reason is None or isinstance(obj, Request):
                yield obj
            else:
                self.count_dropped(response_site(response), reason)


__all__ = ["ReservedItems"]
