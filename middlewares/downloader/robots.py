"""robots.txt and page-level robots directives, as Scrapy middlewares (glue only).

:class:`RobotsTxtMiddleware` (downloader middleware, replaces Scrapy's) fetches
each origin's robots.txt once, turns the download into a
:class:`~politecrawl.robots.FetchOutcome`, and applies the decisions of
:mod:`politecrawl.robots`: refusals, pacing, evidence. :class:`RobotsPageMiddleware`
(spider middleware) applies ``X-Robots-Tag`` and robots ``<meta>`` directives to
what the spider produced from a page. All decisions live in the core.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from itemadapter import ItemAdapter
from scrapy import Request, signals
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse
from scrapy.http.request import NO_CALLBACK
from scrapy.spidermiddlewares.base import BaseSpiderMiddleware
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

from politecrawl.middlewares._scrapy_compat import header_list, header_name, lowered_body
from politecrawl.middlewares.downloader.sizecut import CUT_AT
from politecrawl.robots import (
    ENDED_UNREACHABLE,
    all_ended_unreachable,
    retry_at,
    UNREACHABLE,
    FetchOutcome,
    RobotsConfig,
    RobotsRecord,
    RobotsRules,
    Verdict,
    claim_fetch,
    load_record,
    note_decision,
    note_stop,
    page_directives,
    record_from_fetch,
    release_fetch,
    save_record,
)
from politecrawl.middlewares.runtime import PROTOCOL_FETCH, Runtime, is_protocol_fetch
from politecrawl.sites import InvalidURL, origin_key, site_or_invalid
from politecrawl.state import StateStoreError

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterable

    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)

COMPONENT = "robots"
#: ``request.meta`` key the middleware writes on every request it lets through:
#: ``{"origin", "version", "fetched_at", "rule"}`` — the robots.txt evidence.
META_EVIDENCE = "politecrawl_robots"
#: Item field the page middleware sets: the page's directives, e.g. ``["noai", "noindex"]``.
ITEM_FIELD = "politecrawl_robots"
_FETCH_META = "_politecrawl_robots_fetch"
_NOTED_META = "_politecrawl_robots_noted"
_REQUEUED_META = "_politecrawl_robots_requeued"
_KNOWN, _WAITED, _FETCHED = "known", "waited", "fetched"
_X_ROBOTS_TAG = header_name(b"X-Robots-Tag")


def robots_url(origin: str) -> str:
    """``scheme://host[:port]/robots.txt`` of an origin key, default port left out."""
    parts = urlsplit(origin)
    default = {"http": 80, "https": 443}[parts.scheme]
    netloc = parts.netloc if parts.port != default else parts.netloc.rsplit(":", 1)[0]
    return f"{parts.scheme}://{netloc}/robots.txt"


@dataclass
class _Origin:
    record: RobotsRecord
    rules: RobotsRules
    rules_key: tuple[str, float]
    skip: str | None
    paced: bool

    def current(self, now: float, config: RobotsConfig) -> bool:
        """Still in force at *now*: the record has not expired and gives the same rules.

        Only an unreachable record with a last good copy gives rules that change with
        time; any other record's rules are fixed until it expires (checked per request
        without building a key).
        """
        record = self.record
        if now >= record.expires_at:
            return False
        if record.kind != UNREACHABLE or record.last_good is None:
            return True
        return self.rules_key == record.rules_key(now, config)


class RobotsTxtMiddleware:
    """Downloader middleware: robots.txt to RFC 9309, per origin, failing closed."""

    #: Download priority of robots.txt requests (ahead of pages).
    FETCH_PRIORITY = 1000
    #: Seconds another process may take to fetch a robots.txt before we fetch it ourselves.
    LEASE = 60.0
    #: Evidence counts are written to the store every this many decisions (and at the end).
    FLUSH_EVERY = 1000
    #: Scrapy's download_maxsize for robots.txt: a longer announced length, or a body that
    #: decompresses past it, is a failed fetch (unreachable, fail closed).
    MAX_DOWNLOAD = 10 * 1024 * 1024

    def __init__(self, crawler: Crawler, runtime: Runtime, config: RobotsConfig) -> None:
        self.crawler = crawler
        self.runtime = runtime
        self.config = config
        self._origins: dict[str, _Origin] = {}
        self._waiters: dict[str, list[Deferred[None]]] = {}
        self._failed: dict[str, Exception] = {}
        self._evidence: Counter[tuple[str, str, Verdict]] = Counter()
        self._unflushed = 0
        self._stops_noted: set[tuple[str, str]] = set()
        # the crawl's end, if it has one: a robots.txt retry due later ends the origin as unreachable
        timeout = crawler.settings.getfloat("CLOSESPIDER_TIMEOUT", 0.0)
        self._deadline = runtime.clock() + timeout if timeout > 0 else None
        self._given_up: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RobotsTxtMiddleware:
        runtime = Runtime.of(crawler)
        config = RobotsConfig.from_settings(crawler.settings.get, bot_name=runtime.config.bot_name)
        mw = cls(crawler, runtime, config)
        crawler.signals.connect(mw.spider_closed, signal=signals.spider_closed)
        return mw

    # -- the hook --------------------------------------------------------
    async def process_request(self, request: Request) -> Request | None:
        meta = request.meta  # one lookup of the property
        if _FETCH_META in meta or is_protocol_fetch(request):
            return None
        if urlparse_cached(request).scheme not in ("http", "https"):
            return None  # data:, file: ... nothing robots.txt can say
        try:
            origin = origin_key(request.url)
        except InvalidURL:
            raise self.runtime.refuse(request, component=COMPONENT, reason="invalid_url") from None
        state = self._origins.get(origin)
        if state is not None and state.current(self.runtime.clock(), self.config):
            role = _KNOWN  # the common case: no store, no wait
        else:
            try:
                state, role = await self._state_for(origin)
            except StateStoreError as exc:
                self.runtime.log_once(
                    ("robots-store", origin), logging.ERROR,
                    "politecrawl: robots.txt state of %s cannot be read or written (%s): "
                    "no request to it", origin, exc,
                )
                raise self.runtime.refuse(request, component=COMPONENT, reason="store_error") from None
        if state.skip is not None:
            raise self.runtime.refuse(request, component=COMPONENT, reason=state.skip)
        verdict = state.rules.allowed(request.url)
        if not verdict.allowed:
            if verdict.rule == "unreachable":
                return self._unreachable(request, origin, state)
            self._note(origin, state.rules.version, verdict)
            self.runtime.audit.robots_refused(origin, verdict.rule)
            raise self.runtime.refuse(request, component=COMPONENT, reason="disallowed")
        # a request sent back to the frontier by a later gate is counted once
        counted = meta.get(_NOTED_META) == (state.rules.version, verdict.rule)
        meta[META_EVIDENCE] = {
            "origin": origin,
            "version": state.rules.version,
            "fetched_at": state.rules.fetched_at,
            "rule": verdict.rule,
        }
        requeue = role == _FETCHED or (
            role == _WAITED and state.paced and not meta.get(_REQUEUED_META)
        )
        if requeue:
            # Back to the frontier: either this request's turn (budget, pace) went
            # to the robots.txt fetch it triggered, or it passed the frontier
            # before robots.txt set the origin's pace.
            self.runtime.inc_stat("robots/requeued")
            return request.replace(dont_filter=True, meta={**request.meta, _REQUEUED_META: True})
        if not counted:
            self._note(origin, state.rules.version, verdict)
            self.runtime.inc_stat("robots/allowed")
            meta[_NOTED_META] = (state.rules.version, verdict.rule)
        return None

    # -- one robots.txt per origin ------------------------------------------
    async def _state_for(self, origin: str) -> tuple[_Origin, str]:
        """The origin's robots state, fetching or refreshing it first if needed.

        Returns ``(state, role)``: ``_KNOWN`` (no wait), ``_WAITED`` (waited for
        a fetch or the store), ``_FETCHED`` (this request's turn was given to
        the robots.txt fetch). Concurrent callers share one fetch.
        """
        now = self.runtime.clock()
        state = self._origins.get(origin)
        if state is not None and state.current(now, self.config):
            return state, _KNOWN
        waiters = self._waiters.get(origin)
        if waiters is not None:
            waiter: Deferred[None] = Deferred()
            waiters.append(waiter)
            await maybe_deferred_to_future(waiter)
            failure = self._failed.get(origin)
            if failure is not None:
                raise failure
            state = self._origins.get(origin)
            if state is None:  # pragma: no cover - a failure is always recorded
                raise StateStoreError("the robots.txt fetch this request waited for failed")
            return state, _WAITED
        self._waiters[origin] = []
        self._failed.pop(origin, None)
        try:
            state, fetched = await self._refresh(origin, state)
        except Exception as exc:
            self._failed[origin] = exc
            raise
        finally:
            for waiter in self._waiters.pop(origin):
                waiter.callback(None)
        return state, _FETCHED if fetched else _WAITED

    async def _refresh(self, origin: str, current: _Origin | None) -> tuple[_Origin, bool]:
        """Install the stored record if fresh, else fetch; ``(state, fetched)``."""
        store, clock = self.runtime.store, self.runtime.clock
        stored = load_record(store, origin)
        if stored is not None and not stored.expired(clock()):
            self.runtime.inc_stat("robots/from_store")
            return self._install(origin, stored), False
        if not claim_fetch(store, origin, self.runtime.crawl_id, self.LEASE):
            # Another process fetches it now: wait for its record, up to the lease.
            deadline = clock() + self.LEASE
            while clock() < deadline:
                await _sleep(0.2)
                stored = load_record(store, origin)
                if stored is not None and not stored.expired(clock()):
                    self.runtime.inc_stat("robots/from_store")
                    return self._install(origin, stored), False
        previous = stored if stored is not None else (current.record if current else None)
        try:
            outcome = await self._fetch(origin)
            record = record_from_fetch(origin, outcome, self.config, previous)
            save_record(store, record, clock(), self.config)
        finally:
            release_fetch(store, origin)
        self._count_fetch(record, refreshed=previous is not None)
        return self._install(origin, record), True

    async def _fetch(self, origin: str) -> FetchOutcome:
        """Download robots.txt, following up to ``max_redirects`` redirects (any host).

        The first request uses the turn (budget, pace) of the page request that
        triggered the fetch, which goes back to the frontier; each redirect hop
        takes a turn of its own from the pacer (it bypasses the frontier).
        """
        clock = self.runtime.clock
        url = robots_url(origin)
        redirects = 0
        while True:
            request = Request(
                url,
                priority=self.FETCH_PRIORITY,
                callback=NO_CALLBACK,
                dont_filter=True,
                meta={
                    _FETCH_META: origin,
                    PROTOCOL_FETCH: "robots.txt",
                    "dont_redirect": True,
                    "dont_retry": True,
                    "handle_httpstatus_all": True,
                    # Read no more than is parsed (RFC 9309 §2.5): the download stops at
                    # max_bytes and keeps what came. download_maxsize bounds the body once
                    # decompressed, and an announced length past it fails closed.
                    CUT_AT: (self.config.max_bytes, True),
                    "download_maxsize": self.MAX_DOWNLOAD,
                },
            )
            if redirects:
                # A stopped site raises IgnoreRequest to the caller.
                await self.runtime.wait_for_turn(request, component=COMPONENT)
            try:
                response = await self.crawler.engine.download_async(request)
            except IgnoreRequest:
                return FetchOutcome(clock(), None, redirects=redirects, error="refused")
            except Exception as exc:  # noqa: BLE001 - any failure is "unreachable"
                error = f"{type(exc).__module__}.{type(exc).__qualname__}"
                return FetchOutcome(clock(), None, redirects=redirects, error=error)
            status = response.status
            if 300 <= status < 400 and redirects < self.config.max_redirects:
                location = response.headers.get(b"Location")
                target = urljoin(response.url, location.decode("latin-1")) if location else ""
                if urlsplit(target).scheme in ("http", "https"):
                    redirects += 1
                    url = target
                    continue
            headers = [
                (name.decode("latin-1"), value.decode("latin-1"))
                for name, values in response.headers.items()
                for value in values
            ]
            return FetchOutcome.from_pairs(clock(), status, response.body, headers, redirects)

    # -- applying a record ---------------------------------------------------
    def _install(self, origin: str, record: RobotsRecord) -> _Origin:
        now = self.runtime.clock()
        key = record.rules_key(now, self.config)
        old = self._origins.get(origin)
        rules = old.rules if old is not None and old.rules_key == key else record.rules(now, self.config)
        skip = rules.skip_reason(self.config.max_crawl_delay)
        interval = rules.min_interval()
        window = rules.visit_window()
        pacer = self.runtime.pacer
        pacer.set_min_interval(origin, 0.0 if skip else interval, COMPONENT)
        pacer.set_visit_window(origin, *(window or (None, None)))
        state = _Origin(record, rules, key, skip, paced=interval > 0 or window is not None)
        self._origins[origin] = state
        if skip is not None:
            self.runtime.log_once(
                ("robots-skip", origin), logging.WARNING,
                "politecrawl: robots.txt of %s asks for one request every %.1f s, more than "
                "POLITECRAWL_MAX_CRAWL_DELAY (%.1f s): the origin is skipped for this crawl",
                origin, interval, self.config.max_crawl_delay,
            )
        if record.kind == "unreachable":
            using = "its last good copy" if rules.version != record.version else "its requests wait"
            self.runtime.log_once(
                ("robots-unreachable", origin, record.failures == 1), logging.WARNING,
                "politecrawl: robots.txt of %s is unreachable (%s): %s; next try in %.0f s",
                origin, _why(record), using, max(0.0, record.expires_at - now),
            )
        if rules.disallows_everything():
            self._site_asked_to_stop(origin, record, rules, old)
        return state

    def _site_asked_to_stop(
        self, origin: str, record: RobotsRecord, rules: RobotsRules, old: _Origin | None
    ) -> None:
        """``Disallow: /`` for us: the origin asks us to stay away. Recorded as a stop request."""
        if (origin, rules.version) in self._stops_noted:
            return
        self._stops_noted.add((origin, rules.version))
        flipped = old is not None and not old.rules.disallows_everything()
        site = site_or_invalid(origin)
        note_stop(
            self.runtime.store, origin, site=site, version=rules.version,
            fetched_at=rules.fetched_at, previous_version=old.rules.version if old else "",
            crawl_id=self.runtime.crawl_id,
        )
        self.runtime.audit.event(
            "robots-stop", site, origin=origin, version=rules.version, fetched_at=rules.fetched_at,
            previous_version=old.rules.version if old else "",
        )
        self.runtime.inc_stat("robots/stop_requests")
        self.runtime.tallies.add(site, "robots:stop_request")
        self.runtime.log_once(
            ("robots-stop", origin), logging.WARNING,
            "politecrawl: robots.txt of %s %sdisallows everything for %s: no further request to it",
            origin, "now " if flipped else "", self.config.bot_name,
        )

    def _count_fetch(self, record: RobotsRecord, refreshed: bool) -> None:
        inc = self.runtime.inc_stat
        self.runtime.audit.robots_fetch(
            record.origin, record.status, record.version, kind=record.kind, reason=record.reason,
            redirects=record.redirects, bytes=record.nbytes, truncated=record.truncated,
        )
        inc(f"robots/fetch/{record.kind}")
        inc(f"robots/fetch_status/{record.status // 100}xx" if record.status else "robots/fetch_status/error")
        if refreshed:
            inc("robots/refreshed")
        if record.redirects:
            inc("robots/redirects", record.redirects)
        if record.truncated:
            inc("robots/truncated")

    # -- evidence -----------------------------------------------------------
    def _note(self, origin: str, version: str, verdict: Verdict) -> None:
        self._evidence[(origin, version, verdict)] += 1
        self._unflushed += 1
        if self._unflushed >= self.FLUSH_EVERY:
            self.flush_evidence()

    def flush_evidence(self) -> None:
        counts, self._evidence, self._unflushed = self._evidence, Counter(), 0
        try:
            for (origin, version, verdict), n in counts.items():
                note_decision(self.runtime.store, origin, version, verdict, n)
        except StateStoreError as exc:
            self.runtime.log_once(
                ("robots-evidence",), logging.ERROR,
                "politecrawl: robots.txt evidence could not be written to the state store (%s)", exc,
            )

    def spider_closed(self) -> None:
        self.flush_evidence()
        now = self.runtime.clock()
        for origin, state in self._origins.items():
            if origin in self._given_up or state.record.kind != UNREACHABLE:
                continue
            if not state.rules.allowed(origin + "/").allowed:  # no copy stands in: still waiting
                self._end_unreachable(origin, state, now)
        tallies = self.runtime.tallies.as_dict()
        if self._given_up and all_ended_unreachable(tallies, tallies):
            self.runtime.stats.set_value("politecrawl/robots/all_sites_unreachable", True)
            logger.error("politecrawl: robots.txt of every site of this crawl stayed unreachable (%s): "
                         "no page was requested", ", ".join(sorted(tallies)))

    # -- robots.txt unreachable: a wait, not a verdict ------------------------
    def _unreachable(self, request: Request, origin: str, state: _Origin) -> Request:
        """The origin's robots.txt is unreachable: the request waits in the frontier until the
        next try, or (the next try after the crawl's end) is refused as unreachable."""
        record, now = state.record, self.runtime.clock()
        until = retry_at(record, max_wait=self.config.max_wait, deadline=self._deadline)
        site = site_or_invalid(origin)
        if until is not None and origin not in self._given_up:
            self.runtime.pacer.pause_origin(site, origin, until, COMPONENT)
            self.runtime.inc_stat("robots/waiting_unreachable")
            return request.replace(dont_filter=True, meta={**request.meta, _REQUEUED_META: True})
        if origin not in self._given_up:
            self._end_unreachable(origin, state, now)
        verdict = Verdict(False, f"unreachable:{record.reason}")
        self._note(origin, record.version, verdict)
        self.runtime.audit.robots_refused(origin, verdict.rule)
        raise self.runtime.refuse(request, component=COMPONENT, reason="unreachable")

    def _end_unreachable(self, origin: str, state: _Origin, now: float) -> None:
        self._given_up.add(origin)
        record = state.record
        site = site_or_invalid(origin)
        self.runtime.tallies.add(site, ENDED_UNREACHABLE)
        self.runtime.inc_stat("robots/ended_unreachable")
        self.runtime.audit.event("robots-unreachable", site, origin=origin, reason=record.reason,
                                 status=record.status, failures=record.failures, since=record.since)
        self.runtime.log_once(
            ("robots-ended-unreachable", origin), logging.WARNING,
            "politecrawl: robots.txt of %s unreachable (%s, %d tries since %.0f s ago); the next try "
            "would come after the crawl's end: its requests are not sent (robots.txt unreachable)",
            origin, _why(record), record.failures, max(0.0, now - (record.fetched_at if record.since is None else record.since)),
        )


class RobotsPageMiddleware(BaseSpiderMiddleware):
    """Spider middleware: ``X-Robots-Tag`` / robots ``<meta>`` directives of a page.

    * ``nofollow`` / ``none``: every request the spider made from that page is dropped.
    * ``noindex`` / ``none``: items are marked; with ``POLITECRAWL_PURPOSE = "search"``
      they are dropped.
    * ``noarchive``, ``noai``, ``noimageai``: items are marked.

    Marking: the item's ``politecrawl_robots`` field is set to the sorted list of
    directives (dict items, or Item classes that declare the field). Items that
    cannot take the field are counted (``politecrawl/robots/page/unmarked_items``).
    """

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.runtime = Runtime.of(crawler)
        self.bot_name = self.runtime.config.bot_name
        self.drop_noindex = self.runtime.config.purpose == "search"
        # Only pages that can hold a robots <meta> are searched with XPath.
        # in lower case, over the lower-cased body (_scrapy_compat.lowered_body): as re.I over the body
        names = b"robots|" + re.escape(self.bot_name.encode().lower())
        self._maybe_meta = re.compile(rb"<meta[^>]*?name\s*=\s*[\"']?\s*(?:" + names + rb")").search

    def process_spider_output(self, response: Response | None, result: Iterable[Any]) -> Iterable[Any]:
        found = self.directives(response)
        for o in result:
            if (o := self.apply(o, response, found)) is not None:
                yield o

    async def process_spider_output_async(
        self, response: Response | None, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        found = self.directives(response)
        async for o in result:
            if (o := self.apply(o, response, found)) is not None:
                yield o

    def directives(self, response: Response | None) -> Any:
        if response is None:
            return None
        headers = [v.decode("latin-1") for v in header_list(response.headers, _X_ROBOTS_TAG)]
        metas: list[tuple[str, str]] = []
        if isinstance(response, HtmlResponse) and self._maybe_meta(lowered_body(response.body)):
            for meta in response.xpath("//meta[@name]"):
                metas.append((meta.attrib.get("name", ""), meta.attrib.get("content", "")))
        if not headers and not metas:
            return None  # most pages: no header, no robots meta tag
        found = page_directives(headers, metas, self.bot_name)
        if found:
            self.runtime.inc_stat("robots/page/with_directives")
        return found or None

    def apply(self, o: Any, response: Response | None, found: Any) -> Any:
        if found is None:
            return o
        if isinstance(o, Request):
            if found.nofollow:
                self.runtime.inc_stat("robots/page/nofollow_dropped")
                self.runtime.log_once(
                    ("robots-nofollow", _site(response)), logging.INFO,
                    "politecrawl: pages of %s say nofollow: links found there are not followed "
                    "(counted under politecrawl/robots/page/nofollow_dropped)", _site(response),
                )
                return None
            return o
        if found.noindex and self.drop_noindex:
            self.runtime.inc_stat("robots/page/noindex_dropped")
            return None
        try:
            ItemAdapter(o)[ITEM_FIELD] = found.as_list()
            self.runtime.inc_stat("robots/page/marked_items")
        except (KeyError, TypeError):
            self.runtime.inc_stat("robots/page/unmarked_items")
            self.runtime.log_once(
                ("robots-unmarked", type(o).__name__), logging.WARNING,
                "politecrawl: items of type %s cannot take the %r field; page robots "
                "directives are not recorded on them (declare the field)", type(o).__name__, ITEM_FIELD,
            )
        return o


async def _sleep(seconds: float) -> None:
    from twisted.internet import reactor, task  # noqa: PLC0415 - the installed reactor only

    await maybe_deferred_to_future(task.deferLater(reactor, seconds, lambda: None))


def _why(record: RobotsRecord) -> str:
    """``HTTP 503`` or the error's kind: what made robots.txt unreachable."""
    return f"HTTP {record.status}" if record.status else record.reason


def _site(response: Response | None) -> str:
    return site_or_invalid(response.url) if response is not None else "(none)"
