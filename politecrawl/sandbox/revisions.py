"""Validators and changed pages of a sandbox site, for recrawl tests and benchmarks.

Set on a :class:`~politecrawl.sandbox.spec.SiteSpec`:

- ``validators``: ``""`` (none), ``"etag"``, ``"last-modified"`` or ``"both"``:
  pages carry an ``ETag`` (a hash of the body) and/or a ``Last-Modified`` (a day
  per version after 2026-01-01), and a request whose ``If-None-Match`` matches the
  ETag, or (without ``If-None-Match``) whose ``If-Modified-Since`` is not before
  ``Last-Modified``, is answered ``304 Not Modified`` with no body (RFC 9110 §13.1).
- ``versions``: ``{path: n}``; a page at version *n* > 0 says so in its body, so
  its ETag, digest and Last-Modified change. Bump it between two crawls with
  ``SandboxWeb.update(host, versions={...})`` to change chosen pages.
"""

from __future__ import annotations

import email.utils
import hashlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .spec import SiteSpec

__all__ = ["KINDS", "page_validators", "version_text", "not_modified"]

KINDS = ("", "etag", "last-modified", "both")
_BASE = 1_767_225_600  # 2026-01-01T00:00:00Z
_DAY = 86_400


def version_text(site: SiteSpec, path: str) -> str:
    """The line a page at a version above 0 carries in its body."""
    version = site.versions.get(path, 0)
    return f"<p>revision {version}</p>" if version else ""


def page_validators(site: SiteSpec, path: str, body: bytes) -> dict[str, str]:
    """The ``ETag`` / ``Last-Modified`` headers of a page, as the site's ``validators`` says."""
    headers = {}
    if site.validators in ("etag", "both"):
        headers["ETag"] = '"' + hashlib.sha1(body).hexdigest()[:20] + '"'
    if site.validators in ("last-modified", "both"):
        when = _BASE + _DAY * site.versions.get(path, 0)
        headers["Last-Modified"] = email.utils.formatdate(when, usegmt=True)
    return headers


def not_modified(validators: dict[str, str], if_none_match: str | None, if_modified_since: str | None) -> bool:
    """Does a request with these conditional headers get a 304 for a page with *validators*?"""
    etag = validators.get("ETag")
    if if_none_match is not None:
        if etag is None:
            return False
        tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
        return "*" in tags or etag in tags
    modified = validators.get("Last-Modified")
    if if_modified_since is None or modified is None:
        return False
    try:
        since = email.utils.parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError):
        return False
    return since >= email.utils.parsedate_to_datetime(modified)
