"""robots.txt to RFC 9309 (with Crawl-delay, Request-rate, Visit-time) and page-level directives.

The core is sans-IO: the Scrapy glue (``politecrawl.middlewares.downloader.robots``) turns a
robots.txt download into a :class:`FetchOutcome`, :func:`record_from_fetch`
turns that into a :class:`RobotsRecord`, and :meth:`RobotsRecord.rules` gives
the :class:`RobotsRules` that answer ``allowed(url)``, ``min_interval()``,
``visit_window()`` and ``skip_reason()``.
"""

from __future__ import annotations

from .ai_use import AIUseLine, ai_use_lines
from .config import RobotsConfig, RobotsConfigError
from .fetch import FetchOutcome, decode_body
from .page import PageDirectives, page_directives, parse_meta_robots, parse_x_robots_tag
from .record import PARSED, UNAVAILABLE, UNREACHABLE, RobotsCopy, RobotsRecord, record_from_fetch
from .rules import ALLOW_ALL, DENY_ALL, RobotsRules, Verdict
from .wait import ENDED_UNREACHABLE, all_ended_unreachable, retry_at
from .store import (
    claim_fetch,
    evidence,
    load_record,
    note_decision,
    note_stop,
    release_fetch,
    save_record,
    stop_events,
    versions,
)

__all__ = [
    "AIUseLine",
    "ai_use_lines",
    "ENDED_UNREACHABLE",
    "all_ended_unreachable",
    "retry_at",
    "ALLOW_ALL",
    "DENY_ALL",
    "PARSED",
    "UNAVAILABLE",
    "UNREACHABLE",
    "FetchOutcome",
    "PageDirectives",
    "RobotsConfig",
    "RobotsConfigError",
    "RobotsCopy",
    "RobotsRecord",
    "RobotsRules",
    "Verdict",
    "claim_fetch",
    "decode_body",
    "evidence",
    "load_record",
    "note_decision",
    "note_stop",
    "page_directives",
    "parse_meta_robots",
    "parse_x_robots_tag",
    "record_from_fetch",
    "release_fetch",
    "save_record",
    "stop_events",
    "versions",
]
