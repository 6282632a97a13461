"""Fetching a robots.txt through the engine, as the robots.txt gate's own request."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.http.request import NO_CALLBACK

from politecrawl.middlewares.downloader.sizecut import CUT_AT
from politecrawl.middlewares.runtime import PROTOCOL_FETCH, Runtime
from politecrawl.robots import FetchOutcome, RobotsConfig
from politecrawl.robots.fetch import redirect_target
from politecrawl.robots.origin import robots_url

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

__all__ = ["FETCH_META", "fetch_robots_txt"]

#: Meta key of the gate's own robots.txt requests (the origin they are for).
FETCH_META = "_politecrawl_robots_fetch"
COMPONENT = "robots"


async def fetch_robots_txt(
    crawler: Crawler, runtime: Runtime, config: RobotsConfig, origin: str, *, priority: int, max_download: int,
) -> FetchOutcome:
    """Download *origin*'s robots.txt, following up to ``max_redirects`` redirects (any host).

    The first request uses the turn (budget, pace) of the page request that
    triggered the fetch, which goes back to the frontier; each redirect hop
    takes a turn of its own from admission (it bypasses the frontier).
    """
    clock = runtime.clock
    url = robots_url(origin)
    redirects = 0
    while True:
        request = Request(
            url,
            priority=priority,
            callback=NO_CALLBACK,
            dont_filter=True,
            meta={
                FETCH_META: origin,
                PROTOCOL_FETCH: "robots.txt",
                "dont_redirect": True,
                "dont_retry": True,
                "handle_httpstatus_all": True,
                # Read no more than is parsed (RFC 9309 §2.5): the download stops at
                # max_bytes and keeps what came. download_maxsize bounds the body once
                # decompressed, and an announced length past it fails closed.
                CUT_AT: (config.max_bytes, True),
                "download_maxsize": max_download,
            },
        )
        if redirects:
            # A stopped site raises IgnoreRequest to the caller.
            await runtime.wait_for_turn(request, component=COMPONENT)
        try:
            response = await crawler.engine.download_async(request)
        except IgnoreRequest:
            return FetchOutcome(clock(), None, redirects=redirects, error="refused")
        except Exception as exc:  # noqa: BLE001 - any failure is "unreachable"
            error = f"{type(exc).__module__}.{type(exc).__qualname__}"
            return FetchOutcome(clock(), None, redirects=redirects, error=error)
        status = response.status
        location = response.headers.get(b"Location")
        target = redirect_target(status, location.decode("latin-1") if location else None, response.url,
                                 redirects, config.max_redirects)
        if target is not None:
            redirects += 1
            url = target
            continue
        headers = [
            (name.decode("latin-1"), value.decode("latin-1"))
            for name, values in response.headers.items()
            for value in values
        ]
        return FetchOutcome.from_pairs(clock(), status, response.body, headers, redirects)
