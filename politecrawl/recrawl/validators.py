"""Has a page changed? Conditional-request headers from a page's history, and the verdict on an answer.

Pure functions of plain values: the glue passes header values and body bytes,
and gets header values and a verdict back.
"""

from __future__ import annotations

import base64
import hashlib

__all__ = [
    "CHANGED", "NEW", "NOT_MODIFIED", "UNCHANGED", "conditional_headers", "payload_digest", "verdict",
]

#: Verdicts on an answer to a page with history (or none).
NEW, CHANGED, UNCHANGED, NOT_MODIFIED = "new", "changed", "unchanged", "not-modified"

#: Longest validator kept and sent back; a longer one is not a validator we trust.
MAX_VALIDATOR = 512


def payload_digest(body: bytes) -> str:
    """``sha1:<base32>`` of *body*: the form of WARC's ``WARC-Payload-Digest``."""
    return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")


def clean_validator(value: str | None) -> str:
    """A header value fit to be sent back: printable ASCII, at most :data:`MAX_VALIDATOR` characters."""
    if not value or len(value) > MAX_VALIDATOR:
        return ""
    if not all(" " <= c <= "~" for c in value):
        return ""
    return value.strip()


def conditional_headers(etag: str, last_modified: str) -> dict[str, str]:
    """``If-None-Match`` / ``If-Modified-Since`` for the validators a page last had (RFC 9110 §13.1)."""
    headers = {}
    if clean_validator(etag):
        headers["If-None-Match"] = etag
    if clean_validator(last_modified):
        headers["If-Modified-Since"] = last_modified
    return headers


def verdict(status: int, digest: str | None, previous_digest: str | None, known: bool) -> str:
    """What an answer says about the page.

    A 304: :data:`NOT_MODIFIED`. Otherwise, for a page without history,
    :data:`NEW`; with history, :data:`UNCHANGED` when the body's digest is the
    one recorded last time (a server without validators, or one that ignored
    them), else :data:`CHANGED`.
    """
    if status == 304:
        return NOT_MODIFIED
    if not known:
        return NEW
    if digest is not None and digest == previous_digest:
        return UNCHANGED
    return CHANGED
