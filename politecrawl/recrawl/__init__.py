"""Recrawls that cost a site almost nothing: fetch history, conditional requests, a revisit schedule.

Policies only (no Scrapy): :mod:`.history` keeps what each URL answered last
time in the state store, :mod:`.validators` says which conditional headers to
send and whether an answer changed the page, :mod:`.schedule` says when a page
is due again. The glue is ``politecrawl.middlewares.downloader.recrawl``.
"""

from __future__ import annotations

from .history import FetchHistory, FetchRecord, HistorySettings, Visit, fingerprint
from .schedule import CHANGEFREQ_SECONDS, ScheduleSettings, first_interval, is_due, next_interval
from .validators import (
    CHANGED, NEW, NOT_MODIFIED, UNCHANGED, conditional_headers, payload_digest, verdict,
)

__all__ = [
    "CHANGED", "CHANGEFREQ_SECONDS", "NEW", "NOT_MODIFIED", "UNCHANGED", "FetchHistory", "FetchRecord",
    "HistorySettings", "ScheduleSettings", "Visit", "conditional_headers", "first_interval", "fingerprint",
    "is_due", "next_interval", "payload_digest", "verdict",
]
