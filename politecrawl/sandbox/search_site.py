"""What a sandbox site serves for search crawls: sitemaps, files, duplicates, aliases.

Set on a :class:`~politecrawl.sandbox.spec.SiteSpec`:

- ``sitemap``: ``""`` (none: ``/sitemap.xml`` is a 404), ``"urlset"`` (``sitemap_path``
  lists every page) or ``"index"`` (``sitemap_path`` is a sitemap index of
  ``/sitemaps/part-0.xml`` and the gzipped ``/sitemaps/part-1.xml.gz``, each listing half).
  Entries carry a ``lastmod``: page *i* changed *i* days before 2026-12-01, unless ``lastmods``
  gives a page path's ``lastmod`` (W3C datetime text, served as given); ``changefreqs`` gives a page
  path's ``changefreq`` (served as given; none otherwise).
- ``sitemap_pages``: pages ``/s/0`` … reachable only from the sitemap.
- ``file_links``: links per page to non-HTML files ``/files/<page>-<k>.<ext>``
  (extensions in :data:`FILE_KINDS`), served with their media type;
  ``download_links``: links per page to ``/download/<page>-<k>`` (no extension), a PDF.
- ``large_pdf``: bytes of ``/files/big.pdf`` and ``/download/big`` (linked from ``/``),
  sent in chunks, so the log's ``bytes`` is what left the server before the client hung up.
- ``tracking_links``: each page also links its first target with ``utm_*`` parameters,
  a ``;jsessionid=`` path parameter and a ``PHPSESSID`` query (the same page).
- ``canonical``: every page names ``/p/<i>`` as its ``rel=canonical``; ``aliases``
  lists page numbers also served at ``/a/<i>`` (linked from ``/``, canonical ``/p/<i>``).
"""

from __future__ import annotations

import datetime as dt
import gzip
import html
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .spec import SiteSpec

#: (extension, media type) of the files pages link to, in turn.
FILE_KINDS: tuple[tuple[str, str], ...] = (
    ("pdf", "application/pdf"), ("jpg", "image/jpeg"), ("zip", "application/zip"),
    ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("png", "image/png"), ("mp4", "video/mp4"), ("csv", "text/csv"), ("json", "application/json"),
    ("mp3", "audio/mpeg"), ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
)
_EPOCH = dt.date(2026, 12, 1)
_FILE_BODY = b"%PDF-1.4 not a page\n" * 50

Answer = tuple[int, dict[str, str], bytes]


def page_paths(site: SiteSpec) -> list[str]:
    """Every HTML page of the site by its plain URL path (home, linked, sitemap-only)."""
    return (["/"] + [f"/p/{i}" for i in range(site.pages)]
            + [f"/s/{j}" for j in range(site.sitemap_pages)])


def extra_links(site: SiteSpec, index: int | None, targets: list[str]) -> list[str]:
    """Links a page carries besides its page links (files, downloads, duplicates, aliases)."""
    key = "home" if index is None else str(index)
    links: list[str] = []
    for k in range(site.file_links):
        ext = FILE_KINDS[((index or 0) + k) % len(FILE_KINDS)][0]
        links.append(f"/files/{key}-{k}.{ext}")
    links.extend(f"/download/{key}-{k}" for k in range(site.download_links))
    if site.tracking_links and targets:
        first = targets[0]
        links += [
            f"{first}?utm_source=newsletter&utm_medium=email&utm_campaign={key}",
            f"{first};jsessionid=S{key}X",
            f"{first}?PHPSESSID=abc{key}",
        ]
    if index is None:
        if site.large_pdf:
            links += ["/files/big.pdf", "/download/big"]
        links += [f"/a/{i}" for i in site.aliases]
    return links


def head_extra(site: SiteSpec, path: str) -> str:
    """``<link rel=canonical>`` of a page at *path* (its plain ``/p/<i>`` URL)."""
    if not site.canonical or not path.startswith(("/p/", "/a/")):
        return ""
    return f'<link rel="canonical" href="/p/{html.escape(path[3:])}">'


def answer(site: SiteSpec, path: str) -> Answer | None:
    """The answer for a search path of *site*, or ``None`` (not one of these paths)."""
    if site.sitemap and path in (site.sitemap_path, "/sitemaps/part-0.xml", "/sitemaps/part-1.xml.gz"):
        return _sitemap(site, path)
    if path.startswith("/files/") or path.startswith("/download/"):
        name = path.rsplit("/", 1)[1]
        if name in ("big.pdf", "big") and site.large_pdf:
            return 200, {"Content-Type": "application/pdf"}, b"%PDF-1.4\n" + b"0" * (site.large_pdf - 9)
        if path.startswith("/download/"):
            return 200, {"Content-Type": "application/pdf"}, _FILE_BODY
        ext = name.rsplit(".", 1)[-1]
        kind = dict(FILE_KINDS).get(ext)
        if kind is not None:
            return 200, {"Content-Type": kind}, _FILE_BODY
    return None


def _sitemap(site: SiteSpec, path: str) -> Answer | None:
    base = f"http://{site.host}"
    if site.sitemap == "index" and path == site.sitemap_path:
        parts = "".join(
            f"<sitemap><loc>{base}{p}</loc></sitemap>"
            for p in ("/sitemaps/part-0.xml", "/sitemaps/part-1.xml.gz")
        )
        body = ('<?xml version="1.0" encoding="UTF-8"?>'
                f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{parts}</sitemapindex>')
        return 200, {"Content-Type": "application/xml"}, body.encode()
    paths = page_paths(site)
    if site.sitemap == "index":
        if path == site.sitemap_path:
            return None
        half = (len(paths) + 1) // 2
        paths = paths[:half] if path.endswith("part-0.xml") else paths[half:]
    elif path != site.sitemap_path:
        return None
    entries = "".join(
        f"<url><loc>{base}{p}</loc><lastmod>{site.lastmods.get(p) or (_EPOCH - dt.timedelta(days=n)).isoformat()}"
        f"</lastmod>{f'<changefreq>{site.changefreqs[p]}</changefreq>' if p in site.changefreqs else ''}</url>"
        for n, p in enumerate(paths)
    )
    body = ('<?xml version="1.0" encoding="UTF-8"?>'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>').encode()
    if path.endswith(".gz"):
        return 200, {"Content-Type": "application/gzip"}, gzip.compress(body)
    return 200, {"Content-Type": "application/xml"}, body
