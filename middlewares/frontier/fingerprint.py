"""Scrapy's request fingerprint, the same bytes for less work (``REQUEST_FINGERPRINTER_CLASS``).

Scrapy's default fingerprinter (``scrapy.utils.request.fingerprint`` with no
headers and no fragments) hashes, with SHA-1, the JSON text of
``{"body": body.hex(), "headers": {}, "method": method, "url": url}`` with
sorted keys, where ``url`` is ``w3lib.url.canonicalize_url(request.url)``
(the request's own URL if its ``verbatim_url`` meta key is true). Every
request the scheduler takes pays for it once, and at ~20 us it was the
largest part of a push to the disk frontier (docs/frontier.md).
:class:`RequestFingerprinter` gives the same bytes (``tests/test_frontier_fingerprint.py``
compares them with Scrapy's over generated URLs) with two costs avoided:

* ``canonicalize_url`` (~10 us) for a URL that is its own canonical form: an
  ``http`` or ``https`` URL with a lower-case host name of plain labels (no
  port, no user, no IDNA label), a path of characters that need no quoting
  (no ";": parameters) and no dot segment, no fragment, and no query or one of ``name=value``
  pairs of unreserved characters already in order. Most links a crawl
  follows are of this form; any other URL goes through ``canonicalize_url``.
* ``json.dumps`` of a dict with ``sort_keys`` (~4 us): the same text is
  written directly, each string by ``json.dumps``.

Hand-written because w3lib has no "is this URL canonical" test; the pattern
below is deliberately narrower than what ``canonicalize_url`` leaves alone.
Like Scrapy's, a fingerprint is computed once per request (a weak cache), so
the dupefilter, the HTTP cache and the cluster scheduler share it.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

from scrapy.utils.request import RequestFingerprinter as ScrapyRequestFingerprinter
from w3lib.url import canonicalize_url

if TYPE_CHECKING:
    from scrapy import Request

__all__ = ["RequestFingerprinter", "canonical_url", "fingerprint", "hashed"]

_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_TOP_LABEL = r"[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?"  # a letter first: never read as an IPv4 number
_UNRESERVED = r"[A-Za-z0-9._~-]"
_PAIR = rf"{_UNRESERVED}+={_UNRESERVED}*"
_CANONICAL = re.compile(
    rf"https?://(?P<host>(?:{_LABEL}\.)*{_TOP_LABEL})"
    r"(?P<path>/[A-Za-z0-9._~!$&'()*+,=:@/-]*)"
    rf"(?P<query>\?{_PAIR}(?:&{_PAIR})*)?\Z"
)


def canonical_url(url: str) -> str:
    """``canonicalize_url(url)``, without calling it for a URL that is its own canonical form."""
    match = _CANONICAL.match(url)
    if match is None or "--" in match["host"] or "/." in match["path"]:
        return canonicalize_url(url)
    query = match["query"]
    if query is not None and "&" in query:
        pairs = [pair.split("=") for pair in query[1:].split("&")]
        if pairs != sorted(pairs):  # canonicalize_url sorts them
            return canonicalize_url(url)
    return url


_GET = json.dumps("GET")
_cache: WeakKeyDictionary[Request, bytes] = WeakKeyDictionary()


def fingerprint(request: Request) -> bytes:
    """``scrapy.utils.request.fingerprint(request)``: the same bytes."""
    found = _cache.get(request)
    if found is not None:
        return found
    return hashed(request)[0]


def hashed(request: Request) -> tuple[bytes, str]:
    """``(fingerprint(request), the URL it hashes)``: the URL as the fingerprint reads it (canonical, or the
    request's own if its ``verbatim_url`` meta key is true). Two requests with one fingerprint hashed one URL
    (the disk dupefilter files a fingerprint under that URL's origin)."""
    url = request.url
    if not request.meta.get("verbatim_url"):
        url = canonical_url(url)
    found = _cache.get(request)
    if found is not None:
        return found, url
    method = request.method
    body = request.body
    text = (
        f'{{"body": "{body.hex() if body else ""}", "headers": {{}}, '
        f'"method": {_GET if method == "GET" else json.dumps(method)}, "url": {json.dumps(url)}}}'
    )
    found = _cache[request] = hashlib.sha1(text.encode()).digest()  # noqa: S324 - Scrapy's fingerprint
    return found, url


class RequestFingerprinter(ScrapyRequestFingerprinter):
    """Scrapy's default fingerprinter, the same fingerprints, computed with less work (see the module doc)."""

    def fingerprint(self, request: Request) -> bytes:
        return fingerprint(request)
