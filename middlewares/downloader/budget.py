"""Scrapy glue of the traffic budget: plug the ledger into the pacer, feed it responses.

The send-time hold is :class:`~politecrawl.middlewares.downloader.send.SendGate`'s.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from scrapy import signals
from scrapy.exceptions import DownloadCancelledError, IgnoreRequest, NotConfigured, StopDownload
from twisted.internet.defer import CancelledError

from politecrawl.budget import BudgetLedger, SiteBudget, load_estimates
from politecrawl.budget.servers import ServerLimit
from politecrawl.budget.settings import budget_settings
from politecrawl.middlewares.downloader.servers import install_server_limit
from politecrawl.settings_reader import SettingsReader
from politecrawl.progress import slow_budget_line
from politecrawl.middlewares.runtime import Runtime, keys_of
from politecrawl.sites import InvalidURL

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger("politecrawl.budget")


#: Exceptions that come from this crawler, not from the site: a gate's refusal
#: (robots.txt, stops, reservations, a pause: all ``IgnoreRequest``), a download
#: we stopped or cancelled ourselves (a size limit, the engine closing). None of
#: them says anything about the site's health, so none of them is strain.
OWN_EXCEPTIONS: tuple[type[BaseException], ...] = (
    IgnoreRequest, StopDownload, DownloadCancelledError, CancelledError,
)


def site_failure(exception: BaseException) -> bool:
    """Is *exception* the site's failure (timeout, refused or reset connection,
    DNS, bad answer), which is strain? Our own refusals and cuts are not."""
    return not isinstance(exception, OWN_EXCEPTIONS)


class BudgetMiddleware:
    """Downloader middleware: the budget's eyes (response times, errors, bytes)."""

    def __init__(self, runtime: Runtime, ledger: BudgetLedger, servers: ServerLimit | None = None) -> None:
        self.runtime = runtime
        self.ledger = ledger
        self.servers = servers

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BudgetMiddleware:
        read = SettingsReader(crawler.settings)
        if not read.boolean("POLITECRAWL_BUDGET_ENABLED", True):
            raise NotConfigured("POLITECRAWL_BUDGET_ENABLED is off")
        runtime = Runtime.of(crawler)
        settings = budget_settings(crawler.settings)
        estimates = load_estimates(read.raw("POLITECRAWL_SITE_TRAFFIC"))
        ledger = BudgetLedger(runtime.store, estimates, settings, answer_sizes=runtime.audit.totals.answer_sizes)
        mw = cls(runtime, ledger, install_server_limit(crawler, runtime, settings))
        ledger.on_new_site = mw._announce
        runtime.pacer.budget = ledger
        runtime.budget = ledger
        crawler.signals.connect(mw.spider_closed, signal=signals.spider_closed)
        logger.info(
            "politecrawl budget: share %.4g of each site's daily traffic, at most %.4g req/s per "
            "site and %.4g req/s per server, burst %.4g; %d site estimate(s) given, %.0f "
            "requests/day assumed otherwise",
            settings.share, settings.max_site_rate, settings.server_rate, settings.burst,
            len(estimates), settings.default_daily_requests,
        )
        return mw

    def _announce(self, budget: SiteBudget) -> None:
        estimate = budget.estimate
        self.runtime.inc_stat("budget/sites")
        self.runtime.tallies.note(budget.site, "cap_per_day", round(budget.cap * 86_400))
        self.runtime.audit.budget(
            budget.site, estimate_per_day=estimate.requests_per_day, source=estimate.source,
            bytes_per_day=estimate.bytes_per_day, cap=budget.cap, burst=self.ledger.settings.burst,
            share=self.ledger.settings.share,
            limited_by="max_site_rate" if budget.cap >= self.ledger.settings.max_site_rate else "share",
        )
        logger.info(
            "politecrawl budget: %s: ~%.0f requests/day (%s)%s -> cap %.0f requests/day "
            "(%.4g req/s)",
            budget.site,
            estimate.requests_per_day,
            estimate.source,
            f", {estimate.bytes_per_day:.0f} bytes/day" if estimate.bytes_per_day else "",
            budget.cap * 86_400,
            budget.cap,
        )
        slow = slow_budget_line(budget.site, budget.cap, estimate.source)
        if slow is not None:
            logger.info("politecrawl budget: %s", slow)

    def _observe(self, request: Request, *, error: bool) -> None:
        try:
            site = keys_of(request)[0]
        except InvalidURL:
            return
        latency = request.meta.get("download_latency")
        if self.ledger.observe(site, self.runtime.clock(), latency=latency, error=error):
            self.runtime.inc_stat("budget/slowdowns")
            self.runtime.tallies.add(site, "slowdowns")
            self.runtime.log_once(
                ("strain", site), logging.INFO,
                "politecrawl budget: %s shows strain (slow answers or errors): its rate is "
                "lowered, and recovers slowly", site,
            )

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Response:
        if "cached" in response.flags:
            return response  # answered locally: the site sent nothing
        self._observe(request, error=response.status >= 500)
        return response

    def process_exception(
        self, request: Request, exception: Exception, spider: Spider | None = None
    ) -> None:
        if not site_failure(exception):
            self.runtime.inc_stat("budget/own_refusals_not_strain")
            return
        self._observe(request, error=True)

    def spider_closed(self, spider: Spider) -> None:
        errors = self.ledger.ledger_errors + (self.servers.ledger_errors if self.servers else 0)
        if errors:
            self.runtime.stats.set_value("politecrawl/budget/ledger_errors", errors)
        for site, budget in sorted(self.ledger.sites.items()):
            logger.info(
                "politecrawl budget: %s: cap %.4g req/s, rate at the end %.4g req/s",
                site, budget.cap, budget.rate,
            )
