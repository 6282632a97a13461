"""What each site answered: responses, body bytes and status classes, tallied per site."""

from __future__ import annotations

from typing import TYPE_CHECKING

from politecrawl.middlewares.runtime import Runtime, site_of

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response

#: Tally names of the status classes, made once (a response is tallied on every answer).
_STATUS_CLASS = {n: f"status:{n}xx" for n in range(1, 6)}


class ResponseTallies:
    """Downloader middleware (next to the downloader): tallies every answer a site sent."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ResponseTallies:
        return cls(Runtime.of(crawler))

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Response:
        if "cached" in response.flags:
            return response  # answered by a local cache: the site sent nothing
        site = site_of(request)
        tallies = self.runtime.tallies
        tallies.add(site, "responses")
        tallies.add(site, "bytes", len(response.body))
        tallies.add(site, _STATUS_CLASS.get(response.status // 100) or f"status:{response.status // 100}xx")
        return response


__all__ = ["ResponseTallies"]
