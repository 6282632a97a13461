"""What a site's answers say about stopping or pausing: 429/503 (+Retry-After), 451, signs of a block.

:class:`SiteAnswers` sees responses before Scrapy's RetryMiddleware, so a
429/503 is never retried at once: the request goes back to the frontier,
which holds it until the pause ends. Decisions in :mod:`politecrawl.stops`.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse

from politecrawl.middlewares.runtime import is_protocol_fetch, site_of
from politecrawl.stops import THROTTLE_STATUSES, blocked_by
from politecrawl.stops.patterns import path_of

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

from politecrawl.middlewares.downloader.stops import (
    META_DECISION,
    META_SENT_AT,
    META_THROTTLE_RETRIES,
    SitePaused,
    StopsContext,
)

logger = logging.getLogger("politecrawl.stops")


class SiteAnswers:
    """Downloader middleware for 429/503 (+Retry-After), 451 and signs of a block."""

    def __init__(self, ctx: StopsContext) -> None:
        self.ctx = ctx
        self.runtime = ctx.runtime

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SiteAnswers:
        return cls(StopsContext.of(crawler))

    def process_request(self, request: Request, spider: Any = None) -> None:
        """Note when the request went to the download slot (a Retry-After is read against it)."""
        request.meta[META_SENT_AT] = self.runtime.clock()

    def process_response(
        self, request: Request, response: Response, spider: Any = None
    ) -> Request | Response:
        site = site_of(request)
        now = self.runtime.clock()
        sent_at = float(request.meta.get(META_SENT_AT, now))
        side_fetch = is_protocol_fetch(request)
        if response.status in THROTTLE_STATUSES:
            return self._throttled(request, response, site)
        self.ctx.throttle.on_response(site, sent_at=sent_at)
        if response.status == 451:
            self._http451(request, response, site)
            return response
        if not side_fetch:
            html = response.text if isinstance(response, TextResponse) else None
            first_url = (request.meta.get("redirect_urls") or [request.url])[0]
            verdict = self.ctx.blocks.observe(
                site, first_url, response.status, final_url=response.url, html=html
            )
            if verdict is not None:
                self.ctx.stop_for_crawl(
                    site, "block", f"{verdict.reason} on {verdict.urls} distinct URLs in a row"
                )
        return response

    def _throttled(
        self, request: Request, response: Response, site: str
    ) -> Request | Response:
        decision = request.meta.pop(META_DECISION, None) or self.ctx.on_throttle(request, response)
        if decision is None:  # a protocol file (its own back-off waits) or a URL with no site
            return response
        if decision.action != "pause":
            raise IgnoreRequest(f"politecrawl stops: {site} is stopped for this crawl")
        retry = self.runtime.back_to_frontier(
            request, "stops/rescheduled",
            **{META_THROTTLE_RETRIES: int(request.meta.get(META_THROTTLE_RETRIES, 0)) + 1},
        )
        retry.meta.pop("dont_retry", None)
        retry.priority = request.priority + 1
        return retry

    def process_exception(
        self, request: Request, exception: Exception, spider: Any = None
    ) -> Request | None:
        if isinstance(exception, SitePaused):
            return self.runtime.back_to_frontier(request, "stops/rescheduled")
        return None

    def _http451(self, request: Request, response: Response, site: str) -> None:
        links = [v.decode("latin-1") for v in response.headers.getlist(b"Link")]
        by = blocked_by(links)
        self.runtime.inc_stat("stops/http451")
        self.runtime.tallies.add(site, "http451")
        self.ctx._record("http451", site, f"{path_of(request.url)} blocked-by={by or '-'}", "http451")
        self.runtime.log_once(
            ("http451", site), logging.WARNING,
            "politecrawl: %s answered 451 Unavailable For Legal Reasons (blocked-by: %s); "
            "the URL is not retried, further 451s are counted",
            site, by or "not given",
        )


__all__ = ["SiteAnswers"]
