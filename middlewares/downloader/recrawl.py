"""Scrapy glue of recrawls: conditional requests from the fetch history, every answer judged and recorded.

:class:`RecrawlMiddleware` (downloader middleware, 950: after Scrapy's HTTP cache
at 900, before the budget's send time at 980):

* ``process_request``: a GET to a URL with history from an earlier crawl gets
  ``If-None-Match`` / ``If-Modified-Since`` from the validators the page last sent (not when the
  request has its own, when ``request.meta["politecrawl_revalidate"]`` is
  ``False``, for robots.txt and tdmrep.json, or when Scrapy's HTTP cache is on:
  then the cache revalidates its own entries).
* ``process_response``: each answer the site sent (not a cached one) is
  judged (``new``, ``changed``, ``unchanged`` by payload digest, ``not-modified``
  for a 304) and recorded in the history. The verdict is in
  ``response.meta["politecrawl_recrawl"]``; a 304 carries the flag
  ``revalidated``, an unchanged 200 the flag ``unchanged``. Counted per verdict
  (stats ``politecrawl/recrawl/<verdict>``, the site's ``recrawl:<verdict>``
  tally, which the audit trail records).

A 304 reaches a spider's callback only if the spider lists it, as Scrapy's
``HttpErrorMiddleware`` wants (``handle_httpstatus_list = [304]``); the generic
spider does and yields the item it kept for the page (:meth:`Recrawl.kept_item`).
Items of spiders with ``politecrawl_keep_items = True`` are kept after the
personal-data filter and the pipelines (``item_scraped``), for pages whose record has a validator
(``ETag`` or ``Last-Modified``): only those are asked for conditionally, so only they can answer 304.

On a Redis state (a cluster) and on SQLite (the default) the history is written behind (``FetchHistory``
``write_behind``, ``StateStore.batch_writes``): records and items go in one script (one transaction) a batch, at most
``FLUSH_INTERVAL`` late and at the end of the crawl; a cluster node's pop
reads each request's record in its own script (``POPPED_RECORD_META``), so a
page costs the history no round trip of its own.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet.task import LoopingCall

from politecrawl.clock import SYSTEM_CLOCK
from politecrawl.config import bool_setting
from politecrawl.middlewares._scrapy_compat import has_any_header, header_name
from politecrawl.middlewares.runtime import Runtime, is_protocol_fetch, site_of
from politecrawl.middlewares.spider.search import NOT_KEPT_META
from politecrawl.recrawl import (
    NOT_MODIFIED, UNCHANGED, FetchHistory, FetchRecord, conditional_headers, payload_digest,
)
from politecrawl.recrawl.history import UNREAD, fingerprint
from politecrawl.recrawl.settings import RecrawlSettings
from politecrawl.state import StateStoreError

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response

__all__ = ["BEFORE_META", "CONDITIONAL_META", "HINT_META", "POPPED_RECORD_META", "RECRAWL_META", "REVALIDATE_META",
           "Recrawl", "RecrawlMiddleware"]

logger = logging.getLogger("politecrawl.recrawl")

#: Request meta: ``False`` sends the request without conditional headers.
REVALIDATE_META = "politecrawl_revalidate"
#: Response meta: the verdict on the answer (``new``, ``changed``, ``unchanged``, ``not-modified``).
RECRAWL_META = "politecrawl_recrawl"
#: Request meta set by this middleware when it added conditional headers.
CONDITIONAL_META = "politecrawl_conditional"
#: Response meta: ``(fetched_at, payload digest)`` of the page's last full fetch, when it had one.
BEFORE_META = "politecrawl_recrawl_before"
#: Request meta: sitemap hints of the URL (``{"changefreq": ..., "lastmod": epoch seconds}``).
HINT_META = "politecrawl_recrawl_hint"

#: Request meta (private): ``(url, encoded record or None)`` as read by ``process_request``.
_READ_META = "_politecrawl_recrawl_read"
#: Request meta (private): the page's record has a validator, so a later request is conditional and its
#: item is worth keeping for a 304.
_KEEP_META = "_politecrawl_recrawl_keep"
#: Request meta: ``(url, encoded record or None)`` as the shared frontier's pop read it (a cluster
#: node), so that ``process_request`` needs no read of its own.
POPPED_RECORD_META = "_politecrawl_recrawl_popped"
#: Seconds between two looks at the write-behind history (a flush only when one is due).
FLUSH_TICK = 0.25

_ATTR = "_politecrawl_recrawl"
#: Sitemap hints held for URLs not answered yet, at most (past it a late hint is lost: the default interval).
MAX_PENDING_HINTS = 100_000
_CONDITIONAL = frozenset({header_name(b"If-None-Match"), header_name(b"If-Modified-Since")})
_FLAGS = {NOT_MODIFIED: "revalidated", UNCHANGED: "unchanged"}


class Recrawl:
    """One crawl's fetch history and recrawl settings, shared by the middleware and the generic spider."""

    def __init__(self, runtime: Runtime, settings: RecrawlSettings) -> None:
        self.runtime = runtime
        self.settings = settings
        # write-behind where each write is a network round trip (Redis, a cluster's state) or a transaction (SQLite)
        self.history = FetchHistory(runtime.store, settings.history, write_behind=runtime.store.batch_writes,
                                    clock=runtime.clock)
        #: Scrapy's HTTP cache is on: it revalidates its own entries, the history is not read
        self.cache_on = False
        self._flusher: LoopingCall | None = None
        self.errors = 0
        self.started = runtime.clock()
        #: sitemap ``changefreq`` hints of URLs not answered yet, for the answer to a request that did not
        #: carry them (the page was asked for by a link before its sitemap entry was read)
        self.pending_hints: dict[str, str] = {}

    @classmethod
    def of(cls, crawler: Crawler) -> Recrawl:
        recrawl = getattr(crawler, _ATTR, None)
        if recrawl is None:
            recrawl = cls(Runtime.of(crawler), RecrawlSettings.from_settings(crawler.settings.get))
            setattr(crawler, _ATTR, recrawl)
        return recrawl

    @classmethod
    def peek(cls, crawler: Crawler) -> Recrawl | None:
        """The crawl's recrawl context if the middleware is on, else ``None``."""
        return getattr(crawler, _ATTR, None)

    def failed(self, what: str, exc: StateStoreError) -> None:
        """The history could not be read or written: the crawl goes on without it (full requests)."""
        self.errors += 1
        self.runtime.inc_stat("recrawl/history_errors")
        self.runtime.log_once(("recrawl-error", what), logging.WARNING,
                              "politecrawl recrawl: the fetch history cannot be %s (%s); pages are "
                              "fetched in full meanwhile", what, exc)

    def reads_record(self, request: Request) -> bool:
        """Whether the middleware reads *request*'s fetch-history record before it sends it."""
        return (self.settings.enabled and not self.cache_on and request.method == "GET"
                and request.meta.get(REVALIDATE_META) is not False and not is_protocol_fetch(request)
                and not has_any_header(request.headers, _CONDITIONAL))

    def record_fingerprint(self, request: Request) -> str:
        """The fingerprint of *request*'s record if the middleware will read it, else ``""`` (the
        shared frontier's pop reads it in the same script)."""
        return fingerprint(request.url) if self.reads_record(request) else ""

    # -- write-behind ----------------------------------------------------------
    def start_flushing(self) -> None:
        if self.history.write_behind and self._flusher is None:
            self._flusher = LoopingCall(self.flush)
            self._flusher.start(FLUSH_TICK, now=False)

    def flush(self, *, force: bool = False) -> None:
        """Write what the history holds, if due (*force*: all of it, now); count what it did."""
        if not self.history.held:
            return
        try:
            flushed = self.history.flush(self.runtime.clock(), force=force)
        except StateStoreError as exc:
            self.failed("written", exc)
            return
        self.counted(flushed.evicted, flushed.not_recorded)

    def close(self) -> None:
        if self._flusher is not None and self._flusher.running:
            self._flusher.stop()
        self._flusher = None
        self.flush(force=True)
        if self.history.held:
            self.runtime.log_once(("recrawl-lost",), logging.WARNING,
                                  "politecrawl recrawl: %d pages' fetch history could not be written at the end "
                                  "of the crawl; they are fetched in full next time", len(self.history.held))

    def counted(self, evicted: int, not_recorded: int) -> None:
        """Count and log URLs evicted to make room, and new URLs not recorded (the history full)."""
        if evicted:
            self.runtime.inc_stat("recrawl/evicted", evicted)
            self.runtime.log_once(("recrawl-evict",), logging.INFO,
                                  "politecrawl recrawl: the fetch history holds POLITECRAWL_RECRAWL_MAX_URLS "
                                  "(%d) URLs; the URLs fetched least recently make room for new ones",
                                  self.history.settings.max_urls)
        if not_recorded:
            self.runtime.inc_stat("recrawl/history_full", not_recorded)
            self.runtime.log_once(("recrawl-full",), logging.WARNING,
                                  "politecrawl recrawl: the fetch history holds POLITECRAWL_RECRAWL_MAX_URLS "
                                  "(%d) URLs and none could be evicted now; new URLs are fetched as usual "
                                  "and not recorded meanwhile", self.history.settings.max_urls)

    def due(self, sites: list[str]) -> tuple[list[str], int]:
        """The URLs of *sites* due now (most overdue first), and how many are not due yet."""
        now = self.runtime.clock()
        urls: list[str] = []
        waiting = 0
        for site in sites:
            try:
                due, later = self.history.due(site, now)
            except StateStoreError as exc:
                self.failed("read", exc)
                continue
            urls += due
            waiting += later
        return urls, waiting

    def is_due(self, url: str, lastmod: float | None) -> bool:
        try:
            return self.history.is_due(url, self.runtime.clock(), lastmod)
        except StateStoreError as exc:
            self.failed("read", exc)
            return True

    def hint(self, url: str, changefreq: str | None) -> None:
        """A sitemap lists *url* with *changefreq*: it sets the page's first interval, whichever of its
        sitemap entry and a link asked for it first (the dupe filter keeps one request, maybe without it)."""
        if not changefreq:
            return
        try:
            if self.history.hint(url, changefreq, self.started):
                return
        except StateStoreError as exc:
            self.failed("written", exc)
            return
        if len(self.pending_hints) < MAX_PENDING_HINTS:
            self.pending_hints[url] = changefreq

    def kept_item(self, url: str) -> dict[str, Any] | None:
        """The item kept for *url* when it was last fetched in full, or ``None``."""
        try:
            return self.history.item(url)
        except StateStoreError as exc:
            self.failed("read", exc)
            return None


class RecrawlMiddleware:
    """Downloader middleware: conditional requests, verdicts, fetch history (see the module doc)."""

    def __init__(self, recrawl: Recrawl, *, cache_on: bool = False, clock: Any = SYSTEM_CLOCK) -> None:
        self.recrawl = recrawl
        self.runtime = recrawl.runtime
        self.history = recrawl.history
        self.cache_on = cache_on
        self.clock = clock
        self.crawler: Crawler | None = None
        #: answers recorded since then are this crawl's own: a URL fetched again in the same crawl
        #: (``dont_filter``, a second callback) is asked for in full, as the spider meant
        self.started = clock()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RecrawlMiddleware:
        recrawl = Recrawl.of(crawler)
        if not recrawl.settings.enabled:
            raise NotConfigured("POLITECRAWL_RECRAWL is off")
        mw = cls(recrawl, cache_on=bool_setting(crawler.settings.get, "HTTPCACHE_ENABLED", False),
                 clock=recrawl.runtime.clock)
        recrawl.cache_on = mw.cache_on
        mw.crawler = crawler
        recrawl.runtime.connect(crawler, mw.item_scraped, signals.item_scraped)
        if recrawl.history.write_behind:
            crawler.signals.connect(mw.spider_opened, signal=signals.spider_opened)
            crawler.signals.connect(mw.spider_closed, signal=signals.spider_closed)
        return mw

    def spider_opened(self, spider: Spider | None = None) -> None:
        self.recrawl.start_flushing()

    def spider_closed(self, spider: Spider | None = None, reason: str = "") -> None:
        self.recrawl.close()

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        meta = request.meta
        popped = meta.pop(POPPED_RECORD_META, None)
        if (self.cache_on or request.method != "GET" or meta.get(REVALIDATE_META) is False
                or is_protocol_fetch(request) or has_any_header(request.headers, _CONDITIONAL)):
            return
        meta.pop(_READ_META, None)
        if popped is not None and popped[0] == request.url and not self.history.holds(request.url):
            # read by the shared frontier's pop, in its own script (a record this process holds
            # unwritten is newer: read from memory below)
            record = None if popped[1] is None else FetchRecord.decode(popped[1])
        else:
            try:
                record = self.history.get(request.url)
            except StateStoreError as exc:
                self.recrawl.failed("read", exc)
                return
        # the answer is judged against this record, not a second read (the URL: a redirect's request
        # copies the meta); the encoded record, so that the meta stays plain data
        meta[_READ_META] = (request.url, None if record is None else record.encode())
        if record is None or record.fetched_at >= self.started:
            return
        headers = conditional_headers(record.etag, record.last_modified)
        if not headers:
            return  # no validators: the answer is compared by its digest
        for name, value in headers.items():
            request.headers[name] = value
        meta[CONDITIONAL_META] = True
        self.runtime.inc_stat("recrawl/conditional_requests")

    def process_response(self, request: Request, response: Response, spider: Spider | None = None) -> Response:
        meta = request.meta
        if ("cached" in response.flags or "download_stopped" in response.flags or request.method != "GET"
                or is_protocol_fetch(request) or NOT_KEPT_META in meta):
            return response
        status = response.status
        pending = self.recrawl.pending_hints.pop(request.url, None) if self.recrawl.pending_hints else None
        changefreq = (meta.get(HINT_META) or {}).get("changefreq") or pending
        headers = response.headers
        read = meta.pop(_READ_META, None)
        before: Any = UNREAD
        if read is not None and read[0] == request.url:
            before = None if read[1] is None else FetchRecord.decode(read[1])
        try:
            visit = self.history.visit(
                request.url, self.clock(), status=status,
                etag=_text(headers.get(b"ETag")), last_modified=_text(headers.get(b"Last-Modified")),
                digest=None if status == 304 else payload_digest(response.body),
                changefreq=changefreq, before=before,
                wait_for_item=status == 200 and self._keeps_items(),
            )
        except StateStoreError as exc:
            self.recrawl.failed("written", exc)
            return response
        if visit is None:
            return response
        site = site_of(request)
        self.runtime.inc_stat(f"recrawl/{visit.verdict}")
        self.runtime.tallies.add(site, f"recrawl:{visit.verdict}")
        self.recrawl.counted(visit.evicted, 1 if visit.after is None else 0)
        if self.history.held:
            self.recrawl.flush()
        meta[RECRAWL_META] = visit.verdict
        if visit.after is not None and visit.after.validated:
            meta[_KEEP_META] = True
        if visit.before is not None:
            meta[BEFORE_META] = (visit.before.fetched_at, visit.before.digest)
        flag = _FLAGS.get(visit.verdict)
        if flag is not None:
            response.flags.append(flag)
        return response

    def item_scraped(self, item: Any, response: Response | None = None, spider: Any = None) -> None:
        """Keep the item (as filtered and piped) of a page fetched in full, for a later 304.

        Only for a page whose record has a validator: without one no request for it is conditional, so no 304
        can ask for the item (JSON, zlib, base64 and a store write a page saved; docs/speed.md)."""
        if response is None or not getattr(spider, "politecrawl_keep_items", False):
            return
        if response.status != 200 or not response.meta.get(_KEEP_META):
            return
        try:
            if not self.history.keep_item(response.url, ItemAdapter(item).asdict(), self.clock()):
                self.runtime.inc_stat("recrawl/items_too_big")
        except StateStoreError as exc:
            self.recrawl.failed("written", exc)
        if self.history.held:
            self.recrawl.flush()

    def _keeps_items(self) -> bool:
        """Whether the crawl's spider keeps its items (a page's record then waits for its item)."""
        spider = getattr(self.crawler, "spider", None)
        return bool(getattr(spider, "politecrawl_keep_items", False))


def _text(value: bytes | None) -> str | None:
    return None if value is None else value.decode("latin-1")
