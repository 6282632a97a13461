"""The ``POLITECRAWL_*`` settings of the traffic budget, read and checked once."""

from __future__ import annotations

from typing import Any

from ..settings_reader import SettingsReader
from .ledger import BudgetSettings

__all__ = ["budget_settings"]

_DEFAULTS = BudgetSettings()


#: Upper bounds: past these a value is a typo, not a plan (1e9 as a burst would
#: let a crawler send a billion requests at once).
MAX_DAILY_REQUESTS = 1e12  # ~11.6 million requests a second
MAX_SITE_RATE = 10_000.0  # requests a second to one site
MAX_BURST = 10_000.0  # requests at once


def _positive(read: SettingsReader, name: str, default: Any, upper: float = float("inf")) -> Any:
    """A number more than 0 and at most *upper*; a string may be a fraction (``"1/3"``).

    Unset or empty gives *default* (``None`` for a default derived from other settings)."""
    rule = "a number more than 0" if upper == float("inf") else f"a number more than 0 and at most {upper:g}"
    return read.number(name, default, rule, lambda v: 0 < v <= upper, fractions=True)


def budget_settings(settings: Any) -> BudgetSettings:
    """Read from a Scrapy ``Settings`` (or anything with ``get``); bad values raise ``ConfigError``.

    The defaults are :class:`BudgetSettings`' own.
    """
    read = SettingsReader(settings)
    defaults = _DEFAULTS
    share = _positive(read, "POLITECRAWL_LOAD_SHARE", defaults.share)
    if share > 1:
        raise read.fail("POLITECRAWL_LOAD_SHARE", read.raw("POLITECRAWL_LOAD_SHARE"),
                        "at most 1 (a share of the traffic)")
    return BudgetSettings(
        share=share,
        default_daily_requests=_positive(
            read, "POLITECRAWL_DEFAULT_DAILY_REQUESTS", defaults.default_daily_requests, MAX_DAILY_REQUESTS
        ),
        max_site_rate=_positive(read, "POLITECRAWL_MAX_SITE_RATE", defaults.max_site_rate, MAX_SITE_RATE),
        burst=_positive(read, "POLITECRAWL_BURST", defaults.burst, MAX_BURST),
        pace_margin=read.number("POLITECRAWL_PACE_MARGIN", defaults.pace_margin, "at least 0 and under 60 (seconds)",
                                lambda v: 0 <= v < 60, fractions=True),
        max_ip_rate=_positive(read, "POLITECRAWL_MAX_IP_RATE", defaults.max_ip_rate, MAX_SITE_RATE),
    )
