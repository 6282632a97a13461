"""The robots.txt settings, read and checked once."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..config import ConfigError, number_setting

__all__ = ["RobotsConfig", "RobotsConfigError"]

DAY = 86_400.0
#: Upper bound of every robots.txt time setting: a year.
MAX_SECONDS = 365 * DAY


class RobotsConfigError(ConfigError):
    """A robots setting has a value politecrawl cannot use."""


@dataclass(frozen=True)
class RobotsConfig:
    """Everything the robots policy needs to know besides the fetch itself."""

    #: Product token matched against ``User-agent`` lines (``POLITECRAWL_BOT_NAME``).
    bot_name: str = "politecrawl"
    #: Longest time a robots.txt copy is used before it is fetched again (RFC 9309 §2.4: 24 h).
    ttl: float = DAY
    #: Crawl-delay / Request-rate above this: the origin is skipped for the crawl.
    max_crawl_delay: float = 60.0
    #: A parsed copy this old or younger stands in while the origin is unreachable.
    last_good_max_age: float = 30 * DAY
    #: First wait before fetching an unreachable robots.txt again; doubles per failure.
    retry_base: float = 30.0
    #: Longest wait between fetches of an unreachable robots.txt.
    retry_max: float = 3_600.0
    #: Longest a crawl keeps an origin's requests waiting for its unreachable robots.txt,
    #: from the first failure: a retry due later ends the origin as unreachable.
    max_wait: float = 3_600.0
    #: Redirects followed for one robots.txt (RFC 9309 §2.3.1.2: at least five).
    max_redirects: int = 5
    #: Bytes of a robots.txt that are parsed (RFC 9309 §2.5: at least 500 KiB).
    max_bytes: int = 500 * 1024
    #: Shortest cache life a ``Cache-Control: max-age`` can ask for (never above ``ttl``).
    min_ttl: float = 60.0

    def __post_init__(self) -> None:
        name = self.bot_name.strip()
        if not name or any(c.isspace() or c in "/:," for c in name):
            raise RobotsConfigError(
                f"POLITECRAWL_BOT_NAME ({self.bot_name!r}) must be one product token: "
                "letters, digits, '-' or '_', no spaces, '/', ':' or ','"
            )
        _positive("POLITECRAWL_ROBOTS_TTL", self.ttl)
        _positive("POLITECRAWL_MAX_CRAWL_DELAY", self.max_crawl_delay)
        _positive("POLITECRAWL_ROBOTS_LAST_GOOD_MAX_AGE", self.last_good_max_age, zero_ok=True)
        _positive("POLITECRAWL_ROBOTS_RETRY_BASE", self.retry_base)
        _positive("POLITECRAWL_ROBOTS_RETRY_MAX", self.retry_max)
        _positive("POLITECRAWL_ROBOTS_MAX_WAIT", self.max_wait, zero_ok=True)
        for name, value in (("POLITECRAWL_ROBOTS_TTL", self.ttl), ("POLITECRAWL_ROBOTS_RETRY_BASE", self.retry_base),
                            ("POLITECRAWL_MAX_CRAWL_DELAY", self.max_crawl_delay),
                            ("POLITECRAWL_ROBOTS_RETRY_MAX", self.retry_max),
                            ("POLITECRAWL_ROBOTS_MAX_WAIT", self.max_wait),
                            ("POLITECRAWL_ROBOTS_LAST_GOOD_MAX_AGE", self.last_good_max_age)):
            if value > MAX_SECONDS:
                raise RobotsConfigError(f"{name} ({value!r}) must be at most {MAX_SECONDS:.0f} seconds (a year)")
        if self.retry_max < self.retry_base:
            raise RobotsConfigError(
                f"POLITECRAWL_ROBOTS_RETRY_MAX ({self.retry_max}) must be at least "
                f"POLITECRAWL_ROBOTS_RETRY_BASE ({self.retry_base})"
            )

    @classmethod
    def from_settings(cls, get: Callable[[str, Any], Any], bot_name: str | None = None) -> RobotsConfig:
        """Read the ``POLITECRAWL_*`` robots settings through *get(name, default)*.

        *bot_name*, when given, wins over ``POLITECRAWL_BOT_NAME`` (the shared
        config has already read and checked it).
        """
        d = cls()
        return cls(
            bot_name=str(bot_name if bot_name is not None else get("POLITECRAWL_BOT_NAME", d.bot_name)),
            ttl=_seconds(get, "POLITECRAWL_ROBOTS_TTL", d.ttl),
            max_crawl_delay=_seconds(get, "POLITECRAWL_MAX_CRAWL_DELAY", d.max_crawl_delay),
            last_good_max_age=_seconds(get, "POLITECRAWL_ROBOTS_LAST_GOOD_MAX_AGE",
                                       d.last_good_max_age),
            retry_base=_seconds(get, "POLITECRAWL_ROBOTS_RETRY_BASE", d.retry_base),
            retry_max=_seconds(get, "POLITECRAWL_ROBOTS_RETRY_MAX", d.retry_max),
            max_wait=_seconds(get, "POLITECRAWL_ROBOTS_MAX_WAIT", d.max_wait),
        )


def _seconds(get: Callable[[str, Any], Any], name: str, default: float) -> float:
    """A number of seconds; the ranges are checked in ``RobotsConfig.__post_init__``."""
    return number_setting(lambda key: get(key, default), name, default, "a number of seconds",
                          error=RobotsConfigError)


def _positive(name: str, value: float, zero_ok: bool = False) -> None:
    if not math.isfinite(value) or value < 0 or (value == 0 and not zero_ok):
        rule = "0 or more" if zero_ok else "more than 0"
        raise RobotsConfigError(f"{name} ({value!r}) must be a finite number of seconds, {rule}")
