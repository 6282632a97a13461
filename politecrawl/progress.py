"""What a long crawl says about where it is: pure text from counts (no Scrapy, no clock of its own).

* :func:`slow_budget_line`: at start, a site whose budget is slow, in human terms.
* :class:`Progress` and :func:`format_progress`: the line logged every
  ``POLITECRAWL_PROGRESS_INTERVAL`` seconds and shown live on a terminal.
* :func:`closing_lines`: at the end, where the items and the state are and the
  ``politecrawl report`` command that writes the compliance report.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from .settings_reader import SettingsReader

__all__ = [
    "DEFAULT_INTERVAL",
    "SLOW_INTERVAL",
    "Progress",
    "ProgressSettings",
    "closing_lines",
    "format_progress",
    "human_seconds",
    "slow_budget_line",
]

#: Seconds between two progress lines in the log (Scrapy's LogStats default too).
DEFAULT_INTERVAL = 60.0
#: A budget that spaces requests this far apart (seconds) or more is announced at start.
SLOW_INTERVAL = 5.0
_NAMES_SHOWN = 3


@dataclass(frozen=True)
class ProgressSettings:
    """``POLITECRAWL_PROGRESS_INTERVAL`` (0: no progress lines) and ``POLITECRAWL_PROGRESS_LIVE``."""

    interval: float = DEFAULT_INTERVAL
    live: bool = True

    @classmethod
    def from_settings(cls, get: Callable[..., Any]) -> ProgressSettings:
        """Read through *get* (a settings' or a dict's ``get``); a bad value raises ``ConfigError``."""
        read = SettingsReader(get)
        interval = read.number("POLITECRAWL_PROGRESS_INTERVAL", DEFAULT_INTERVAL,
                               "a number of seconds, 0 (no progress lines) or more", lambda v: v >= 0)
        return cls(interval=float(interval), live=read.boolean("POLITECRAWL_PROGRESS_LIVE", True))


def human_seconds(seconds: float) -> str:
    """``26 s``, ``4.5 min``, ``3 h``, ``2.1 days``: a wait as a person says it."""
    if seconds < 0.95:
        return f"{seconds:.1f} s"
    for unit, size in (("days", 86_400.0), ("h", 3_600.0), ("min", 60.0)):
        if seconds >= size * (2 if unit == "days" else 1):
            value = seconds / size
            return f"{value:.0f} {unit}" if value >= 10 or value.is_integer() else f"{value:.1f} {unit}"
    return f"{seconds:.0f} s"


def slow_budget_line(site: str, cap_per_second: float, source: str) -> str | None:
    """The start-up line for a site whose budget is slow (``None`` if it is not).

    >>> slow_budget_line("example.com", 3333.33 / 86400, "default")
    'example.com: no traffic estimate, 3,333 requests/day = one request every 26 s; set POLITECRAWL_SITE_TRAFFIC'
    """
    if cap_per_second <= 0:
        return f"{site}: a budget of 0 requests/day: no request is sent to it"
    interval = 1.0 / cap_per_second
    if interval < SLOW_INTERVAL:
        return None
    per_day = f"{cap_per_second * 86_400:,.0f} requests/day = one request every {human_seconds(interval)}"
    if source == "default":
        return f"{site}: no traffic estimate, {per_day}; set POLITECRAWL_SITE_TRAFFIC"
    return f"{site}: traffic estimate from {source}, {per_day}"


@dataclass(frozen=True)
class Progress:
    """Where a crawl is, from its counters."""

    pages: int
    items: int
    queued: int
    waiting: int = 0  # queued requests whose site may not be sent to yet (budget, pause, interval)
    next_site: str | None = None
    next_in: float | None = None  # seconds until next_site is due
    stopped: Sequence[str] = field(default_factory=tuple)
    paused: Sequence[str] = field(default_factory=tuple)
    elapsed: float = 0.0


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def _names(sites: Iterable[str]) -> str:
    sites = sorted(sites)
    shown = ", ".join(sites[:_NAMES_SHOWN])
    return shown + (f" and {len(sites) - _NAMES_SHOWN} more" if len(sites) > _NAMES_SHOWN else "")


def format_progress(p: Progress) -> str:
    """``120 pages, 80 items, 340 requests queued (310 waiting for their turn; next: a.com in 26 s); ...``"""
    parts = [_plural(p.pages, "page"), _plural(p.items, "item"),
             _plural(p.queued, "request") + " queued"]
    if p.waiting:
        wait = f"{p.waiting:,} waiting for their turn"
        if p.next_site is not None and p.next_in is not None:
            wait += f"; next: {p.next_site} in {human_seconds(max(0.0, p.next_in))}"
        parts[-1] += f" ({wait})"
    line = ", ".join(parts)
    if p.stopped:
        line += f"; {_plural(len(p.stopped), 'site')} stopped ({_names(p.stopped)})"
    if p.paused:
        line += f"; {_plural(len(p.paused), 'site')} paused ({_names(p.paused)})"
    if p.elapsed:
        line += f"; running {human_seconds(p.elapsed)}"
    return line


def _local_path(uri: str, cwd: str) -> str | None:
    parts = urlsplit(uri)
    if parts.scheme == "file":
        return parts.path
    if len(parts.scheme) > 1:  # s3://, ftp://, ... (a one-letter scheme is a Windows drive)
        return None
    return os.path.abspath(os.path.join(cwd, uri))


def closing_lines(feeds: Iterable[str], state_url: str, crawl_id: str, cwd: str) -> list[str]:
    """Where the items and the state are, and the command that writes the compliance report."""
    lines = []
    for uri in feeds:
        path = _local_path(uri, cwd)
        lines.append(f"items in {path if path is not None else uri}")
    state = state_url[len("sqlite:///"):] if state_url.startswith("sqlite:///") else None
    if state is not None:
        state = os.path.abspath(os.path.join(cwd, state))
        lines.append(f"state in {state} (crawl {crawl_id})")
        where = f"sqlite:///{state}"
    else:
        lines.append(f"state in {state_url} (crawl {crawl_id})")
        where = state_url
    if not where.startswith("memory:"):
        lines.append(
            "compliance report: politecrawl report --state " + shlex.quote(where)
            + f" --crawl {crawl_id} --html report.html"
        )
    return lines
