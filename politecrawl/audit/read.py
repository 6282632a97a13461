"""Reading the audit trail back: which crawls there are, and one crawl's records."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..state import StateStore
from .trail import CRAWLS_KEY, log_key

__all__ = ["AuditRecord", "CrawlEntry", "crawls", "find_crawl", "records"]

PAGE = 5000


@dataclass(frozen=True)
class CrawlEntry:
    crawl_id: str
    started_at: float
    ended_at: float | None  # None: running, or ended without a word (killed)
    #: The nodes of a cluster crawl (``host:pid``, in the order they started); () for one process.
    nodes: tuple[str, ...] = ()


@dataclass(frozen=True)
class AuditRecord:
    kind: str
    at: float
    site: str
    data: dict[str, Any]
    node: str = ""  # the cluster node that wrote it ("" for one process)


def _read_all(store: StateStore, log: str) -> Iterator[tuple[str, dict[str, str]]]:
    after = None
    while True:
        page = store.read_log(log, after=after, limit=PAGE)
        yield from page
        if len(page) < PAGE:
            return
        after = page[-1][0]


def crawls(store: StateStore) -> list[CrawlEntry]:
    """Every crawl the audit index knows, oldest first.

    A crawl several nodes share (a cluster) started with its first node and ended
    when every node that started has ended.
    """
    started: dict[str, float] = {}
    nodes: dict[str, dict[str, bool]] = {}  # crawl id -> node -> ended
    ended: dict[str, float] = {}
    for _, rec in _read_all(store, CRAWLS_KEY):
        crawl_id, node = rec.get("crawl_id", ""), rec.get("node", "")
        if rec.get("event") == "start":
            started.setdefault(crawl_id, float(rec.get("at", 0)))
            nodes.setdefault(crawl_id, {})[node] = False
        elif rec.get("event") == "end":
            nodes.setdefault(crawl_id, {})[node] = True
            ended[crawl_id] = max(ended.get(crawl_id, 0.0), float(rec.get("at", 0)))
    return [
        CrawlEntry(cid, at, ended.get(cid) if all(nodes.get(cid, {}).values()) else None,
                   tuple(n for n in nodes.get(cid, {}) if n))
        for cid, at in sorted(started.items(), key=lambda kv: (kv[1], kv[0]))
    ]


def find_crawl(store: StateStore, crawl_id: str | None = None) -> CrawlEntry | None:
    """The crawl *crawl_id* (a unique prefix will do), or the latest started one."""
    entries = crawls(store)
    if not entries:
        return None
    if crawl_id is None:
        return entries[-1]
    exact = [e for e in entries if e.crawl_id == crawl_id]
    if exact:
        return exact[0]
    prefixed = [e for e in entries if e.crawl_id.startswith(crawl_id)]
    return prefixed[0] if len(prefixed) == 1 else None


def records(store: StateStore, crawl_id: str) -> Iterator[AuditRecord]:
    """The crawl's records, in the order they were written."""
    for _, rec in _read_all(store, log_key(crawl_id)):
        try:
            data = json.loads(rec.get("data") or "{}")
        except ValueError:
            data = {"unreadable": True}
        yield AuditRecord(rec.get("kind", ""), float(rec.get("at", 0)), rec.get("site", ""), data,
                          rec.get("node", ""))
