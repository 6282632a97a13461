"""The HTTP download handler politecrawl installs: Scrapy's, without Twisted's silent resend, with few idle sockets.

Twisted's ``HTTPConnectionPool`` resends an idempotent request on its own when a
reused keep-alive connection fails before any answer (``retryAutomatically``).
The site then receives two requests where Scrapy, the budget and the audit trail
saw one. With the resend off, the failure reaches Scrapy as a download error;
Scrapy's ``RetryMiddleware`` retries it as a request of its own, which the
frontier, the budget and the audit count like any other.

Idle keep-alive connections are kept for at most ``max(16, CONCURRENT_REQUESTS)``
in all, oldest closed first (Twisted keeps them per host, for 4 minutes): a
crawl over thousands of origins holds a bounded number of open sockets. A
polite crawl revisits a host seconds apart at best, so few reuses are lost.
One host may keep that many too (Scrapy's per-host bound closed a connection
for every other page of a busy site: 136 connections for 304 requests, now 24;
tests/test_e2e_connections.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler

from politecrawl.middlewares._scrapy_compat import bound_idle_connections

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

__all__ = ["CountedHTTPDownloadHandler"]


class CountedHTTPDownloadHandler(HTTP11DownloadHandler):
    """``HTTP11DownloadHandler`` whose connection pool never resends a request by itself and keeps few idle sockets."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self._pool.retryAutomatically = False
        bound_idle_connections(self._pool, max(16, crawler.settings.getint("CONCURRENT_REQUESTS")))
