"""Scrapy glue of the stops component (decisions live in :mod:`politecrawl.stops`).

Register (the Addon's COMPONENTS table runs some of them in shared Scrapy layers:
``chain.RequestGates`` at 100 and ``page.PageMiddleware`` at 950, in the same order):

==================  ===============================================  ========
setting             class                                             priority
==================  ===============================================  ========
EXTENSIONS          ``politecrawl.middlewares.downloader.stops.StopsWatcher``   0
DOWNLOADER_MW       ``politecrawl.middlewares.downloader.stops.StopGate``       60   (before robots.txt, 100)
DOWNLOADER_MW       ``politecrawl.middlewares.downloader.stops.ReservationGate`` 110 (after robots.txt)
DOWNLOADER_MW       ``politecrawl.middlewares.downloader.stops.SiteSignals``    560  (responses: before Retry, 550)
SPIDER_MW           ``politecrawl.middlewares.downloader.stops.ReservedItems``  800  (after the page robots directives)
==================  ===============================================  ========

* :class:`StopsWatcher` lists the crawl among the running crawls and reads the
  stop registry when woken by ``politecrawl stop`` (``middlewares/presence.py``),
  and as a fail-safe polls it (one GET of its version key
  every ``POLITECRAWL_STOPS_POLL_INTERVAL``); it turns stops into
  ``pacer.stop_site`` (the frontier drops the site's queue) and resumes into
  ``pacer.resume_site``.
* :class:`StopGate` refuses any request to a stopped site, robots.txt and
  tdmrep.json included, and everything while the registry cannot be read.
* :class:`ReservationGate` fetches ``/.well-known/tdmrep.json`` once per
  origin (when the purpose is one TDM binds) and refuses requests whose path
  is reserved for the crawl's purpose by the file or by robots.txt lines.
* :class:`SiteSignals` handles 429/503 (pause, back-off, stop), 451 and the
  block heuristic. It sees responses before Scrapy's RetryMiddleware, so a
  429/503 is never retried at once: the request is rescheduled through the
  frontier, which holds it until the pause ends.
* :class:`ReservedItems` drops the items of pages reserved by their headers
  or meta tags, and of pages of an operator-stopped site that were in flight.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from scrapy import Request, signals
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred
from twisted.internet.task import LoopingCall

from politecrawl.middlewares._scrapy_compat import evict_queued_downloads, has_any_header, header_name, lowered_body
from politecrawl.config import ConfigError
from politecrawl.middlewares.extensions.presence import CrawlPresence
from politecrawl.middlewares.runtime import PROTOCOL_FETCH, Runtime, is_protocol_fetch
from politecrawl.running import state_name
from politecrawl.sites import InvalidURL, origin_key, site_or_invalid
from politecrawl.state import StateStoreError
from politecrawl.stops import (
    TDMREP_PATH,
    THROTTLE_STATUSES,
    BlockDetector,
    Purpose,
    RobotsSignals,
    StopRegistry,
    StopsSettings,
    StopWatcher,
    TDMRepFile,
    ThrottleDecision,
    ThrottlePolicy,
    ai_reservations,
    blocked_by,
    effective_tdm_reservation,
    meta_tags,
    parse_content_usage,
    parse_purpose,
    parse_robots_signals,
    parse_tdmrep_file,
    usage_reservation,
)
from politecrawl.stops.patterns import path_of
from politecrawl.stops.purposes import TDM, Reservation
from politecrawl.stops.tdmrep import parse_tdm_value
from politecrawl.stops.tdmrep_store import load_tdmrep, save_tdmrep, tdmrep_life
from politecrawl.middlewares.downloader.sizecut import CUT_AT, is_size_cut

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger("politecrawl.stops")

_ATTR = "_politecrawl_stops"
META_TDMREP = "politecrawl_tdmrep"
META_SENT_AT = "politecrawl_sent_at"
META_THROTTLE_RETRIES = "politecrawl_throttle_retries"
META_DECISION = "politecrawl_throttle_decision"
#: Response headers that can reserve a page (ReservedItems); without them and a meta hint, nothing is parsed.
_RESERVING_HEADERS = (b"tdm-reservation", b"Content-Usage", b"X-Robots-Tag")
_RESERVING_KEYS = frozenset(header_name(name) for name in _RESERVING_HEADERS)


class SitePaused(IgnoreRequest):
    """A request evicted from a download-slot queue because its site paused; rescheduled."""


class SiteStopped(IgnoreRequest):
    """A request evicted from a download-slot queue because its site stopped; dropped."""


def _is_side_fetch(request: Request) -> bool:
    return is_protocol_fetch(request)


class StopsContext:
    """The stops component's shared state in one crawl."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.runtime = Runtime.of(crawler)
        try:
            self.settings = StopsSettings.from_settings(crawler.settings)
        except ValueError as exc:
            raise ConfigError(str(exc)) from exc
        self.purpose: Purpose = parse_purpose(self.runtime.config.purpose)
        self.registry = StopRegistry(self.runtime.store, self.runtime.clock)
        self.watcher = StopWatcher(self.registry, self.runtime.clock, self.settings.poll_interval)
        self.throttle = ThrottlePolicy(
            max_retry_after=self.settings.max_retry_after,
            stop_after=self.settings.throttle_stop_after,
            backoff_min=self.settings.backoff_min,
            backoff_max=self.settings.backoff_max,
        )
        self.blocks = BlockDetector(
            auth_urls=self.settings.block_auth_urls,
            challenge_urls=self.settings.block_challenge_urls,
        )
        self.registry_ok: bool | None = None  # None: not read yet
        self.tdmrep: dict[str, TDMRepFile | list[Deferred[TDMRepFile]]] = {}
        self.robots: dict[str, RobotsSignals] = {}

    @classmethod
    def of(cls, crawler: Crawler) -> StopsContext:
        ctx = getattr(crawler, _ATTR, None)
        if ctx is None:
            ctx = cls(crawler)
            setattr(crawler, _ATTR, ctx)
        return ctx

    # -- the registry ------------------------------------------------------
    def poll(self, force: bool = False) -> None:
        """Read the registry (if due) and apply new stops and resumes to the pacer."""
        if not force and not self.watcher.due():
            return  # no read, so nothing learnt about the registry being readable
        try:
            change = self.watcher.poll(force=force)
        except StateStoreError as exc:
            if self.registry_ok is not False:
                logger.error(
                    "politecrawl: the stop registry cannot be read (%s); no request is sent "
                    "until it can (fail closed)", type(exc).__name__,
                )
            self.registry_ok = False
            self.runtime.inc_stat("stops/registry_errors")
            return
        if self.registry_ok is False:
            logger.info("politecrawl: the stop registry can be read again")
        self.registry_ok = True
        if change is None:
            return
        pacer = self.runtime.pacer
        for stop in change.stopped:
            before = self.runtime.tallies.get(stop.site, "dropped:operator")
            pacer.stop_site(stop.site, "operator", "operator stop", stop.id, stop.at)
            self.evict(stop.site, "operator", stopped=True)
            dropped = self.runtime.tallies.get(stop.site, "dropped:operator") - before
            self.runtime.inc_stat("stops/operator_stops_seen")
            self.runtime.tallies.add(stop.site, f"stop:{stop.id}")
            logger.info(
                "politecrawl: %s is stopped by the operator (%s): %d queued requests dropped; "
                "nothing more is sent to it", stop.site, stop.id, dropped,
            )
            if dropped:
                self._record("dropped", stop.site, f"{dropped} queued requests", "operator", stop.id)
            self.runtime.audit.stop(
                stop.site, source="operator", signal=stop.reason, received_at=stop.at,
                honoured_at=self.runtime.clock(), dropped=dropped, stop_id=stop.id,
            )
        for site in change.resumed:
            pacer.resume_site(site)
            logger.info("politecrawl: %s was resumed by the operator", site)

    def evict(self, site: str, source: str, *, stopped: bool) -> int:
        """Take *site*'s requests out of the download-slot queues (stop: dropped; pause: rescheduled)."""

        def belongs(request: Request) -> bool:
            return site_or_invalid(request.url) == site and not _is_side_fetch(request)

        exc = SiteStopped if stopped else SitePaused
        n = evict_queued_downloads(self.crawler, belongs, lambda _r: exc(f"politecrawl: {site} {source}"))
        if n and stopped:
            self.runtime.inc_stat(f"frontier/dropped/{source}", n)
            self.runtime.tallies.add(site, f"dropped:{source}", n)
        elif n:
            self.runtime.inc_stat("stops/evicted_for_pause", n)
        return n

    def _record(self, event: str, site: str, detail: str, source: str, stop_id: str = "") -> None:
        try:
            self.registry.record_event(event, site, detail, source, self.runtime.crawl_id, stop_id)
        except StateStoreError:
            self.runtime.inc_stat("stops/registry_errors")

    def stop_for_crawl(self, site: str, source: str, reason: str) -> None:
        """Stop *site* for this crawl (throttling, a block, ...), logged and reported."""
        if self.runtime.pacer.stopped(site) is not None:
            return
        stop_id = ""
        try:
            stop_id = self.registry.record_crawl_stop(site, reason, source, self.runtime.crawl_id).id
        except StateStoreError:
            self.runtime.inc_stat("stops/registry_errors")
        now = self.runtime.clock()
        before = self.runtime.tallies.get(site, f"dropped:{source}")
        self.runtime.pacer.stop_site(site, source, reason, stop_id, now)
        self.evict(site, source, stopped=True)
        self.runtime.audit.stop(
            site, source=source, signal=reason, received_at=now, honoured_at=now, stop_id=stop_id,
            dropped=self.runtime.tallies.get(site, f"dropped:{source}") - before,
        )
        self.runtime.inc_stat(f"stops/crawl_stops/{source}")
        self.runtime.tallies.add(site, f"stopped:{source}")
        logger.warning(
            "politecrawl: %s is stopped for this crawl (%s: %s); its queue is dropped",
            site, source, reason,
        )

    def on_throttle(self, request: Request, response: Response) -> ThrottleDecision | None:
        """Decide on a 429/503 and apply it (pause, back-off, stop) at once.

        Called from the ``response_downloaded`` signal, which Scrapy sends
        before the download slot hands out its next request, so nothing queued
        for the site slips out after the answer arrived; the request itself is
        rescheduled later by :class:`SiteSignals`.
        """
        if META_DECISION in request.meta:
            return request.meta[META_DECISION]
        site = site_or_invalid(request.url)
        now = self.runtime.clock()
        try:
            origin = origin_key(request.url)
        except InvalidURL:
            return None
        decision = self.throttle.on_throttle(
            site, response.headers.get(b"Retry-After"),
            sent_at=float(request.meta.get(META_SENT_AT, now)), now=now,
            current_interval=self.runtime.pacer.min_interval(origin),
        )
        request.meta[META_DECISION] = decision
        request.meta["dont_retry"] = True  # Scrapy's RetryMiddleware would retry at once
        kind = decision.retry_after.kind
        self.runtime.inc_stat(f"stops/throttled/{response.status}")
        self.runtime.inc_stat(f"stops/retry_after/{kind}")
        self.runtime.tallies.add(site, f"throttled:{response.status}")
        if decision.action == "stop":
            self.stop_for_crawl(
                site, "throttle", f"{decision.streak} throttled answers in a row after pausing"
            )
        elif decision.action == "pause-for-crawl":
            self.stop_for_crawl(
                site, "retry-after",
                f"Retry-After beyond POLITECRAWL_MAX_RETRY_AFTER "
                f"({self.settings.max_retry_after:g} s): paused for the rest of the crawl",
            )
        else:
            self.runtime.pacer.pause_site(site, decision.until, decision.reason)
            self.evict(site, decision.reason, stopped=False)
            self.runtime.audit.pause(
                site, source=decision.reason, received_at=now, honoured_at=now, until=decision.until,
                signal=f"{response.status} Retry-After: "
                       f"{(response.headers.get(b'Retry-After') or b'(none)').decode('latin-1')[:100]}",
            )
            if decision.new_interval is not None:
                self.runtime.pacer.set_min_interval(origin, decision.new_interval, "throttle")
            self.runtime.log_once(
                ("throttled", site), logging.INFO,
                "politecrawl: %s answered %d (Retry-After %s): the site pauses %.1f s; "
                "later throttles are counted, not logged",
                site, response.status, kind, max(0.0, decision.until - now),
            )
        return decision

    # -- reservations --------------------------------------------------------
    def binds(self, reservation: Reservation) -> bool:
        return reservation.applies_to(self.purpose)


class StopsWatcher:
    """Extension: polls the stop registry while the crawl runs."""

    def __init__(self, ctx: StopsContext) -> None:
        self.ctx = ctx
        self._loop: LoopingCall | None = None
        self.presence = CrawlPresence(ctx.runtime, self.woken)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StopsWatcher:
        ext = cls(StopsContext.of(crawler))
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        ext.ctx.runtime.connect(crawler, ext.response_received, signals.response_received)
        ext.ctx.runtime.connect(crawler, ext.response_downloaded, signals.response_downloaded)
        return ext

    def response_downloaded(self, response: Response, request: Request, spider: Any = None) -> None:
        if response.status in THROTTLE_STATUSES:
            self.ctx.on_throttle(request, response)

    def woken(self) -> None:
        """A wake-up datagram came (``politecrawl stop`` wrote to the registry): read it now."""
        self.ctx.runtime.inc_stat("stops/wakeups")
        self.ctx.poll(force=True)

    def _tick(self) -> None:
        self.ctx.poll()
        self.presence.refresh()

    def spider_opened(self, spider: Any = None) -> None:
        self.ctx.poll(force=True)
        self.presence.start()
        self._loop = LoopingCall(self._tick)
        self._loop.start(self.ctx.settings.poll_interval, now=False)
        stops = self.ctx.watcher.known
        if stops:
            logger.info(
                "politecrawl: %d sites are stopped in %s and get no request: %s",
                len(stops), state_name(self.ctx.runtime.store.url), ", ".join(sorted(stops)),
            )

    def spider_closed(self, spider: Any = None, reason: str = "") -> None:
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        self.presence.close()

    def response_received(self, response: Response, request: Request, spider: Any = None) -> None:
        """Keep the AI-use lines of every robots.txt the crawl fetches (whoever fetched it)."""
        if not request.url.endswith("/robots.txt") or not 200 <= response.status < 300:
            return
        try:
            origin = origin_key(request.url)
        except InvalidURL:
            return
        text = response.body[: 512 * 1024].decode("utf-8", "replace")
        self.ctx.robots[origin] = parse_robots_signals(text, self.ctx.runtime.config.bot_name)


class StopGate:
    """Downloader middleware (before robots.txt): nothing goes to a stopped site."""

    def __init__(self, ctx: StopsContext) -> None:
        self.ctx = ctx
        self.runtime = ctx.runtime

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StopGate:
        return cls(StopsContext.of(crawler))

    def process_request(self, request: Request, spider: Any = None) -> None:
        if self.ctx.registry_ok is not True:
            self.ctx.poll(force=True)
            if self.ctx.registry_ok is not True:
                raise self.runtime.refuse(request, component="stops", reason="registry-unreadable")
        site = site_or_invalid(request.url)
        stop = self.runtime.pacer.stopped(site)
        if stop is not None:
            raise self.runtime.refuse(request, component="stops", reason=stop.source, site=site)


class ReservationGate:
    """Downloader middleware (after robots.txt): no request for a reserved purpose."""

    def __init__(self, ctx: StopsContext) -> None:
        self.ctx = ctx
        self.runtime = ctx.runtime
        self.crawler = ctx.crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ReservationGate:
        return cls(StopsContext.of(crawler))

    async def process_request(self, request: Request, spider: Any = None) -> Request | None:
        if is_protocol_fetch(request):
            return
        try:
            origin = origin_key(request.url)
        except InvalidURL:
            return
        path = path_of(request.url)
        found: list[Reservation] = []
        fetched = False
        if self.ctx.purpose in TDM:
            cached = self.ctx.tdmrep.get(origin)
            if isinstance(cached, TDMRepFile):
                tdmrep = cached  # the common case: known, no wait
            else:
                tdmrep, fetched = await self._tdmrep(origin)
            res = tdmrep.reservation(path)
            if res is not None:
                found.append(res)
        robots = self.ctx.robots.get(origin)
        if robots is not None:
            found.extend(robots.reservations(path))
        binding = [r for r in found if self.ctx.binds(r)]
        if binding:
            raise self.runtime.refuse(
                request, component="reservations", reason=binding[0].source
            )
        if fetched:
            # This request's turn (budget, pace) went to the tdmrep.json fetch it
            # triggered: back to the frontier to wait for a turn of its own.
            self.runtime.inc_stat("reservations/requeued")
            return request.replace(dont_filter=True)
        return None

    async def _tdmrep(self, origin: str) -> tuple[TDMRepFile, bool]:
        """The origin's tdmrep.json, and whether this call fetched it."""
        cached = self.ctx.tdmrep.get(origin)
        if isinstance(cached, TDMRepFile):
            return cached, False
        if cached is not None:  # a fetch is under way: wait on a Deferred of our own
            mine: Deferred[TDMRepFile] = Deferred()
            cached.append(mine)
            return await maybe_deferred_to_future(mine), False
        waiters: list[Deferred[TDMRepFile]] = []
        self.ctx.tdmrep[origin] = waiters
        try:
            parsed, fetched = await self._stored_or_fetched(origin)
        except StateStoreError:  # the store failed: fail closed, as for a file we cannot read
            parsed, fetched = TDMRepFile("malformed"), False
            self.runtime.log_once(
                ("tdmrep-store", origin), logging.ERROR,
                "politecrawl: the stored tdmrep.json of %s cannot be read or written: "
                "treated as a TDM reservation of the whole origin", origin,
            )
        if parsed.fail_closed:
            self.runtime.log_once(
                ("tdmrep-fail-closed", origin), logging.WARNING,
                "politecrawl: %s%s is %s: treated as a TDM reservation of the whole origin",
                origin, TDMREP_PATH, parsed.status,
            )
        self.ctx.tdmrep[origin] = parsed
        for waiter in waiters:
            waiter.callback(parsed)
        return parsed, fetched

    async def _stored_or_fetched(self, origin: str) -> tuple[TDMRepFile, bool]:
        """The stored copy if unexpired (no fetch), else a fresh fetch, stored if it was an answer."""
        store, now = self.runtime.store, self.runtime.clock()
        stored = load_tdmrep(store, origin, now)
        if stored is not None:
            self.runtime.inc_stat("reservations/tdmrep/from_store")
            return stored, False
        limit = self.ctx.settings.tdmrep_max_bytes
        req = Request(
            origin + TDMREP_PATH,
            priority=1000,
            meta={
                META_TDMREP: True, PROTOCOL_FETCH: "tdmrep.json", "dont_retry": True,
                # cut while it streams; an announced or decompressed size past the
                # limit is cancelled by Scrapy (download_maxsize): fail closed either way
                CUT_AT: (limit, False), "download_maxsize": limit,
            },
            dont_filter=True,
        )
        try:
            response = await self.crawler.engine.download_async(req)
        except Exception as exc:  # a network error or a refusal: the origin serves no file
            if is_size_cut(exc):
                parsed = TDMRepFile("too-large")
                self.runtime.inc_stat("reservations/tdmrep/too-large")
                save_tdmrep(store, origin, parsed, self.runtime.clock(), tdmrep_life(()))
                return parsed, True
            self.runtime.inc_stat(f"reservations/tdmrep/error/{type(exc).__name__}")
            parsed = parse_tdmrep_file(None, None, limit)
            self.runtime.inc_stat(f"reservations/tdmrep/{parsed.status}")
            return parsed, True
        parsed = parse_tdmrep_file(response.status, response.body, limit)
        self.runtime.inc_stat(f"reservations/tdmrep/{parsed.status}")
        cache_control = [v.decode("latin-1") for v in response.headers.getlist(b"Cache-Control")]
        save_tdmrep(store, origin, parsed, self.runtime.clock(), tdmrep_life(cache_control))
        return parsed, True


class SiteSignals:
    """Downloader middleware for 429/503 (+Retry-After), 451 and signs of a block."""

    def __init__(self, ctx: StopsContext) -> None:
        self.ctx = ctx
        self.runtime = ctx.runtime

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SiteSignals:
        return cls(StopsContext.of(crawler))

    def process_request(self, request: Request, spider: Any = None) -> None:
        """Last look before the download slot: a stop or pause may have come meanwhile."""
        now = self.runtime.clock()
        if not _is_side_fetch(request):
            site = site_or_invalid(request.url)
            stop = self.runtime.pacer.stopped(site)
            if stop is not None:
                self.runtime.inc_stat(f"frontier/dropped/{stop.source}")
                self.runtime.tallies.add(site, f"dropped:{stop.source}")
                raise SiteStopped(f"politecrawl: {site} is stopped ({stop.source})")
            if self.runtime.pacer.paused_until(site) > now:
                raise SitePaused(f"politecrawl: {site} is paused")
        request.meta[META_SENT_AT] = now

    def process_response(
        self, request: Request, response: Response, spider: Any = None
    ) -> Request | Response:
        site = site_or_invalid(request.url)
        now = self.runtime.clock()
        sent_at = float(request.meta.get(META_SENT_AT, now))
        side_fetch = _is_side_fetch(request)
        if response.status in THROTTLE_STATUSES:
            return self._throttled(request, response, site, side_fetch)
        self.ctx.throttle.on_response(site, sent_at=sent_at)
        if response.status == 451:
            self._http451(request, response, site)
            return response
        if not side_fetch:
            html = response.text if isinstance(response, TextResponse) else None
            first_url = (request.meta.get("redirect_urls") or [request.url])[0]
            verdict = self.ctx.blocks.observe(
                site, first_url, response.status, final_url=response.url, html=html
            )
            if verdict is not None:
                self.ctx.stop_for_crawl(
                    site, "block", f"{verdict.reason} on {verdict.urls} distinct URLs in a row"
                )
        return response

    def _throttled(
        self, request: Request, response: Response, site: str, side_fetch: bool
    ) -> Request | Response:
        decision = request.meta.pop(META_DECISION, None) or self.ctx.on_throttle(request, response)
        if decision is None or side_fetch:
            return response
        if decision.action != "pause":
            raise IgnoreRequest(f"politecrawl stops: {site} is stopped for this crawl")
        retry = request.replace(dont_filter=True)
        retry.meta[META_THROTTLE_RETRIES] = int(request.meta.get(META_THROTTLE_RETRIES, 0)) + 1
        retry.meta.pop("dont_retry", None)
        retry.priority = request.priority + 1
        self.runtime.inc_stat("stops/rescheduled")
        return retry

    def process_exception(
        self, request: Request, exception: Exception, spider: Any = None
    ) -> Request | None:
        if isinstance(exception, SitePaused):
            retry = request.replace(dont_filter=True)
            self.runtime.inc_stat("stops/rescheduled")
            return retry
        return None

    def _http451(self, request: Request, response: Response, site: str) -> None:
        links = [v.decode("latin-1") for v in response.headers.getlist(b"Link")]
        by = blocked_by(links)
        self.runtime.inc_stat("stops/http451")
        self.runtime.tallies.add(site, "http451")
        self.ctx._record("http451", site, f"{path_of(request.url)} blocked-by={by or '-'}", "http451")
        self.runtime.log_once(
            ("http451", site), logging.WARNING,
            "politecrawl: %s answered 451 Unavailable For Legal Reasons (blocked-by: %s); "
            "the URL is not retried, further 451s are counted",
            site, by or "not given",
        )


class ReservedItems:
    """Spider middleware: items of reserved pages (headers / meta) are not emitted.

    Also drops the items of pages of an operator-stopped site that were in
    flight when the stop was seen: the owner had asked us to stop before they
    were fetched, so nothing from them is kept (docs/stops.md).
    """

    def __init__(self, ctx: StopsContext) -> None:
        self.ctx = ctx
        self.runtime = ctx.runtime
        bot = re.escape(self.runtime.config.bot_name.lower().encode())
        # in lower case, over the lower-cased body (_scrapy_compat.lowered_body): as (?i) over the body
        self._meta_hint = re.compile(rb"name\s*=\s*[\"']?\s*(?:tdm-|robots|" + bot + rb")")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ReservedItems:
        return cls(StopsContext.of(crawler))

    def reservations(self, response: Response) -> list[Reservation]:
        """What the response's own headers and meta tags reserve for this crawl's purpose."""
        headers = response.headers
        is_text = isinstance(response, TextResponse)
        # parse the HTML only when a meta tag that matters can be there (most pages have none)
        hinted = is_text and self._meta_hint.search(lowered_body(response.body)) is not None
        if not hinted and not has_any_header(headers, _RESERVING_KEYS):
            # Neither a header nor a meta tag that can reserve: nothing to find here
            # (a tdmrep.json rule alone is enforced before the request, by ReservationGate).
            return []
        html = response.text if is_text else None
        meta = meta_tags(html) if html and hinted else {}
        found: list[Reservation] = []
        origin = None
        try:
            origin = origin_key(response.url)
        except InvalidURL:
            pass
        file = self.ctx.tdmrep.get(origin) if origin else None
        rule = file.lookup(path_of(response.url)) if isinstance(file, TDMRepFile) else None
        header_tdm = _tdm(headers.get(b"tdm-reservation"))
        meta_tdm = _tdm(meta["tdm-reservation"][0]) if meta.get("tdm-reservation") else None
        value, source = effective_tdm_reservation(rule, header_tdm, meta_tdm)
        if value == 1 and source != "tdmrep.json":
            found.append(Reservation(TDM, source, "tdm-reservation=1"))
        for raw in headers.getlist(b"Content-Usage"):
            text = raw.decode("latin-1")
            res = usage_reservation(parse_content_usage(text), "content-usage-header", text)
            if res is not None:
                found.append(res)
        content_type = (headers.get(b"Content-Type") or b"").decode("latin-1").lower()
        found.extend(ai_reservations(
            [v.decode("latin-1") for v in headers.getlist(b"X-Robots-Tag")],
            meta, self.runtime.config.bot_name, content_type.startswith("image/"),
        ))
        return [r for r in found if self.ctx.binds(r)]

    def drop_reason(self, response: Response) -> str | None:
        site = site_or_invalid(response.url)
        stop = self.runtime.pacer.stopped(site)
        if stop is not None and stop.source == "operator":
            return "operator-stop"
        binding = self.reservations(response)
        return binding[0].source if binding else None

    def count_dropped(self, site: str, reason: str) -> None:
        self.runtime.inc_stat(f"reservations/items_dropped/{reason}")
        self.runtime.tallies.add(site, f"items_dropped:{reason}")
        self.runtime.log_once(
            ("items-dropped", site, reason), logging.INFO,
            "politecrawl: items from %s are not emitted (%s, purpose %s); they are counted",
            site, reason, self.ctx.purpose,
        )

    async def process_spider_output_async(
        self, response: Response, result: AsyncIterator[Any], spider: Any = None
    ) -> AsyncIterator[Any]:
        reason = self.drop_reason(response)
        async for obj in result:
            if reason is None or isinstance(obj, Request):
                yield obj
            else:
                self.count_dropped(site_or_invalid(response.url), reason)

    def process_spider_output(
        self, response: Response, result: Iterable[Any], spider: Any = None
    ) -> Iterator[Any]:
        reason = self.drop_reason(response)
        for obj in result:
            if reason is None or isinstance(obj, Request):
                yield obj
            else:
                self.count_dropped(site_or_invalid(response.url), reason)


def _tdm(value: Any) -> int | None:
    return parse_tdm_value(value)


__all__ = ["ReservationGate", "ReservedItems", "SiteSignals", "StopGate", "StopsContext", "StopsWatcher"]
