"""What a robots.txt fetch produced, and how its body becomes text.

The Scrapy glue fills a :class:`FetchOutcome` from a response or a download
error; everything after that is plain Python.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

__all__ = ["FetchOutcome", "decode_body", "max_age", "redirect_target"]


@dataclass(frozen=True)
class FetchOutcome:
    """The end of one robots.txt fetch (after any redirects the glue followed).

    *status* is ``None`` when no response came back (DNS, connection, timeout,
    TLS): then *error* names the failure type (a class name, never a message
    that could carry data). *headers* maps lower-case names to their values.
    *redirects* counts the redirects followed to get here; a 3xx *status* means
    the glue stopped following (too many, or no usable ``Location``).
    """

    fetched_at: float
    status: int | None = None
    body: bytes = b""
    headers: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    redirects: int = 0
    error: str | None = None

    @classmethod
    def from_pairs(
        cls,
        fetched_at: float,
        status: int | None,
        body: bytes = b"",
        headers: Iterable[tuple[str, str]] = (),
        redirects: int = 0,
        error: str | None = None,
    ) -> FetchOutcome:
        """Build an outcome from ``(name, value)`` header pairs in any case."""
        merged: dict[str, list[str]] = {}
        for name, value in headers:
            merged.setdefault(name.lower(), []).append(value)
        return cls(
            fetched_at=fetched_at,
            status=status,
            body=body,
            headers={k: tuple(v) for k, v in merged.items()},
            redirects=redirects,
            error=error,
        )

    def header(self, name: str) -> tuple[str, ...]:
        return tuple(self.headers.get(name.lower(), ()))


_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def decode_body(body: bytes, max_bytes: int) -> tuple[str, bytes, bool]:
    """Turn a robots.txt body into text, never raising.

    Returns ``(text, kept_bytes, truncated)``. At most *max_bytes* bytes are
    kept (RFC 9309 §2.5: parse at least 500 KiB; content past the limit is
    ignored). When the body is cut, the last, partial line is dropped too:
    ``Allow: /a`` cut from ``Allow: /abc`` would allow more than the site said.
    A byte-order mark is removed and picks the encoding; otherwise the text is
    UTF-8 (RFC 9309 §2.3) with undecodable bytes replaced. NUL bytes become
    line breaks so binary junk cannot glue two lines into one rule.
    """
    truncated = len(body) > max_bytes
    kept = body[:max_bytes]
    if truncated:
        cut = max(kept.rfind(b"\n"), kept.rfind(b"\r"))
        kept = kept[: cut + 1] if cut >= 0 else b""
    encoding = "utf-8"
    raw = kept
    for bom, name in _BOMS:
        if raw.startswith(bom):
            raw, encoding = raw[len(bom):], name
            break
    text = raw.decode(encoding, errors="replace")
    if "\x00" in text:
        text = text.replace("\x00", "\n")
    return text, kept, truncated


_MAX_AGE = re.compile(r"(?:^|[,\s])max-age\s*=\s*\"?(\d+)\"?", re.IGNORECASE)
_NO_CACHE = re.compile(r"(?:^|[,\s])(?:no-cache|no-store)(?:$|[,\s=])", re.IGNORECASE)


def max_age(cache_control: Iterable[str]) -> float | None:
    """Seconds a response may be cached by ``Cache-Control`` (RFC 9111 §5.2.2), or ``None``.

    ``no-cache`` / ``no-store`` count as 0 (the caller applies its floor).
    """
    ages: list[float] = []
    for value in cache_control:
        if _NO_CACHE.search(value):
            ages.append(0.0)
        for match in _MAX_AGE.finditer(value):
            ages.append(float(match.group(1)))
    return min(ages) if ages else None



def redirect_target(status: int, location: str | None, url: str, redirects: int, max_redirects: int) -> str | None:
    """Where a robots.txt fetch goes next after an answer *status* to *url*, or ``None``: the answer is final.

    RFC 9309 §2.3.1.2: follow at least five consecutive redirects, to any host.
    A 3xx is followed while fewer than *max_redirects* were, when its
    ``Location`` (resolved against *url*) is an http(s) URL; otherwise the 3xx is
    the outcome (:func:`.record.record_from_fetch` reads it as unavailable).
    """
    if not 300 <= status < 400 or redirects >= max_redirects or not location:
        return None
    target = urljoin(url, location)
    return target if urlsplit(target).scheme in ("http", "https") else None
