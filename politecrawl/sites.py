"""Which site a URL belongs to, and which origin.

A *site* is the unit that budgets and stops attach to: the registered domain
(eTLD+1) by the Public Suffix List, private suffixes such as ``github.io``
included, so ``alice.github.io`` and ``bob.github.io`` are two sites and
``a.example.co.uk`` and ``b.example.co.uk`` are one. IP literals and hosts
with no registered domain (``localhost``, a bare TLD) are their own site.
Ports never split a site.

An *origin* (scheme, host, port) is the unit robots.txt applies to
(RFC 9309 §2.3).

The suffix list is the snapshot bundled with tldextract: it is never fetched
(``suffix_list_urls=()``), so no code path here touches the network.
"""

from __future__ import annotations

import ipaddress
import os
import re
from functools import lru_cache
from urllib.parse import urlsplit

# Scrapy's cookie middleware builds its own TLDExtract at import time and would
# fetch the suffix list on first use; an empty URL list keeps it offline.
# (tldextract reads this variable when an extractor is constructed.)
os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")

import tldextract  # noqa: E402  (after the environment default above)

__all__ = [
    "INVALID_SITE",
    "InvalidURL",
    "normalize_host",
    "origin_key",
    "path_and_query",
    "site_key",
    "site_key_of_host",
    "site_or_invalid",
]

_DEFAULT_PORTS = {"http": 80, "https": 443}

_EXTRACT = tldextract.TLDExtract(
    suffix_list_urls=(),
    cache_dir=None,
    fallback_to_snapshot=True,
    include_psl_private_domains=True,
)


# Each cache below holds at most this many hosts (_CACHED) or URLs (_URLS_CACHED). They serve locality: a
# page's links to the hosts it names, a request's hooks asking for its URL's keys a few times close together.
# A crawl over more hosts misses them at ~1-5 us a new URL (the suffix list's lookup), rather than holding
# ~600 B per host for the whole crawl (docs/frontier.md, "Benchmark"). A URL entry holds its URL (~170-240 B
# with the cache's link and answer): 1,024 of them keep the hooks' repeats (a URL's keys asked again within a
# few hundred calls) at ~0.2 MB a cache, where 8,192 held ~1.4-2 MB each at a crawl's peak for the hits of
# links seen again thousands of URLs later, a ~1 us miss each (docs/speed.md, issue 21).
_CACHED = 8192
_URLS_CACHED = 1024


class InvalidURL(ValueError):
    """A URL that names no host politecrawl can crawl."""


def _ip(host: str) -> str | None:
    if ":" not in host and not host[-1:].isdigit():
        return None  # an IPv6 literal has a colon, an IPv4 one ends in a digit: skip the parser's exception
    try:
        return ipaddress.ip_address(host.strip("[]")).compressed
    except ValueError:
        return None


@lru_cache(maxsize=_CACHED)
def normalize_host(host: str) -> str:
    """Lower-case, strip trailing dots, punycode IDN labels, compress IPs."""
    host = host.strip().rstrip(".")
    if host and host.isascii() and ":" not in host and not host[-1:].isdigit() and host[0] != "." and ".." not in host:
        return host.lower()  # the common name: ASCII, not an IP literal, no empty label (what the loop below gives)
    ip = _ip(host)
    if ip is not None:
        return ip
    if not host:
        raise InvalidURL("empty host")
    try:
        labels = [
            label.lower() if label.isascii() else label.encode("idna").decode("ascii")
            for label in host.split(".")
        ]
    except UnicodeError as exc:
        raise InvalidURL(f"host is not a valid IDN name ({exc})") from None
    if any(not label for label in labels):
        raise InvalidURL("host has an empty label")
    return ".".join(labels).lower()


@lru_cache(maxsize=_CACHED)
def site_key_of_host(host: str) -> str:
    """The site key of a host name (already normalised or not)."""
    host = normalize_host(host)
    if _ip(host) is not None:
        return host
    result = _EXTRACT(host)
    registered = result.top_domain_under_public_suffix
    return registered or host


# The common URL: a lower-case http(s) scheme, then a host of letters, digits, dots and dashes, an optional port,
# and the end of the authority. urlsplit reads the same scheme, host and port from it as from "<that prefix>/", so
# the host and the origin are read off the prefix by string operations. Any other URL (user info, brackets, percent
# signs, other characters, another scheme spelling) is parsed whole by urlsplit.
_SIMPLE_PREFIX = re.compile(r"(https?)://([A-Za-z0-9.\-]+)(?::([0-9]*))?(?=[/?#]|\Z)").match


def _host_of(url: str) -> str:
    simple = _SIMPLE_PREFIX(url)
    if simple is not None:
        return simple.group(2).lower()  # urlsplit(url).hostname: the netloc's host, lower-cased
    if "://" not in url:
        url = "http://" + url
    try:
        host = urlsplit(url).hostname
    except ValueError as exc:
        raise InvalidURL(f"cannot parse URL ({exc})") from None
    if not host:
        raise InvalidURL("URL has no host")
    return host


@lru_cache(maxsize=1024)  # a URL's request and response hooks ask for it a few times, close together
def path_and_query(url: str) -> tuple[str, str]:
    """``(path, query)`` of a URL, as ``urlsplit`` reads them.

    A common URL (see ``_SIMPLE_PREFIX``) with no tab or line break (which
    ``urlsplit`` deletes) is cut by string operations, as ``urlsplit`` cuts it:
    the fragment off at the first ``#``, the query at the first ``?`` before it.
    ``urlsplit`` keeps only its last 128 URLs, so on the per-page path each
    first parse of a URL is a full one.
    """
    simple = _SIMPLE_PREFIX(url)
    if simple is None or "\t" in url or "\r" in url or "\n" in url:
        parts = urlsplit(url)
        return parts.path, parts.query
    rest = url[simple.end() :]
    if "#" in rest:
        rest = rest.split("#", 1)[0]
    path, _, query = rest.partition("?")
    return path, query


@lru_cache(maxsize=_URLS_CACHED)
def site_key(url_or_host: str) -> str:
    """The site a URL (or a bare host) belongs to.

    >>> site_key("https://News.Example.com.cn:8443/a")
    'example.com.cn'
    """
    return site_key_of_host(_host_of(url_or_host))


#: What counting code files a URL under when it names no site.
INVALID_SITE = "(invalid)"


def site_or_invalid(url: str) -> str:
    """:func:`site_key`, or :data:`INVALID_SITE` for a URL with no usable host (for counting)."""
    try:
        return site_key(url)
    except InvalidURL:
        return INVALID_SITE


@lru_cache(maxsize=_URLS_CACHED)
def origin_key(url: str) -> str:
    """``scheme://host:port`` of a URL, with the default port filled in."""
    simple = _SIMPLE_PREFIX(url)
    if simple is None:
        return _origin_key(url)
    scheme, host, port_text = simple.groups()
    port = int(port_text) if port_text else None  # urlsplit's port: an empty one is none
    if port is not None and port > 65535:
        raise InvalidURL("cannot parse URL (Port out of range 0-65535)")
    return f"{scheme}://{normalize_host(host)}:{port or _DEFAULT_PORTS[scheme]}"


def _origin_key(url: str) -> str:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise InvalidURL(f"cannot parse URL ({exc})") from None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise InvalidURL("URL is not http(s) with a host")
    host = normalize_host(parts.hostname)
    if ":" in host:
        host = f"[{host}]"
    return f"{scheme}://{host}:{port or _DEFAULT_PORTS[scheme]}"
