"""Will Scrapy's HTTP cache answer a request? Asked by the frontier before a budget token is taken.

With ``HTTPCACHE_ENABLED``, Scrapy's ``HttpCacheMiddleware`` answers a request
from its storage when the entry is fresh by its policy (``DummyPolicy``: any
entry; ``RFC2616Policy``: by the cached headers), and refuses a miss with
``HTTPCACHE_IGNORE_MISSING``. Such a request never reaches the site, so it takes
no token and no turn of the pace: :class:`LocalCache` is the frontier's
``runtime.answers_locally``, asking the cache middleware's own policy and
storage the same questions it will ask. A request the frontier let go as
answered locally that the cache does not answer after all (its entry went
stale meanwhile) is sent back to the frontier for a token by the send gate
(:mod:`.send`) before it can reach the site.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from politecrawl.middlewares._scrapy_compat import downloader_middlewares

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler

__all__ = ["LocalCache"]

logger = logging.getLogger("politecrawl.budget")


class LocalCache:
    """``answers(request)``: whether the crawl's ``HttpCacheMiddleware`` will answer *request* itself."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self._cache: Any = None
        self._looked = False

    def _middleware(self) -> Any:
        if not self._looked:
            from scrapy.downloadermiddlewares.httpcache import HttpCacheMiddleware  # noqa: PLC0415

            found = [mw for mw in downloader_middlewares(self.crawler) if isinstance(mw, HttpCacheMiddleware)]
            if not found and self.crawler.engine is None:
                return None  # asked before the engine exists: look again next time
            self._cache = found[0] if found else None
            self._looked = True
        return self._cache

    def __call__(self, request: Request) -> bool:
        cache = self._middleware()
        if cache is None or request.meta.get("dont_cache", False):
            return False
        try:
            if not cache.policy.should_cache_request(request):
                return False
            cached = cache.storage.retrieve_response(self.crawler.spider, request)
            if cached is None:
                return bool(cache.ignore_missing)  # the cache refuses a miss itself
            return bool(cache.policy.is_cached_response_fresh(cached, request))
        except Exception:  # noqa: BLE001 - the cache will treat it as a miss, so the request goes to the site
            logger.debug("politecrawl: the HTTP cache could not be asked about a request", exc_info=True)
            return False
