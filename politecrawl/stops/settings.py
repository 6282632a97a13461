"""The ``POLITECRAWL_*`` settings of the stops component, read and checked once."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..settings_reader import SettingsReader
from .purposes import DEFAULT_PURPOSE, Purpose, parse_purpose
from ..retry_after import DEFAULT_MAX_RETRY_AFTER
from .tdmrep import DEFAULT_TDMREP_MAX_BYTES

__all__ = ["StopsSettings"]


#: Upper bounds: past these a value is a typo, not a plan.
YEAR = 365 * 86_400.0
MAX_COUNT = 1_000_000
MAX_TDMREP_BYTES = 64 * 1024 * 1024


def _int(read: SettingsReader, name: str, default: int, minimum: int, maximum: int = MAX_COUNT) -> int:
    return read.number(name, default, f"a whole number >= {minimum} and <= {maximum}",
                       lambda v: minimum <= v <= maximum, integer=True)


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
        """Read from a Scrapy ``Settings`` (or any mapping); a bad value raises ``ConfigError``."""
        read = SettingsReader(settings)
        d = cls()
        backoff_min = read.number(
            "POLITECRAWL_THROTTLE_BACKOFF_MIN", d.backoff_min, "a number > 0 (seconds)", lambda v: v > 0
        )
        backoff_max = read.number(
            "POLITECRAWL_THROTTLE_BACKOFF_MAX", d.backoff_max,
            f"a number >= POLITECRAWL_THROTTLE_BACKOFF_MIN ({backoff_min:g} s) and <= a year",
            lambda v: backoff_min <= v <= YEAR,
        )
        return cls(
            purpose=parse_purpose(settings.get("POLITECRAWL_PURPOSE")),
            max_retry_after=read.number(
                "POLITECRAWL_MAX_RETRY_AFTER", d.max_retry_after, "a number > 0 and <= a year (seconds)",
                lambda v: 0 < v <= YEAR,
            ),
            throttle_stop_after=_int(read, "POLITECRAWL_THROTTLE_STOP_AFTER", d.throttle_stop_after, 1),
            backoff_min=backoff_min,
            backoff_max=backoff_max,
            block_auth_urls=_int(read, "POLITECRAWL_BLOCK_AUTH_URLS", d.block_auth_urls, 1),
            block_challenge_urls=_int(read, "POLITECRAWL_BLOCK_CHALLENGE_URLS", d.block_challenge_urls, 1),
            poll_interval=read.number(
                "POLITECRAWL_STOPS_POLL_INTERVAL", d.poll_interval,
                "a number between 0.05 and 1 (seconds): a stop must be seen within 1 s",
                lambda v: 0.05 <= v <= 1.0,
            ),
            tdmrep_max_bytes=_int(
                read, "POLITECRAWL_TDMREP_MAX_BYTES", d.tdmrep_max_bytes, 1024, MAX_TDMREP_BYTES
            ),
        )
