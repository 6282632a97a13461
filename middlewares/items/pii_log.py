"""Scrapy's log lines that print URLs go through the personal-data filter, at every level.

Scrapy prints request and response URLs, referers and items in its own lines: "Crawled (200) <GET url> (referer:
url)", "Scraped from <200 url>", "Redirecting (301) to <GET url> from <GET url>", "Retrying", "Filtered offsite
request", "Ignoring response", "Error downloading", "Dropped:".  A URL can hold personal data
(`/u/zhang.wei%40example.cn`, `?tel=...`).  Two pieces make those lines clean:

- `ScrubbingLogFormatter` (the add-on's `LOG_FORMATTER`) hands Scrapy's formatter arguments over wrapped;
- `ScrubbingFilter`, a `logging.Filter` on the loggers of Scrapy components that log URLs without the formatter
  (the redirect, retry, offsite, robots.txt, HTTP-error and duplicate-filter middlewares, the engine and the
  scraper), wraps a record's arguments the same way.

A wrapped argument is scrubbed only when the line is written (`__str__`): a line below the log level costs
nothing.  Requests, responses, failures and strings are scrubbed (URL parts percent-decoded, as in items); items
are printed as they are, being cleaned already by the item processor.  The scrubber is one `PIIFilter` for the
reactor thread (the item processor's own runs in its worker thread).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from scrapy.http import Request, Response
from scrapy.logformatter import LogFormatter
from twisted.python.failure import Failure

from politecrawl.pii import PIIConfig, PIIFilter

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

#: Loggers of Scrapy components that print URLs in their own lines.
URL_LOGGERS = (
    "scrapy.core.engine",
    "scrapy.core.scraper",
    "scrapy.downloadermiddlewares.redirect",
    "scrapy.downloadermiddlewares.retry",
    "scrapy.downloadermiddlewares.offsite",
    "scrapy.downloadermiddlewares.robotstxt",
    "scrapy.spidermiddlewares.offsite",
    "scrapy.spidermiddlewares.httperror",
    "scrapy.spidermiddlewares.referer",
    "scrapy.dupefilters",
    "scrapy.core.downloader.handlers.http11",
    "scrapy.core.downloader.handlers.http2",
)
_SCRUBBED_TYPES = (str, Request, Response, Failure, BaseException)
_ENGINE_LOG = logging.getLogger("scrapy.core.engine")  # where Scrapy logs the formatter's "crawled" line
_SCRAPER_LOG = logging.getLogger("scrapy.core.scraper")  # and its "scraped" line


class _Scrubbed:
    """An argument of a log line, scrubbed when the line is written."""

    __slots__ = ("scrub", "value")

    def __init__(self, value: Any, scrub: Any) -> None:
        self.value = value
        self.scrub = scrub

    def __str__(self) -> str:
        value = self.value
        text = value.getErrorMessage() if isinstance(value, Failure) else str(value)
        try:
            return self.scrub(text)
        except Exception:  # noqa: BLE001 - a line must not break logging; fail closed
            return "[unprintable: the personal-data filter failed on it]"

    __repr__ = __str__


def _wrap(args: Any, scrub: Any) -> Any:
    if isinstance(args, dict):
        return {k: _Scrubbed(v, scrub) if isinstance(v, _SCRUBBED_TYPES) else v for k, v in args.items()}
    if isinstance(args, tuple):
        return tuple(_Scrubbed(v, scrub) if isinstance(v, _SCRUBBED_TYPES) else v for v in args)
    return args


class Scrubber:
    """`scrub(text)`: the text with personal data removed (URL parts percent-decoded), as in items."""

    def __init__(self, config: PIIConfig) -> None:
        self.filter = PIIFilter(config) if config.enabled else None

    def __call__(self, text: str) -> str:
        if self.filter is None:
            return text
        return self.filter.clean_text(text)


class ScrubbingFilter(logging.Filter):
    """Wraps the arguments of each record of a URL-printing logger (installed once per process)."""

    def __init__(self, scrub: Scrubber) -> None:
        super().__init__("politecrawl.pii")
        self.scrub = scrub

    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            record.args = _wrap(record.args, self.scrub)
        elif isinstance(record.msg, str) and ("://" in record.msg or "%" in record.msg):
            record.msg = str(_Scrubbed(record.msg, self.scrub))
        return True


_installed: ScrubbingFilter | None = None


def install(settings: BaseSettings) -> Scrubber:
    """Put the scrubbing filter on Scrapy's URL-printing loggers (once; a later crawl's settings replace the
    scrubber) and return the scrubber."""
    from politecrawl.middlewares.items.pii import pii_config  # noqa: PLC0415 - that module imports this one

    global _installed  # noqa: PLW0603 - one filter per process, on process-wide loggers
    scrub = Scrubber(pii_config(settings))
    if _installed is None:
        _installed = ScrubbingFilter(scrub)
        for name in URL_LOGGERS:
            logging.getLogger(name).addFilter(_installed)
    else:
        _installed.scrub = scrub
    return scrub


class ScrubbingLogFormatter(LogFormatter):
    """LOG_FORMATTER: Scrapy's lines, with requests, responses, referers and errors scrubbed when written."""

    def __init__(self, scrub: Any = None) -> None:
        super().__init__()
        self.scrub = scrub or Scrubber(PIIConfig())

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ScrubbingLogFormatter:
        return cls(install(crawler.settings))

    def _scrubbed(self, result: Any) -> Any:
        result["args"] = _wrap(result["args"], self.scrub)
        return result

    # Scrapy writes the per-page lines ("Crawled", "Scraped from") at DEBUG with the engine's and the scraper's
    # loggers, and skips a line whose formatter answers None. Below that level the line would be dropped when
    # logged: it is not built (the referer looked up, flags and the item formatted, the arguments wrapped), twice a
    # page (~8 us a page; docs/speed.md).

    def crawled(self, *args: Any, **kwargs: Any) -> Any:
        if not _ENGINE_LOG.isEnabledFor(logging.DEBUG):
            return None
        return self._scrubbed(super().crawled(*args, **kwargs))

    def scraped(self, *args: Any, **kwargs: Any) -> Any:
        if not _SCRAPER_LOG.isEnabledFor(logging.DEBUG):
            return None
        return self._scrubbed(super().scraped(*args, **kwargs))

    def dropped(self, *args: Any, **kwargs: Any) -> Any:
        return self._scrubbed(super().dropped(*args, **kwargs))

    def item_error(self, *args: Any, **kwargs: Any) -> Any:
        return self._scrubbed(super().item_error(*args, **kwargs))

    def spider_error(self, *args: Any, **kwargs: Any) -> Any:
        return self._scrubbed(super().spider_error(*args, **kwargs))

    def download_error(self, *args: Any, **kwargs: Any) -> Any:
        return self._scrubbed(super().download_error(*args, **kwargs))
