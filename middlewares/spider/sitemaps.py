"""Reading a fetched sitemap with Scrapy's utilities (``scrapy.utils.sitemap``,
``scrapy.utils.gz.gunzip`` with a size bound), as ``SitemapSpider`` does.

:func:`read_sitemap` returns the sitemap's kind (``urlset`` or
``sitemapindex``) and up to *max_urls* entries (``loc``, ``lastmod``, ``changefreq``); how
many entries were left out past the bound; and why nothing could be read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap

from politecrawl.middlewares._scrapy_compat import decompression_too_large

_TooLarge = decompression_too_large()

_GZIP_MAGIC = b"\x1f\x8b"


@dataclass
class SitemapRead:
    kind: str = ""
    entries: list[dict[str, Any]] = field(default_factory=list)
    left_out: int = 0
    error: str = ""


def read_sitemap(body: bytes, *, max_bytes: int, max_urls: int) -> SitemapRead:
    """Parse *body* (gzipped or not) into at most *max_urls* entries, reading at most
    *max_bytes* uncompressed bytes (a larger gzipped sitemap is not read: ``too_large``)."""
    if body[:2] == _GZIP_MAGIC:
        try:
            body = gunzip(body, max_size=max_bytes)
        except _TooLarge:
            return SitemapRead(error="too_large")
        except (OSError, EOFError, ValueError):
            return SitemapRead(error="bad_gzip")
    elif len(body) > max_bytes:
        return SitemapRead(error="too_large")
    if not body.strip():
        return SitemapRead(error="empty")
    try:
        sitemap = Sitemap(body)
    except Exception:  # lxml raises its own errors for what is not XML at all
        return SitemapRead(error="not_xml")
    read = SitemapRead(kind=sitemap.type)
    if read.kind not in ("urlset", "sitemapindex"):
        return SitemapRead(error="not_a_sitemap")
    try:
        for entry in sitemap:
            if len(read.entries) >= max_urls:
                read.left_out += 1
                continue
            loc = entry.get("loc", "")
            if loc:
                read.entries.append({"loc": loc, "lastmod": entry.get("lastmod"), "changefreq": entry.get("changefreq")})
    except Exception:  # a broken tail: keep what was read
        read.error = "broken_xml"
    return read
