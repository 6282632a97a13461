"""The last look before a send: the send time kept to the pace, and admission asked once more if the request waited.

:class:`SendGate` runs first in ``chain.BeforeSend`` (priority 980, after every
Scrapy downloader middleware). It is the one place that asks
:meth:`~politecrawl.admission.Admission.before_send`, and only for a request
that waited since the frontier admitted it:

* held here for its send time (the budget's send bucket,
  :meth:`~politecrawl.budget.BudgetLedger.send_wait`, at most ``SEND_HOLD``);
* waited in a gate for a robots.txt or tdmrep.json fetch (``meta[WAITED]``);
* or did not pass the frontier's admission at all.

A request the frontier let go without a token because Scrapy's HTTP cache would
answer it (``LOCAL``) and that reaches this point was not answered by the cache:
it goes back to the frontier for a token before it can reach the site. This
gate also gives the frontier that question (``runtime.answers_locally``,
:mod:`.local_cache`) when ``HTTPCACHE_ENABLED`` is on.

A request whose send time is further away than the hold goes back to the
frontier for a fresh turn. Protocol-file fetches are booked at once (they
cannot go back) and are asked again only if they were held.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from politecrawl.admission import LOCAL, STOPPED, WAIT, Answer
from politecrawl.middlewares._scrapy_compat import sleep
from politecrawl.middlewares.downloader.stops import SiteStopped
from politecrawl.config import bool_setting
from politecrawl.middlewares.runtime import ADMISSION, NOT_LOCAL, WAITED, Runtime, is_protocol_fetch, keys_of
from politecrawl.sites import InvalidURL

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler

    from politecrawl.budget import BudgetLedger


class SendGate:
    """Downloader middleware (first of ``BeforeSend``): send times held to the pace, admission asked again after a wait."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SendGate:
        runtime = Runtime.of(crawler)
        if bool_setting(crawler.settings.get, "HTTPCACHE_ENABLED", False):
            from politecrawl.middlewares.downloader.local_cache import LocalCache  # noqa: PLC0415

            runtime.answers_locally = LocalCache(crawler)  # the frontier lets cache hits go without a token
        return cls(runtime)

    @property
    def ledger(self) -> BudgetLedger | None:
        """The budget's ledger (``None`` when the budget is off)."""
        return self.runtime.budget

    def process_request(self, request: Request, spider: Spider | None = None) -> Any:
        try:
            site = keys_of(request)[0]
        except InvalidURL:
            return None
        answer = request.meta.get(ADMISSION)
        if answer is not None and answer.kind == LOCAL:
            # let go without a token for the local cache, which did not answer it after all: a token first
            return self.runtime.back_to_frontier(request, "budget/requeued_not_local", **{NOT_LOCAL: True})
        side_fetch = is_protocol_fetch(request)
        ledger = self.ledger
        wait = 0.0 if ledger is None else ledger.send_wait(site, self.runtime.clock(), force=side_fetch)
        if wait == 0.0:
            meta = request.meta
            if side_fetch or (ADMISSION in meta and WAITED not in meta):
                return None  # admitted just now by the frontier, nothing waited since
            return self._waited(request, site)
        if math.isinf(wait):
            # held up since it left the frontier: back there for a fresh turn
            return self.runtime.back_to_frontier(request, "budget/requeued_late")
        self.runtime.inc_stat("budget/held_for_pace")
        return self._send_after(request, site, self.runtime.clock() + wait)

    async def _send_after(self, request: Request, site: str, due: float) -> Request | None:
        """Hold a request until *due* (at most ``SEND_HOLD`` away) so that send times keep the pace."""
        await sleep(due - self.runtime.clock())
        now = self.runtime.clock()
        self.ledger.sent_late(site, now - due)  # type: ignore[union-attr] - held only with a ledger
        answer = self._ask(site, now)
        if answer.kind == STOPPED:  # stopped meanwhile: no request after a stop
            raise self.runtime.refuse(
                request, component="budget", reason=f"stopped-{answer.stop.source}", site=site
            )
        if answer.kind == WAIT:  # paused meanwhile (Retry-After)
            return self.runtime.back_to_frontier(request, "budget/requeued_paused")
        return None

    def _waited(self, request: Request, site: str) -> Request | None:
        """A request that waited in a gate (or was not admitted by the frontier): a stop or pause may have come."""
        answer = self._ask(site, self.runtime.clock())
        if answer.kind == STOPPED:
            source = answer.stop.source
            self.runtime.inc_stat(f"frontier/dropped/{source}")
            self.runtime.tallies.add(site, f"dropped:{source}")
            raise SiteStopped(f"politecrawl: {site} is stopped ({source})")
        if answer.kind == WAIT:
            return self.runtime.back_to_frontier(request, "stops/rescheduled")
        return None

    def _ask(self, site: str, now: float) -> Answer:
        """The one call that asks admission again before a send."""
        return self.runtime.admission.before_send(site, now)


__all__ = ["SendGate"]
