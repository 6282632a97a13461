"""The per-site traffic budget: a share of the site's daily traffic, spent evenly.

cap (requests/s) = min(share × estimated requests per day / 86,400,
                       POLITECRAWL_MAX_SITE_RATE)

Each site has one token bucket in the state store (``budget:<site>``),
refilled at the site's current rate up to ``burst`` tokens, and a request is
sent only after a token was taken from it in one atomic store operation, as
the last step before the request goes to the network (:meth:`BudgetLedger.take`,
called by the budget downloader middleware). So, from the site's side, over
any window W it receives at most ``rate × W + burst`` requests from us —
across restarts (the bucket persists; a new bucket starts with one token, not
a burst) and across processes sharing the store. A crash loses no record: the
token is taken *before* the request is sent (crash bound: 0 unrecorded
requests).

The frontier decides *when* a request leaves its queue with a local copy of
the bucket (:meth:`BudgetLedger.acquire`: same rate and burst, no store
round-trip). Taking the store token at send time rather than at release means
a request held up on its way (a robots.txt lookup, a busy event loop) costs no
token and cannot reach the site closer to the previous one than the rate
allows; a request the store refuses (its token went to a robots.txt fetch, or
to another process) goes back to the frontier until the bucket refills.

The current rate is the cap, lowered by strain (:mod:`.strain`) and, where a
bytes-per-day estimate exists, by the byte budget: rate ≤ share × bytes per
day / 86,400 / (average bytes per response so far).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass

from ..state import StateStore, StateStoreError
from .estimates import TrafficEstimate
from .strain import StrainController

__all__ = ["BudgetLedger", "BudgetSettings", "SiteBudget"]

logger = logging.getLogger("politecrawl.budget")

DAY = 86_400.0
#: How long to wait before asking an unreadable ledger again (fail closed).
LEDGER_RETRY = 1.0


@dataclass(frozen=True)
class BudgetSettings:
    share: float = 1 / 3
    default_daily_requests: float = 10_000
    max_site_rate: float = 1.0
    burst: float = 2.0


class SiteBudget:
    """What one site may get: its estimate, cap, current rate and byte average."""

    __slots__ = ("site", "estimate", "cap", "byte_rate", "strain", "bytes_seen", "responses",
                 "hint", "turn_tokens", "turn_at")

    def __init__(self, site: str, estimate: TrafficEstimate, settings: BudgetSettings) -> None:
        self.site = site
        self.estimate = estimate
        self.cap = min(settings.share * estimate.requests_per_day / DAY, settings.max_site_rate)
        self.byte_rate = (
            settings.share * estimate.bytes_per_day / DAY if estimate.bytes_per_day else None
        )
        self.strain = StrainController(self.cap)
        self.bytes_seen = 0.0
        self.responses = 0
        self.hint = 0.0  # earliest time the store said a token would be there
        # the frontier's local copy of the bucket (see BudgetLedger.acquire)
        self.turn_tokens = 1.0
        self.turn_at: float | None = None

    @property
    def rate(self) -> float:
        rate = self.strain.rate
        if self.byte_rate is not None and self.responses:
            rate = min(rate, self.byte_rate / max(1.0, self.bytes_seen / self.responses))
        return rate


class BudgetLedger:
    """The :class:`~politecrawl.pacing.BudgetGate` backed by the state store."""

    def __init__(
        self,
        store: StateStore,
        estimates: dict[str, TrafficEstimate],
        settings: BudgetSettings,
        *,
        on_new_site: Callable[[SiteBudget], None] | None = None,
    ) -> None:
        self.store = store
        self.estimates = estimates
        self.settings = settings
        self.on_new_site = on_new_site
        self.sites: dict[str, SiteBudget] = {}
        self.ledger_errors = 0

    def site(self, site: str) -> SiteBudget:
        budget = self.sites.get(site)
        if budget is None:
            estimate = self.estimates.get(site) or TrafficEstimate(
                self.settings.default_daily_requests, None, "default"
            )
            budget = self.sites[site] = SiteBudget(site, estimate, self.settings)
            if self.on_new_site is not None:
                self.on_new_site(budget)
        return budget

    def acquire(self, site: str, now: float) -> float:
        """The frontier's turn: 0.0 if a request of *site* may leave its queue now, else seconds to wait.

        Local and cheap (no store round-trip): a token bucket with the site's
        rate and burst, held back by the last refusal of the store. It only
        spaces out releases; the binding token is taken by :meth:`take` when
        the request is sent.
        """
        budget = self.site(site)
        if budget.hint > now:
            return budget.hint - now
        rate = budget.rate
        at = now if budget.turn_at is None else budget.turn_at
        tokens = min(self.settings.burst, budget.turn_tokens + max(0.0, now - at) * rate)
        budget.turn_at = max(at, now)
        if tokens >= 1.0:
            budget.turn_tokens = tokens - 1.0
            return 0.0
        budget.turn_tokens = tokens
        return math.inf if rate <= 0 else (1.0 - tokens) / rate

    def take(self, site: str, now: float) -> float:
        """Take one token of *site* from the store bucket: 0.0 if taken, else seconds to wait.

        Called when a request is about to be sent. An unreadable ledger
        refuses (fail closed) and is asked again after :data:`LEDGER_RETRY`.
        A refusal holds back the frontier's turns until the store's token is
        due (:meth:`ready_at`).
        """
        budget = self.site(site)
        rate = budget.rate
        try:
            granted, wait = self.store.take_tokens(f"budget:{site}", now, rate, self.settings.burst)
        except StateStoreError as exc:
            self.ledger_errors += 1
            if self.ledger_errors == 1 or math.log2(self.ledger_errors).is_integer():
                logger.error(
                    "politecrawl budget: the ledger cannot be read (%s); %s gets no request "
                    "until it can (fail closed)", exc, site,
                )
            budget.hint = max(budget.hint, now + LEDGER_RETRY)
            return LEDGER_RETRY
        if granted:
            return 0.0
        # The store holds (1 - wait × rate) tokens: set the local copy to that, so
        # the next turn comes exactly when the store's token is due (a token that
        # went to a robots.txt fetch or another process is not counted twice, and
        # the refused request's turn is not lost either).
        if math.isfinite(wait) and rate > 0:
            budget.turn_tokens = max(0.0, 1.0 - wait * rate)
            budget.turn_at = now
        else:
            budget.hint = math.inf
        return wait

    def ready_at(self, site: str, now: float) -> float:
        """Earliest time :meth:`acquire` would give *site* a turn (nothing spent)."""
        budget = self.sites.get(site)
        if budget is None:
            return now
        ready = max(now, budget.hint)
        if budget.turn_at is not None:
            rate = budget.rate
            tokens = min(self.settings.burst,
                         budget.turn_tokens + max(0.0, ready - budget.turn_at) * rate)
            if tokens < 1.0:
                ready = math.inf if rate <= 0 else ready + (1.0 - tokens) / rate
        return ready

    def observe(self, site: str, now: float, *, latency: float | None, error: bool,
                nbytes: int = 0) -> bool:
        """Feed a response (or a failure) of *site*; return whether its rate was cut."""
        budget = self.site(site)
        if not error:
            budget.responses += 1
            budget.bytes_seen += nbytes
        return budget.strain.observe(now, latency, error)
