"""The HTTP download handler politecrawl installs: Scrapy's, without Twisted's silent resend.

Twisted's ``HTTPConnectionPool`` resends an idempotent request on its own when a
reused keep-alive connection fails before any answer (``retryAutomatically``).
The site then receives two requests where Scrapy, the budget and the audit trail
saw one. With the resend off, the failure reaches Scrapy as a download error;
Scrapy's ``RetryMiddleware`` retries it as a request of its own, which the
frontier, the budget and the audit count like any other.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

__all__ = ["CountedHTTPDownloadHandler"]


class CountedHTTPDownloadHandler(HTTP11DownloadHandler):
    """``HTTP11DownloadHandler`` whose connection pool never resends a request by itself."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self._pool.retryAutomatically = False
