"""Scrapy glue of search crawls (decisions in :mod:`politecrawl.search`).

:class:`ContentTypeGate` (an extension) stops reading an answer whose headers
name a type the crawl does not keep: on ``headers_received`` it raises
``StopDownload(fail=False)``, so the body is not read (an answer of at most
:data:`SMALL_BODY` bytes is read whole and dropped, see there); the answer still
reaches the downloader's signals (the audit counts it), the spider ignores it,
and it is counted (``politecrawl/search/not_kept/{cut,small}``) and tallied per
site (``dropped:search:content_type``, in the summary and the audit).

:class:`SearchSpiderMiddleware` cleans the URL of every request a spider yields
(before the dupefilter sees it), applies the depth limit, the per-site page
quota and the canonical URLs seen, and sets the breadth-first priority;
:class:`CanonicalGate` (a downloader middleware) holds back a request queued
before a fetched page named its URL as the canonical one.

Meta keys: :data:`SITEMAP_META` marks a sitemap fetch (its value: how many
sitemap indexes led to it); :data:`ENTRY_META` marks a page listed in a sitemap
(its value: the ``lastmod`` bonus); :data:`CANONICAL_META` on a response names
the canonical URL the spider recorded the page under.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from scrapy import Request, signals
from scrapy.exceptions import StopDownload
from scrapy.spidermiddlewares.base import BaseSpiderMiddleware

from politecrawl.runtime import Runtime, is_protocol_fetch
from politecrawl.search import SITEMAP_TYPES, Admission, SearchConfig, clean_url, is_kept, priority
from politecrawl.sites import site_or_invalid

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)

COMPONENT = "search"
SITEMAP_META = "politecrawl_sitemap"
ENTRY_META = "politecrawl_sitemap_entry"
CANONICAL_META = "politecrawl_canonical"
#: Set on a request whose answer is of a type the crawl does not keep (its body is not used).
NOT_KEPT_META = "politecrawl_not_kept"
#: Answers of a type not kept with at most this many bytes (by Content-Length) are read whole
#: and dropped; larger ones, or of unknown length, are cut at their headers.
SMALL_BODY = 64 * 1024
#: The depth a sitemap-listed page is given: one step from the site's home, as a listing of the site.
SITEMAP_ENTRY_DEPTH = 1


def search_config(crawler: Crawler) -> SearchConfig:
    """The crawl's :class:`SearchConfig`, read once per crawler."""
    config = getattr(crawler, "_politecrawl_search", None)
    if config is None:
        config = SearchConfig.from_settings(crawler.settings.get)
        crawler._politecrawl_search = config  # type: ignore[attr-defined]
    return config


def shared_admission(crawler: Crawler) -> Admission:
    """The crawl's one :class:`Admission` (the spider middleware and the canonical gate share it)."""
    admission = getattr(crawler, "_politecrawl_admission", None)
    if admission is None:
        config = search_config(crawler)
        admission = Admission(depth_limit=config.depth_limit, page_quota=config.site_page_quota)
        crawler._politecrawl_admission = admission  # type: ignore[attr-defined]
    return admission


class CanonicalGate:
    """Downloader middleware: a queued page request whose URL a fetched page has since
    named as its canonical URL is not sent (the page is already recorded)."""

    def __init__(self, runtime: Runtime, admission: Admission) -> None:
        self.runtime = runtime
        self.admission = admission

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CanonicalGate:
        return cls(Runtime.of(crawler), shared_admission(crawler))

    def process_request(self, request: Request, spider: Any = None) -> None:
        if self.admission.is_canonical(request.url) and not is_protocol_fetch(request):
            raise self.runtime.refuse(request, component=COMPONENT, reason="canonical_queued")


class ContentTypeGate:
    """Extension: cut answers of types the crawl does not keep at their headers."""

    def __init__(self, runtime: Runtime, keep: frozenset[str]) -> None:
        self.runtime = runtime
        self.keep = keep
        self.sitemap_keep = keep | SITEMAP_TYPES

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ContentTypeGate:
        gate = cls(Runtime.of(crawler), search_config(crawler).keep_types)
        crawler.signals.connect(gate.headers_received, signal=signals.headers_received)
        return gate

    def headers_received(self, headers: Any, body_length: int, request: Request, **kwargs: Any) -> None:
        meta = request.meta
        if is_protocol_fetch(request):
            return
        keep = self.sitemap_keep if SITEMAP_META in meta else self.keep
        if is_kept(headers.get(b"Content-Type"), keep):
            return
        site = site_or_invalid(request.url)
        self.runtime.tallies.add(site, f"dropped:{COMPONENT}:content_type")
        self.runtime.log_once(
            ("search-cut", site), logging.INFO,
            "politecrawl: answers from %s of a type the crawl does not keep are not read "
            "(POLITECRAWL_KEEP_TYPES); further ones are counted, not logged", site,
        )
        meta[NOT_KEPT_META] = True
        if 0 <= body_length <= SMALL_BODY:
            # Read whole, then dropped by the spider: a body this small came in with its
            # headers, and a connection closed now would go back to Twisted's pool while
            # closing, where the next request on it fails and is sent again unseen.
            self.runtime.inc_stat(f"{COMPONENT}/not_kept/small")
            return
        self.runtime.inc_stat(f"{COMPONENT}/not_kept/cut")
        raise StopDownload(fail=False)


class SearchSpiderMiddleware(BaseSpiderMiddleware):
    """Spider middleware (after Scrapy's depth middleware): clean URLs, depth, quotas, order."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.runtime = Runtime.of(crawler)
        self.config = search_config(crawler)
        self.admission = shared_admission(crawler)

    def get_processed_item(self, item: Any, response: Response | None) -> Any:
        self._note_canonical(response)
        return item

    def _note_canonical(self, response: Response | None) -> None:
        if response is not None:
            canonical = response.meta.get(CANONICAL_META)
            if canonical:
                self.admission.note_canonical(canonical)

    def get_processed_request(self, request: Request, response: Response | None) -> Request | None:
        meta = request.meta
        if is_protocol_fetch(request):
            return request
        self._note_canonical(response)
        url = clean_url(request.url, self.config.params)
        if url != request.url:
            self.runtime.inc_stat(f"{COMPONENT}/cleaned_urls")
            request = request.replace(url=url)
            meta = request.meta
        if SITEMAP_META in meta:
            return request  # a sitemap: not a page, no quota; it goes out like any request
        if ENTRY_META in meta:
            meta["depth"] = SITEMAP_ENTRY_DEPTH
        depth = int(meta.get("depth", 0) or 0)
        site = site_or_invalid(url)
        reason = self.admission.decide(url, site, depth)
        if reason is not None:
            self.runtime.inc_stat(f"{COMPONENT}/dropped/{reason}")
            self.runtime.tallies.add(site, f"dropped:{COMPONENT}:{reason}")
            self.runtime.log_once(
                ("search-drop", site, reason), logging.INFO,
                "politecrawl: requests to %s not made (%s); further ones are counted, not logged",
                site, reason,
            )
            return None
        if self.config.breadth_first:
            request.priority = priority(depth, int(meta.get(ENTRY_META, 0) or 0))
        return request
