"""The last look before a send: the send time kept to the pace, and admission asked once more if the request waited.

:class:`SendGate` runs first in ``chain.BeforeSend`` (priority 980, after every
Scrapy downloader middleware). It is the one place that asks
:meth:`~politecrawl.admission.Admission.before_send`, and only for a request
that waited since the frontier admitted it:

* held here for its send time (the budget's send bucket,
  :meth:`~politecrawl.budget.BudgetLedger.send_wait`, at most ``SEND_HOLD``; on a
  cluster node the send slots every node shares, ``runtime.send_slots``);
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
from politecrawl.budget.ledger import SEND_HOLD
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
        wait = self._send_wait(request, site, self.runtime.clock(), side_fetch)
        if wait == 0.0:
            meta = request.meta
            if side_fetch or (ADMISSION in meta and WAITED not in meta):
                return None  # admitted just now by the frontier, nothing waited since
            return self._waited(request, site)
        if math.isinf(wait):
            # held up since it left the frontier: back there for a fresh turn
            return self.runtime.back_to_frontier(request, "budget/requeued_late")
        self.runtime.inc_stat("budget/held_for_pace")
        return self._send_after(request, site, self.runtime.clock() + wait, side_fetch)

    def _send_wait(self, request: Request, site: str, now: float, force: bool) -> float:
        """How long *request* must still wait to keep the pace on send times: the cluster's shared
        send slots (``runtime.send_slots``), else the budget ledger's send bucket."""
        slots = self.runtime.send_slots
        if slots is not None:
            return slots.send_wait(request, site, now, force=force)
        ledger = self.ledger
        return 0.0 if ledger is None else ledger.send_wait(site, now, force=force)

    async def _send_after(self, request: Request, site: str, due: float, force: bool) -> Request | None:
        """Hold a request until *due* so that send times keep the pace (at most ``SEND_HOLD`` away).
        A cluster node asks its send slot again when it wakes: a hold that ended late takes a new
        slot (and may wait again, ``SEND_HOLD`` in all) rather than go close to another node's send."""
        since = self.runtime.clock()
        while True:
            await sleep(due - self.runtime.clock())
            now = self.runtime.clock()
            slots = self.runtime.send_slots
            if slots is None:
                self.ledger.sent_late(site, now - due)  # type: ignore[union-attr] - held only with a ledger
                break
            # a node that keeps waking late must not hold a request (and take slots) for ever
            left = SEND_HOLD - (now - since)
            wait = slots.send_wait(request, site, now, force=force, hold=max(0.0, left))
            if wait == 0.0:
                break
            if math.isinf(wait):
                return self.runtime.back_to_frontier(request, "budget/requeued_late")
            due = now + wait
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
