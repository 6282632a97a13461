"""Scrapy glue of the stops component: its shared state, and the gate for stopped sites.

The decisions live in :mod:`politecrawl.stops`; the stops component's Scrapy
parts, registered by the Addon (some run in shared Scrapy layers:
``chain.RequestGates`` at 100 and ``page.PageMiddleware`` at 950, in this order):

==================  ==========================================================  ========
setting             class                                                        priority
==================  ==========================================================  ========
EXTENSIONS          ``politecrawl.middlewares.extensions.stops.StopsExtension``          0
DOWNLOADER_MW       ``politecrawl.middlewares.downloader.stops.StopGate``                60   (before robots.txt, 100)
DOWNLOADER_MW       ``politecrawl.middlewares.downloader.reservations.ReservationGate`` 110 (after robots.txt)
DOWNLOADER_MW       ``politecrawl.middlewares.downloader.site_answers.SiteAnswers``     560  (responses: before Retry, 550)
SPIDER_MW           ``politecrawl.middlewares.spider.reserved_items.ReservedItems``     800  (after the page robots directives)
==================  ==========================================================  ========

* :class:`StopsContext` is the component's state in one crawl: the registry
  and its poll, the throttle policy and block detector, the tdmrep.json files
  and robots.txt AI lines known per origin; it applies stops and pauses to the
  pacer (:meth:`StopsContext.stop_for_crawl`, :meth:`StopsContext.on_throttle`).
* :class:`StopGate` refuses any request to a stopped site, robots.txt and
  tdmrep.json included, and everything while the registry cannot be read.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from twisted.internet.defer import Deferred

from politecrawl.middlewares._scrapy_compat import evict_queued_downloads, header_name
from politecrawl.middlewares.runtime import ADMISSION, Runtime, is_protocol_fetch, keys_of, site_of
from politecrawl.sites import InvalidURL
from politecrawl.state import StateStoreError
from politecrawl.stops import (
    BlockDetector,
    Purpose,
    RobotsSignals,
    StopRegistry,
    StopsSettings,
    StopWatcher,
    TDMRepFile,
    ThrottleDecision,
    ThrottlePolicy,
    parse_purpose,
)
from politecrawl.stops.purposes import Reservation

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


class StopsContext:
    """The stops component's shared state in one crawl."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.runtime = Runtime.of(crawler)
        self.settings = StopsSettings.from_settings(crawler.settings)  # ConfigError on a bad value
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
            return site_of(request) == site and not is_protocol_fetch(request)

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

        A 429/503 on robots.txt or tdmrep.json is not counted: it makes that file unreachable,
        a wait with its own back-off (``politecrawl.robots.outage``), never a stop of the site.
        Called from the ``response_downloaded`` signal, which Scrapy sends
        before the download slot hands out its next request, so nothing queued
        for the site slips out after the answer arrived; the request itself is
        rescheduled later by :class:`SiteAnswers`.
        """
        if META_DECISION in request.meta:
            return request.meta[META_DECISION]
        if is_protocol_fetch(request):  # robots.txt, tdmrep.json: their own back-off reads Retry-After
            return None
        site = site_of(request)
        now = self.runtime.clock()
        try:
            origin = keys_of(request)[1]
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
        if ADMISSION in request.meta:
            return  # admitted by the frontier just now: the site was not stopped
        site = site_of(request)
        stop = self.runtime.pacer.stopped(site)
        if stop is not None:
            raise self.runtime.refuse(request, component="stops", reason=stop.source, site=site)


__all__ = ["SitePaused", "SiteStopped", "StopGate", "StopsContext"]
