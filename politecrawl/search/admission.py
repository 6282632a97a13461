"""Which new page requests a search crawl admits, and in what order.

:class:`Admission` sees every page request a spider yields, by its clean URL,
its site and its depth, and answers ``None`` (admitted) or the reason it is
not: ``depth_limit`` (deeper than ``POLITECRAWL_DEPTH_LIMIT``), ``page_quota``
(the site already has ``POLITECRAWL_SITE_PAGE_QUOTA`` distinct pages admitted),
``canonical_seen`` (a fetched page named this URL as its canonical URL, so the
page is already recorded). :func:`priority` orders a site's requests
breadth-first: shallower first, a recent sitemap ``lastmod`` first among equals.
"""

from __future__ import annotations

__all__ = ["Admission", "priority"]

#: Priority steps per level of depth; a lastmod bonus (0-5) stays within one step.
DEPTH_STEP = 10


def priority(depth: int, hint: int = 0, *, breadth_first: bool = True) -> int:
    """Scrapy request priority (higher goes first) of a page at *depth* with a
    sitemap bonus *hint*; without *breadth_first* only the hint counts."""
    return (-DEPTH_STEP * max(depth, 0) if breadth_first else 0) + hint


class Admission:
    """Depth limit, per-site page quota and canonical URLs, for one crawl process.

    Counts are kept in memory: in a cluster each process keeps its own quota
    (docs/search.md). Only admitted distinct URLs count towards a quota.
    """

    def __init__(self, *, depth_limit: int = 0, page_quota: int = 0) -> None:
        self.depth_limit = depth_limit
        self.page_quota = page_quota
        self._pages: dict[str, set[str]] = {}
        self._canonical: set[str] = set()

    def decide(self, url: str, site: str, depth: int) -> str | None:
        """``None`` if the page request for clean *url* goes ahead, else why not."""
        if url in self._canonical:
            return "canonical_seen"
        if self.depth_limit and depth > self.depth_limit:
            return "depth_limit"
        if self.page_quota:
            pages = self._pages.setdefault(site, set())
            if url not in pages:
                if len(pages) >= self.page_quota:
                    return "page_quota"
                pages.add(url)
        return None

    def note_canonical(self, url: str) -> bool:
        """Record that a fetched page's canonical URL is *url*; ``True`` the first time."""
        if url in self._canonical:
            return False
        self._canonical.add(url)
        return True

    def is_canonical(self, url: str) -> bool:
        """Whether a fetched page named *url* (a clean URL) as its canonical URL."""
        return url in self._canonical

    def pages(self, site: str) -> int:
        """Distinct pages admitted for *site* (counted only with a quota)."""
        return len(self._pages.get(site, ()))
