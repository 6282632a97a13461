"""Sitemap decisions: which sitemaps to fetch, how far to read them, what a
``lastmod`` is worth (sitemaps.org protocol 0.9).

Parsing is Scrapy's (``scrapy.utils.sitemap.Sitemap``, in the glue); this
module decides. A site's sitemaps are the ``Sitemap:`` lines of its robots.txt
(kept in the robots record, so a cluster fetches robots.txt once) that point
into the same site, or ``/sitemap.xml`` of the origin when it names none.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from urllib.parse import urljoin, urlsplit

from ..sites import InvalidURL, site_key

__all__ = ["MAX_BYTES", "MAX_URLS", "lastmod_hint", "parse_lastmod", "sitemaps_for"]

#: The protocol's bounds for one sitemap file: 50 MB (uncompressed) and 50,000 URLs.
MAX_BYTES = 50 * 1024 * 1024
MAX_URLS = 50_000
#: Sitemap indexes nested deeper than this are not followed (the protocol allows one level).
MAX_INDEX_DEPTH = 2

#: (age in days at most, priority bonus): a recently changed page goes first among its depth.
_AGE_BONUS = ((1, 5), (7, 4), (30, 3), (180, 2), (365, 1))


def sitemaps_for(origin: str, named: Iterable[str]) -> list[str]:
    """The sitemap URLs to fetch for *origin* (``scheme://host:port``).

    *named* are the robots.txt ``Sitemap:`` URLs (relative ones against the
    origin); those in the origin's site are
    kept (in order, once each); another site's sitemap is not ours to fetch.
    None left: the origin's ``/sitemap.xml``.
    """
    try:
        site = site_key(origin)
    except InvalidURL:
        return []
    parts = urlsplit(origin)
    default = {"http": 80, "https": 443}.get(parts.scheme)
    netloc = parts.netloc if parts.port != default else (parts.hostname or "")
    base = f"{parts.scheme}://{netloc}/"
    kept: list[str] = []
    for url in named:
        url = urljoin(base, url.strip())
        if urlsplit(url).scheme not in ("http", "https") or url in kept:
            continue
        try:
            if site_key(url) == site:
                kept.append(url)
        except InvalidURL:
            continue
    return kept or [base + "sitemap.xml"]


def parse_lastmod(value: str | None) -> dt.datetime | None:
    """A W3C datetime (``2024-05-01``, ``2024-05-01T10:00:00+00:00``, ``...Z``) in UTC, or ``None``."""
    if not value:
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        try:
            when = dt.datetime.strptime(text[:10], "%Y-%m-%d")
        except ValueError:
            return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return when.astimezone(dt.timezone.utc)


def lastmod_hint(lastmod: str | None, now: float) -> int:
    """Priority bonus (0-5) of a sitemap entry's ``lastmod`` at *now* (epoch seconds):
    changed within a day 5, a week 4, a month 3, half a year 2, a year 1; older,
    absent, unreadable or in the future 0."""
    when = parse_lastmod(lastmod)
    if when is None:
        return 0
    age_days = (now - when.timestamp()) / 86_400
    if age_days < 0:
        return 0
    for days, bonus in _AGE_BONUS:
        if age_days <= days:
            return bonus
    return 0
