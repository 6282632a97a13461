"""Clocks. Every policy takes its time from one of these, never from ``time`` directly."""

from __future__ import annotations

import time
from typing import Protocol

__all__ = ["Clock", "FakeClock", "SYSTEM_CLOCK"]


class Clock(Protocol):
    def __call__(self) -> float:
        """Seconds since the epoch (UTC)."""


def _system_clock() -> float:
    return time.time()


#: Wall-clock time; what the Scrapy glue passes to the policies.
SYSTEM_CLOCK: Clock = _system_clock


class FakeClock:
    """A clock that moves only when told to; for exact tests."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self.now = float(start)

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    def set(self, when: float) -> None:
        self.now = float(when)
