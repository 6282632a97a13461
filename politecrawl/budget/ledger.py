"""The per-site traffic budget: a share of the site's daily traffic, spent evenly.

cap (requests/s) = min(share × estimated requests per day / 86,400,
                       POLITECRAWL_MAX_SITE_RATE)

Each site has one token bucket in the state store (``budget:<site>``),
refilled at the site's current rate up to ``burst`` tokens, and a request is
sent only after a token was taken from it in one atomic store operation. So,
from the site's side, over any window W it receives at most
``rate × W + burst`` requests from us — across restarts (the bucket persists;
a new bucket starts with one token, not a burst) and across processes
sharing the store. The token is taken *before* the request is sent; the
SQLite store writes takes behind, in batches, so a crash leaves at most
``POLITECRAWL_LEDGER_BATCH`` takes unrecorded, per site those of the last
0.25 s (:mod:`politecrawl.state.writebehind`; batch 0 and Redis: none).

The frontier takes the token when a request leaves its queue; the send gate
then holds the request, at most ``SEND_HOLD``, so that *send* times
keep the pace too (:meth:`BudgetLedger.send_wait`). Both space requests a
little wider than the rate (:attr:`SiteBudget.pace`), so that delays after the
pacing point cannot bring two closer together than the rate allows.

The current rate is the cap, lowered by strain (:mod:`.strain`) and, where a
bytes-per-day estimate exists, by the byte budget: rate ≤ share × bytes per
day / 86,400 / (average bytes per answer so far). The answers and their bytes
are not counted here: the ledger reads them (``answer_sizes``; in a crawl, the
audit trail's counts).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass

from ..state import StateStore, StateStoreError
from .estimates import DEFAULT_DAILY_REQUESTS, TrafficEstimate
from .strain import StrainController

__all__ = ["AnswerSizes", "BudgetLedger", "BudgetSettings", "SeenBucket", "SiteBudget"]

#: ``(answers, body bytes)`` received from a site so far.
AnswerSizes = Callable[[str], tuple[int, float]]


def no_answers(site: str) -> tuple[int, float]:
    """The answer sizes of a ledger told none: no byte average, the byte budget waits for answers."""
    return (0, 0.0)

logger = logging.getLogger("politecrawl.budget")

DAY = 86_400.0
#: How long to wait before asking an unreadable ledger again (fail closed).
LEDGER_RETRY = 1.0
#: The longest a request that left the frontier may be held before it is sent, to keep the
#: pace on send times (:meth:`BudgetLedger.send_wait`); a longer wait sends it back to the
#: frontier. Held requests hold a place of ``CONCURRENT_REQUESTS``, so this stays short.
SEND_HOLD = 1.0
#: The pacing margin is at most this share of the interval between two requests.
PACE_MARGIN_MAX_SHARE = 0.02


@dataclass(frozen=True)
class BudgetSettings:
    share: float = 1 / 3
    default_daily_requests: float = DEFAULT_DAILY_REQUESTS
    max_site_rate: float = 1.0
    burst: float = 2.0
    #: Seconds added to the interval between two requests to a site, so that delays between
    #: our pacing and the site's receipt (event loop, network) cannot bring two closer than
    #: the rate allows, up to 2 % of the interval (:attr:`SiteBudget.pace`).
    pace_margin: float = 0.03
    #: Requests per second per server (``POLITECRAWL_MAX_IP_RATE``); ``None``: ``max_site_rate``
    #: (:attr:`server_rate`), see docs/budget.md for why.
    max_ip_rate: float | None = None

    @property
    def server_rate(self) -> float:
        """The rate of every server's bucket (:mod:`politecrawl.budget.servers`)."""
        return self.max_site_rate if self.max_ip_rate is None else self.max_ip_rate


class SeenBucket:
    """A token bucket of the state store as this process last saw it, refilled by the same rule.

    Updated from each take's answer (a grant: one token less; a refusal: its wait says what is
    left), it tells how long until the bucket holds a token without asking the store. Other
    processes sharing the bucket only ever take from it, so it never holds fewer tokens than seen
    here... except a bucket first seen by a grant, taken to have held just that one token.
    """

    __slots__ = ("tokens", "at")

    #: A bucket this close to a token counts as holding one (float rounding); the store decides.
    ROUNDING = 1e-9

    def __init__(self) -> None:
        self.tokens: float | None = None
        self.at = 0.0

    def _now(self, now: float, pace: float, burst: float) -> float:
        assert self.tokens is not None
        return min(burst, self.tokens + max(0.0, now - self.at) * pace)

    def wait(self, now: float, pace: float, burst: float) -> float:
        """Seconds until the bucket holds a token (``0.0``: it may; never seen: it may)."""
        if self.tokens is None:
            return 0.0
        tokens = self._now(now, pace, burst)
        if tokens >= 1.0 - self.ROUNDING:
            return 0.0
        return (1.0 - tokens) / pace if pace > 0 else math.inf

    def granted(self, now: float, pace: float, burst: float) -> None:
        tokens = 1.0 if self.tokens is None else self._now(now, pace, burst)
        self.tokens, self.at = max(0.0, tokens - 1.0), max(now, self.at)

    def refused(self, now: float, wait: float, pace: float) -> None:
        self.tokens, self.at = 1.0 - wait * pace, now


class SiteBudget:
    """What one site may get: its estimate, cap, current rate and byte average."""

    __slots__ = ("site", "estimate", "cap", "byte_rate", "strain", "answer_sizes",
                 "hint", "seen", "send_tokens", "send_at", "pace_margin")

    def __init__(self, site: str, estimate: TrafficEstimate, settings: BudgetSettings,
                 answer_sizes: AnswerSizes = no_answers) -> None:
        self.site = site
        self.estimate = estimate
        self.cap = min(settings.share * estimate.requests_per_day / DAY, settings.max_site_rate)
        self.byte_rate = (
            settings.share * estimate.bytes_per_day / DAY if estimate.bytes_per_day else None
        )
        self.strain = StrainController(self.cap)
        self.answer_sizes = answer_sizes
        self.hint = 0.0  # earliest time the last refusal said a token would be there
        self.seen = SeenBucket()  # the site's bucket as this process last saw it
        # the send-side bucket (see BudgetLedger.send_wait)
        self.send_tokens = 1.0
        self.send_at: float | None = None
        self.pace_margin = settings.pace_margin

    @property
    def rate(self) -> float:
        rate = self.strain.rate
        if self.byte_rate is not None:
            answers, nbytes = self.answer_sizes(self.site)
            if answers:
                rate = min(rate, self.byte_rate / max(1.0, nbytes / answers))
        return rate

    @property
    def pace(self) -> float:
        """The rate requests are spaced at: ``pace_margin`` seconds more between two requests than
        :attr:`rate` needs, but never more than ``PACE_MARGIN_MAX_SHARE`` of that interval (a
        fast site would lose too much of its cap to a fixed margin)."""
        rate = self.rate
        if rate <= 0:
            return rate
        return rate / (1.0 + min(rate * self.pace_margin, PACE_MARGIN_MAX_SHARE))


class BudgetLedger:
    """The :class:`~politecrawl.pacing.BudgetGate` backed by the state store."""

    def __init__(
        self,
        store: StateStore,
        estimates: dict[str, TrafficEstimate],
        settings: BudgetSettings,
        *,
        on_new_site: Callable[[SiteBudget], None] | None = None,
        answer_sizes: AnswerSizes = no_answers,
    ) -> None:
        self.store = store
        self.answer_sizes = answer_sizes
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
            budget = self.sites[site] = SiteBudget(site, estimate, self.settings, self.answer_sizes)
            if self.on_new_site is not None:
                self.on_new_site(budget)
        return budget

    def acquire(self, site: str, now: float) -> float:
        budget = self.site(site)
        try:
            granted, wait = self.store.take_tokens(
                f"budget:{site}", now, budget.pace, self.settings.burst
            )
        except StateStoreError as exc:
            self.ledger_errors += 1
            if self.ledger_errors == 1 or math.log2(self.ledger_errors).is_integer():
                logger.error(
                    "politecrawl budget: the ledger cannot be read (%s); %s gets no request "
                    "until it can (fail closed)", exc, site,
                )
            return LEDGER_RETRY
        if granted:
            budget.seen.granted(now, budget.pace, self.settings.burst)
            return 0.0
        budget.hint = now + wait
        budget.seen.refused(now, wait, budget.pace)
        return wait

    def send_wait(self, site: str, now: float, *, force: bool = False) -> float:
        """Check the pace again at the moment a request is sent: how long it must still wait.

        A token is taken when a request leaves the frontier; if the request is
        then held up (a busy event loop, a robots.txt lookup) and the next one
        is not, the two would reach the site closer together than the rate
        allows. A second, local bucket on *send* times (same rate and burst)
        catches that. Returns ``0.0`` (send now), a wait of at most
        :data:`SEND_HOLD` seconds (the send is booked: go after that wait,
        without asking again) or ``inf`` (nothing booked: back to the frontier
        for a new turn). With *force* (robots.txt and tdmrep.json fetches, which
        cannot go back to the frontier) a longer wait is not made: the fetch is
        booked at once, and the debt holds back the next request.
        """
        budget = self.site(site)
        rate = budget.pace
        at = now if budget.send_at is None else budget.send_at
        tokens = min(self.settings.burst, budget.send_tokens + max(0.0, now - at) * rate)
        budget.send_at = max(at, now)
        wait = 0.0 if tokens >= 1.0 else (1.0 - tokens) / rate if rate > 0 else math.inf
        if wait > SEND_HOLD:
            if not force:
                budget.send_tokens = tokens
                return math.inf
            wait = 0.0
        budget.send_tokens = tokens - 1.0
        return wait

    def sent_late(self, site: str, late: float) -> None:
        """A held request went out *late* seconds after the time :meth:`send_wait` booked.

        The send bucket is charged for the delay, so the next request keeps its
        distance from when this one really left, not from when it was due (a busy
        event loop must not bring two requests closer together).
        """
        if late > 0:
            budget = self.site(site)
            budget.send_tokens -= late * budget.pace

    def ready_at(self, site: str, now: float) -> float:
        """Earliest time *site* could be granted a request, from its bucket as last seen here."""
        budget = self.sites.get(site)
        if budget is None:
            return now
        return max(now, budget.hint, now + budget.seen.wait(now, budget.pace, self.settings.burst))

    def observe(self, site: str, now: float, *, latency: float | None, error: bool) -> bool:
        """Feed a response's time (or a failure) of *site*; return whether its rate was cut."""
        return self.site(site).strain.observe(now, latency, error)
