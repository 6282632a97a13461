"""Leases and redirects (issue 20): a lease is acknowledged only once the fetch-history record of the
request it was granted for is written, also when a redirect's copy of that request carries the lease.

A meta refresh is the case that showed it: the page answers 200 (the recrawl middleware records it,
written behind: up to ~1 s later), then Scrapy's MetaRefreshMiddleware turns it into a new request that
carries the lease; that copy is pushed at once, and the lease was acknowledged with it, before the
original page's record was written (a node killed between the two lost that record for good). A 301 has
no record (3xx other than 304 say nothing of the page), so its lease needs no wait. Judged by the
sandbox's log and, for each acknowledgement, whether the record was in Redis when it went
(``tests/ack_probe.py``).
"""

from __future__ import annotations

import re

import pytest
from cluster_helpers import Cluster, cluster_settings
from helpers import REPO

from politecrawl.sandbox import PROTOCOL_PATHS, SiteSpec

pytestmark = [pytest.mark.e2e, pytest.mark.redis]

N = 8


def _routes() -> dict[str, dict]:
    routes: dict[str, dict] = {}
    for k in range(N):
        routes[f"/m/{k}"] = {"body": f'<html><head><meta http-equiv="refresh" content="0; url=/t/{k}">'
                                     f"</head><body><p>moved {k}</p></body></html>"}
        routes[f"/t/{k}"] = {"body": f"<html><body><p>target {k}</p></body></html>"}
        routes[f"/r/{k}"] = {"status": 301, "headers": {"Location": f"/u/{k}"}, "body": ""}
        routes[f"/u/{k}"] = {"body": f"<html><body><p>moved for good {k}</p></body></html>"}
    return routes


def test_an_ack_after_a_redirect_waits_for_the_record_of_the_request_it_was_leased_for(
        sandbox, redis_url, tmp_path, monkeypatch):
    heads = [f"/m/{k}" for k in range(N)] + [f"/r/{k}" for k in range(N)]
    web = sandbox([SiteSpec("shop-a.com", pages=4, extra_links=heads, routes=_routes())])
    monkeypatch.setenv("PYTHONPATH", str(REPO / "tests"))
    settings = cluster_settings(web, redis_url, SCHEDULER="ack_probe.AckProbeScheduler")
    cluster = Cluster([web.url("shop-a.com")], settings, tmp_path, n=2)
    codes = cluster.wait()
    assert codes == [0, 0], cluster.output(1)[-3000:]
    log = [r for r in web.requests() if r["path"] not in PROTOCOL_PATHS]
    paths = [r["path"] for r in log]
    # the crawl followed every redirect, each page once
    for k in range(N):
        for path in (f"/m/{k}", f"/t/{k}", f"/r/{k}", f"/u/{k}"):
            assert paths.count(path) == 1, (path, sorted(paths))
    assert {r["status"] for r in log if r["path"].startswith("/r/")} == {301}
    probes = re.findall(r"ack-probe (recorded|unrecorded) (\S+)", cluster.output(1) + cluster.output(2))
    acked = {url.split("shop-a.com", 1)[1]: state for state, url in probes}
    # every page answered 200 was acknowledged, and only once its record was in Redis: the meta
    # refreshes too, whose lease their redirect's copy carried
    answered = {r["path"] for r in log if r["status"] == 200}
    assert answered <= set(acked), sorted(answered - set(acked))
    not_recorded = {r["path"] for r in web.requests() if r["status"] != 200}  # 301s, the sitemap's 404
    assert {path for path, state in acked.items() if state == "unrecorded"} <= not_recorded
    assert all(acked[f"/m/{k}"] == "recorded" for k in range(N)), acked
