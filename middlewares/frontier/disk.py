"""Queued requests and seen fingerprints in one SQLite file in ``JOBDIR`` (the frontier on disk).

With ``JOBDIR`` set, Scrapy's scheduler builds its disk priority queue; under
the add-on that is the paced frontier over :class:`DiskRequestStore`, and the
dupefilter is :class:`DiskDupeFilter`. Both use one
:class:`~politecrawl.frontier.sqlite.SQLiteFrontier` file,
``JOBDIR/frontier.sqlite3``, so one open file serves any number of origins and
a request's fingerprint and its queue row are written in the same
transaction. Requests are stored by :mod:`~politecrawl.middlewares.frontier.codec` (a lean tuple for a plain
``Request``, Scrapy's ``to_dict`` otherwise); a request that cannot be (a callback that is not a spider
method) goes to the memory queue, as in Scrapy.

A request taken out keeps its row in the file until the engine is done with
it (answered and parsed, failed or refused; committed within 5 ms): a crawl
killed meanwhile finds it queued when it resumes. Its children are written before it is finished, so
nothing queued is lost; what may be fetched twice after a kill are the
requests in flight at the kill.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy.dupefilters import RFPDupeFilter
from scrapy.utils.job import job_dir

from politecrawl.frontier.sqlite import SQLiteFrontier
from politecrawl.sites import InvalidURL, origin_key, site_key
from politecrawl.middlewares._scrapy_compat import call_later, on_request_finished
from politecrawl.middlewares.frontier.codec import decode, encode
from politecrawl.middlewares.frontier.fingerprint import RequestFingerprinter, hashed
from politecrawl.middlewares.runtime import KEYS

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

#: The store's file in ``JOBDIR``.
FILE_NAME = "frontier.sqlite3"
#: Meta key of a popped request's lease in the store (removed before the request is stored again).
LEASE = "politecrawl_frontier_lease"
#: Seconds after which writes with no request finished meanwhile are committed.
COMMIT_INTERVAL = 0.5

_ATTR = "_politecrawl_frontier_file"


class FrontierFile:
    """The crawl's one :class:`SQLiteFrontier`, shared by its disk queue and its dupefilter."""

    def __init__(self, path: Path) -> None:
        self.frontier = SQLiteFrontier(path)
        self.users = 0
        self._commit_call: Any = None
        self._finish_call: Any = None

    @classmethod
    def acquire(cls, crawler: Crawler) -> FrontierFile:
        shared = getattr(crawler, _ATTR, None)
        if shared is None:
            folder = Path(job_dir(crawler.settings) or ".")
            folder.mkdir(parents=True, exist_ok=True)
            shared = cls(folder / FILE_NAME)
            setattr(crawler, _ATTR, shared)
        shared.users += 1
        return shared

    def release(self, crawler: Crawler) -> None:
        self.users -= 1
        if self.users <= 0:
            for call in (self._commit_call, self._finish_call):
                if call is not None and call.active():
                    call.cancel()
            self.frontier.close()
            setattr(crawler, _ATTR, None)

    def wrote(self) -> None:
        """Writes are pending: commit them within :data:`COMMIT_INTERVAL` if nothing else does."""
        if self._commit_call is None or not self._commit_call.active():
            self._commit_call = call_later(COMMIT_INTERVAL, self.frontier.commit)

    def finish(self, lease: Any) -> None:
        """A request is done: forget it, committed within the frontier's ``commit_gap``."""
        frontier = self.frontier
        frontier.finish(lease)
        if frontier.uncommitted and (self._finish_call is None or not self._finish_call.active()):
            self._finish_call = call_later(frontier.commit_gap, frontier.commit)


def _is_fifo(queue_cls: type | None, default: bool) -> bool:
    """Whether a Scrapy queue class pops first in, first out (by its name, as Scrapy's and queuelib's say)."""
    for cls in getattr(queue_cls, "__mro__", ()):
        if "Fifo" in cls.__name__:
            return True
        if "Lifo" in cls.__name__:
            return False
    return default


class DiskRequestStore:
    """A :class:`~politecrawl.frontier.RequestStore` in the crawl's SQLite frontier file."""

    def __init__(self, crawler: Crawler, shared: FrontierFile, *, fifo: bool, start_fifo: bool | None) -> None:
        self.crawler = crawler
        self.shared = shared
        self.frontier = shared.frontier
        self.fifo = fifo
        self.start_fifo = start_fifo  # None: start requests are queued as the others
        self._hooked = False
        self._closed = False
        self._heads: dict[int, tuple[tuple[int, int], Request]] = {}  # origin -> its head, decoded once

    @classmethod
    def open(cls, crawler: Crawler, queue_cls: type | None, start_queue_cls: type | None) -> DiskRequestStore:
        shared = FrontierFile.acquire(crawler)
        start_fifo = None if start_queue_cls is None else _is_fifo(start_queue_cls, True)
        return cls(crawler, shared, fifo=_is_fifo(queue_cls, False), start_fifo=start_fifo)

    # -- requests ---------------------------------------------------------------
    def push(self, request: Request, site: str, origin: str) -> int | None:
        meta = request.meta
        meta.pop(LEASE, None)
        body = self._serialise(request)
        origin_id = self.frontier.origin_id(site, origin)
        start = self.start_fifo is not None and bool(meta.get("is_start_request"))
        rank = -request.priority * 2 + start  # as Scrapy: higher priority first, start requests after
        became_ready = self.frontier.push(
            origin_id, rank, request.url, body, fifo=self.start_fifo if start else self.fifo
        )
        self.shared.wrote()
        return origin_id if became_ready else None

    def _serialise(self, request: Request) -> bytes:
        return encode(request, self.crawler.spider, KEYS)  # the keys' stamp is restored from the origin's names

    def head(self, origin_id: int) -> Request | None:
        """The request :meth:`pop` would return next (a decoded copy), or ``None``."""
        row = self.frontier.head_body(origin_id)
        if row is None:
            self._heads.pop(origin_id, None)
            return None
        rank, seq, url, body = row
        known = self._heads.get(origin_id)
        if known is not None and known[0] == (rank, seq):
            return known[1]
        request = self._decode(url, body, origin_id)
        self._heads[origin_id] = ((rank, seq), request)
        return request

    def _decode(self, url: str, body: bytes, origin_id: int | None) -> Request:
        request = decode(body, self.crawler.spider, url)
        if origin_id is not None and KEYS not in request.meta:
            site, origin = self.frontier.names(origin_id)
            request.meta[KEYS] = (request.url, site, origin)
        return request

    def pop(self, origin_id: int) -> Request | None:
        self._heads.pop(origin_id, None)
        taken = self.frontier.pop(origin_id)
        if taken is None:
            return None
        if not self._hooked:
            self._hooked = on_request_finished(self.crawler, self.finished)
        lease, url, body = taken
        request = self._decode(url, body, origin_id)
        request.meta[LEASE] = lease
        self.shared.wrote()
        return request

    def finished(self, request: Request) -> None:
        lease = request.meta.get(LEASE)
        if lease is not None and self.shared.users:
            del request.meta[LEASE]
            self.shared.finish(lease)

    def drain(self) -> list[Request]:
        self._heads.clear()
        return [self._decode(url, body, None) for url, body in self.frontier.drain()]

    # -- origins ------------------------------------------------------------------
    def site_of_origin(self, origin: str) -> str | None:
        return self.frontier.site_of(origin)

    def names(self, origin_id: int) -> tuple[str, str]:
        return self.frontier.names(origin_id)

    def head_url(self, origin_id: int) -> str | None:
        head = self.frontier.head(origin_id)
        return None if head is None else head[2]

    def count(self, origin_id: int) -> int:
        return self.frontier.count(origin_id)

    def handles(self) -> list[int]:
        return list(self.frontier.non_empty())

    def handles_of(self, site: str) -> list[int]:
        return self.frontier.handles_of(site)

    def drop(self, origin_id: int) -> int:
        n = self.frontier.drop(origin_id)
        self._heads.pop(origin_id, None)
        self.shared.wrote()
        return n

    def waiting(self) -> list[tuple[str, str, int]]:
        """As the memory store: nothing once closed (what waits was tallied at the close)."""
        return [] if self._closed else self.frontier.waiting()

    def close(self) -> dict[str, Any]:
        """Every request the engine took out has finished by now (Scrapy closes the queue last)."""
        self.frontier.finish_all()
        self._closed = True
        self.shared.release(self.crawler)
        return {}

    def __len__(self) -> int:
        return len(self.frontier)


class DiskDupeFilter(RFPDupeFilter):
    """Scrapy's dupefilter, with ``JOBDIR``'s fingerprints in the frontier file (none in memory).

    Without ``JOBDIR`` it is Scrapy's ``RFPDupeFilter`` unchanged.
    """

    def __init__(self, path: str | None = None, debug: bool = False, *, fingerprinter: Any = None,
                 crawler: Crawler | None = None) -> None:
        super().__init__(None, debug, fingerprinter=fingerprinter)
        self.crawler = crawler
        self.shared: FrontierFile | None = None
        self._on_disk = bool(path) and crawler is not None
        # politecrawl's fingerprinter (Scrapy's fingerprint) tells which URL it hashed: its fingerprints are filed
        # under that URL's origin; another fingerprinter's under none (0)
        self._by_origin = getattr(type(fingerprinter), "fingerprint", None) is RequestFingerprinter.fingerprint

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DiskDupeFilter:
        return cls(
            job_dir(crawler.settings), crawler.settings.getbool("DUPEFILTER_DEBUG"),
            fingerprinter=crawler.request_fingerprinter, crawler=crawler,
        )

    def open(self) -> None:
        if self._on_disk and self.shared is None:
            assert self.crawler is not None
            self.shared = FrontierFile.acquire(self.crawler)

    def request_seen(self, request: Request) -> bool:
        if self.shared is None:
            return super().request_seen(request)
        frontier = self.shared.frontier
        if self._by_origin:
            fp, url = hashed(request)
            seen = frontier.seen(fp, _origin_id(frontier, url))
        else:
            seen = frontier.seen(self.fingerprinter.fingerprint(request))
        if not seen:
            self.shared.wrote()
        return seen

    def close(self, reason: str) -> None:
        if self.shared is not None:
            self.shared.release(self.crawler)
            self.shared = None
        super().close(reason)


def _origin_id(frontier: SQLiteFrontier, url: str) -> int:
    """The handle of *url*'s origin (made on first use, as the push that follows would), or 0 if it has none."""
    try:
        origin = origin_key(url)
        known = frontier.known_id(origin)
        return known if known is not None else frontier.origin_id(site_key(url), origin)
    except InvalidURL:
        return 0
