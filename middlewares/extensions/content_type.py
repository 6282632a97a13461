"""Answers of a type the crawl does not keep are not read (docs/search.md).

:class:`ContentTypeGate` (an extension) stops reading an answer whose headers
name a type the crawl does not keep: on ``headers_received`` it raises
``StopDownload(fail=False)``, so the body is not read (an answer of at most
:data:`SMALL_BODY` bytes is read whole and dropped, see there); the answer still
reaches the downloader's signals (the audit counts it), the spider ignores it,
and it is counted (``politecrawl/search/not_kept/{cut,small}``) and tallied per
site (``dropped:search:content_type``, in the summary and the audit).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import StopDownload

from politecrawl.middlewares.downloader.recrawl import CONDITIONAL_META
from politecrawl.middlewares.runtime import Runtime, is_protocol_fetch, site_of
from politecrawl.middlewares.spider.search import COMPONENT, NOT_KEPT_META, SITEMAP_META, search_config
from politecrawl.search import SITEMAP_TYPES, is_kept

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler

#: Answers of a type not kept with at most this many bytes (by Content-Length) are read whole
#: and dropped; larger ones, or of unknown length, are cut at their headers.
SMALL_BODY = 64 * 1024


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
        if CONDITIONAL_META in meta and b"Content-Type" not in headers:
            return  # a 304 (no body, no type) to a conditional request
        keep = self.sitemap_keep if SITEMAP_META in meta else self.keep
        if is_kept(headers.get(b"Content-Type"), keep):
            return
        site = site_of(request)
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
