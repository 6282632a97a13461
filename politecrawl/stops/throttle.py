"""What to do when a site answers 429 or 503: pause, back off, or stop.

Rules (one :class:`ThrottlePolicy` per crawl, state per site):

* ``Retry-After`` usable (see :mod:`.retry_after`): the whole site pauses
  until then.
* ``Retry-After`` absent, invalid or in the past: exponential back-off from
  the site's current pace: the *n*-th throttle in a row pauses the site for
  ``max(current_interval, backoff_min) * 2**n`` seconds (at most
  ``backoff_max``), and the caller is told to slow the site to twice its
  current interval.
* ``Retry-After`` over the cap: the site pauses for the rest of the crawl
  (reported).
* *stop_after* throttles in a row, each from a request sent after the
  previous pause was honoured, stop the site for the crawl.

"In a row" needs care with concurrency: requests already in flight when the
first 429 arrives come back throttled too. Those were not sent after we knew,
so they belong to the same episode: they may lengthen the pause (a later
Retry-After wins) but do not count again. A normal response resets the
streak only if its request was sent after the latest throttle arrived.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..retry_after import DEFAULT_MAX_RETRY_AFTER, RetryAfter, parse_retry_after

__all__ = ["THROTTLE_STATUSES", "ThrottleDecision", "ThrottlePolicy"]

THROTTLE_STATUSES = frozenset({429, 503})

INF = float("inf")


@dataclass(frozen=True)
class ThrottleDecision:
    """The answer to one throttled response."""

    action: str  # "pause", "pause-for-crawl" or "stop"
    until: float  # when the site may get its next request (inf: not in this crawl)
    reason: str  # "retry-after", "backoff", "retry-after-too-large", "repeated-throttling"
    retry_after: RetryAfter
    streak: int  # throttles in a row, counted as above
    new_interval: float | None = None  # slow the site to this many seconds between requests


@dataclass
class _SiteState:
    streak: int = 0
    last_throttle_at: float = -INF  # when the latest counted throttle arrived
    until: float = -INF


@dataclass
class ThrottlePolicy:
    max_retry_after: float = DEFAULT_MAX_RETRY_AFTER
    stop_after: int = 3
    backoff_min: float = 1.0
    backoff_max: float = 3600.0
    _sites: dict[str, _SiteState] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if self.stop_after < 1:
            raise ValueError(f"stop_after must be >= 1, got {self.stop_after!r}")
        if not 0 < self.backoff_min <= self.backoff_max:
            raise ValueError(
                f"need 0 < backoff_min <= backoff_max, got {self.backoff_min!r}, {self.backoff_max!r}"
            )

    def streak(self, site: str) -> int:
        state = self._sites.get(site)
        return state.streak if state else 0

    def on_throttle(
        self,
        site: str,
        retry_after: str | bytes | None,
        *,
        sent_at: float,
        now: float,
        current_interval: float = 0.0,
    ) -> ThrottleDecision:
        """A 429/503 for a request of *site* sent at *sent_at* arrived at *now*."""
        state = self._sites.setdefault(site, _SiteState())
        parsed = parse_retry_after(retry_after, now, self.max_retry_after)
        same_episode = sent_at < state.last_throttle_at
        if not same_episode:
            state.streak += 1
            state.last_throttle_at = now
        if state.streak >= self.stop_after and not same_episode:
            state.until = INF
            return ThrottleDecision("stop", INF, "repeated-throttling", parsed, state.streak)
        if parsed.kind == "too-large":
            state.until = INF
            return ThrottleDecision(
                "pause-for-crawl", INF, "retry-after-too-large", parsed, state.streak
            )
        new_interval = None
        if parsed.usable:
            assert parsed.delay is not None
            until = now + parsed.delay
            reason = "retry-after"
        else:
            base = max(current_interval, self.backoff_min)
            pause = min(self.backoff_max, base * 2**state.streak)
            until = now + pause
            reason = "backoff"
            new_interval = min(self.backoff_max, base * 2)
        state.until = max(state.until, until)
        return ThrottleDecision("pause", state.until, reason, parsed, state.streak, new_interval)

    def on_response(self, site: str, *, sent_at: float) -> None:
        """A normal (not throttled) response of *site*: ends the streak if it is news."""
        state = self._sites.get(site)
        if state is not None and sent_at >= state.last_throttle_at:
            state.streak = 0
