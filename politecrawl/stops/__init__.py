"""Stop requests: the operator stop registry, Retry-After, 451, blocks, and
TDM / AI-use reservations by purpose. Plain Python; the Scrapy glue lives in
``politecrawl.middlewares.downloader.stops``. See docs/stops.md."""

from __future__ import annotations

from .aipref import combine_usage, parse_content_signal, parse_content_usage, usage_reservation
from .blocks import BlockDetector, BlockVerdict, page_signal
from .html_meta import meta_tags
from .http451 import blocked_by
from .purposes import DEFAULT_PURPOSE, Purpose, Reservation, parse_purpose, reservations_for
from .registry import Stop, StopEvent, StopRegistry, StopsChange, StopWatcher
from ..retry_after import DEFAULT_MAX_RETRY_AFTER, RetryAfter, parse_http_date, parse_retry_after
from .robots_signals import RobotsSignals, parse_robots_signals
from .settings import StopsSettings
from .tdmrep import (
    TDMREP_PATH,
    TDMRepFile,
    TDMRepRule,
    effective_tdm_reservation,
    parse_tdmrep_file,
)
from .throttle import THROTTLE_STATUSES, ThrottleDecision, ThrottlePolicy
from .xrobots import ai_reservations, robots_directives

__all__ = [
    "DEFAULT_MAX_RETRY_AFTER",
    "DEFAULT_PURPOSE",
    "THROTTLE_STATUSES",
    "TDMREP_PATH",
    "BlockDetector",
    "BlockVerdict",
    "Purpose",
    "Reservation",
    "RetryAfter",
    "RobotsSignals",
    "Stop",
    "StopEvent",
    "StopRegistry",
    "StopWatcher",
    "StopsChange",
    "StopsSettings",
    "TDMRepFile",
    "TDMRepRule",
    "ThrottleDecision",
    "ThrottlePolicy",
    "ai_reservations",
    "blocked_by",
    "combine_usage",
    "effective_tdm_reservation",
    "meta_tags",
    "page_signal",
    "parse_content_signal",
    "parse_content_usage",
    "parse_http_date",
    "parse_purpose",
    "parse_retry_after",
    "parse_robots_signals",
    "parse_tdmrep_file",
    "reservations_for",
    "robots_directives",
    "usage_reservation",
]
