"""The robots.txt gate: a Scrapy downloader middleware (glue; decisions in :mod:`politecrawl.robots`).

:class:`RobotsTxtMiddleware` (replaces Scrapy's) brings each origin's rules up
to date as :class:`~politecrawl.robots.refresh.Refresh` says (the stored copy,
another process's fetch, or its own fetch, :mod:`.robots_fetch`), and turns the
answers of :class:`~politecrawl.robots.origin.OriginRules` into Scrapy's:
refusals, waits in the frontier, pacing, evidence. Other components read what
robots.txt says through :data:`robots_rules_in_force`, not by reading it again.
The page-level directives are :mod:`politecrawl.middlewares.spider.robots_page`.
"""

from __future__ import annotations

import logging
from collections import Counter
from typing import TYPE_CHECKING

from scrapy import Request, signals
from scrapy.exceptions import CloseSpider
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

from politecrawl.middlewares._scrapy_compat import fail_scrapy_command, sleep
from politecrawl.middlewares.downloader.robots_fetch import FETCH_META, fetch_robots_txt
from politecrawl.robots import (
    ENDED_UNREACHABLE, RobotsConfig, RobotsRecord, RobotsRules, Verdict, all_ended_unreachable, claim_fetch,
    load_record, note_decision, note_stop, record_from_fetch, release_fetch, save_record,
)
from politecrawl.admission import GateAnswer
from politecrawl.middlewares.runtime import ADMISSION, WAITED, Runtime, is_protocol_fetch, keys_of
from politecrawl.robots.origin import (
    ALLOW, FETCHED, KNOWN, REFUSE, WAIT, WAITED_FOR, Decision, OriginRules, back_to_frontier,
)
from politecrawl.robots.refresh import CLAIM, POLL, USE_STORED, Refresh
from politecrawl.sites import InvalidURL
from politecrawl.state import StateStoreError

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

COMPONENT = "robots"
#: ``request.meta`` key the middleware writes on every request it lets through:
#: ``{"origin", "version", "fetched_at", "rule"}`` — the robots.txt evidence.
META_EVIDENCE = "politecrawl_robots"
_NOTED_META = "_politecrawl_robots_noted"
_REQUEUED_META = "_politecrawl_robots_requeued"
#: Signal sent with ``origin`` and ``rules`` (:class:`RobotsRules`) when an origin's robots.txt rules
#: come into force: what other components read of robots.txt (its AI-use lines), not read again.
robots_rules_in_force = object()
#: The finish reason of a crawl whose every site ended with robots.txt unreachable.
FINISH_UNREACHABLE = "robots_txt_unreachable"


class RobotsTxtMiddleware:
    """Downloader middleware: robots.txt to RFC 9309, per origin, failing closed.

    A translator: the decisions are :class:`~politecrawl.robots.origin.OriginRules`'
    (per request) and :class:`~politecrawl.robots.refresh.Refresh`'s (the stored
    copy, another process's fetch, or ours). Its answers for origins whose rules
    are known are given at admission (:meth:`known_answer`), before the request
    takes a budget token; the middleware reads that answer and fetches
    robots.txt only for the others.
    """

    name = COMPONENT

    #: Download priority of robots.txt requests (ahead of pages).
    FETCH_PRIORITY = 1000
    #: Seconds another process may take to fetch a robots.txt before we fetch it ourselves.
    LEASE = Refresh.LEASE
    #: Evidence counts are written to the store every this many decisions (and at the end).
    FLUSH_EVERY = 1000
    #: Scrapy's download_maxsize for robots.txt: a longer announced length, or a body that
    #: decompresses past it, is a failed fetch (unreachable, fail closed).
    MAX_DOWNLOAD = 10 * 1024 * 1024

    def __init__(self, crawler: Crawler, runtime: Runtime, config: RobotsConfig) -> None:
        self.crawler = crawler
        self.runtime = runtime
        self.config = config
        self._origins: dict[str, OriginRules] = {}
        self._sites: dict[str, str] = {}  # origin -> site, read from the requests' stamp
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
        runtime.admission.add_gate(mw)
        crawler.signals.connect(mw.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(mw.spider_closed, signal=signals.spider_closed)
        return mw

    # -- the hook --------------------------------------------------------
    def known_answer(self, origin: str, url: str, now: float) -> GateAnswer | None:
        """The answer for *url* when the origin's rules are known and current (asked at admission)."""
        state = self._origins.get(origin)
        if state is None or not state.current(now, self.config):
            return None
        decision = state.known_at_admission(url, given_up=origin in self._given_up)
        if decision is None:
            return None
        return GateAnswer(decision.action == ALLOW, decision.reason, (origin, state, decision))

    async def process_request(self, request: Request) -> Request | None:
        meta = request.meta  # one lookup of the property
        if FETCH_META in meta or is_protocol_fetch(request):
            return None
        answer = meta.get(ADMISSION)
        known = answer.gate(COMPONENT) if answer is not None else None
        if known is not None:  # decided at admission: read, not asked again
            origin, state, decision = known.detail
            how = KNOWN
        else:
            found = await self._decide(request)
            if found is None:
                return None
            origin, state, decision, how = found
        verdict = decision.verdict
        if decision.action == WAIT:
            return self._unreachable(request, origin, state)
        if decision.action == REFUSE:
            if verdict is not None:
                self._note(origin, state.rules.version, verdict)
                self.runtime.audit.robots_refused(origin, verdict.rule)
            raise self.runtime.refuse(request, component=COMPONENT, reason=decision.reason)
        assert verdict is not None
        # a request sent back to the frontier by a later gate is counted once
        counted = meta.get(_NOTED_META) == (state.rules.version, verdict.rule)
        meta[META_EVIDENCE] = {
            "origin": origin,
            "version": state.rules.version,
            "fetched_at": state.rules.fetched_at,
            "rule": verdict.rule,
        }
        if back_to_frontier(how, state.paced, bool(meta.get(_REQUEUED_META))):
            return self.runtime.back_to_frontier(request, "robots/requeued", **{_REQUEUED_META: True})
        if how != KNOWN:
            meta[WAITED] = True  # stops or pauses that came meanwhile are asked about before the send
        if not counted:
            self._note(origin, state.rules.version, verdict)
            self.runtime.inc_stat("robots/allowed")
            meta[_NOTED_META] = (state.rules.version, verdict.rule)
        return None

    async def _decide(self, request: Request) -> tuple[str, OriginRules, Decision, str] | None:
        """``(origin, state, decision, how)`` for a request admission had no answer for.

        ``None`` when robots.txt has nothing to say (not http(s)). Refuses an
        invalid URL and, failing closed, a request whose origin's state cannot be read.
        """
        if urlparse_cached(request).scheme not in ("http", "https"):
            return None  # data:, file: ... nothing robots.txt can say
        try:
            site, origin = keys_of(request)
        except InvalidURL:
            raise self.runtime.refuse(request, component=COMPONENT, reason="invalid_url") from None
        self._sites.setdefault(origin, site)
        state = self._origins.get(origin)
        if state is not None and state.current(self.runtime.clock(), self.config):
            how = KNOWN  # the common case: no store, no wait
        else:
            try:
                state, how = await self._state_for(origin)
            except StateStoreError as exc:
                self.runtime.log_once(
                    ("robots-store", origin), logging.ERROR,
                    "politecrawl: robots.txt state of %s cannot be read or written (%s): "
                    "no request to it", origin, exc,
                )
                raise self.runtime.refuse(request, component=COMPONENT, reason="store_error") from None
        return origin, state, state.decide(request.url), how

    # -- one robots.txt per origin ------------------------------------------
    async def _state_for(self, origin: str) -> tuple[OriginRules, str]:
        """The origin's robots state, fetching or refreshing it first if needed.

        Returns ``(state, how)``: ``KNOWN`` (no wait), ``WAITED_FOR`` (waited for
        a fetch or the store), ``FETCHED`` (this request's turn was given to
        the robots.txt fetch). Concurrent callers share one fetch.
        """
        now = self.runtime.clock()
        state = self._origins.get(origin)
        if state is not None and state.current(now, self.config):
            return state, KNOWN
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
            return state, WAITED_FOR
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
        return state, FETCHED if fetched else WAITED_FOR

    async def _refresh(self, origin: str, current: OriginRules | None) -> tuple[OriginRules, bool]:
        """Do what :class:`Refresh` says: install the stored record, or fetch; ``(state, fetched)``."""
        store, clock = self.runtime.store, self.runtime.clock
        plan = Refresh(current.record if current is not None else None, lease=self.LEASE)
        step = plan.start(load_record(store, origin), clock())
        if step == CLAIM:
            step = plan.claimed(claim_fetch(store, origin, self.runtime.crawl_id, plan.lease), clock())
        while step == POLL:  # another process fetches it now: wait for its record, up to the lease
            await sleep(plan.poll_interval)
            step = plan.polled(load_record(store, origin), clock())
        if step == USE_STORED and plan.stored is not None:
            self.runtime.inc_stat("robots/from_store")
            return self._install(origin, plan.stored), False
        previous = plan.previous
        try:
            outcome = await fetch_robots_txt(
                self.crawler, self.runtime, self.config, origin,
                priority=self.FETCH_PRIORITY, max_download=self.MAX_DOWNLOAD,
            )
            record = record_from_fetch(origin, outcome, self.config, previous)
            save_record(store, record, clock(), self.config)
        finally:
            release_fetch(store, origin)
        self._count_fetch(record, refreshed=previous is not None)
        return self._install(origin, record), True

    # -- applying a record ---------------------------------------------------
    def _install(self, origin: str, record: RobotsRecord) -> OriginRules:
        now = self.runtime.clock()
        old = self._origins.get(origin)
        state = OriginRules.installed(record, now, self.config, old)
        rules, skip = state.rules, state.skip
        pacer = self.runtime.pacer
        pacer.set_min_interval(origin, state.interval, COMPONENT)
        pacer.set_visit_window(origin, *(state.window or (None, None)))
        self._origins[origin] = state
        if old is None or old.rules is not rules:
            self.crawler.signals.send_catch_log(signal=robots_rules_in_force, origin=origin, rules=rules)
        if skip is not None:
            self.runtime.log_once(
                ("robots-skip", origin), logging.WARNING,
                "politecrawl: robots.txt of %s asks for one request every %.1f s, more than "
                "POLITECRAWL_MAX_CRAWL_DELAY (%.1f s): the origin is skipped for this crawl",
                origin, rules.min_interval(), self.config.max_crawl_delay,
            )
        if record.kind == "unreachable":
            using = "its last good copy" if rules.version != record.version else "its requests wait"
            self.runtime.log_once(
                ("robots-unreachable", origin, record.failures == 1), logging.WARNING,
                "politecrawl: robots.txt of %s is unreachable (%s): %s; next try in %.0f s",
                origin, record.why_unreachable, using, max(0.0, record.expires_at - now),
            )
        if rules.disallows_everything():
            self._site_asked_to_stop(origin, record, rules, old)
        return state

    def _site_asked_to_stop(
        self, origin: str, record: RobotsRecord, rules: RobotsRules, old: OriginRules | None
    ) -> None:
        """``Disallow: /`` for us: the origin asks us to stay away. Recorded as a stop request."""
        if (origin, rules.version) in self._stops_noted:
            return
        self._stops_noted.add((origin, rules.version))
        flipped = old is not None and not old.rules.disallows_everything()
        site = self._sites[origin]
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

    def _all_ended_unreachable(self) -> dict[str, dict[str, int]] | None:
        """The crawl's tallies if every site of it ended with robots.txt unreachable, else ``None``."""
        tallies = self.runtime.tallies.as_dict()
        return tallies if self._given_up and all_ended_unreachable(tallies, tallies) else None

    def spider_idle(self) -> None:
        """Nothing left to do and every site ended unreachable: the crawl ends with a reason that says so."""
        if self._all_ended_unreachable() is not None:
            raise CloseSpider(FINISH_UNREACHABLE)

    def spider_closed(self) -> None:
        self.flush_evidence()
        now = self.runtime.clock()
        for origin, state in self._origins.items():
            if origin not in self._given_up and state.waiting():
                self._end_unreachable(origin, state, now)
        tallies = self._all_ended_unreachable()
        if tallies is not None:
            self.runtime.stats.set_value("politecrawl/robots/all_sites_unreachable", True)
            command = fail_scrapy_command(1)
            logger.error("politecrawl: robots.txt of every site of this crawl stayed unreachable (%s): "
                         "no page was requested%s", ", ".join(sorted(tallies)),
                         "; the crawl failed (exit code 1)" if command else "")

    # -- robots.txt unreachable: a wait, not a verdict ------------------------
    def _unreachable(self, request: Request, origin: str, state: OriginRules) -> Request:
        """The origin's robots.txt is unreachable: the request waits in the frontier until the
        next try, or (the next try after the crawl's end) is refused as unreachable."""
        record, now = state.record, self.runtime.clock()
        until = state.next_try(self.config, self._deadline)
        site = keys_of(request)[0]
        if until is not None and origin not in self._given_up:
            self.runtime.pacer.pause_origin(site, origin, until, COMPONENT)
            return self.runtime.back_to_frontier(request, "robots/waiting_unreachable", **{_REQUEUED_META: True})
        if origin not in self._given_up:
            self._end_unreachable(origin, state, now)
        verdict = Verdict(False, f"unreachable:{record.reason}")
        self._note(origin, record.version, verdict)
        self.runtime.audit.robots_refused(origin, verdict.rule)
        raise self.runtime.refuse(request, component=COMPONENT, reason="unreachable")

    def _end_unreachable(self, origin: str, state: OriginRules, now: float) -> None:
        self._given_up.add(origin)
        record = state.record
        site = self._sites[origin]
        self.runtime.tallies.add(site, ENDED_UNREACHABLE)
        self.runtime.inc_stat("robots/ended_unreachable")
        self.runtime.audit.event("robots-unreachable", site, origin=origin, reason=record.reason,
                                 status=record.status, failures=record.failures, since=record.since)
        self.runtime.log_once(
            ("robots-ended-unreachable", origin), logging.WARNING,
            "politecrawl: robots.txt of %s unreachable (%s, %d tries since %.0f s ago); the next try "
            "would come after the crawl's end: its requests are not sent (robots.txt unreachable)",
            origin, record.why_unreachable, record.failures, max(0.0, now - (record.fetched_at if record.since is None else record.since)),
        )
