"""Clean URLs: one spelling per page, before the dupefilter sees it.

:func:`clean_url` is w3lib's canonical form (``canonicalize_url``: sorted
query, normalised percent-encoding, no fragment) with known tracking and
session parameters removed. :data:`TRACKING_PARAMS` is the documented list
(docs/search.md); ``POLITECRAWL_DROP_PARAMS`` extends it and
``POLITECRAWL_KEEP_PARAMS`` takes names out of it. A name ending in ``*``
matches every parameter that starts with it (``utm_*``).

:func:`canonical_hint` turns a page's ``<link rel="canonical">`` into the URL
the page is recorded under, when it is in the same site.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

from ..sites import InvalidURL, site_key

__all__ = ["TRACKING_PARAMS", "ParamFilter", "canonical_hint", "clean_url"]

#: Query parameters that track a visit or carry a session, never the page's content.
#: Campaign tags (Google Analytics ``utm_*``, ad click ids of Google, Microsoft, Meta,
#: Yandex, TikTok, Twitter, Mailchimp, HubSpot, Marketo, Matomo/Piwik) and the
#: session ids of common server stacks (PHP, Java servlets, ASP, ColdFusion).
TRACKING_PARAMS: tuple[str, ...] = (
    "utm_*", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "_ga", "_gl", "fbclid", "msclkid",
    "yclid", "ttclid", "twclid", "igshid", "mc_cid", "mc_eid", "_hsenc", "_hsmi", "mkt_tok",
    "pk_*", "mtm_*", "piwik_*",
    "phpsessid", "jsessionid", "aspsessionid*", "sessionid", "session_id", "sid", "cfid",
    "cftoken",
)

#: Session ids some servers put in the path (``/page;jsessionid=ABC?x=1``).
_PATH_SESSION = re.compile(r";(?:jsessionid|phpsessid|sessionid|sid)=[^/?#;]*", re.IGNORECASE)


@dataclass(frozen=True)
class ParamFilter:
    """Which query parameter names are dropped (case-insensitive)."""

    exact: frozenset[str]
    prefixes: tuple[str, ...]

    @classmethod
    def build(cls, drop: Iterable[str] = (), keep: Iterable[str] = ()) -> ParamFilter:
        """The default list plus *drop*, minus *keep* (names or ``prefix*`` as listed)."""
        kept = {name.strip().lower() for name in keep}
        names = [n.strip().lower() for n in (*TRACKING_PARAMS, *drop) if n.strip()]
        names = [n for n in names if n not in kept]
        return cls(
            exact=frozenset(n for n in names if not n.endswith("*")),
            prefixes=tuple(n[:-1] for n in names if n.endswith("*")),
        )

    def drops(self, name: str) -> bool:
        lowered = name.lower()
        return lowered in self.exact or (bool(self.prefixes) and lowered.startswith(self.prefixes))


DEFAULT_FILTER = ParamFilter.build()


@functools.lru_cache(maxsize=1024)  # a site's pages link to the same pages (menus, footers): ~27 us a URL saved;
# 1,024 (~0.3 MB at a crawl's peak) keep the links every page repeats; 4,096 held ~1.3 MB (docs/speed.md, issue 21)
def clean_url(url: str, params: ParamFilter = DEFAULT_FILTER) -> str:
    """*url* in w3lib's canonical form without tracking or session parameters."""
    parts = urlsplit(url)
    path = _PATH_SESSION.sub("", parts.path) if ";" in parts.path else parts.path
    query = parts.query
    if query:
        kept = [
            pair for pair in query.split("&")
            if pair and not params.drops(pair.split("=", 1)[0])
        ]
        query = "&".join(kept)
    if path != parts.path or query != parts.query:
        url = urlunsplit((parts.scheme, parts.netloc, path, query, parts.fragment))
    return canonicalize_url(url)


def canonical_hint(page_url: str, href: str | None, params: ParamFilter = DEFAULT_FILTER) -> str | None:
    """The clean URL a page's ``rel=canonical`` *href* names, if it is another URL of
    the page's own site (an http(s) URL); otherwise ``None`` (the hint is ignored)."""
    if not href or not href.strip():
        return None
    target = urljoin(page_url, href.strip())
    if urlsplit(target).scheme not in ("http", "https"):
        return None
    try:
        if site_key(target) != site_key(page_url):
            return None
    except InvalidURL:
        return None
    target = clean_url(target, params)
    return None if target == clean_url(page_url, params) else target
