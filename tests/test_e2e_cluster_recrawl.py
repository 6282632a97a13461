"""A recrawl across machines: the fetch history lives in Redis, and any node asks with the validators
another node's fetch left there. Judged by the sandbox's log (which node sent what, with which headers)."""

from __future__ import annotations

import pytest
from cluster_helpers import Cluster, cluster_settings, key_prefix, node_of
from helpers import RECRAWL_DUE_AT_ONCE

from politecrawl.sandbox import PROTOCOL_PATHS, SiteSpec

pytestmark = [pytest.mark.e2e, pytest.mark.redis]

PAGES = 30


def _pages(log):
    return [r for r in log if r["path"] not in PROTOCOL_PATHS]


def _run(web, redis_url, tmp_path, name, n, first):
    """One cluster crawl of *n* nodes numbered from *first*, with frontier keys of its own (a new crawl
    on the same state: the history, robots.txt records and budgets stay in Redis)."""
    prefix = key_prefix(redis_url)
    settings = cluster_settings(web, redis_url, SCHEDULER_QUEUE_KEY=f"{prefix}{name}:%(spider)s:requests",
                                SCHEDULER_DUPEFILTER_KEY=f"{prefix}{name}:%(spider)s:dupefilter", **RECRAWL_DUE_AT_ONCE)
    folder = tmp_path / name
    folder.mkdir()
    cluster = Cluster([web.url("shop-a.com")], settings, folder, n=n, first=first)
    codes = cluster.wait()
    assert codes == [0] * n, cluster.output(first)[-3000:]


def test_nodes_recrawl_with_the_validators_another_node_fetched(sandbox, redis_url, tmp_path):
    web = sandbox([SiteSpec("shop-a.com", pages=PAGES, validators="both")])
    _run(web, redis_url, tmp_path, "first", n=1, first=1)
    first = _pages(web.requests())
    assert len(first) == PAGES + 1 and {node_of(r) for r in first} == {1}
    web.update("shop-a.com", versions={"/p/3": 1, "/p/17": 1})
    since = len(web.requests())
    # two other nodes recrawl together: neither fetched anything before, the history is node 1's
    _run(web, redis_url, tmp_path, "second", n=2, first=2)
    second = _pages(web.requests(since=since))
    assert sorted(r["path"] for r in second) == sorted(r["path"] for r in first)  # each page once
    assert {node_of(r) for r in second} <= {2, 3}
    assert all(r["if_none_match"] and r["if_modified_since"] for r in second)
    assert sorted(r["path"] for r in second if r["status"] == 200) == ["/p/17", "/p/3"]
    assert all(r["status"] == 304 and r["bytes"] == 0 for r in second if r["path"] not in ("/p/3", "/p/17"))
    # robots.txt came from the shared state too
    assert not any(r["path"] == "/robots.txt" for r in web.requests(since=since))
