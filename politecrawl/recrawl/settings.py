"""The ``POLITECRAWL_RECRAWL*`` settings, read and checked once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..settings_reader import SettingsReader
from .history import HistorySettings
from .schedule import DAY, ScheduleSettings

__all__ = ["RecrawlSettings"]

_MAX_SECONDS = 10 * 365 * DAY


def _seconds(read: SettingsReader, name: str, default: float) -> float:
    return read.number(name, default, f"a number of seconds from 0 to {_MAX_SECONDS:.0f} (10 years)",
                       lambda v: 0 <= v <= _MAX_SECONDS)


@dataclass(frozen=True)
class RecrawlSettings:
    """Whether fetch history and conditional requests are on, and their bounds."""

    enabled: bool = True
    history: HistorySettings = HistorySettings()

    @classmethod
    def from_settings(cls, get: Any) -> RecrawlSettings:
        """Read through *get* (a settings' or a dict's ``get``); a bad value raises ``ConfigError``."""
        defaults = ScheduleSettings()
        read = SettingsReader(get)
        enabled = read.boolean("POLITECRAWL_RECRAWL", True)
        low = _seconds(read, "POLITECRAWL_RECRAWL_MIN_INTERVAL", defaults.min_interval)
        high = _seconds(read, "POLITECRAWL_RECRAWL_MAX_INTERVAL", defaults.max_interval)
        if high < low:
            raise read.fail("POLITECRAWL_RECRAWL_MAX_INTERVAL", read.raw("POLITECRAWL_RECRAWL_MAX_INTERVAL"),
                            f"at least POLITECRAWL_RECRAWL_MIN_INTERVAL ({low:g})")
        first = _seconds(read, "POLITECRAWL_RECRAWL_INITIAL_INTERVAL", defaults.initial_interval)
        max_urls = read.number("POLITECRAWL_RECRAWL_MAX_URLS", HistorySettings().max_urls,
                               "a whole number from 0 to 1000000000 (URLs kept in the fetch history)",
                               lambda v: 0 <= v <= 1_000_000_000, integer=True)
        schedule = ScheduleSettings(min_interval=low, max_interval=high, initial_interval=first)
        return cls(enabled=enabled, history=HistorySettings(max_urls=max_urls, schedule=schedule))
