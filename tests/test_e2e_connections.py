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
