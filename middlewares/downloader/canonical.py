"""A queued page request whose URL a fetched page has since named as its canonical
URL is not sent (docs/search.md): the page is already recorded."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from politecrawl.middlewares.runtime import Runtime, is_protocol_fetch
from politecrawl.middlewares.spider.search import COMPONENT, shared_admission

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler

    from politecrawl.search import Admission


class CanonicalGate:
    """Downloader middleware (90, before the request gates): a page already recorded
    under its canonical URL needs no robots.txt look-up and no request."""

    def __init__(self, runtime: Runtime, admission: Admission) -> None:
        self.runtime = runtime
        self.admission = admission

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CanonicalGate:
        return cls(Runtime.of(crawler), shared_admission(crawler))

    def process_request(self, request: Request, spider: Any = None) -> None:
        if self.admission.is_canonical(request.url) and not is_protocol_fetch(request):
            raise self.runtime.refuse(request, component=COMPONENT, reason="canonical_queued")
