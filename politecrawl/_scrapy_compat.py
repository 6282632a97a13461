"""The only module that touches Scrapy internals.

Scrapy plans to rework download slots (its PR 6931); when it does, this is
the file to change. Everything here is a small named helper.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tldextract import TLDExtract

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


def wake_engine(crawler: Crawler) -> None:
    """Ask the engine to poll the scheduler again now.

    The engine polls on its own only after a download finishes, a request is
    scheduled, or every 5 s (heartbeat); a frontier that held requests back
    must wake it when the earliest of them becomes ready.
    """
    slot = getattr(_engine(crawler), "_slot", None)
    nextcall = getattr(slot, "nextcall", None)
    if nextcall is not None:
        nextcall.schedule()


def _engine(crawler: Crawler) -> Any:
    try:
        return getattr(crawler, "engine", None)
    except RuntimeError:  # Scrapy 2.19: "Crawler.engine is not set yet"
        return None


def scheduler_queues(crawler: Crawler) -> list[Any]:
    """The scheduler's memory and disk priority queues (those that exist)."""
    slot = getattr(_engine(crawler), "_slot", None)
    scheduler = getattr(slot, "scheduler", None)
    return [q for q in (getattr(scheduler, "mqs", None), getattr(scheduler, "dqs", None)) if q]


def call_later(delay: float, func: Any) -> Any:
    """Schedule *func* on the running reactor; returns a handle with ``cancel()``."""
    from twisted.internet import reactor  # noqa: PLC0415 - installed reactor only

    return reactor.callLater(max(0.0, delay), func)


def make_cookie_domain_splitter_offline() -> None:
    """Replace the TLDExtract that Scrapy's cookie middleware builds at import.

    It is built with tldextract's default suffix-list URLs and would fetch the
    Public Suffix List from the internet the first time a cookie carries a
    domain attribute. politecrawl never reaches the network on its own.
    """
    from scrapy.downloadermiddlewares import cookies  # noqa: PLC0415

    splitter = getattr(cookies, "_split_domain", None)
    if isinstance(splitter, TLDExtract) and splitter.suffix_list_urls:
        cookies._split_domain = TLDExtract(  # type: ignore[attr-defined]
            suffix_list_urls=(),
            cache_dir=None,
            include_psl_private_domains=True,
        )


async def sleep(seconds: float) -> None:
    """Wait on the running reactor from an ``async def`` Scrapy component."""
    from twisted.internet import reactor  # noqa: PLC0415
    from twisted.internet.task import deferLater  # noqa: PLC0415

    from scrapy.utils.defer import maybe_deferred_to_future  # noqa: PLC0415

    await maybe_deferred_to_future(deferLater(reactor, max(0.0, seconds), lambda: None))


def evict_queued_downloads(
    crawler: Crawler, belongs: Any, make_exception: Any
) -> int:
    """Fail the requests waiting in download-slot queues for which *belongs(request)* is true.

    A request that has passed the downloader middlewares waits in its slot's
    queue for a free transfer place; a stop or pause seen meanwhile would not
    hold it back. Each evicted request's download fails with
    ``make_exception(request)``, so the downloader middlewares'
    ``process_exception`` can reschedule it (a pause) or let it drop (a stop).
    Requests already transferring are left alone. Returns how many were evicted.
    """
    from twisted.python.failure import Failure  # noqa: PLC0415

    downloader = getattr(_engine(crawler), "downloader", None)
    slots = getattr(downloader, "slots", None) or {}
    evicted = []
    for slot in list(slots.values()):
        queue = getattr(slot, "queue", None)
        if not queue:
            continue
        keep = [(req, dfd) for req, dfd in queue if not belongs(req)]
        if len(keep) == len(queue):
            continue
        evicted += [(req, dfd) for req, dfd in queue if belongs(req)]
        queue.clear()
        queue.extend(keep)
    for request, dfd in evicted:
        dfd.errback(Failure(make_exception(request)))
    return len(evicted)
