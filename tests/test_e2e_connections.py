"""Keep-alive connections are reused: a crawl of one site opens a few, not one for every other page (issue 21).

Scrapy keeps at most CONCURRENT_REQUESTS_PER_DOMAIN idle connections per host; a slot sends its next request
before the last answer's connection is back, so one more is opened and, when both are back, one is closed
(`_scrapy_compat.bound_idle_connections`).  The sandbox's log says which requests came on a reused connection.
"""

import pytest
from helpers import run_crawl

from politecrawl.sandbox import PROTOCOL_PATHS, SiteSpec

pytestmark = pytest.mark.e2e


def test_a_site_s_pages_come_on_a_few_reused_connections(sandbox, tmp_path):
    web = sandbox([SiteSpec("shop-a.com", pages=300)])
    proc, items = run_crawl(web, [web.url("shop-a.com")], tmp_path, {"CONCURRENT_REQUESTS": "32"})
    assert proc.returncode == 0, proc.stderr[-3000:]
    seen = web.requests()
    pages = [r for r in seen if r["path"] not in PROTOCOL_PATHS]
    assert len(pages) == 301 and len(items) == 301
    opened = sum(1 for r in seen if not r["reused"])
    print(f"{opened} connections for {len(seen)} requests")
    assert opened <= 40  # at most one per request the site's slot had in flight at once, and a few more


def test_a_crawl_of_sixty_sites_keeps_a_connection_for_each(sandbox, tmp_path):
    """With 16 idle connections in all (CONCURRENT_REQUESTS), sixty sites crawled side by side each lost theirs
    before their next request: a new connection for nearly every request.  The bound is now up to 256."""
    sites = [SiteSpec(f"site{i}.example", pages=5) for i in range(60)]
    web = sandbox(sites)
    proc, items = run_crawl(web, [web.url(s.host) for s in sites], tmp_path, {"CONCURRENT_REQUESTS": "16"})
    assert proc.returncode == 0, proc.stderr[-3000:]
    seen = web.requests()
    assert len(items) == 60 * 6
    opened = sum(1 for r in seen if not r["reused"])
    print(f"{opened} connections for {len(seen)} requests to 60 sites")
    assert opened <= 60 * 2  # each site's robots.txt, tdmrep.json and six pages on one or two connections


def test_idle_bound():
    from politecrawl.middlewares.downloader.handler import MAX_IDLE, idle_bound

    assert idle_bound(32, 20000) == MAX_IDLE == 256
    assert idle_bound(32, 256) == 64  # a quarter of ulimit -n
    assert idle_bound(8, 32) == 16  # never below 16
    assert idle_bound(500, 1024) == 500  # nor below CONCURRENT_REQUESTS
    assert idle_bound(32, -1) == MAX_IDLE  # no limit
