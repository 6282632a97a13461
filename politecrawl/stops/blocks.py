"""Signs that a site is blocking us, and when to stop for the crawl.

politecrawl never tries to get around a technical measure (no other
identity, proxy or header set; see docs/stops.md). It stops the site for the
crawl when the signs add up.

Heuristic, per site, over the responses since the last *content* response
(a 2xx that is not a challenge or login page):

* **auth refusals**: a 401 or 403 on a URL. ``auth_urls`` (default 5)
  distinct URLs refused in a row stop the site. A few 403s on admin pages
  among normal pages never add up: one content response resets the run.
* **challenge pages**: a CAPTCHA / bot-check page (markers below) with any
  status, or a **login wall**: a request for a page that is not a login page
  that ends on one (redirected to a path with ``login``, ``signin``,
  ``sign-in``, ``sign_in``, ``logon``, ``sso`` or ``auth`` in it, or a page
  whose ``<title>`` says log in / sign in and that has a password field).
  ``challenge_urls`` (default 2) distinct URLs in a row stop the site.

Other statuses (404, 5xx, 3xx) neither count nor reset. CAPTCHA markers
(case-insensitive, in the first 64 KiB): ``g-recaptcha``, ``h-captcha``,
``cf-turnstile``, ``/cdn-cgi/challenge-platform``, ``cf-chl-``,
``captcha-delivery``, ``px-captcha``, ``_incapsula_resource``; and a
``<title>`` containing ``captcha``, ``are you a robot``, ``verify you are
human``, ``just a moment`` or ``attention required``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..sites import path_and_query

__all__ = ["BlockDetector", "BlockVerdict", "is_login_url", "page_signal"]

_SCAN = 64 * 1024
_MARKERS = (
    "g-recaptcha",
    "h-captcha",
    "cf-turnstile",
    "/cdn-cgi/challenge-platform",
    "cf-chl-",
    "captcha-delivery",
    "px-captcha",
    "_incapsula_resource",
)
# Every marker holds one of these: a page without any has no marker (4 scans of the page instead of 8).
_MARKER_ANCHORS = ("captcha", "cf-", "/cdn-cgi/", "_incapsula_resource")
_CHALLENGE_TITLES = (
    "captcha",
    "are you a robot",
    "verify you are human",
    "just a moment",
    "attention required",
)
_LOGIN_TITLE = re.compile(r"\b(log ?in|sign ?in|log on)\b")
_TITLE = re.compile(r"<title[^>]*>(.*?)</title", re.IGNORECASE | re.DOTALL)
_PASSWORD = re.compile(r"<input[^>]+type\s*=\s*[\"']?password", re.IGNORECASE)
_LOGIN_PATH = re.compile(r"(login|log-in|signin|sign-in|sign_in|logon|sso|auth)", re.IGNORECASE)


def is_login_url(url: str) -> bool:
    return bool(_LOGIN_PATH.search(path_and_query(url)[0]))


def page_signal(requested_url: str, final_url: str, body: str | None) -> str | None:
    """``"captcha"``, ``"login-wall"`` or ``None`` for one HTML response."""
    text = (body or "")[:_SCAN]
    lower = text.lower()
    if any(anchor in lower for anchor in _MARKER_ANCHORS) and any(marker in lower for marker in _MARKERS):
        return "captcha"
    m = _TITLE.search(text)
    title = " ".join(m.group(1).lower().split()) if m else ""
    if any(t in title for t in _CHALLENGE_TITLES):
        return "captcha"
    if is_login_url(requested_url):
        return None  # we asked for a login page: it is content, not a wall
    if final_url != requested_url and is_login_url(final_url):
        return "login-wall"
    if _LOGIN_TITLE.search(title) and _PASSWORD.search(text):
        return "login-wall"
    return None


@dataclass(frozen=True)
class BlockVerdict:
    site: str
    reason: str  # "auth-refusals" or "challenge-pages"
    urls: int  # distinct URLs in the run that reached the threshold


@dataclass
class _Run:
    auth: set[str] = field(default_factory=set)
    challenge: set[str] = field(default_factory=set)
    blocked: bool = False


@dataclass
class BlockDetector:
    auth_urls: int = 5
    challenge_urls: int = 2
    _sites: dict[str, _Run] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for name in ("auth_urls", "challenge_urls"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be >= 1, got {getattr(self, name)!r}")

    def observe(
        self,
        site: str,
        url: str,
        status: int,
        *,
        final_url: str | None = None,
        html: str | None = None,
    ) -> BlockVerdict | None:
        """One response of *site* for *url*; a verdict the first time the threshold is met."""
        run = self._sites.get(site)
        if run is None:  # not setdefault(site, _Run()): that builds a _Run (and two sets) per response
            run = self._sites[site] = _Run()
        if run.blocked:
            return None
        signal = page_signal(url, final_url or url, html) if html is not None else None
        if signal is not None:
            run.challenge.add(url)
        elif status in (401, 403):
            run.auth.add(url)
        elif 200 <= status < 300:
            run.auth.clear()
            run.challenge.clear()
            return None
        else:
            return None
        if len(run.challenge) >= self.challenge_urls:
            run.blocked = True
            return BlockVerdict(site, "challenge-pages", len(run.challenge))
        if len(run.auth) >= self.auth_urls:
            run.blocked = True
            return BlockVerdict(site, "auth-refusals", len(run.auth))
        return None
