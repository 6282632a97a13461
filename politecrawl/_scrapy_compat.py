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
    engine = getattr(crawler, "engine", None)
    slot = getattr(engine, "_slot", None)
    nextcall = getattr(slot, "nextcall", None)
    if nextcall is not None:
        nextcall.schedule()


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
