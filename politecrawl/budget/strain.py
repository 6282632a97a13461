"""Slow down when a site shows strain; recover slowly (AIMD).

"Do not hinder the site's normal operation" must hold even when the traffic
estimate is wrong, so the rate also follows what the site shows: its
response time against its own baseline, and server errors or timeouts.

* Strain — a 5xx, a timeout or connection error, or a recent response time
  (fast moving average) above ``slow_factor`` × the site's baseline (slow
  moving average of healthy responses) and at least ``min_slowdown``
  seconds above it — halves the rate, at most once per ``cooldown``.
* Health recovers the rate additively: ``cap / recovery`` per second of
  healthy responses, never above the cap.
* The rate never falls below ``cap × floor``.
"""

from __future__ import annotations

__all__ = ["StrainController"]


class StrainController:
    __slots__ = (
        "cap", "rate", "baseline", "recent", "last_decrease", "last_update",
        "slow_factor", "min_slowdown", "recovery", "floor", "cooldown",
    )

    def __init__(
        self,
        cap: float,
        *,
        slow_factor: float = 3.0,
        min_slowdown: float = 0.1,
        recovery: float = 120.0,
        floor: float = 1 / 64,
        cooldown: float = 2.0,
    ) -> None:
        self.cap = cap
        self.rate = cap
        self.baseline: float | None = None
        self.recent: float | None = None
        self.last_decrease = -1e18
        self.last_update: float | None = None
        self.slow_factor = slow_factor
        self.min_slowdown = min_slowdown
        self.recovery = recovery
        self.floor = floor
        self.cooldown = cooldown

    def strained(self) -> bool:
        if self.baseline is None or self.recent is None:
            return False
        return (
            self.recent > self.slow_factor * self.baseline
            and self.recent - self.baseline >= self.min_slowdown
        )

    def observe(self, now: float, latency: float | None, error: bool) -> bool:
        """Feed one response (or failure); return whether the rate was cut."""
        if latency is not None and not error:
            self.recent = latency if self.recent is None else 0.7 * self.recent + 0.3 * latency
            if self.baseline is None:
                self.baseline = latency
            elif not self.strained():
                self.baseline = 0.95 * self.baseline + 0.05 * latency
        since = 0.0 if self.last_update is None else max(0.0, now - self.last_update)
        self.last_update = now
        if error or self.strained():
            # the cooldown is at least one interval at the current rate, so one
            # slow answer is not counted twice
            if now - self.last_decrease >= max(self.cooldown, 1.0 / self.rate):
                self.rate = max(self.cap * self.floor, self.rate / 2)
                self.last_decrease = now
                return True
            return False
        self.rate = min(self.cap, self.rate + self.cap * since / self.recovery)
        return False
