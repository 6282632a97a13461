"""Size limits on protocol files, applied while the body streams in.

A request that carries ``meta[CUT_AT] = (limit, keep)`` is stopped as soon as
more than *limit* bytes of its body have arrived (Scrapy's ``bytes_received``
signal and ``StopDownload``): never read whole, whatever the site sends.
``keep=True`` ends the download with the bytes received so far as the response
(robots.txt: RFC 9309 §2.5 parses what fits); ``keep=False`` fails it with
``StopDownload`` (tdmrep.json: fail closed). Pages are bounded by Scrapy's
``DOWNLOAD_MAXSIZE`` instead, which also bounds a decompressed body.

Scrapy has the mechanism (``StopDownload``) but no per-request byte limit that
keeps the partial body, hence this small handler.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scrapy.exceptions import DownloadCancelledError, IgnoreRequest, StopDownload

if TYPE_CHECKING:
    from scrapy import Request

__all__ = ["CUT_AT", "cut_oversized", "is_size_cut"]

#: ``request.meta`` key: ``(limit_bytes, keep_partial_body)``.
CUT_AT = "politecrawl_cut_at"
_RECEIVED = "_politecrawl_received"


def cut_oversized(data: bytes, request: Request, spider: Any = None) -> None:
    """``bytes_received`` handler: stop a download past its ``CUT_AT`` limit."""
    meta = request.meta
    cut = meta.get(CUT_AT)
    if cut is None:
        return
    received = meta.get(_RECEIVED, 0) + len(data)
    meta[_RECEIVED] = received
    limit, keep = cut
    if received > limit:
        raise StopDownload(fail=not keep)


def is_size_cut(exc: BaseException) -> bool:
    """Did a download fail because its body was too large? Our own cut (``StopDownload``),
    Scrapy's ``download_maxsize`` (announced or received), or a body that decompressed
    past it (``HttpCompressionMiddleware``). Scrapy tells the last two apart only by
    their messages, read here."""
    if isinstance(exc, StopDownload):
        return True
    if isinstance(exc, DownloadCancelledError):
        return "download max size" in str(exc)
    return isinstance(exc, IgnoreRequest) and "DOWNLOAD_MAXSIZE" in str(exc)
