"""Scrapy glue of the audit trail (the records are written by :mod:`politecrawl.audit`).

:class:`AuditExtension` (EXTENSIONS, 0) records the crawl's start and end
and what each site was actually sent and answered (the one count of requests,
answers and bytes per site: the summary, the progress line and the budget read
the trail's totals), and flushes the trail every
``POLITECRAWL_AUDIT_FLUSH_INTERVAL`` seconds. The runtime's tallies (refusals,
drops, reservations, throttles) are counted in the trail as they happen. Other components call
``runtime.audit`` directly for their events (budget, stops, pauses, robots.txt,
personal data).

Requests are counted from the downloader's signals, not from a middleware:
``request_left_downloader`` fires only for a request that really went out
(not for one evicted from a download-slot queue by a stop), and its send time
is the answer's time minus ``download_latency``.
"""

from __future__ import annotations

import logging
import os
import platform
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from itemadapter import ItemAdapter
from scrapy import Item, signals
from twisted.internet.task import LoopingCall

from politecrawl._version import __version__
from politecrawl.audit.settings import AuditSettings
from politecrawl.budget.servers import ServerLimit
from politecrawl.middlewares.downloader.servers import report_servers
from politecrawl.middlewares.frontier.queue import tally_waiting
from politecrawl.middlewares.runtime import Runtime, site_of
from politecrawl.running import state_name
from politecrawl.sites import site_or_invalid

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.settings import BaseSettings

logger = logging.getLogger("politecrawl.audit")

_RESPONSE_META = "_politecrawl_audit_response"
#: Setting names whose values are never written to the trail.
_SECRET_WORDS = ("KEY", "SECRET", "PASSWORD", "TOKEN")
#: Scrapy settings recorded at the start beside every POLITECRAWL_* setting.
_SCRAPY_SETTINGS = ("CONCURRENT_REQUESTS", "CONCURRENT_REQUESTS_PER_DOMAIN", "DOWNLOAD_DELAY",
                    "CLOSESPIDER_TIMEOUT", "JOBDIR", "ROBOTSTXT_OBEY")


def item_site(item: Any) -> str:
    """The site of an item, from its ``url`` field (read before any filter changes it)."""
    if type(item) is dict or isinstance(item, Item):  # the common cases, without building an adapter
        url = item.get("url")
    else:
        try:
            url = ItemAdapter(item).get("url")
        except TypeError:
            return "(unknown)"
    return site_or_invalid(url) if isinstance(url, str) and url else "(unknown)"


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict) or hasattr(value, "items"):
        return {str(k): _plain(v) for k, v in dict(value).items()}
    return str(value)


def recorded_settings(settings: BaseSettings, state_url: str) -> dict[str, Any]:
    """Every POLITECRAWL_* setting (secrets named, not shown) and a few Scrapy ones."""
    out: dict[str, Any] = {}
    for name in sorted(settings):
        if not (name.startswith("POLITECRAWL_") or name in _SCRAPY_SETTINGS):
            continue
        value = settings.get(name)
        if name == "POLITECRAWL_STATE":
            value = state_url  # the store's URL, password removed
        elif any(word in name for word in _SECRET_WORDS):
            value = "(set, not shown)" if value else value
        out[name] = _plain(value)
    return out


class AuditExtension:
    """Extension: the crawl's start and end, requests and bytes per site, periodic flushes."""

    def __init__(self, crawler: Crawler, runtime: Runtime, flush_interval: float) -> None:
        self.crawler = crawler
        self.runtime = runtime
        self.audit = runtime.audit
        self.flush_interval = flush_interval
        self._loop: LoopingCall | None = None
        self._scrub: Any = None  # the personal-data scrubber for per-request URLs (pii_log.Scrubber)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> AuditExtension:
        runtime = Runtime.of(crawler)
        settings = AuditSettings.from_settings(crawler.settings.get)
        runtime.audit.configure(flush_interval=settings.flush_interval, bucket=settings.bucket,
                                per_request=settings.per_request)
        ext = cls(crawler, runtime, settings.flush_interval)
        if settings.per_request:
            from politecrawl.middlewares.items.pii_log import install  # noqa: PLC0415 - only per-request records need it

            ext._scrub = install(crawler.settings)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        runtime.connect(crawler, ext.response_downloaded, signals.response_downloaded)
        runtime.connect(crawler, ext.request_left_downloader, signals.request_left_downloader)
        return ext

    # -- life cycle --------------------------------------------------------
    def spider_opened(self, spider: Spider) -> None:
        runtime = self.runtime
        config = runtime.config
        budget = runtime.budget
        info: dict[str, Any] = {
            "bot_name": config.bot_name,
            "contact": config.contact,
            "user_agent": config.user_agent,
            "purpose": config.purpose,
            "state": runtime.store.url,
            "version": __version__,
            "python": platform.python_version(),
            "spider": getattr(spider, "name", ""),
            "budget": budget is not None,
            "settings": recorded_settings(self.crawler.settings, runtime.store.url),
        }
        warc = self.crawler.settings.get("POLITECRAWL_WARC")
        if warc:  # an archive of pages as served, personal data included: the report says where
            info["warc"] = os.path.abspath(str(warc))
        if budget is not None:
            info.update(share=budget.settings.share, max_site_rate=budget.settings.max_site_rate,
                        max_ip_rate=budget.settings.server_rate,
                        burst=budget.settings.burst,
                        default_daily_requests=budget.settings.default_daily_requests)
        self.audit.start(info)
        self._loop = LoopingCall(self.flush)
        self._loop.start(self.flush_interval, now=False)
        logger.info("politecrawl: audit trail of crawl %s in %s (`politecrawl report` reads it)",
                    runtime.crawl_id, state_name(runtime.store.url))

    def spider_closed(self, spider: Spider, reason: str) -> None:
        tally_waiting(self.crawler)  # before the end record: counted in the trail
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        servers = self.runtime.pacer.servers
        if isinstance(servers, ServerLimit):
            report_servers(self.runtime, servers)
        self.audit.end(reason)
        if self.audit.write_errors:
            self.runtime.stats.set_value("politecrawl/audit/write_errors", self.audit.write_errors)

    def flush(self) -> None:
        self.audit.flush()

    # -- what went out and came back -----------------------------------------
    def response_downloaded(self, response: Response, request: Request, spider: Any = None) -> None:
        nbytes = len(response.body)
        self.audit.received(site_of(request), nbytes, response.status)
        request.meta[_RESPONSE_META] = (response.status, nbytes)

    def request_left_downloader(self, request: Request, spider: Any = None) -> None:
        now = self.runtime.clock()
        latency = request.meta.get("download_latency")
        sent_at = now - latency if isinstance(latency, (int, float)) and 0 <= latency <= now else now
        site = site_of(request)
        self.audit.sent(site, sent_at)
        if self.audit.per_request:
            status, nbytes = request.meta.get(_RESPONSE_META, (None, 0))
            parts = urlsplit(request.url)
            record: dict[str, Any] = {
                "at": sent_at,
                "method": request.method,
                # the query is left out; the path keeps its shape, personal data in it replaced by markers (read
                # percent-decoded, written back encoded: /u/%5BEMAIL%5D/profile), as in items
                "url": self._scrub(f"{parts.scheme}://{parts.netloc}{parts.path}"),
                "status": status,
                "bytes": nbytes,
                "robots": request.meta.get("politecrawl_robots"),
            }
            budget = self.runtime.budget
            if budget is not None and site in budget.sites:
                record["budget_rate"] = budget.sites[site].rate
            self.audit.request(site, record)
