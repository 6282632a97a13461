"""Scrapy's HTTP cache under politecrawl: a cache hit never reaches the site and takes no budget token;
a stale entry is revalidated with a 304 that takes one token and no body. Judged by the sandbox's log."""

from __future__ import annotations

import sqlite3
import time

import pytest
from helpers import crawl_on_state, politecrawl_command, stat_value

from politecrawl.sandbox import PROTOCOL_PATHS, SiteSpec

pytestmark = pytest.mark.e2e

PAGES = 8
#: one request every 2 s: a token per cache hit would show as a paced second crawl
SLOW_BUDGET = {"POLITECRAWL_MAX_SITE_RATE": "0.5", "POLITECRAWL_BURST": "1"}


def _stat(proc, name):
    return stat_value(proc, f"politecrawl/{name}")


def _crawl(web, tmp_path, name, **settings):
    started = time.monotonic()
    proc, items = crawl_on_state(web, tmp_path, name, {
        "HTTPCACHE_ENABLED": "True", "HTTPCACHE_DIR": str(tmp_path / "httpcache"), "POLITECRAWL_SITEMAPS": "False",
        **settings})
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc, items, time.monotonic() - started


def _report_totals(tmp_path):
    """Requests and bytes of the latest crawl, as `politecrawl report --json` reads them from the audit trail."""
    import json  # noqa: PLC0415

    out = tmp_path / "report.json"
    politecrawl_command("report", "--state", f"sqlite:///{tmp_path / 'state.db'}", "--json", out,
                        check=True, timeout=120, cwd=tmp_path)
    totals = json.loads(out.read_text())["totals"]
    return totals["requests"], totals["bytes"]


def _summary_requests(proc):
    row = next((line for line in proc.stdout.splitlines() if line.startswith("shop-a.com")), None)
    return 0 if row is None else int(row.split()[1])


def test_cache_hits_take_no_token_and_never_reach_the_site(sandbox, tmp_path):
    web = sandbox([SiteSpec("shop-a.com", pages=PAGES)])
    policy = {"HTTPCACHE_POLICY": "scrapy.extensions.httpcache.DummyPolicy", **SLOW_BUDGET}
    _, first_items, _ = _crawl(web, tmp_path, "first", **policy)
    since = len(web.requests())
    started = time.time()
    proc, items, _ = _crawl(web, tmp_path, "second", **policy)
    # nothing reached the site (robots.txt and tdmrep.json come from the state)
    assert web.requests(since=since) == []
    assert _stat(proc, "admission/answered_locally") == PAGES + 1
    assert _stat(proc, "budget/requeued_not_local") == 0
    assert sorted(i["url"] for i in items) == sorted(i["url"] for i in first_items)
    # the summary counts what the site saw (robots.txt comes from the state: nothing)
    assert _summary_requests(proc) == len(web.requests(since=since))
    # and no token was taken: the site's bucket was last written by the first crawl
    with sqlite3.connect(tmp_path / "state.db") as db:
        (updated_at,) = db.execute("SELECT updated_at FROM buckets WHERE key = 'budget:shop-a.com'").fetchone()
    assert updated_at < started
    assert _report_totals(tmp_path) == (0, 0)


def test_stale_entries_are_revalidated_with_a_304_that_takes_a_token_and_no_body(sandbox, tmp_path):
    web = sandbox([SiteSpec("shop-a.com", pages=PAGES, validators="both", headers={"Cache-Control": "max-age=0"})])
    policy = {"HTTPCACHE_POLICY": "scrapy.extensions.httpcache.RFC2616Policy", **SLOW_BUDGET,
              "POLITECRAWL_RECRAWL_MIN_INTERVAL": "0", "POLITECRAWL_RECRAWL_INITIAL_INTERVAL": "0"}
    _crawl(web, tmp_path, "first", **policy)
    since = len(web.requests())
    proc, items, _ = _crawl(web, tmp_path, "second", **policy)
    pages = [r for r in web.requests(since=since) if r["path"] not in PROTOCOL_PATHS]
    assert len(pages) == PAGES + 1
    assert all(r["status"] == 304 and r["bytes"] == 0 and r["if_none_match"] for r in pages)
    assert _stat(proc, "admission/answered_locally") == 0
    assert _stat(proc, "recrawl/not-modified") == PAGES + 1
    assert len(items) == PAGES + 1  # the cache turned each 304 into its stored page
    assert _summary_requests(proc) == len(web.requests(since=since))
    # the audit trail counts what the site served: the 304s and their empty bodies
    assert _report_totals(tmp_path) == (len(web.requests(since=since)), sum(r["bytes"] for r in web.requests(since=since)))


def test_with_jobdir_cache_hits_take_no_token_and_never_reach_the_site(sandbox, tmp_path):
    """The disk frontier (``JOBDIR``) shows its head request too, so the cache check works there."""
    web = sandbox([SiteSpec("shop-a.com", pages=PAGES)])
    policy = {"HTTPCACHE_POLICY": "scrapy.extensions.httpcache.DummyPolicy", **SLOW_BUDGET}
    _, first_items, _ = _crawl(web, tmp_path, "first", JOBDIR=str(tmp_path / "job-first"), **policy)
    assert (tmp_path / "job-first" / "frontier.sqlite3").exists()
    since = len(web.requests())
    started = time.time()
    proc, items, _ = _crawl(web, tmp_path, "second", JOBDIR=str(tmp_path / "job-second"), **policy)
    assert (tmp_path / "job-second" / "frontier.sqlite3").exists()
    assert web.requests(since=since) == []
    assert _stat(proc, "admission/answered_locally") == PAGES + 1
    assert _stat(proc, "budget/requeued_not_local") == 0
    assert sorted(i["url"] for i in items) == sorted(i["url"] for i in first_items)
    assert _summary_requests(proc) == 0
    with sqlite3.connect(tmp_path / "state.db") as db:
        (updated_at,) = db.execute("SELECT updated_at FROM buckets WHERE key = 'budget:shop-a.com'").fetchone()
    assert updated_at < started
    assert _report_totals(tmp_path) == (0, 0)
