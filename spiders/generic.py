"""The reference generic spider: a search crawl of the seed sites, one item per page.

What it follows is decided by :mod:`politecrawl.search` (scope, file extensions,
sitemaps, canonical URLs); links are read by Scrapy's ``LinkExtractor``,
sitemaps by Scrapy's sitemap utilities (docs/search.md).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import AsyncIterator, Iterable
from typing import Any

import scrapy
from lxml import etree
from parsel import css2xpath
from scrapy.http import Response, TextResponse
from scrapy.linkextractors import IGNORED_EXTENSIONS, LinkExtractor
from scrapy.utils.url import url_has_any_extension

from politecrawl.middlewares.downloader.recrawl import HINT_META, REVALIDATE_META, Recrawl
from politecrawl.middlewares.runtime import Runtime
from politecrawl.middlewares.spider.search import (
    CANONICAL_META,
    ENTRY_META,
    NOT_KEPT_META,
    SITEMAP_META,
    search_config,
)
from politecrawl.middlewares.spider.sitemaps import read_sitemap
from politecrawl.robots import load_record
from politecrawl.robots.rules import sitemap_lines
from politecrawl.search import (
    Scope,
    SearchConfig,
    canonical_hint,
    lastmod_hint,
    parse_lastmod,
    skipped_extensions,
    sitemaps_for,
)
from politecrawl.search.sitemaps import MAX_INDEX_DEPTH
from politecrawl.sites import InvalidURL, origin_key, site_key
from politecrawl.state import StateStoreError

logger = logging.getLogger(__name__)

_TEXT_XPATH = "//body//text()[not(ancestor::script) and not(ancestor::style)]"
#: The page's text nodes, title and canonical link read from the parsed tree as plain strings: no
#: Selector is built per text node (parsel's ``response.xpath(...).getall()`` makes one for each).
_TEXT = etree.XPath(_TEXT_XPATH, smart_strings=False)
_TITLE = etree.XPath(css2xpath("title::text"), smart_strings=False)
_CANONICAL = etree.XPath(css2xpath('link[rel~="canonical"]::attr(href)'), smart_strings=False)

#: Settings the spider brings, at Scrapy's "default" priority (a project or ``-s`` wins):
#: first-in-first-out queues (with the depth priority: breadth-first within a site),
#: the search middleware after Scrapy's depth middleware, the content-type gate.
SEARCH_SETTINGS: dict[str, Any] = {
    "SCHEDULER_MEMORY_QUEUE": "scrapy.squeues.FifoMemoryQueue",
    "SCHEDULER_DISK_QUEUE": "scrapy.squeues.PickleFifoDiskQueue",
}
SEARCH_COMPONENTS = (
    ("SPIDER_MIDDLEWARES", "politecrawl.middlewares.spider.search.SearchSpiderMiddleware", 850),
    ("EXTENSIONS", "politecrawl.middlewares.extensions.content_type.ContentTypeGate", 0),
    # before the request gates (100): a page already recorded needs no robots.txt look-up
    ("DOWNLOADER_MIDDLEWARES", "politecrawl.middlewares.downloader.canonical.CanonicalGate", 90),
)


class PageItem(scrapy.Item):
    """One crawled page.

    ``url`` is the page's URL, or its canonical URL (``<link rel="canonical">``
    in the same site), then ``fetched_url`` is where it was found.
    ``fetched_at`` is the crawler's own clock reading, never data from the page,
    so it is declared not personal (``pii=False``) and the personal-data filter
    does not scan it; every other field is scanned. ``politecrawl_robots`` is
    where the robots page middleware records the page's directives.
    ``revalidated`` is ``True`` on the item of a page the site answered ``304 Not
    Modified``: the item kept from the page's last full fetch, at ``fetched_at``.
    """

    url = scrapy.Field()
    fetched_url = scrapy.Field()
    title = scrapy.Field()
    text = scrapy.Field()
    fetched_at = scrapy.Field(pii=False)
    politecrawl_robots = scrapy.Field()
    revalidated = scrapy.Field(pii=False)


class GenericSpider(scrapy.Spider):
    """``politecrawl crawl URL...`` runs this spider.

    Arguments: ``urls`` (a list, or a comma/space separated string) — the
    seeds. Links are followed within the scope (``POLITECRAWL_SCOPE``, the
    seeds' sites by default), and each site's sitemaps are read. Each page
    yields a :class:`PageItem`. On a state with fetch history (docs/recrawl.md)
    the pages due again come first, most overdue first, each asked for with its
    validators; a ``304`` yields the item kept from the page's last full fetch.
    """

    name = "generic"
    #: a 304 reaches parse(): the kept item stands for the page
    handle_httpstatus_list = [304]
    #: the recrawl middleware keeps each page's item for a later 304
    politecrawl_keep_items = True

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
        self._configure(SearchConfig())
        self._sitemapped: set[str] = set()  # origins whose sitemaps were asked for
        self._recorded: set[str] = set()  # URLs items were emitted under

    @classmethod
    def update_settings(cls, settings: Any) -> None:
        super().update_settings(settings)
        for name, value in SEARCH_SETTINGS.items():
            settings.set(name, value, "default")
        for setting, path, order in SEARCH_COMPONENTS:
            settings.set_in_component_priority_dict(setting, path, order)

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> GenericSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider._configure(search_config(crawler))
        return spider

    def _configure(self, config: SearchConfig) -> None:
        self.search = config
        self.scope = Scope.build(config.scope, self.start_urls, config.allow, config.deny)
        self.skipped_extensions = skipped_extensions(
            IGNORED_EXTENSIONS, config.deny_extensions, config.follow_extensions
        )
        self.links = LinkExtractor(**self.scope.extractor_args(self.skipped_extensions))

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self._due():
            yield scrapy.Request(url, callback=self.parse)
        for url in self.start_urls:
            yield scrapy.Request(url, callback=self.parse)

    def _recrawl(self) -> Recrawl | None:
        crawler = getattr(self, "crawler", None)
        recrawl = Recrawl.peek(crawler) if crawler is not None else None
        return recrawl if recrawl is not None and recrawl.settings.enabled else None

    def _due(self) -> list[str]:
        """The pages of the seed sites in the fetch history that are due again, most overdue first."""
        recrawl = self._recrawl()
        if recrawl is None:
            return []
        due, waiting = recrawl.due(sorted(self.seed_sites))
        due = [url for url in due if self.scope.allows(url)]
        if due or waiting:
            self.crawler.stats.set_value("politecrawl/recrawl/due_at_start", len(due))
            self.crawler.stats.set_value("politecrawl/recrawl/not_due_at_start", waiting)
            logger.info("politecrawl recrawl: %d page(s) of the seed sites due again, asked for first; "
                        "%d not due yet", len(due), waiting)
        return due

    # -- pages -------------------------------------------------------------
    def parse(self, response: Response) -> Iterable[Any]:
        if response.status == 304:
            yield from self._sitemaps_of(response.url)  # their lastmod hints matter most when nothing changed
            yield from self._kept_item(response)
            return
        if NOT_KEPT_META in response.meta or not isinstance(response, TextResponse):
            return  # not a type the crawl keeps (counted by the gate) or not text
        yield from self._sitemaps_of(response.url)
        url = response.url
        tree = response.selector.root if response.selector.type in ("html", "xml") else None
        canonical = canonical_hint(url, _first(_CANONICAL, tree) if tree is not None else
                                   response.css('link[rel~="canonical"]::attr(href)').get(), self.search.params)
        if canonical is not None:
            response.meta[CANONICAL_META] = canonical
        recorded = canonical or url
        if recorded not in self._recorded:
            self._recorded.add(recorded)
            if tree is not None:
                title, texts = (_first(_TITLE, tree) or "").strip(), _TEXT(tree)
            else:
                title, texts = (response.css("title::text").get() or "").strip(), response.xpath(_TEXT_XPATH).getall()
            text = " ".join(stripped for stripped in map(str.strip, texts) if stripped)
            item = PageItem(
                url=recorded,
                title=title,
                text=text,
                fetched_at=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            )
            if canonical is not None:
                item["fetched_url"] = url
            yield item
        elif getattr(self, "crawler", None) is not None:
            self.crawler.stats.inc_value("politecrawl/search/duplicate_pages")
        for link in self.links.extract_links(response):
            if self.scope.allows(link.url):
                yield response.follow(link.url, callback=self.parse)

    def _kept_item(self, response: Response) -> Iterable[PageItem]:
        """The item kept from the last full fetch of a page the site answered 304 Not Modified."""
        recrawl = self._recrawl()
        kept = recrawl.kept_item(response.url) if recrawl is not None else None
        if kept is None or kept.get("url") in self._recorded:
            return
        self._recorded.add(kept.get("url"))
        self.crawler.stats.inc_value("politecrawl/recrawl/items_kept_yielded")
        fields = {k: v for k, v in kept.items() if k in PageItem.fields}
        fields.update(fetched_at=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), revalidated=True)
        yield PageItem(**fields)

    # -- sitemaps ----------------------------------------------------------
    def _sitemaps_of(self, url: str) -> Iterable[scrapy.Request]:
        """The sitemap requests of *url*'s origin, the first time a page of it is read."""
        if not self.search.sitemaps or getattr(self, "crawler", None) is None:
            return
        try:
            origin = origin_key(url)
        except InvalidURL:
            return
        if origin in self._sitemapped:
            return
        self._sitemapped.add(origin)
        runtime = Runtime.peek(self.crawler)
        named: tuple[str, ...] = ()
        if runtime is not None:
            try:
                record = load_record(runtime.store, origin)
            except StateStoreError:
                record = None
            if record is not None:
                named = record.sitemaps or (sitemap_lines(record.text) if record.text else ())
        for sitemap in sitemaps_for(origin, named):  # all in the origin's site
            yield self._sitemap_request(sitemap, level=0)

    def _sitemap_request(self, url: str, level: int) -> scrapy.Request:
        self.crawler.stats.inc_value("politecrawl/search/sitemaps/requested")
        return scrapy.Request(
            url,
            callback=self.parse_sitemap,
            # a 304 would leave the sitemap's entries unread
            meta={SITEMAP_META: level, "download_maxsize": self.search.sitemap_max_bytes, REVALIDATE_META: False},
        )

    def parse_sitemap(self, response: Response) -> Iterable[scrapy.Request]:
        stats = self.crawler.stats
        read = read_sitemap(
            response.body, max_bytes=self.search.sitemap_max_bytes,
            max_urls=self.search.sitemap_max_urls,
        )
        if read.error:
            stats.inc_value(f"politecrawl/search/sitemaps/unread/{read.error}")
        if read.left_out:
            stats.inc_value("politecrawl/search/sitemaps/urls_left_out", read.left_out)
        if not read.kind:
            return
        stats.inc_value(f"politecrawl/search/sitemaps/read/{read.kind}")
        level = int(response.meta.get(SITEMAP_META, 0) or 0)
        now = dt.datetime.now(dt.timezone.utc).timestamp()
        for entry in read.entries:
            url = response.urljoin(entry["loc"])
            if read.kind == "sitemapindex":
                if level < MAX_INDEX_DEPTH and _same_site(url, self.scope.sites):
                    yield self._sitemap_request(url, level + 1)
                continue
            if not self.scope.allows(url) or url_has_any_extension(
                url, [f".{e}" for e in self.skipped_extensions]
            ):
                stats.inc_value("politecrawl/search/sitemaps/urls_out_of_scope")
                continue
            stats.inc_value("politecrawl/search/sitemaps/urls_listed")
            hint = {"changefreq": entry.get("changefreq")}
            lastmod = parse_lastmod(entry["lastmod"])
            if lastmod is not None:
                hint["lastmod"] = lastmod.timestamp()
            recrawl = self._recrawl()
            if recrawl is not None:
                recrawl.hint(url, hint["changefreq"])
            if recrawl is not None and not recrawl.is_due(url, hint.get("lastmod")):
                stats.inc_value("politecrawl/recrawl/sitemap_urls_not_due")
                continue
            yield scrapy.Request(
                url, callback=self.parse, meta={ENTRY_META: lastmod_hint(entry["lastmod"], now), HINT_META: hint}
            )


def _first(xpath: etree.XPath, tree: Any) -> str | None:
    found = xpath(tree)
    return found[0] if found else None


def _same_site(url: str, sites: frozenset[str]) -> bool:
    try:
        return site_key(url) in sites
    except InvalidURL:
        return False
