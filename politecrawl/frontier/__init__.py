"""Where queued requests wait: the store behind the paced frontier.

The paced frontier (``politecrawl.middlewares.frontier.queue.PacedPriorityQueue``)
decides *which origin* may send next (its ready times, the admission
answer); a :class:`RequestStore` holds the requests themselves, one queue per
origin, and answers for one origin at a time. Two stores exist: requests in
memory (``middlewares/frontier/memory.py``) and requests in one SQLite file
(:class:`~politecrawl.frontier.sqlite.SQLiteFrontier` under
``middlewares/frontier/disk.py``). A shared frontier (Redis) can meet the same
protocol.

An origin is named to the frontier by a *handle* the store gives out (the
origin key, or a small integer): the frontier keeps only handles and ready
times in memory.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from collections.abc import Hashable, Iterable

__all__ = ["RequestStore"]


class RequestStore(Protocol):
    """Per-origin queues of requests, ordered within an origin by priority then arrival."""

    def push(self, request: Any, site: str, origin: str) -> Hashable | None:
        """Queue *request*; returns the origin's handle if its queue was empty before, else ``None``.

        Raises :class:`ValueError` for a request the store cannot keep (not serialisable).
        """

    def names(self, handle: Hashable) -> tuple[str, str]:
        """``(site key, origin key)`` of a handle."""

    def head_url(self, handle: Hashable) -> str | None:
        """The URL :meth:`pop` would return next, or ``None`` if the store cannot tell."""

    def pop(self, handle: Hashable) -> Any | None:
        """Take the origin's next request (``None`` if its queue is empty)."""

    def count(self, handle: Hashable) -> int:
        """How many requests wait for the origin."""

    def handles(self) -> Iterable[Hashable]:
        """Handles of every origin with requests waiting (a resumed store's, at start)."""

    def handles_of(self, site: str) -> Iterable[Hashable]:
        """Handles of the site's origins that have requests waiting."""

    def drop(self, handle: Hashable) -> int:
        """Remove every request waiting for the origin; returns how many."""

    def waiting(self) -> Iterable[tuple[str, str, int]]:
        """``(site, origin, count)`` of every origin with requests waiting."""

    def drain(self) -> list[Any]:
        """Take every waiting request out (no order promised)."""

    def finished(self, request: Any) -> None:
        """*request*, popped earlier, is done (answered, failed or refused): forget it for good."""

    def close(self) -> Any:
        """Keep what waits (a disk store) or let it go; returns the state Scrapy's scheduler saves."""

    def __len__(self) -> int: ...
