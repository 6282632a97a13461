"""The token-bucket rule behind ``StateStore.take_tokens``, in one place.

The memory store calls :func:`take` inside its lock; the SQLite store runs the
same arithmetic in one SQL statement (``sqlite.py``, which asks :func:`take`
for a new bucket and for the wait) and the Redis store in a Lua script
(``redis.py``), in the same order of operations so that every store gives the
same numbers for the same inputs.

The rule, for a bucket holding ``tokens`` last updated at ``updated_at``:

1. Refill: ``tokens = min(burst, tokens + max(0, now - updated_at) * rate)``
   and ``updated_at = max(updated_at, now)``. A clock that jumps backwards
   (``now < updated_at``) adds nothing and does not move ``updated_at`` back,
   so that the same interval is never paid out twice. A lowered ``burst``
   takes effect at once.
2. Take: if ``tokens >= cost``, subtract ``cost`` and grant (wait 0);
   otherwise grant nothing and report ``(cost - tokens) / rate`` seconds until
   ``cost`` would be available (infinite when ``rate`` is 0 or ``cost``
   exceeds ``burst``).

A bucket that does not exist yet starts with ``min(initial, burst)`` tokens
at ``now``. ``initial`` defaults to 1 rather than ``burst``: a budget must not
be refilled by forgetting it. A crawl that restarts, a node that joins, a
bucket whose key was evicted — none of them may start with a fresh burst on
top of what the site already received.
"""

from __future__ import annotations

import math

__all__ = ["check_bucket_args", "take"]


def check_bucket_args(rate: float, burst: float, cost: float, initial: float) -> None:
    """Reject arguments that make no bucket (``ValueError`` naming the rule)."""
    if (  # the common case, plain floats in range, in one chain: it runs once per token taken
        type(rate) is type(burst) is type(cost) is type(initial) is float
        and 0.0 <= rate < math.inf and 0.0 < burst < math.inf and 0.0 < cost < math.inf
        and 0.0 <= initial < math.inf
    ):
        return
    for name, value in (("rate", rate), ("burst", burst), ("cost", cost), ("initial", initial)):
        if not isinstance(value, (int, float)) or math.isnan(value) or math.isinf(value):
            raise ValueError(f"take_tokens: {name} ({value!r}) must be a finite number")
    if rate < 0:
        raise ValueError(f"take_tokens: rate ({rate!r}) must be 0 or more")
    if burst <= 0:
        raise ValueError(f"take_tokens: burst ({burst!r}) must be more than 0")
    if cost <= 0:
        raise ValueError(f"take_tokens: cost ({cost!r}) must be more than 0")
    if initial < 0:
        raise ValueError(f"take_tokens: initial ({initial!r}) must be 0 or more")


def take(
    tokens: float | None,
    updated_at: float | None,
    now: float,
    rate: float,
    burst: float,
    cost: float,
    initial: float,
) -> tuple[bool, float, float, float]:
    """Apply the rule; return ``(granted, wait, new_tokens, new_updated_at)``.

    ``tokens``/``updated_at`` are ``None`` for a bucket that does not exist.
    """
    if tokens is None or updated_at is None:
        tokens, updated_at = min(initial, burst), now
    elapsed = now - updated_at
    if elapsed < 0:
        elapsed = 0.0
    tokens = min(burst, tokens + elapsed * rate)
    updated_at = max(updated_at, now)
    if tokens >= cost:
        return True, 0.0, tokens - cost, updated_at
    if rate <= 0 or cost > burst:
        return False, math.inf, tokens, updated_at
    return False, (cost - tokens) / rate, tokens, updated_at
