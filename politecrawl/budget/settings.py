"""The ``POLITECRAWL_*`` settings of the traffic budget, read and checked once."""

from __future__ import annotations

from typing import Any

from ..config import ConfigError, number_setting
from .estimates import DEFAULT_DAILY_REQUESTS
from .ledger import BudgetSettings

__all__ = ["budget_settings"]


def _positive(settings: Any, name: str, default: float) -> float:
    """A number more than 0; a string may be a fraction (``"1/3"``)."""
    return number_setting(settings.get, name, default, "a number more than 0",
                          lambda v: v > 0, fractions=True)


def _seconds(settings: Any, name: str, default: float) -> float:
    return number_setting(settings.get, name, default, "at least 0 and under 60 (seconds)",
                          lambda v: 0 <= v < 60, fractions=True)


def budget_settings(settings: Any) -> BudgetSettings:
    """Read from a Scrapy ``Settings`` (or anything with ``get``); bad values raise ``ConfigError``."""
    share = _positive(settings, "POLITECRAWL_LOAD_SHARE", 1 / 3)
    if share > 1:
        raise ConfigError(f"POLITECRAWL_LOAD_SHARE ({settings.get('POLITECRAWL_LOAD_SHARE')!r}) must be "
                          "at most 1 (a share of the traffic)")
    return BudgetSettings(
        share=share,
        default_daily_requests=_positive(
            settings, "POLITECRAWL_DEFAULT_DAILY_REQUESTS", DEFAULT_DAILY_REQUESTS
        ),
        max_site_rate=_positive(settings, "POLITECRAWL_MAX_SITE_RATE", 1.0),
        burst=_positive(settings, "POLITECRAWL_BURST", 2.0),
        pace_margin=_seconds(settings, "POLITECRAWL_PACE_MARGIN", 0.03),
    )
