"""The audit trail and the compliance report (docs/audit.md)."""

from .html import render_html
from .read import AuditRecord, CrawlEntry, crawls, find_crawl, records
from .report import build_report, window_peak
from .table import format_report
from .trail import BUCKET_CHOICES, CRAWLS_KEY, AuditTrail, log_key

__all__ = [
    "BUCKET_CHOICES",
    "CRAWLS_KEY",
    "AuditRecord",
    "AuditTrail",
    "CrawlEntry",
    "build_report",
    "crawls",
    "find_crawl",
    "format_report",
    "log_key",
    "records",
    "render_html",
    "window_peak",
]
