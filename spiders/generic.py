"""The reference generic spider: follow links within the seed sites, one item per page."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import AsyncIterator, Iterable
from typing import Any

import scrapy
from scrapy.http import Response, TextResponse

from politecrawl.sites import InvalidURL, site_key

logger = logging.getLogger(__name__)

_TEXT_XPATH = "//body//text()[not(ancestor::script) and not(ancestor::style)]"


class PageItem(scrapy.Item):
    """One crawled page.

    ``fetched_at`` is the crawler's own clock reading, never data from the page,
    so it is declared not personal (``pii=False``) and the personal-data filter
    does not scan it; every other field is scanned. ``politecrawl_robots`` is
    where the robots page middleware records the page's directives.
    """

    url = scrapy.Field()
    title = scrapy.Field()
    text = scrapy.Field()
    fetched_at = scrapy.Field(pii=False)
    politecrawl_robots = scrapy.Field()


class GenericSpider(scrapy.Spider):
    """``politecrawl crawl URL...`` runs this spider.

    Arguments: ``urls`` (a list, or a comma/space separated string) — the
    seeds; links are followed only within the seeds' sites (their site keys).
    Each page yields a :class:`PageItem` (``url``, ``title``, ``text``, ``fetched_at``).
    """

    name = "generic"

    def __init__(self, urls: Iterable[str] | str = (), *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if isinstance(urls, str):
            urls = urls.replace(",", " ").split()
        self.start_urls = list(urls)
        self.seed_sites = set()
        for url in self.start_urls:
            try:
                self.seed_sites.add(site_key(url))
            except InvalidURL:
                logger.warning("generic spider: skipping a seed that is not a URL")

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.start_urls:
            yield scrapy.Request(url, callback=self.parse)

    def parse(self, response: Response) -> Iterable[Any]:
        if not isinstance(response, TextResponse):
            return
        title = (response.css("title::text").get() or "").strip()
        text = " ".join(t.strip() for t in response.xpath(_TEXT_XPATH).getall() if t.strip())
        yield PageItem(
            url=response.url,
            title=title,
            text=text,
            fetched_at=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        )
        for href in response.css("a::attr(href)").getall():
            url = response.urljoin(href)
            try:
                if site_key(url) not in self.seed_sites:
                    continue
            except InvalidURL:
                continue
            yield response.follow(url, callback=self.parse)
