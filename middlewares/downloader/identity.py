"""The honest identity: every request leaves with politecrawl's User-Agent."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from politecrawl.middlewares._scrapy_compat import header_list, header_name, set_header
from politecrawl.middlewares.runtime import Runtime

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler

_USER_AGENT = header_name(b"User-Agent")


class IdentityMiddleware:
    """Downloader middleware: every request carries politecrawl's honest User-Agent.

    A spider or another middleware cannot swap it: politecrawl never disguises
    the crawler.
    """

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.user_agent = runtime.config.user_agent.encode()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> IdentityMiddleware:
        return cls(Runtime.of(crawler))

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        values = header_list(request.headers, _USER_AGENT)
        current = values[-1] if values else None
        if current is not None and current != self.user_agent:
            self.runtime.inc_stat("identity/user_agent_replaced")
            self.runtime.log_once(
                ("ua-replaced",),
                logging.WARNING,
                "politecrawl: a request carried another User-Agent; it was replaced by %s "
                "(politecrawl crawls only under its own identity)",
                self.runtime.config.user_agent,
            )
        set_header(request.headers, _USER_AGENT, self.user_agent)


__all__ = ["IdentityMiddleware"]
