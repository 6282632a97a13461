"""What a sandbox site is: a plain, JSON-serialisable description."""

from __future__ import annotations

import ipaddress
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["Route", "SiteSpec", "demo_sites", "loopback_address"]


def loopback_address(address: str) -> str:
    """*address* if it is an IPv4 address in 127.0.0.0/8, else ``ValueError`` saying so."""
    try:
        ip = ipaddress.IPv4Address(address)
    except ValueError:
        ip = None
    if ip is None or not ip.is_loopback:
        raise ValueError(f"a sandbox site's address ({address!r}) must be in 127.0.0.0/8")
    return str(ip)


@dataclass
class Route:
    """A fixed answer for one path (or every path under a prefix ending in ``*``).

    ``times`` limits the route to its first N hits (then the site answers as
    usual); ``abort`` drops the connection instead of answering (a network
    error as the crawler sees it); ``abort_reused`` drops it only when the request
    came on a reused keep-alive connection (a reset on keep-alive).
    ``stream_bytes`` sends the body over and over as it is read, up to that many
    bytes (``-1``: without end), with no Content-Length unless ``headers`` give
    one: an endless robots.txt, a huge tdmrep.json. The log's ``bytes`` is then
    what was written before the client went away.
    """

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: str = ""
    body_b64: str = ""
    latency: float = 0.0
    times: int = 0
    abort: bool = False
    abort_reused: bool = False
    stream_bytes: int = 0


@dataclass
class SiteSpec:
    """One synthetic site, served under its host name by the sandbox web.

    Pages are ``/`` and ``/p/0`` … ``/p/{pages-1}``; ``/`` links to the first
    pages and page *i* links to pages *i+1*, *2i+1* and *2i+2*, so a crawl that
    follows links reaches every page. ``extra_links`` are added to ``/``.
    ``robots`` is the robots.txt text (``None``: 404). ``schedule`` holds
    ``[seconds_after_start, {field: new value}]`` changes, applied when due
    (for example a robots.txt that turns to ``Disallow: /``); the seconds count
    from the sandbox's start, or with ``schedule_from="first-request"`` from the
    site's first request (so that a crawler's start-up time does not move them).
    Sitemaps, file links, duplicate URLs and canonical aliases: see
    :mod:`politecrawl.sandbox.search_site`; validators, 304s and changed pages:
    :mod:`politecrawl.sandbox.revisions`.
    ``address`` is the loopback address (in 127.0.0.0/8) the site is served on, as
    if it were its server's: sites with one address share a server (empty: the
    sandbox's own address, 127.0.0.1, which every site without one shares).
    """

    host: str
    pages: int = 10
    robots: str | None = "User-agent: *\nAllow: /\n"
    robots_status: int = 200
    robots_headers: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    latency: float = 0.0
    body_size: int = 0
    title_extra: str = ""
    body_extra: str = ""
    extra_links: list[str] = field(default_factory=list)
    routes: dict[str, dict[str, Any]] = field(default_factory=dict)
    schedule: list[list[Any]] = field(default_factory=list)
    schedule_from: str = "start"
    # search crawls (politecrawl/sandbox/search_site.py says what each serves)
    sitemap: str = ""
    sitemap_path: str = "/sitemap.xml"
    sitemap_pages: int = 0
    lastmods: dict[str, str] = field(default_factory=dict)
    changefreqs: dict[str, str] = field(default_factory=dict)
    file_links: int = 0
    download_links: int = 0
    large_pdf: int = 0
    tracking_links: bool = False
    canonical: bool = False
    aliases: list[int] = field(default_factory=list)
    # recrawls (politecrawl/sandbox/revisions.py): ETag / Last-Modified, 304s, changed pages
    validators: str = ""
    versions: dict[str, int] = field(default_factory=dict)
    address: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SiteSpec:
        return cls(**data)


def demo_sites() -> list[SiteSpec]:
    """The sandbox web ``politecrawl demo`` crawls: sites across public suffixes, each on a loopback
    address of its own (as on servers of their own; the two hosts of example.co.uk share one)."""
    sites = [
        SiteSpec("shop-a.com", pages=20),
        SiteSpec(
            "news.example.com.cn",
            pages=15,
            robots="User-agent: *\nDisallow: /p/1\nCrawl-delay: 0.2\n",
        ),
        SiteSpec("b.example.co.uk", pages=10, extra_links=["http://a.example.co.uk/"]),
        SiteSpec("a.example.co.uk", pages=5),
        SiteSpec(
            "blog.alice.github.io",
            pages=8,
            robots="User-agent: politecrawl\nDisallow: /\n\nUser-agent: *\nAllow: /\n",
        ),
        SiteSpec("forum.example.de", pages=12, robots=None),
        SiteSpec(
            "reviews.example.fr",
            pages=10,
            body_extra="<p>Contact: jean.dupont@example.fr, +33 6 12 34 56 78</p>",
        ),
        SiteSpec("busy.example.jp", pages=10, robots=None, robots_status=503),
    ]
    servers = {"b.example.co.uk": "a.example.co.uk"}  # one server for both hosts of one site
    for site in sites:
        site.address = f"127.0.0.{11 + [s.host for s in sites].index(servers.get(site.host, site.host))}"
    return sites
