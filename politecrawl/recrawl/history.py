"""Fetch history: what each URL answered last time, kept in the state store.

Per URL (by fingerprint, the SHA-1 of the URL), one JSON string at
``recrawl:url:<fingerprint>``: the URL, its ``ETag`` and ``Last-Modified``,
the payload digest, when it was last fetched and with which status, the
revisit interval and the time it is next due, when it last changed and the
observed interval between its last two changes. Each site has a due index,
the hash ``recrawl:due:<site>`` (field: fingerprint, value: ``next_due
fetched_at url``), so that a crawl asks one hash per seed site for what is due.
An item kept for a page (``recrawl:item:<fingerprint>``, zlib-compressed JSON)
is what a ``304`` gives back to the generic spider.

The number of URLs is bounded (``max_urls``, counted at ``recrawl:size``): a new
URL that finds the history full first makes room, in one batch (1 % of
``max_urls``), by removing the URLs fetched least recently (read from the due
indexes, whose entries carry the last fetch time). One process evicts at a time
(the lock ``recrawl:evicting``); a URL that finds the history full while another
evicts is fetched as usual and not recorded. A ``404`` or ``410`` removes a URL
from the history.

**Write-behind** (``write_behind=True``, on a store whose writes cost: Redis, where each
write is a round trip, and SQLite, where each is a transaction): records and kept items are held in memory and
written together, one step of the store for the whole batch (:meth:`FetchHistory.flush`:
Redis, one script; SQLite, one transaction), when :data:`FLUSH_BATCH` of them are ready or the oldest is
:data:`FLUSH_INTERVAL` old, and at the end of the crawl. A page's record waits
for its kept item (at most :data:`ITEM_WAIT`), so that the two are written in
one step: a history never says "304 expected" for a page whose item it lost. A
process killed between two flushes loses the history of the pages it answered
since the last one (their next fetch is in full, as for a new URL); never a
request, a token or a stop. This process reads its own unwritten records and items.
"""

from __future__ import annotations

import base64
import hashlib
import heapq
import json
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

from ..clock import SYSTEM_CLOCK, Clock
from ..sites import InvalidURL, site_key
from ..state import IndexedWrite, StateStore
from .schedule import ScheduleSettings, first_interval, is_due, next_interval
from .validators import CHANGED, NOT_MODIFIED, UNCHANGED, clean_validator, verdict

__all__ = ["FetchHistory", "FetchRecord", "Flushed", "HistorySettings", "Visit", "fingerprint"]

SIZE_KEY = "recrawl:size"
EVICT_LOCK = "recrawl:evicting"
#: Longest an eviction may hold its lock (a process that dies while evicting frees it after this).
EVICT_LOCK_SECONDS = 600.0
GONE_STATUSES = frozenset({404, 410})
#: Largest item kept for a page, compressed (a bigger one is not kept: the 304 then yields none).
MAX_ITEM_BYTES = 256 * 1024
#: Write-behind: the records and items held are written once this many are ready ...
FLUSH_BATCH = 64
#: ... or the oldest of them is this many seconds old (the most a kill -9 loses, with the flush tick).
FLUSH_INTERVAL = 1.0
#: A page's record waits at most this long for its kept item (then it is written alone).
ITEM_WAIT = 5.0
#: At most this many URLs held unwritten; past it, writes go through at once.
MAX_PENDING = 10_000


def fingerprint(url: str) -> str:
    """The history key of *url*: SHA-1 of the URL without its fragment, hex."""
    return hashlib.sha1(url.partition("#")[0].encode("utf-8")).hexdigest()


def url_key(fp: str) -> str:
    return f"recrawl:url:{fp}"


def item_key(fp: str) -> str:
    return f"recrawl:item:{fp}"


def due_key(site: str) -> str:
    return f"recrawl:due:{site}"


class _Unread:
    """The record of a URL not read yet (:meth:`FetchHistory.visit` reads it)."""


UNREAD = _Unread()


@dataclass(frozen=True)
class FetchRecord:
    """What one URL answered last time, and when it is due again (times in epoch seconds)."""

    url: str
    etag: str = ""
    last_modified: str = ""
    digest: str = ""
    fetched_at: float = 0.0
    status: int = 0
    interval: float = 0.0
    next_due: float = 0.0
    changed_at: float = 0.0
    change_interval: float | None = None
    visits: int = 0
    changes: int = 0

    @property
    def validated(self) -> bool:
        """Whether the page has a validator (ETag or Last-Modified): only then is a request for it
        conditional, so only then can a ``304`` ask for its kept item."""
        return bool(self.etag or self.last_modified)

    def encode(self) -> str:
        # vars(): the fields in order, as asdict() gives them for these plain values, without its deep copy
        # (47 -> 11 us a record; one record a page)
        return json.dumps(vars(self), separators=(",", ":"), ensure_ascii=False)

    @classmethod
    def decode(cls, text: str) -> FetchRecord | None:
        """The record in *text*, or ``None`` if it is not one (a damaged entry is forgotten, not trusted)."""
        try:
            data = json.loads(text)
            return cls(**data) if isinstance(data, dict) else None
        except (ValueError, TypeError):
            return None


@dataclass(frozen=True)
class HistorySettings:
    max_urls: int = 1_000_000
    schedule: ScheduleSettings = ScheduleSettings()

    @property
    def evict_batch(self) -> int:
        """URLs removed at once when a new URL finds the history full: 1 % of ``max_urls``, at least 1."""
        return max(1, self.max_urls // 100)


@dataclass(frozen=True)
class Visit:
    """The verdict on one answer: ``new``, ``changed``, ``unchanged`` or ``not-modified``; the record
    before and after (``after`` is ``None`` when the history is full and the URL was not recorded);
    how many URLs were evicted to make room for it."""

    verdict: str
    before: FetchRecord | None
    after: FetchRecord | None
    evicted: int = 0


@dataclass
class _Held:
    """A URL's writes held by the write-behind: its record (``None``: only its item) and kept item."""

    url: str
    since: float
    record: FetchRecord | None = None
    new: bool = False  # the record is the URL's first: counted when written
    item: str | None = None
    waiting: bool = False  # the record waits for its item


@dataclass(frozen=True)
class Flushed:
    """What one :meth:`FetchHistory.flush` wrote: URLs written, URLs evicted to make room, new
    URLs not recorded (the history full)."""

    written: int = 0
    evicted: int = 0
    not_recorded: int = 0


class FetchHistory:
    """Fetch history in a :class:`~politecrawl.state.StateStore` (SQLite, Redis or memory);
    *write_behind*: writes held and batched (see the module doc)."""

    def __init__(self, store: StateStore, settings: HistorySettings = HistorySettings(), *,
                 write_behind: bool = False, clock: Clock = SYSTEM_CLOCK) -> None:
        self.store = store
        self.settings = settings
        self.full = False  # a new URL was not recorded because the history was full
        self.write_behind = write_behind
        self.clock = clock
        self.held: dict[str, _Held] = {}  # by fingerprint
        self.flushed_at = float("-inf")  # when the last flush wrote (at most one a FLUSH_INTERVAL)

    # -- reading ---------------------------------------------------------------
    def get(self, url: str) -> FetchRecord | None:
        fp = fingerprint(url)
        held = self.held.get(fp)
        if held is not None and held.record is not None:
            return held.record
        text = self.store.get(url_key(fp))
        return None if text is None else FetchRecord.decode(text)

    def holds(self, url: str) -> bool:
        """Whether this process holds an unwritten record of *url* (write-behind)."""
        held = self.held.get(fingerprint(url))
        return held is not None and held.record is not None

    def due(self, site: str, now: float) -> tuple[list[str], int]:
        """The URLs of *site* due at *now*, most overdue first, and how many are not due yet."""
        due: list[tuple[float, str]] = []
        waiting = 0
        for value in self.store.hgetall(due_key(site)).values():
            next_due, _, rest = value.partition(" ")
            _, _, url = rest.partition(" ")
            try:
                when = float(next_due)
            except ValueError:
                continue
            if url and is_due(when, 0.0, now):
                due.append((when, url))
            elif url:
                waiting += 1
        due.sort()
        return [url for _, url in due], waiting

    def is_due(self, url: str, now: float, lastmod: float | None = None) -> bool:
        """Is *url* due at *now* (a URL without history always is)?"""
        record = self.get(url)
        return record is None or is_due(record.next_due, record.fetched_at, now, lastmod)

    # -- writing ---------------------------------------------------------------
    def visit(
        self,
        url: str,
        now: float,
        *,
        status: int,
        etag: str | None = None,
        last_modified: str | None = None,
        digest: str | None = None,
        changefreq: str | None = None,
        before: FetchRecord | None | _Unread = UNREAD,
        wait_for_item: bool = False,
    ) -> Visit | None:
        """Record the answer *status* to *url* at *now*; the verdict, or ``None`` for a status that
        says nothing about the page's content (3xx other than 304, 4xx, 5xx: the history is kept).

        *before*: the URL's record as read when its request went out (``None``: it had none), so
        that an answer costs no second read; read here when not given. *wait_for_item*: with
        write-behind, the record waits for the page's kept item (:meth:`keep_item`), so that both
        are written in one step (at most :data:`ITEM_WAIT`)."""
        fp = fingerprint(url)
        if isinstance(before, _Unread):
            before = self.get(url)
        if status in GONE_STATUSES:
            if before is not None:
                self.forget(url)
            return None
        if status == 304 and before is None:
            return None  # an answer to validators we did not send: nothing to compare with
        if status != 304 and not 200 <= status < 300:
            return None
        kind = verdict(status, digest, before.digest if before else None, before is not None)
        schedule = self.settings.schedule
        etag, last_modified = clean_validator(etag), clean_validator(last_modified)
        if before is None:
            interval = first_interval(schedule, changefreq)
            after = FetchRecord(url=url, etag=etag, last_modified=last_modified, digest=digest or "",
                                fetched_at=now, status=status, interval=interval, next_due=now + interval,
                                changed_at=now, visits=1, changes=0)
            # only a validated record gets its item kept (no 304 can ask for it otherwise): no wait
            admitted, evicted = self._admit_new(url, fp, after, now, wait_for_item and after.validated)
            if not admitted:
                return Visit(kind, None, None, evicted)
            return Visit(kind, None, after, evicted)
        else:
            changed = kind == CHANGED
            observed = now - before.changed_at if changed and before.changed_at else None
            interval = next_interval(schedule, before.interval, changed, observed)
            after = replace(
                before, fetched_at=now, status=status if status != 304 else before.status,
                interval=interval, next_due=now + interval, visits=before.visits + 1,
                # a 304 may carry new validators (RFC 9110 §15.4.5); keep the old ones otherwise
                etag=etag or before.etag if kind in (NOT_MODIFIED, UNCHANGED) else etag,
                last_modified=(last_modified or before.last_modified
                               if kind in (NOT_MODIFIED, UNCHANGED) else last_modified),
            )
            if changed:
                after = replace(after, digest=digest or "", changed_at=now, changes=before.changes + 1,
                                change_interval=observed)
        self._write(url, fp, after, now=now, wait=wait_for_item and after.validated)
        return Visit(kind, before, after, 0)

    def hint(self, url: str, changefreq: str, since: float) -> bool:
        """Apply a sitemap *changefreq* to *url* if its first fetch was at or after *since* (this crawl's
        start) and it has had no other: its first interval is then the hint's, as if the request had
        carried it (a page reached by a link before its sitemap entry was read). ``False`` if not applied."""
        record = self.get(url)
        if record is None or record.visits != 1 or record.fetched_at < since:
            return False
        interval = first_interval(self.settings.schedule, changefreq)
        if interval == record.interval:
            return True
        after = replace(record, interval=interval, next_due=record.fetched_at + interval)
        self._write(url, fingerprint(url), after, wait=None)
        return True

    def _admit_new(self, url: str, fp: str, record: FetchRecord, now: float | None = None,
                   wait: bool = False) -> tuple[bool, int]:
        """Count and write a new URL's *record*, evicting a batch first if the history holds
        ``max_urls``: whether it was written, and how many URLs were evicted (with write-behind:
        held, counted when written, :meth:`flush`)."""
        if self._write(url, fp, record, new=True, now=now, wait=wait):
            return True, 0
        evicted = self.evict(self.settings.evict_batch)
        if evicted and self._write(url, fp, record, new=True):
            return True, evicted
        self.full = True
        return False, evicted

    def _write(self, url: str, fp: str, record: FetchRecord, *, new: bool = False,
               now: float | None = None, wait: bool | None = False) -> bool:
        """Write *record* and its due-index entry (a *new* URL also counted, unless the history is
        full: then nothing is written, ``False``), in one store step (Redis: one round trip).
        With write-behind: held until the next :meth:`flush` (``True``)."""
        held = self._hold(url, fp, now)
        if held is not None:
            held.new = held.new or (new and held.record is None)
            held.record = record
            if wait is not None:  # None: a change of the record held (a hint) keeps its wait
                held.waiting = wait and held.item is None
            return True
        return self.store.set_indexed_many([self._indexed(url, fp, record, new)])[0]

    def _hold(self, url: str, fp: str, now: float | None) -> _Held | None:
        """With write-behind, *url*'s held writes (made if need be); ``None``: write at once (no
        write-behind, or :data:`MAX_PENDING` URLs held already)."""
        if not self.write_behind:
            return None
        held = self.held.get(fp)
        if held is None and len(self.held) < MAX_PENDING:
            held = self.held[fp] = _Held(url, self.clock() if now is None else now)
        return held

    def evict(self, n: int) -> int:
        """Remove the *n* URLs fetched least recently (by their due-index entries); how many went.

        Reads every site's due index (one pass over the history, paid once per batch); does nothing
        while another process evicts (``0``).
        """
        if n <= 0 or not self.store.set_if_absent(EVICT_LOCK, "1", ttl=EVICT_LOCK_SECONDS):
            return 0
        try:
            oldest = heapq.nsmallest(n, self._entries())
            by_site: dict[str, list[str]] = {}
            for _, site, fp in oldest:
                held = self.held.get(fp)
                if held is not None and held.record is not None:
                    held.new = True  # its record is gone from the store: counted again when written
                self.store.delete(url_key(fp))
                self.store.delete(item_key(fp))
                by_site.setdefault(site, []).append(fp)
            for site, fps in by_site.items():
                self.store.hdel(due_key(site), *fps)
            if oldest:
                self.store.incr(SIZE_KEY, -len(oldest))
            return len(oldest)
        finally:
            self.store.delete(EVICT_LOCK)

    def _entries(self) -> Iterator[tuple[float, str, str]]:
        """``(fetched_at, site, fingerprint)`` of every URL in the due indexes."""
        prefix = due_key("")
        for key in self.store.keys(prefix):
            site = key[len(prefix):]
            for fp, value in self.store.hgetall(key).items():
                try:
                    fetched_at = float(value.split(" ", 2)[1])
                except (IndexError, ValueError):
                    fetched_at = 0.0  # a damaged entry goes first
                yield fetched_at, site, fp

    def forget(self, url: str) -> None:
        """Remove *url* from the history (its record, its item, its place in the due index)."""
        fp = fingerprint(url)
        held = self.held.pop(fp, None)
        if held is not None and held.new:
            return  # never written: nothing in the store to remove or uncount
        self.store.delete(url_key(fp))
        self.store.delete(item_key(fp))
        try:
            self.store.hdel(due_key(site_key(url)), fp)
        except InvalidURL:
            pass
        self.store.incr(SIZE_KEY, -1)

    # -- items -----------------------------------------------------------------
    def keep_item(self, url: str, item: Mapping[str, Any], now: float | None = None) -> bool:
        """Keep *item* (JSON-serialisable) as what a ``304`` of *url* gives back; ``False`` if too big.
        With write-behind: held with the page's record, written with it."""
        packed = base64.b64encode(zlib.compress(
            json.dumps(dict(item), ensure_ascii=False, separators=(",", ":"), default=str).encode("utf-8"), 6
        )).decode("ascii")
        fp = fingerprint(url)
        if len(packed) > MAX_ITEM_BYTES:
            held = self.held.get(fp)
            if held is not None:
                held.waiting = False  # no item will come: the record goes alone
            return False
        held = self._hold(url, fp, now)
        if held is not None:
            held.item = packed
            held.waiting = False
            return True
        self.store.set(item_key(fp), packed)
        return True

    def item(self, url: str) -> dict[str, Any] | None:
        """The item kept for *url*, or ``None``."""
        fp = fingerprint(url)
        held = self.held.get(fp)
        packed = held.item if held is not None and held.item is not None else self.store.get(item_key(fp))
        if packed is None:
            return None
        try:
            data = json.loads(zlib.decompress(base64.b64decode(packed)).decode("utf-8"))
        except (ValueError, zlib.error):
            return None
        return data if isinstance(data, dict) else None

    # -- write-behind ----------------------------------------------------------
    def flush(self, now: float | None = None, *, force: bool = False) -> Flushed:
        """Write the held records and items that are ready, in one store step, if :data:`FLUSH_BATCH`
        of them are, or the oldest is :data:`FLUSH_INTERVAL` old and the last flush was as long ago
        (*force*: every one held, now).

        A record waiting for its item is ready once the item came or after :data:`ITEM_WAIT`. New
        URLs that find the history full make room first (:meth:`evict`) and are written again; those
        that still do not fit are not recorded. Raises ``StateStoreError`` with everything still held.
        """
        if not self.held:
            return Flushed()
        now = self.clock() if now is None else now
        if not force and len(self.held) < FLUSH_BATCH and now - self.flushed_at < FLUSH_INTERVAL:
            return Flushed()  # the rule below, without a pass over what is held (asked once or twice a page)
        ready = [(fp, h) for fp, h in self.held.items() if force or not h.waiting or now - h.since >= ITEM_WAIT]
        if not ready:
            return Flushed()
        if not force and len(ready) < FLUSH_BATCH and (now - min(h.since for _, h in ready) < FLUSH_INTERVAL
                                                       or now - self.flushed_at < FLUSH_INTERVAL):
            return Flushed()  # a batch not full: at most one flush a FLUSH_INTERVAL
        self.flushed_at = now
        done = self.store.set_indexed_many([self._indexed(h.url, fp, h.record, h.new, h.item) for fp, h in ready])
        for fp, _ in ready:
            del self.held[fp]
        refused = [(fp, h) for (fp, h), ok in zip(ready, done) if not ok]
        evicted = 0
        if refused:
            evicted = self.evict(self.settings.evict_batch)
            if evicted:
                again = self.store.set_indexed_many([self._indexed(h.url, fp, h.record, h.new, h.item)
                                                     for fp, h in refused])
                refused = [pair for pair, ok in zip(refused, again) if not ok]
            if refused:
                self.full = True
        return Flushed(len(ready) - len(refused), evicted, len(refused))

    def _indexed(self, url: str, fp: str, record: FetchRecord | None, new: bool,
                 item: str | None = None) -> IndexedWrite:
        """The store write of *url*'s *record* (``None``: none) with its due-index entry (a *new* URL
        counted up to ``max_urls``) and its kept *item* (packed)."""
        also = ((item_key(fp), item),) if item is not None else ()
        if record is None:
            return IndexedWrite("", also=also)
        try:
            index, entry = due_key(site_key(url)), f"{record.next_due!r} {record.fetched_at!r} {url}"
        except InvalidURL:  # no site, no due index: the record alone
            index, entry = "", ""
        return IndexedWrite(url_key(fp), record.encode(), index, fp if index else "", entry,
                            count=SIZE_KEY if new else None, limit=self.settings.max_urls, also=also)
