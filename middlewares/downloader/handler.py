"""The HTTP download handler politecrawl installs: Scrapy's, without Twisted's silent resend, with few idle sockets.

Twisted's ``HTTPConnectionPool`` resends an idempotent request on its own when a
reused keep-alive connection fails before any answer (``retryAutomatically``).
The site then receives two requests where Scrapy, the budget and the audit trail
saw one. With the resend off, the failure reaches Scrapy as a download error;
Scrapy's ``RetryMiddleware`` retries it as a request of its own, which the
frontier, the budget and the audit count like any other.

Idle keep-alive connections are kept for at most ``idle_bound()`` in all:
``CONCURRENT_REQUESTS`` (at least 16), or more, up to 256, when the process
may open enough files (a quarter of ``ulimit -n``), oldest closed first
(Twisted keeps them per host, for 4 minutes): a crawl over thousands of
origins holds a bounded number of open sockets. One host may keep that many
too (Scrapy's per-host bound closed a connection for every other page of a
busy site: 136 connections for 304 requests, now 24), and a crawl of a few
hundred sites keeps one for each (with 32 in all, a 200-site crawl opened a
connection for every request; tests/test_e2e_connections.py).
"""

from __future__ import annotations

import resource
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
        soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
        bound_idle_connections(self._pool, idle_bound(crawler.settings.getint("CONCURRENT_REQUESTS"), soft))


#: Most idle connections kept in all, however many files the process may open (each holds a server's socket too).
MAX_IDLE = 256


def idle_bound(concurrent_requests: int, open_files: int) -> int:
    """Idle keep-alive connections kept in all: a quarter of the files the process may open (``ulimit -n``,
    ``RLIM_INFINITY`` is -1), at most ``MAX_IDLE``, and never fewer than ``CONCURRENT_REQUESTS`` or 16."""
    share = MAX_IDLE if open_files < 0 else min(MAX_IDLE, open_files // 4)
    return max(16, concurrent_requests, share)
