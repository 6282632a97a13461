"""Scrapy glue of the WARC archive: each answer a site sent, with its request, into one WARC file.

:class:`WarcMiddleware` (downloader middleware, 940) is on when
``POLITECRAWL_WARC`` names a file (``politecrawl crawl --warc FILE``). Its
``process_response`` runs after the recrawl middleware's (950: the verdict is
known) and before Scrapy's HTTP cache (900) and decompression (590): the
record holds the answer as the site sent it. Answers from a local cache and
answers the crawl cut at their headers are not written. A 304 and an answer
with the same payload as last time become ``revisit`` records
(:class:`~politecrawl.archive.WarcArchive`).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.exceptions import NotConfigured

from politecrawl._version import __version__
from politecrawl.archive import IDENTICAL_PROFILE, NOT_MODIFIED_PROFILE, warc_path_problem
from politecrawl.config import ConfigError
from politecrawl.middlewares.downloader.recrawl import BEFORE_META, RECRAWL_META
from politecrawl.middlewares.runtime import Runtime
from politecrawl.recrawl import NOT_MODIFIED, UNCHANGED

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response

    from politecrawl.archive import WarcArchive

__all__ = ["WarcMiddleware"]

logger = logging.getLogger("politecrawl.warc")

_PROFILES = {NOT_MODIFIED: NOT_MODIFIED_PROFILE, UNCHANGED: IDENTICAL_PROFILE}


def _pairs(headers: Any) -> list[tuple[str, str]]:
    return [(name.decode("latin-1"), value.decode("latin-1"))
            for name, values in headers.items() for value in values]


class WarcMiddleware:
    """Downloader middleware: request, response and revisit records of every answer the sites sent."""

    def __init__(self, archive: WarcArchive, runtime: Runtime) -> None:
        self.archive = archive
        self.runtime = runtime

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcMiddleware:
        path = crawler.settings.get("POLITECRAWL_WARC")
        if not path:
            raise NotConfigured  # off by default: no archive, and no "Disabled" warning on every crawl
        problem = warc_path_problem(str(path))
        if problem:
            raise ConfigError(f"POLITECRAWL_WARC ({path!r}): {problem}")
        runtime = Runtime.of(crawler)
        import scrapy  # noqa: PLC0415

        from politecrawl.archive.warc import WarcArchive  # noqa: PLC0415 (warcio only when an archive is written)

        archive = WarcArchive(str(path), software=f"politecrawl/{__version__} (Scrapy {scrapy.__version__})",
                              operator=runtime.config.contact,
                              description=f"crawl {runtime.crawl_id} by {runtime.config.user_agent}")
        mw = cls(archive, runtime)
        crawler.signals.connect(mw.spider_closed, signal=signals.spider_closed)
        logger.warning(
            "politecrawl: writing a WARC archive to %s: it holds pages as the sites served them, personal data "
            "included (the personal-data filter applies to items, not to the archive)", archive.path,
        )
        return mw

    def process_response(self, request: Request, response: Response, spider: Spider | None = None) -> Response:
        if "cached" in response.flags or "download_stopped" in response.flags:
            return response
        meta = request.meta
        revisit = None
        profile = _PROFILES.get(meta.get(RECRAWL_META))
        before = meta.get(BEFORE_META)
        if profile is not None and before is not None and before[1]:
            revisit = (profile, before[0], before[1])
        parts = urlsplit(request.url)
        headers = _pairs(request.headers)
        if not any(name.lower() == "host" for name, _ in headers):
            headers.insert(0, ("Host", parts.netloc))
        self.archive.fetched(
            request.url, method=request.method, target=(parts.path or "/") + (f"?{parts.query}" if parts.query else ""),
            request_headers=headers, request_body=request.body, status=response.status,
            response_headers=_pairs(response.headers), body=response.body, when=self.runtime.clock(),
            ip=str(response.ip_address) if response.ip_address is not None else None, revisit_of=revisit,
        )
        self.runtime.inc_stat("warc/revisit_records" if revisit else "warc/response_records")
        return response

    def spider_closed(self, spider: Spider) -> None:
        self.archive.close()
        logger.info("politecrawl: WARC archive %s closed: %d records", self.archive.path, self.archive.records)
