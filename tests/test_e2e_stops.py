"""Stop requests end to end: real crawls (subprocesses) against the sandbox web, judged by its log."""

from __future__ import annotations

import email.utils
import json
import subprocess
import sys
import time

import pytest
from helpers import CONTACT, NON_BINDING_BUDGET, crawl_env, politecrawl_command, run_crawl, wait_for

from politecrawl.sandbox import SiteSpec

pytestmark = pytest.mark.e2e


def crawl_args(web, urls, tmp_path, settings=None):
    all_settings = {
        "POLITECRAWL_STATE": f"sqlite:///{tmp_path / 'state.db'}",
        "POLITECRAWL_CONTACT": CONTACT,
        **NON_BINDING_BUDGET,
        **web.settings(),
        **(settings or {}),
    }
    args = [sys.executable, "-m", "politecrawl.cli", "crawl", *urls, "-o", str(tmp_path / "items.jsonl")]
    for name, value in all_settings.items():
        args += ["-s", f"{name}={value if isinstance(value, str) else json.dumps(value)}"]
    return args


def politecrawl(*args, tmp_path):
    return politecrawl_command(*args, timeout=60, cwd=tmp_path)




def stop_mid_crawl(web, tmp_path, site="big-shop.com", after=20):
    """Start a crawl, stop *site* with the CLI once it got *after* requests; return (proc, t_returned)."""
    proc = subprocess.Popen(
        crawl_args(web, [web.url(site), web.url("small-shop.com")], tmp_path),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path, env=crawl_env(),
    )
    try:
        assert wait_for(lambda: len(web.requests(site=site)) >= after), "the crawl did not start"
        stop = politecrawl("stop", f"http://www.{site}/some/page", "--reason", "mail from the owner",
                           "--state", f"sqlite:///{tmp_path / 'state.db'}", tmp_path=tmp_path)
        returned = time.time()
        assert stop.returncode == 0, stop.stderr
        assert f"normalised to site {site}" in stop.stdout
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    return proc.returncode, out, err, returned


def test_cli_stop_mid_crawl_and_next_crawl(sandbox, tmp_path):
    web = sandbox([SiteSpec("big-shop.com", pages=600, latency=0.2), SiteSpec("small-shop.com", pages=3)])
    rc, out, err, returned = stop_mid_crawl(web, tmp_path)
    assert rc == 0, err[-3000:]
    seen = web.requests(site="big-shop.com")
    late = [r for r in seen if r["t"] > returned + 1.0]
    assert late == [], f"{len(late)} requests started more than 1 s after the stop"
    assert len(seen) < 200  # far from the 600 pages
    # the queued requests were reported dropped, with the stop's id
    assert "big-shop.com is stopped by the operator (stop-1)" in err
    dropped = int(err.split("(stop-1): ")[1].split(" queued")[0])
    assert dropped > 0
    assert f"operator={dropped}" in out or "operator=" in out

    # a second crawl on the same state sends the site nothing, not even robots.txt
    before = len(web.requests())
    proc, _ = run_crawl(web, [web.url("big-shop.com"), web.url("small-shop.com")], tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    new = web.requests(since=before)
    assert [r for r in new if r["site"] == "big-shop.com"] == []
    # (small-shop.com's robots.txt comes from the state store: it is within its TTL)
    assert {r["path"] for r in new if r["site"] == "small-shop.com"} >= {"/", "/p/0"}
    assert proc.stderr.count("big-shop.com is stopped (operator)") == 1  # logged once
    assert "1 sites are stopped" in proc.stderr

    # resumed: the site is crawled again
    resume = politecrawl("resume", "big-shop.com", "--reason", "owner agreed",
                         "--state", f"sqlite:///{tmp_path / 'state.db'}", tmp_path=tmp_path)
    assert resume.returncode == 0, resume.stderr
    listing = politecrawl("stops", "--history", "--state", f"sqlite:///{tmp_path / 'state.db'}",
                          tmp_path=tmp_path)
    assert "no active stops" in listing.stdout
    assert "dropped" in listing.stdout and "resume" in listing.stdout


IN_FLIGHT = 0.1


def test_retry_after_429_seconds_and_503_http_date(sandbox, tmp_path):
    until = time.time() + 12  # the crawl takes a few seconds to reach the page
    web = sandbox([
        SiteSpec("limit.test", pages=6, routes={
            "/p/2": {"status": 429, "headers": {"Retry-After": "5"}, "body": "slow down", "times": 1}}),
        SiteSpec("busy.test", pages=6, routes={
            "/p/3": {"status": 503, "body": "busy", "times": 1,
                     "headers": {"Retry-After": email.utils.formatdate(until, usegmt=True)}}}),
    ])
    proc, items = run_crawl(web, [web.url("limit.test"), web.url("busy.test")], tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]

    def check(site, path, status, pause_end):
        seen = web.requests(site=site)
        hits = [r for r in seen if r["path"] == path]
        assert [r["status"] for r in hits] == [status, 200]  # retried once, after the pause
        t_throttled = hits[0]["t"]
        # Requests sent together with the throttled one (same tick, before its answer came
        # back) reach the site within a few ms: IN_FLIGHT allows for them. After that, nothing
        # until the pause ends.
        after = [r for r in seen if r["t"] > t_throttled + IN_FLIGHT]
        assert after, "nothing was sent after the pause"
        end = pause_end(t_throttled)
        assert [r for r in after if r["t"] < end] == []  # nothing inside the pause
        return after[0]["t"] - t_throttled

    gap = check("limit.test", "/p/2", 429, lambda t: t + 5.0)
    assert 5.0 <= gap < 9.0
    check("busy.test", "/p/3", 503, lambda t: until - 1.0)  # HTTP-date: whole seconds
    urls = {i["url"] for i in items}
    assert "http://limit.test/p/2" in urls and "http://busy.test/p/3" in urls


@pytest.mark.parametrize(
    "purpose, expect_pages",
    [("search", True), ("research", False), ("ai-training", False)],
)
def test_purpose_matrix_with_a_tdm_reserved_site(sandbox, tmp_path, purpose, expect_pages):
    web = sandbox([
        SiteSpec("reserved.test", pages=4, routes={
            "/.well-known/tdmrep.json": {
                "status": 200, "headers": {"Content-Type": "application/json"},
                "body": json.dumps([{"location": "/", "tdm-reservation": 1}])}}),
        SiteSpec("open.test", pages=3),
    ])
    proc, items = run_crawl(web, [web.url("reserved.test"), web.url("open.test")], tmp_path,
                            {"POLITECRAWL_PURPOSE": purpose})
    assert proc.returncode == 0, proc.stderr[-3000:]
    reserved = {r["path"] for r in web.requests(site="reserved.test")}
    open_paths = {r["path"] for r in web.requests(site="open.test")}
    assert {"/", "/p/0", "/p/1", "/p/2"} <= open_paths
    if expect_pages:
        assert {"/", "/p/0", "/p/3"} <= reserved
        assert "/.well-known/tdmrep.json" not in reserved  # TDM does not bind search
        assert any(i["url"].startswith("http://reserved.test/") for i in items)
    else:
        assert reserved == {"/robots.txt", "/.well-known/tdmrep.json"}
        assert not any(i["url"].startswith("http://reserved.test/") for i in items)
        assert "reservations refused requests to reserved.test (tdmrep.json)" in proc.stderr


def test_reserved_pages_items_dropped_by_header_and_meta(sandbox, tmp_path):
    web = sandbox([
        SiteSpec("header.test", pages=3, headers={"Content-Usage": "train-ai=n"}),
        SiteSpec("meta.test", pages=3, routes={"/": {"body": (
            '<html><head><title>home</title><meta name="tdm-reservation" content="1"></head>'
            '<body><a href="/p/0">0</a></body></html>')}}),
        SiteSpec("plain.test", pages=2),
    ])
    proc, items = run_crawl(
        web, [web.url("header.test"), web.url("meta.test"), web.url("plain.test")], tmp_path,
        {"POLITECRAWL_PURPOSE": "ai-training"},
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    # pages were fetched (these signals are seen only on the response), links followed,
    # items not emitted
    for site in ("header.test", "meta.test"):
        assert {"/", "/p/0", "/p/1", "/p/2"} <= {r["path"] for r in web.requests(site=site)}
    assert {i["url"] for i in items} == {
        "http://plain.test/", "http://plain.test/p/0", "http://plain.test/p/1",
        # only meta.test's home page carries the meta tag
        "http://meta.test/p/0", "http://meta.test/p/1", "http://meta.test/p/2",
    }
    assert "items from header.test are not emitted (content-usage-header" in proc.stderr
    assert "items from meta.test are not emitted (tdm-reservation-meta" in proc.stderr
    assert "'politecrawl/reservations/items_dropped/content-usage-header': 4" in proc.stderr
