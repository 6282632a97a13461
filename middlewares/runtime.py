"""The objects one crawl's politecrawl components share.

Every component gets them with :meth:`Runtime.of` in its ``from_crawler``;
the first call builds them (reading the core settings, opening the state
store) and later calls return the same object.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections import Counter, defaultdict
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import IgnoreRequest

from ._scrapy_compat import stats_incrementer
from politecrawl.audit import AuditTrail
from politecrawl.clock import SYSTEM_CLOCK, Clock
from politecrawl.config import PolitecrawlConfig
from politecrawl.pacing import Pacer
from politecrawl.sites import origin_key, site_key, site_or_invalid
from politecrawl.state import StateStore, open_store

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler

__all__ = ["PROTOCOL_FETCH", "Runtime", "SiteTallies", "is_protocol_fetch", "new_crawl_id"]

logger = logging.getLogger("politecrawl")

_ATTR = "_politecrawl_runtime"

#: Meta key that marks a protocol-file fetch politecrawl makes itself (its value
#: names the file: "robots.txt", "tdmrep.json"). The robots and reservation
#: gates let such a request through (it is how they learn the rules); it is
#: still counted, refused for a stopped site, and paid for by the turn of the
#: request that triggered it.
PROTOCOL_FETCH = "politecrawl_protocol_fetch"


def is_protocol_fetch(request: Request) -> bool:
    return bool(request.meta.get(PROTOCOL_FETCH))


def new_crawl_id(now: float) -> str:
    """A sortable, unique crawl id: UTC start time plus 6 random hex digits."""
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(now)) + "-" + secrets.token_hex(3)


class SiteTallies:
    """Per-site counters for the end-of-crawl summary (names, never values)."""

    def __init__(self) -> None:
        self._by_site: defaultdict[str, Counter[str]] = defaultdict(Counter)
        self._changed: set[str] = set()

    def add(self, site: str, name: str, n: int = 1) -> None:
        self._by_site[site][name] += n
        self._changed.add(site)

    def take_changed(self) -> dict[str, dict[str, int]]:
        """The counts of the sites changed since the last call (for the audit trail)."""
        changed, self._changed = self._changed, set()
        return {site: dict(self._by_site[site]) for site in sorted(changed)}

    def get(self, site: str, name: str) -> int:
        return self._by_site.get(site, Counter())[name]

    def sites(self) -> list[str]:
        return sorted(self._by_site)

    def __len__(self) -> int:
        """How many sites have counts."""
        return len(self._by_site)

    def as_dict(self) -> dict[str, dict[str, int]]:
        return {site: dict(counts) for site, counts in sorted(self._by_site.items())}


class _FanOut:
    """One Scrapy signal receiver that calls several politecrawl hooks in turn.

    Scrapy's dispatcher inspects each receiver's signature on every send (~8 us a
    receiver): the per-request signals get one receiver for all of politecrawl.
    A hook that raises is logged as Scrapy logs a failing receiver; the others still run.
    """

    def __init__(self) -> None:
        self.hooks: list[Any] = []

    def __call__(self, signal: Any = None, sender: Any = None, **named: Any) -> None:
        for hook in self.hooks:
            try:
                hook(**named)
            except Exception:  # noqa: BLE001 - as Scrapy's send_catch_log: log, go on with the next
                logger.error("Error caught on signal handler: %r", hook, exc_info=True)


class Runtime:
    """Config, state store, clock, pacer and tallies of one crawler."""

    def __init__(
        self,
        config: PolitecrawlConfig,
        store: StateStore,
        *,
        clock: Clock = SYSTEM_CLOCK,
        stats: Any = None,
        crawl_id: str | None = None,
    ) -> None:
        self.config = config
        self.store = store
        self.clock = clock
        self.stats = stats
        self.crawl_id = crawl_id or new_crawl_id(clock())
        self.pacer = Pacer()
        self.budget: Any = None  # the BudgetLedger, once the budget component is on
        self.tallies = SiteTallies()
        #: The audit trail (docs/audit.md): ``audit.event(kind, site, **data)``,
        #: ``audit.count(site, metric, n, key=...)``, ``audit.stop(...)``, ...
        self.audit = AuditTrail(store, self.crawl_id, clock)
        self._logged: set[Any] = set()
        self._fanouts: dict[Any, _FanOut] = {}

    @classmethod
    def of(cls, crawler: Crawler) -> Runtime:
        runtime = getattr(crawler, _ATTR, None)
        if runtime is None:
            config = PolitecrawlConfig.from_settings(crawler.settings)
            store = open_store(config.state_url, batch=config.ledger_batch)
            runtime = cls(config, store, stats=crawler.stats)
            setattr(crawler, _ATTR, runtime)
        return runtime

    @classmethod
    def peek(cls, crawler: Crawler) -> Runtime | None:
        """The crawler's runtime if one was built, else ``None`` (for parts usable without the core)."""
        return getattr(crawler, _ATTR, None)

    def connect(self, crawler: Crawler, hook: Any, signal: Any) -> None:
        """Connect *hook* to a per-request Scrapy *signal* (one receiver for all of politecrawl's hooks).

        Hooks run in the order they were connected, with the signal's named arguments.
        """
        fan = self._fanouts.get(signal)
        if fan is None:
            fan = self._fanouts[signal] = _FanOut()  # kept here: Scrapy holds receivers weakly
            crawler.signals.connect(fan, signal=signal)
        fan.hooks.append(hook)

    @staticmethod
    def site_and_origin(url: str) -> tuple[str, str]:
        """``(site_key, origin_key)`` of a URL; raises :class:`InvalidURL`."""
        return site_key(url), origin_key(url)

    async def wait_for_turn(self, request: Request, *, component: str) -> None:
        """Wait until the pacer lets one request to *request*'s site go, and spend it.

        For the few requests that do not pass through the frontier (robots.txt,
        tdmrep.json fetches): they are charged to the same budget and obey the
        same pauses and stops. Raises :class:`IgnoreRequest` if the site is stopped.
        """
        from ._scrapy_compat import sleep  # noqa: PLC0415 - needs the reactor

        site, origin = self.site_and_origin(request.url)
        while True:
            wait = self.pacer.acquire(site, origin, self.clock())
            if wait == 0.0:
                return
            if wait == float("inf"):
                stop = self.pacer.stopped(site)
                raise self.refuse(
                    request, component=component, reason=f"stopped-{stop.source if stop else 'site'}",
                    site=site,
                )
            await sleep(min(wait, 1.0))

    # -- logging and counting -------------------------------------------
    def log_once(self, key: Any, level: int, msg: str, *args: Any) -> None:
        """Log *msg* the first time *key* is seen in this crawl."""
        if key not in self._logged:
            self._logged.add(key)
            logger.log(level, msg, *args)

    @property
    def stats(self) -> Any:
        """Scrapy's stats collector (or ``None``)."""
        return self._stats

    @stats.setter
    def stats(self, stats: Any) -> None:
        self._stats = stats
        self._inc_value = stats_incrementer(stats)  # without Scrapy's per-access shim

    def inc_stat(self, key: str, n: int = 1) -> None:
        if self._inc_value is not None:
            self._inc_value(f"politecrawl/{key}", n)

    def refuse(
        self, request: Request, *, component: str, reason: str, site: str | None = None
    ) -> IgnoreRequest:
        """Count, tally and log (once per site and reason) a refused request.

        Returns the :class:`IgnoreRequest` for the caller to raise.
        """
        if site is None:
            site = site_or_invalid(request.url)
        self.inc_stat(f"{component}/refused/{reason}")
        self.tallies.add(site, f"refused:{component}:{reason}")
        self.log_once(
            ("refuse", site, component, reason),
            logging.INFO,
            "politecrawl: %s refused requests to %s (%s); further refusals are counted, not logged",
            component,
            site,
            reason,
        )
        return IgnoreRequest(f"politecrawl {component}: {reason}")
