"""Which answers a crawl keeps, read from their headers; which links look like files.

A page crawl keeps HTML and XHTML (``POLITECRAWL_KEEP_TYPES``); any other
answer is cut once its headers are in, before its body is read. Sitemap
fetches accept what sitemaps are served as. :data:`FILE_EXTENSIONS` adds to
Scrapy's ``IGNORED_EXTENSIONS`` the extensions that are obviously not pages.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = [
    "DEFAULT_KEEP_TYPES",
    "FILE_EXTENSIONS",
    "SITEMAP_TYPES",
    "is_kept",
    "media_type",
    "skipped_extensions",
]

DEFAULT_KEEP_TYPES: tuple[str, ...] = ("text/html", "application/xhtml+xml")

#: Media types a sitemap may be served as (XML, gzip, or plain text lists).
SITEMAP_TYPES: frozenset[str] = frozenset({
    "application/xml", "text/xml", "application/gzip", "application/x-gzip",
    "application/octet-stream", "text/plain", "application/rss+xml", "application/atom+xml",
})

#: Extensions not in Scrapy's IGNORED_EXTENSIONS that are obviously not HTML pages
#: (data files, fonts, e-books, calendars, feeds, more archives, images, media).
FILE_EXTENSIONS: tuple[str, ...] = (
    "json", "xml", "csv", "tsv", "txt", "md", "rtf", "gz", "tgz", "bz", "zst", "lz", "epub",
    "mobi", "woff", "woff2", "ttf", "otf", "eot", "ics", "vcf", "atom", "avif", "heic",
    "jfif", "mkv", "flac", "opus", "m3u8", "wasm", "msi", "deb", "rpm", "pkg", "img",
    "sqlite", "db", "parquet", "torrent", "kml", "kmz", "gpx", "key", "numbers", "pages",
)


def media_type(content_type: str | bytes | None) -> str:
    """The media type of a ``Content-Type`` value, lower case, without parameters
    (``""`` when there is none or it cannot be read)."""
    if content_type is None:
        return ""
    if isinstance(content_type, bytes):
        content_type = content_type.decode("latin-1")
    return content_type.split(";", 1)[0].strip().lower()


def is_kept(content_type: str | bytes | None, keep: frozenset[str]) -> bool:
    """Whether an answer with this ``Content-Type`` is kept.

    An answer without a ``Content-Type`` is kept (the body decides, as a browser
    sniffs it); one that names another type is not.
    """
    kind = media_type(content_type)
    return not kind or kind in keep


def skipped_extensions(
    scrapy_ignored: Iterable[str], extra: Iterable[str], follow: Iterable[str]
) -> list[str]:
    """Extensions whose links are not followed: Scrapy's list, :data:`FILE_EXTENSIONS`
    and *extra*, minus the ones a crawl asks for (*follow*); lower case, no dot."""
    asked = {e.strip().lower().lstrip(".") for e in follow}
    every = {e.strip().lower().lstrip(".") for e in (*scrapy_ignored, *FILE_EXTENSIONS, *extra)}
    return sorted(e for e in every if e and e not in asked)
