"""The reservation gate: no request for a purpose its site reserved (decisions in :mod:`politecrawl.stops`).

:class:`ReservationGate` fetches ``/.well-known/tdmrep.json`` once per origin
(when the purpose is one TDM binds; a stored copy is used while unexpired) and
refuses requests whose path is reserved for the crawl's purpose by the file or
by robots.txt lines. While the file is unreachable (a network error, 429, 5xx)
the origin's requests wait in the frontier and the file is fetched again on
robots.txt's outage schedule (:mod:`politecrawl.robots.outage`); when the wait
would run past the crawl's end the origin counts as reserved (fail closed).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from scrapy import Request
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred

from politecrawl.admission import GateAnswer
from politecrawl.robots import RobotsConfig
from politecrawl.retry_after import retry_after_seconds
from politecrawl.robots.outage import next_try
from politecrawl.middlewares.runtime import ADMISSION, PROTOCOL_FETCH, WAITED, is_protocol_fetch, keys_of
from politecrawl.sites import InvalidURL
from politecrawl.state import StateStoreError
from politecrawl.stops import TDMREP_PATH, TDMRepFile, parse_tdmrep_file
from politecrawl.stops.tdmrep import UNREACHABLE, TDMRepOutage, outage_after
from politecrawl.stops.patterns import path_of
from politecrawl.stops.purposes import TDM, Reservation
from politecrawl.stops.tdmrep_store import (
    claim_tdmrep_fetch,
    load_tdmrep,
    release_tdmrep_fetch,
    save_tdmrep,
    tdmrep_fetch_claimed,
    tdmrep_life,
)
from politecrawl.middlewares._scrapy_compat import sleep
from politecrawl.middlewares.downloader.sizecut import CUT_AT, is_size_cut

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

from politecrawl.middlewares.downloader.stops import META_TDMREP, StopsContext

logger = logging.getLogger("politecrawl.stops")
#: Seconds a process may hold the fetch of an origin's tdmrep.json before another takes over.
FETCH_LEASE = 15.0


class ReservationGate:
    """Downloader middleware (after robots.txt): no request for a reserved purpose.

    Its answers for origins whose tdmrep.json (when the purpose needs it) is
    known are given at admission (:meth:`known_answer`), before the request
    takes a budget token; the middleware reads that answer.
    """

    name = "reservations"

    def __init__(self, ctx: StopsContext) -> None:
        self.ctx = ctx
        self.runtime = ctx.runtime
        self.crawler = ctx.crawler
        # an unreachable tdmrep.json is tried again on robots.txt's schedule, up to the crawl's end
        robots = RobotsConfig.from_settings(ctx.crawler.settings.get, bot_name=self.runtime.config.bot_name)
        self._retry = (robots.retry_base, robots.retry_max, robots.max_wait)
        timeout = ctx.crawler.settings.getfloat("CLOSESPIDER_TIMEOUT", 0.0)
        self._deadline = self.runtime.clock() + timeout if timeout > 0 else None
        self._outages: dict[str, TDMRepOutage] = {}
        self._given_up: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ReservationGate:
        gate = cls(StopsContext.of(crawler))
        gate.runtime.admission.add_gate(gate)
        return gate

    def known_answer(self, origin: str, url: str, now: float) -> GateAnswer | None:
        """The answer for *url* when what can reserve it before fetching is known (asked at admission)."""
        found = self._found(origin, url)
        if found is None:
            return None
        binding = [r for r in found if self.ctx.binds(r)]
        return GateAnswer(False, binding[0].source) if binding else GateAnswer(True)

    def _found(self, origin: str, url: str) -> list[Reservation] | None:
        """The reservations of the origin's tdmrep.json and robots.txt lines for *url*;
        ``None`` while a tdmrep.json the purpose needs is not known."""
        tdmrep = None
        if self.ctx.purpose in TDM:
            tdmrep = self.ctx.tdmrep.get(origin)
            if not isinstance(tdmrep, TDMRepFile):
                return None
            if tdmrep.status == UNREACHABLE and origin not in self._given_up:
                return None  # a wait, not a verdict: the pacer holds the origin until the next try
        robots = self.ctx.robots.get(origin)
        if tdmrep is None and robots is None:
            return []
        path = path_of(url)
        found: list[Reservation] = []
        if tdmrep is not None:
            res = tdmrep.reservation(path)
            if res is not None:
                found.append(res)
        if robots is not None:
            found.extend(robots.reservations(path))
        return found

    async def process_request(self, request: Request, spider: Any = None) -> Request | None:
        if is_protocol_fetch(request):
            return
        meta = request.meta
        answer = meta.get(ADMISSION)
        known = answer.gate(self.name) if answer is not None and not meta.get(WAITED) else None
        if known is not None:  # decided at admission, nothing learnt since: read, not asked again
            if not known.allowed:
                raise self.runtime.refuse(request, component="reservations", reason=known.reason)
            return None
        try:
            origin = keys_of(request)[1]
        except InvalidURL:
            return
        fetched = False
        if self.ctx.purpose in TDM:
            if not self._known(origin):
                _, fetched = await self._tdmrep(origin)
                if not fetched:
                    meta[WAITED] = True  # waited for another request's fetch
            tdmrep = self.ctx.tdmrep.get(origin)
            if isinstance(tdmrep, TDMRepFile) and tdmrep.status == UNREACHABLE and self._waits(origin):
                site = keys_of(request)[0]
                self.runtime.pacer.pause_origin(site, origin, self._outages[origin].retry_at, self.name)
                return self.runtime.back_to_frontier(request, "reservations/waiting_unreachable")
        found = self._found(origin, request.url) or []
        binding = [r for r in found if self.ctx.binds(r)]
        if binding:
            raise self.runtime.refuse(
                request, component="reservations", reason=binding[0].source
            )
        if fetched:
            # This request's turn (budget, pace) went to the tdmrep.json fetch it
            # triggered: back to the frontier to wait for a turn of its own.
            return self.runtime.back_to_frontier(request, "reservations/requeued")
        return None

    def _known(self, origin: str) -> bool:
        """Whether the origin's tdmrep.json is known and needs no fetch now (an unreachable
        one is fetched again when its next try is due, unless the origin's wait is over)."""
        cached = self.ctx.tdmrep.get(origin)
        if not isinstance(cached, TDMRepFile):
            return False
        if cached.status != UNREACHABLE or origin in self._given_up:
            return True
        return self.runtime.clock() < self._outages[origin].retry_at

    def _waits(self, origin: str) -> bool:
        """An unreachable tdmrep.json: do the origin's requests wait for its next try? When the
        next try would come after the crawl's end, the wait is over: the origin counts as reserved."""
        if origin in self._given_up:
            return False
        outage = self._outages[origin]
        max_wait = self._retry[2]
        if next_try(outage.since, outage.retry_at, max_wait=max_wait, deadline=self._deadline) is not None:
            return True
        self._given_up.add(origin)
        self.runtime.inc_stat("reservations/tdmrep/ended_unreachable")
        self.runtime.log_once(
            ("tdmrep-ended-unreachable", origin), logging.WARNING,
            "politecrawl: tdmrep.json of %s unreachable (%s, %d tries): the next try would come after "
            "the crawl's end: treated as a TDM reservation of the whole origin", origin, outage.why,
            outage.failures,
        )
        return False

    async def _tdmrep(self, origin: str) -> tuple[TDMRepFile, bool]:
        """The origin's tdmrep.json, and whether this call fetched it."""
        cached = self.ctx.tdmrep.get(origin)
        if isinstance(cached, TDMRepFile) and self._known(origin):
            return cached, False
        if isinstance(cached, list):  # a fetch is under way: wait on a Deferred of our own
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
        if parsed.status == UNREACHABLE:
            outage = self._outages[origin]
            self.runtime.log_once(
                ("tdmrep-unreachable", origin, outage.failures == 1), logging.WARNING,
                "politecrawl: tdmrep.json of %s is unreachable (%s): its requests wait (reserved "
                "until it answers); next try in %.0f s", origin, outage.why,
                max(0.0, outage.retry_at - self.runtime.clock()),
            )
        else:
            self._outages.pop(origin, None)
        if parsed.fail_closed and parsed.status != UNREACHABLE:
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
        store, clock = self.runtime.store, self.runtime.clock
        stored = load_tdmrep(store, origin, clock())
        if stored is not None:
            self.runtime.inc_stat("reservations/tdmrep/from_store")
            return stored, False
        deadline = clock() + FETCH_LEASE
        while not claim_tdmrep_fetch(store, origin, self.runtime.crawl_id, FETCH_LEASE):
            # another process (a cluster node) fetches it now: wait for its copy
            await sleep(0.2)
            stored = load_tdmrep(store, origin, clock())
            if stored is not None:
                self.runtime.inc_stat("reservations/tdmrep/from_store")
                return stored, False
            if clock() >= deadline or not tdmrep_fetch_claimed(store, origin):
                break  # its fetch kept no copy (a network error) or it died: fetch here
        try:
            return await self._fetch(origin)
        finally:
            release_tdmrep_fetch(store, origin)

    async def _fetch(self, origin: str) -> tuple[TDMRepFile, bool]:
        store = self.runtime.store
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
            return self._unreachable(origin, f"network error ({type(exc).__name__})", None), True
        parsed = parse_tdmrep_file(response.status, response.body, limit)
        if parsed.status == UNREACHABLE:
            asked = retry_after_seconds(response.headers.getlist(b"Retry-After"), self.runtime.clock())
            return self._unreachable(origin, f"HTTP {response.status}", asked), True
        self.runtime.inc_stat(f"reservations/tdmrep/{parsed.status}")
        cache_control = [v.decode("latin-1") for v in response.headers.getlist(b"Cache-Control")]
        save_tdmrep(store, origin, parsed, self.runtime.clock(), tdmrep_life(cache_control))
        return parsed, True

    def _unreachable(self, origin: str, why: str, asked: float | None) -> TDMRepFile:
        """A fetch that failed (not stored: the next crawl asks again); the outage is counted."""
        base, cap, _ = self._retry
        self._outages[origin] = outage_after(self._outages.get(origin), self.runtime.clock(), why, asked,
                                             base=base, cap=cap)
        self.runtime.inc_stat(f"reservations/tdmrep/{UNREACHABLE}")
        return TDMRepFile(UNREACHABLE)


__all__ = ["ReservationGate"]
