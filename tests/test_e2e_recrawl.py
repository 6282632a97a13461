"""Recrawls end to end: `politecrawl crawl` twice on one state against the sandbox, judged by its log."""

from __future__ import annotations

import datetime as dt

import pytest
from helpers import RECRAWL_DUE_AT_ONCE, crawl_on_state, stat_value

from politecrawl.recrawl import FetchHistory
from politecrawl.sandbox import PROTOCOL_PATHS, SiteSpec
from politecrawl.state import open_store

pytestmark = pytest.mark.e2e

PAGES = 20
#: the default revisit schedule: pages are due again a day after their first fetch
DEFAULT_SCHEDULE = {"POLITECRAWL_RECRAWL_MIN_INTERVAL": "", "POLITECRAWL_RECRAWL_INITIAL_INTERVAL": ""}


def _pages(log):
    return [r for r in log if r["path"] not in PROTOCOL_PATHS]


def _stat(proc, name):
    return stat_value(proc, f"politecrawl/recrawl/{name}")


def _crawl(web, tmp_path, name, **settings):
    proc, items = crawl_on_state(web, tmp_path, name, {**RECRAWL_DUE_AT_ONCE, **settings})
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc, items


@pytest.mark.parametrize("validators", ["both", "etag", "last-modified"])
def test_recrawl_asks_with_validators_and_fetches_only_changed_pages(sandbox, tmp_path, validators):
    web = sandbox([SiteSpec("shop-a.com", pages=PAGES, validators=validators)])
    _, first_items = _crawl(web, tmp_path, "first")
    first = _pages(web.requests())
    assert len(first) == PAGES + 1 and all(r["status"] == 200 for r in first)
    assert not any(r["if_none_match"] or r["if_modified_since"] for r in first)
    web.update("shop-a.com", versions={"/p/3": 1, "/p/7": 1})
    since = len(web.requests())
    proc, items = _crawl(web, tmp_path, "second")
    second = _pages(web.requests(since=since))
    # every page asked once again, each with the validators it last had
    assert sorted(r["path"] for r in second) == sorted(r["path"] for r in first)
    sent = {r["path"]: r for r in first}
    for r in second:
        if validators in ("both", "etag"):
            assert r["if_none_match"] and r["if_none_match"].startswith('"')
        if validators in ("both", "last-modified"):
            assert r["if_modified_since"] == "Thu, 01 Jan 2026 00:00:00 GMT"
        assert sent[r["path"]]["bytes"] > 0
    # the changed pages were fetched again in full; the others cost a 304 with no body
    changed = {r["path"]: r for r in second if r["status"] == 200}
    assert sorted(changed) == ["/p/3", "/p/7"] and all(r["bytes"] > 0 for r in changed.values())
    assert all(r["bytes"] == 0 for r in second if r["status"] == 304)
    assert sum(r["bytes"] for r in second) < 0.15 * sum(r["bytes"] for r in first)
    assert _stat(proc, "not-modified") == PAGES - 1 and _stat(proc, "changed") == 2
    # the generic crawl yields every page again: the changed ones parsed, the others from the kept items
    assert sorted(i["url"] for i in items) == sorted(i["url"] for i in first_items)
    by_url = {i["url"]: i for i in items}
    assert "revision 1" in by_url["http://shop-a.com/p/3"]["text"]
    assert not by_url["http://shop-a.com/p/3"].get("revalidated")
    assert by_url["http://shop-a.com/p/4"]["revalidated"] is True
    assert by_url["http://shop-a.com/p/4"]["title"] == "shop-a.com page 4"
    # the summary's and the audit's request and byte counts are what the site saw
    row = next(line for line in proc.stdout.splitlines() if line.startswith("shop-a.com"))
    requests, ok, other, nbytes = row.split()[1:5]
    assert int(requests) == len(web.requests(since=since)) and int(nbytes) == sum(
        r["bytes"] for r in web.requests(since=since))


def test_pages_without_validators_are_compared_by_digest(sandbox, tmp_path):
    web = sandbox([SiteSpec("shop-a.com", pages=PAGES)])
    _crawl(web, tmp_path, "first")
    web.update("shop-a.com", versions={"/p/5": 2})
    since = len(web.requests())
    proc, items = _crawl(web, tmp_path, "second")
    second = _pages(web.requests(since=since))
    assert not any(r["if_none_match"] or r["if_modified_since"] for r in second)
    assert all(r["status"] == 200 for r in second)
    assert _stat(proc, "unchanged") == PAGES and _stat(proc, "changed") == 1
    assert len(items) == PAGES + 1


def test_recrawl_off_sends_no_validators(sandbox, tmp_path):
    web = sandbox([SiteSpec("shop-a.com", pages=5, validators="both")])
    _crawl(web, tmp_path, "first")
    since = len(web.requests())
    proc, _ = _crawl(web, tmp_path, "second", POLITECRAWL_RECRAWL="False")
    assert all(r["status"] == 200 and not r["if_none_match"] for r in _pages(web.requests(since=since)))


def test_with_the_default_schedule_nothing_is_due_again_at_once(sandbox, tmp_path):
    web = sandbox([SiteSpec("shop-a.com", pages=PAGES, validators="both")])
    _crawl(web, tmp_path, "first", **DEFAULT_SCHEDULE)
    since = len(web.requests())
    proc, items = _crawl(web, tmp_path, "second", **DEFAULT_SCHEDULE)
    # pages are due again after a day: only the seed is asked for, with its validators, and answers 304
    assert [(r["path"], r["status"]) for r in _pages(web.requests(since=since))] == [("/", 304)]
    assert [i["url"] for i in items] == ["http://shop-a.com/"] and items[0]["revalidated"] is True
    assert _stat(proc, "not_due_at_start") == PAGES + 1


def test_a_sitemap_lastmod_after_the_last_fetch_makes_a_page_due_before_its_interval(sandbox, tmp_path):
    web = sandbox([SiteSpec("shop-a.com", pages=PAGES, validators="both", sitemap="urlset")])
    _crawl(web, tmp_path, "first", **DEFAULT_SCHEDULE)
    first = web.requests()
    assert "/sitemap.xml" in [r["path"] for r in first] and len(_pages(first)) == PAGES + 1
    # /p/19 (a page that links to none: links of a changed page are followed) changes and the sitemap
    # says so; every other page is unchanged, its lastmod (days ago) before its fetch, within its interval
    changed_at = dt.datetime.now(dt.timezone.utc).isoformat()
    web.update("shop-a.com", versions={"/p/19": 1}, lastmods={"/p/19": changed_at})
    since = len(web.requests())
    proc, items = _crawl(web, tmp_path, "second", **DEFAULT_SCHEDULE)
    second = web.requests(since=since)
    # the seed (a 304), the sitemap (always in full), and the one page its lastmod made due: nothing else
    assert "/sitemap.xml" in [r["path"] for r in second]
    assert sorted((r["path"], r["status"]) for r in _pages(second)) == [("/", 304), ("/p/19", 200)]
    assert _stat(proc, "not_due_at_start") == PAGES + 2  # the home page, every /p/<i> and the sitemap
    assert _stat(proc, "sitemap_urls_not_due") == PAGES  # the home page and every /p/<i> but /p/19
    by_url = {i["url"]: i for i in items}
    assert "revision 1" in by_url["http://shop-a.com/p/19"]["text"]
    assert "http://shop-a.com/p/4" not in by_url


def test_a_sitemap_changefreq_sets_a_pages_revisit_interval(sandbox, tmp_path):
    # /p/0 is linked from the home page, /s/0 only from the sitemap: both say "always" (due again at
    # once); /p/5 says "weekly"; every other page has no changefreq and the default interval (a day)
    freqs = {"/p/0": "always", "/s/0": "always", "/p/5": "weekly"}
    web = sandbox([SiteSpec("shop-a.com", pages=PAGES, validators="both", sitemap="urlset", sitemap_pages=2,
                            changefreqs=freqs)])
    minimum = {"POLITECRAWL_RECRAWL_MIN_INTERVAL": "0", "POLITECRAWL_RECRAWL_INITIAL_INTERVAL": ""}
    _crawl(web, tmp_path, "first", **minimum)
    assert len(_pages(web.requests())) == PAGES + 3  # home, /p/<i>, /s/0 and /s/1
    store = open_store(f"sqlite:///{tmp_path / 'state.db'}")
    try:
        history = FetchHistory(store)
        intervals = {path: history.get(f"http://shop-a.com{path}").interval
                     for path in ("/p/0", "/s/0", "/p/5", "/p/6", "/s/1")}
    finally:
        store.close()
    assert intervals == {"/p/0": 0.0, "/s/0": 0.0, "/p/5": 7 * 86400.0, "/p/6": 86400.0, "/s/1": 86400.0}
    since = len(web.requests())
    _crawl(web, tmp_path, "second", **minimum)
    # the pages whose changefreq is "always" are due again, asked for with their validators; the seed
    # is asked for as a seed; nothing else
    second = _pages(web.requests(since=since))
    assert sorted((r["path"], r["status"]) for r in second) == [("/", 304), ("/p/0", 304), ("/s/0", 304)]
    assert all(r["if_none_match"] for r in second)
