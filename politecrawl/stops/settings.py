"""The ``POLITECRAWL_*`` settings of the stops component, read and checked once."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..config import number_setting
from .purposes import DEFAULT_PURPOSE, Purpose, parse_purpose
from ..retry_after import DEFAULT_MAX_RETRY_AFTER
from .tdmrep import DEFAULT_TDMREP_MAX_BYTES

__all__ = ["StopsSettings"]


def _number(settings: Mapping[str, Any], name: str, default: float, rule: str, ok) -> float:
    return number_setting(settings.get, name, default, f"a number {rule}", ok, error=ValueError)


#: Upper bounds: past these a value is a typo, not a plan.
YEAR = 365 * 86_400.0
MAX_COUNT = 1_000_000
MAX_TDMREP_BYTES = 64 * 1024 * 1024


def _int(settings: Mapping[str, Any], name: str, default: int, minimum: int, maximum: int = MAX_COUNT) -> int:
    return number_setting(settings.get, name, default, f"a whole number >= {minimum} and <= {maximum}",
                          lambda v: minimum <= v <= maximum, integer=True, error=ValueError)


@dataclass(frozen=True)
class StopsSettings:
    purpose: Purpose = DEFAULT_PURPOSE
    max_retry_after: float = DEFAULT_MAX_RETRY_AFTER
    throttle_stop_after: int = 3
    backoff_min: float = 1.0
    backoff_max: float = 3600.0
    block_auth_urls: int = 5
    block_challenge_urls: int = 2
    poll_interval: float = 0.5
    tdmrep_max_bytes: int = DEFAULT_TDMREP_MAX_BYTES

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> StopsSettings:
        """Read from a Scrapy ``Settings`` (or any mapping); bad values raise ``ValueError``."""
        backoff_min = _number(
            settings, "POLITECRAWL_THROTTLE_BACKOFF_MIN", 1.0, "> 0 (seconds)", lambda v: v > 0
        )
        backoff_max = _number(
            settings,
            "POLITECRAWL_THROTTLE_BACKOFF_MAX",
            3600.0,
            f">= POLITECRAWL_THROTTLE_BACKOFF_MIN ({backoff_min:g} s) and <= a year",
            lambda v: backoff_min <= v <= YEAR,
        )
        return cls(
            purpose=parse_purpose(settings.get("POLITECRAWL_PURPOSE")),
            max_retry_after=_number(
                settings,
                "POLITECRAWL_MAX_RETRY_AFTER",
                DEFAULT_MAX_RETRY_AFTER,
                "> 0 and <= a year (seconds)",
                lambda v: 0 < v <= YEAR,
            ),
            throttle_stop_after=_int(settings, "POLITECRAWL_THROTTLE_STOP_AFTER", 3, 1),
            backoff_min=backoff_min,
            backoff_max=backoff_max,
            block_auth_urls=_int(settings, "POLITECRAWL_BLOCK_AUTH_URLS", 5, 1),
            block_challenge_urls=_int(settings, "POLITECRAWL_BLOCK_CHALLENGE_URLS", 2, 1),
            poll_interval=_number(
                settings,
                "POLITECRAWL_STOPS_POLL_INTERVAL",
                0.5,
                "between 0.05 and 1 (seconds): a stop must be seen within 1 s",
                lambda v: 0.05 <= v <= 1.0,
            ),
            tdmrep_max_bytes=_int(
                settings, "POLITECRAWL_TDMREP_MAX_BYTES", DEFAULT_TDMREP_MAX_BYTES, 1024, MAX_TDMREP_BYTES
            ),
        )
