"""When is a page due again? An adaptive revisit interval per URL, bounded.

The rule follows Nutch's ``AdaptiveFetchSchedule``: a page found unchanged is
visited less often (interval × ``slower``), a changed one more often
(interval × ``faster``, and no longer than the interval between its last two
observed changes), always within ``[min_interval, max_interval]``. A sitemap's
``changefreq`` sets a new URL's first interval; a sitemap ``lastmod`` later than
the last fetch makes the page due at once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["CHANGEFREQ_SECONDS", "ScheduleSettings", "first_interval", "next_interval", "is_due"]

HOUR = 3600.0
DAY = 86_400.0

#: sitemaps.org ``changefreq`` values as seconds (``always`` and ``never`` are the bounds).
CHANGEFREQ_SECONDS = {
    "always": 0.0,
    "hourly": HOUR,
    "daily": DAY,
    "weekly": 7 * DAY,
    "monthly": 30 * DAY,
    "yearly": 365 * DAY,
    "never": math.inf,
}


@dataclass(frozen=True)
class ScheduleSettings:
    """Bounds and rates of the revisit interval (seconds; rates are factors)."""

    min_interval: float = HOUR
    max_interval: float = 30 * DAY
    initial_interval: float = DAY
    slower: float = 1.4  # unchanged: interval × 1.4 (Nutch's inc_rate 0.4)
    faster: float = 0.8  # changed: interval × 0.8 (Nutch's dec_rate 0.2)

    def clamp(self, interval: float) -> float:
        return min(self.max_interval, max(self.min_interval, interval))


def first_interval(settings: ScheduleSettings, changefreq: str | None = None) -> float:
    """The interval of a URL fetched for the first time: its sitemap ``changefreq`` if it has one."""
    hinted = CHANGEFREQ_SECONDS.get((changefreq or "").strip().lower())
    return settings.clamp(settings.initial_interval if hinted is None else hinted)


def next_interval(
    settings: ScheduleSettings, interval: float, changed: bool, observed: float | None = None
) -> float:
    """The interval after a visit that found the page *changed* or not.

    *observed* is the time between the page's last two observed changes, if known.
    """
    if changed:
        new = interval * settings.faster
        if observed is not None and observed > 0:
            new = min(new, observed)
    else:
        new = interval * settings.slower
    return settings.clamp(new)


def is_due(next_due: float, fetched_at: float, now: float, lastmod: float | None = None) -> bool:
    """Is a page due at *now*: its time has come, or a sitemap says it changed since the last fetch."""
    if lastmod is not None and lastmod > fetched_at:
        return True
    return next_due <= now
