"""Search crawls in the spider's output (decisions in :mod:`politecrawl.search`).

:class:`SearchSpiderMiddleware` cleans the URL of every request a spider yields
(before the dupefilter sees it), applies the depth limit, the per-site page
quota and the canonical URLs seen, and sets the breadth-first priority. It sits
after Scrapy's depth middleware (850), so a request's depth is known.

Meta keys: :data:`SITEMAP_META` marks a sitemap fetch (its value: how many
sitemap indexes led to it); :data:`ENTRY_META` marks a page listed in a sitemap
(its value: the ``lastmod`` bonus); :data:`CANONICAL_META` on a response names
the canonical URL the spider recorded the page under; :data:`NOT_KEPT_META` on a
request says its answer is of a type the crawl does not keep.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from scrapy.spidermiddlewares.base import BaseSpiderMiddleware

from politecrawl.middlewares.runtime import Runtime, is_protocol_fetch
from politecrawl.search import Admission, SearchConfig, clean_url, priority
from politecrawl.sites import site_or_invalid

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)

COMPONENT = "search"
SITEMAP_META = "politecrawl_sitemap"
ENTRY_META = "politecrawl_sitemap_entry"
CANONICAL_META = "politecrawl_canonical"
#: Set on a request whose answer is of a type the crawl does not keep (its body is not used).
NOT_KEPT_META = "politecrawl_not_kept"
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
        hint = int(meta.get(ENTRY_META, 0) or 0)
        if self.config.breadth_first:
            request.priority = priority(depth, hint)
        elif hint:
            request.priority += hint  # the sitemap's lastmod hint on the spider's own priority
        return request
