"""Numbers, times and counts as a person writes them, for the text table and the HTML page."""

from __future__ import annotations

import math
import time

__all__ = ["fmt_bytes", "fmt_duration", "fmt_time", "pct", "plural", "were"]


def plural(n: float, word: str, many: str | None = None) -> str:
    """``1 request``, ``2 requests``, ``1,024 requests``."""
    return f"{n:,} {word if n == 1 else many or word + 's'}"


def were(n: float) -> str:
    return "was" if n == 1 else "were"


def fmt_time(t: float | None) -> str:
    if t is None:
        return "-"
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(t)) + f".{int((t % 1) * 10)} UTC"


def fmt_duration(seconds: float | None) -> str:
    if seconds is None or (isinstance(seconds, float) and math.isnan(seconds)):
        return "-"
    if seconds < 60:
        return f"{seconds:.1f} s"
    if seconds < 3600:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


def pct(share: float) -> str:
    """A share as a person writes it: ``18%``; under 1 % but not none: ``<1%``."""
    return "<1%" if 0 < share < 0.005 else f"{share:.0%}"


def fmt_bytes(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(n) < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GiB"
