"""robots.txt and page-level robots directives, end to end: real crawls against the
sandbox web, asserting on what the sandbox saw (its request log)."""

from __future__ import annotations

import base64
import datetime as dt
import random

import pytest
from helpers import run_crawl

from politecrawl.robots import evidence, load_record, stop_events, versions
from politecrawl.sandbox import PROTOCOL_PATHS, SiteSpec
from politecrawl.state import SQLiteStateStore

pytestmark = pytest.mark.e2e

ROBOTS = "/robots.txt"


def pages_of(web, site: str, since: int = 0) -> list[dict]:
    return [r for r in web.requests(site=site, since=since) if r["path"] not in PROTOCOL_PATHS]


def paths(web, site: str, since: int = 0) -> set[str]:
    """Site pages requested (robots.txt and redirect hops /r<n> left out)."""
    return {r["path"] for r in pages_of(web, site, since) if not r["path"].startswith("/r")}


def all_paths(n: int) -> set[str]:
    return {"/"} | {f"/p/{i}" for i in range(n)}


def robots_hits(web, site: str, since: int = 0) -> list[dict]:
    return [r for r in web.requests(site=site, since=since) if r["path"] == ROBOTS]


def ok(proc) -> None:
    assert proc.returncode == 0, proc.stderr[-4000:]


def test_rules_404_500_and_network_error(sandbox, tmp_path):
    web = sandbox([
        SiteSpec("rules.test", pages=12, robots=(
            "User-agent: *\nDisallow: /\n\n"
            "User-agent: politecrawl\nDisallow: /p/1\nAllow: /p/11$\nDisallow: /*7$\n"
        )),
        SiteSpec("missing.test", pages=6, robots=None),
        SiteSpec("broken.test", pages=6, robots="User-agent: *\nAllow: /\n", robots_status=500),
        SiteSpec("refused.test", pages=6, routes={ROBOTS: {"abort": True}}),
        SiteSpec("toomany.test", pages=6, robots=None, robots_status=429),
    ])
    seeds = [web.url(h) for h in ("rules.test", "missing.test", "broken.test", "refused.test", "toomany.test")]
    # the first retry (30 s) would come after the longest wait allowed: each origin ends unreachable
    # after its first try (the wait itself: tests/test_e2e_hostile.py)
    proc, items = run_crawl(web, seeds, tmp_path, {"POLITECRAWL_ROBOTS_MAX_WAIT": "5"})
    ok(proc)
    # 200 with rules: our group; /p/1, /p/10 and /p/7 never requested; /p/11 allowed by the longer Allow.
    assert paths(web, "rules.test") == all_paths(12) - {"/p/1", "/p/10", "/p/7"}
    # 404: everything.
    assert paths(web, "missing.test") == all_paths(6)
    # 500, a dropped connection and 429 on robots.txt: nothing of those origins, one robots.txt try each.
    for host in ("broken.test", "refused.test", "toomany.test"):
        assert pages_of(web, host) == [], host
        assert len(robots_hits(web, host)) == 1, host
    # robots.txt is asked for before any page of an origin, once per origin.
    for host in ("rules.test", "missing.test"):
        seen = web.requests(site=host)
        assert seen[0]["path"] == ROBOTS and len(robots_hits(web, host)) == 1
    stats = proc.stdout + proc.stderr
    assert "'politecrawl/robots/refused/disallowed': 3" in stats
    assert "'politecrawl/robots/refused/unreachable': 3" in stats
    # Evidence: each allowed page traced to the version and rule that allowed it.
    store = SQLiteStateStore(tmp_path / "state.db")
    try:
        record = load_record(store, "http://rules.test:80")
        assert record is not None and record.kind == "parsed"
        counts = evidence(store, "http://rules.test:80")
        assert counts[(record.version, "allow", "allow:/p/11$")] == 1
        assert counts[(record.version, "deny", "disallow:/p/1")] == 2
        assert counts[(record.version, "deny", "disallow:/*7$")] == 1
        # the 10 pages and /sitemap.xml (the generic crawl reads it by default, docs/search.md)
        assert sum(n for (v, word, _), n in counts.items() if word == "allow") == 11
        assert versions(store, "http://rules.test:80")[record.version]["kind"] == "parsed"
        down = load_record(store, "http://broken.test:80")
        assert down is not None and (down.kind, down.reason) == ("unreachable", "http_5xx")
    finally:
        store.close()
    assert len(items) == 10 + 7


def _chain(n: int, final: str) -> dict:
    """Routes: /robots.txt -> /r1 -> ... -> /r{n-1} -> final (n redirects)."""
    hops = [ROBOTS] + [f"/r{i}" for i in range(1, n)]
    routes = {}
    for i, hop in enumerate(hops):
        target = hops[i + 1] if i + 1 < len(hops) else final
        routes[hop] = {"status": 301, "headers": {"Location": target}}
    return routes


def test_redirect_chains_3_followed_across_hosts_7_unavailable(sandbox, tmp_path):
    final = {"/final-robots.txt": {"body": "User-agent: *\nDisallow: /p/2\n",
                                   "headers": {"Content-Type": "text/plain"}}}
    web = sandbox([
        SiteSpec("three.test", pages=6, routes=_chain(3, "http://cdn.test/final-robots.txt")),
        SiteSpec("seven.test", pages=6, routes=_chain(7, "http://cdn.test/final-robots.txt")),
        SiteSpec("cdn.test", pages=1, routes=final),
    ])
    proc, _ = run_crawl(web, [web.url("three.test"), web.url("seven.test")], tmp_path)
    ok(proc)
    # 3 redirects, the last one to another host: followed, the rules apply to three.test.
    assert [r["path"] for r in web.requests(site="three.test")][:3] == [ROBOTS, "/r1", "/r2"]
    assert paths(web, "three.test") == all_paths(6) - {"/p/2"}
    # 7 redirects: 5 followed, then unavailable: everything allowed.
    hops = [r["path"] for r in web.requests(site="seven.test") if not r["path"].startswith(("/p/",))]
    assert hops[:6] == [ROBOTS, "/r1", "/r2", "/r3", "/r4", "/r5"] and "/r6" not in hops
    assert paths(web, "seven.test") == all_paths(6)
    assert [r["path"] for r in web.requests(site="cdn.test")] == ["/final-robots.txt"]


def test_600_kib_robots_and_binary_junk(sandbox, tmp_path):
    filler = "".join(f"# filler line {i:06d} " + "x" * 80 + "\n" for i in range(6050))
    big = "User-agent: *\nDisallow: /p/2\n\n" + filler + "User-agent: politecrawl\nDisallow: /p/3\n"
    assert 600 * 1024 <= len(big.encode()) < 620 * 1024 and big.index("politecrawl") > 500 * 1024
    junk = bytes(random.Random(7).randrange(256) for _ in range(4096))
    web = sandbox([
        SiteSpec("big.test", pages=6, robots=big),
        SiteSpec("junk.test", pages=6, routes={ROBOTS: {
            "body_b64": base64.b64encode(junk).decode(), "headers": {"Content-Type": "application/octet-stream"}}}),
    ])
    proc, _ = run_crawl(web, [web.url("big.test"), web.url("junk.test")], tmp_path)
    ok(proc)
    # Our group sits past 500 KiB, so it is not seen and the * group applies.
    assert paths(web, "big.test") == all_paths(6) - {"/p/2"}
    # Junk has no parseable rule: everything allowed, no crash.
    assert paths(web, "junk.test") == all_paths(6)
    assert "'politecrawl/robots/truncated': 1" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_crawl_delay_2_s_between_every_page(sandbox, tmp_path):
    web = sandbox([SiteSpec("slow.test", pages=9, robots="User-agent: *\nCrawl-delay: 2\n")])
    proc, _ = run_crawl(web, [web.url("slow.test")], tmp_path, {"CONCURRENT_REQUESTS_PER_DOMAIN": 8})
    ok(proc)
    seen = pages_of(web, "slow.test")
    assert {r["path"] for r in seen} == all_paths(9) and len(seen) == 10
    gaps = [b["t"] - a["t"] for a, b in zip(seen, seen[1:])]
    assert min(gaps) >= 2.0 - 0.05, gaps


def test_crawl_delay_above_the_maximum_skips_the_origin(sandbox, tmp_path):
    web = sandbox([
        SiteSpec("glacial.test", pages=4, robots="User-agent: *\nRequest-rate: 1/5m\n"),
        SiteSpec("fine.test", pages=2),
    ])
    proc, _ = run_crawl(web, [web.url("glacial.test"), web.url("fine.test")], tmp_path)
    ok(proc)
    assert pages_of(web, "glacial.test") == [] and len(robots_hits(web, "glacial.test")) == 1
    assert paths(web, "fine.test") == all_paths(2)
    assert "'politecrawl/robots/refused/crawl_delay_too_long': 1" in proc.stderr
    assert "POLITECRAWL_MAX_CRAWL_DELAY" in proc.stderr


def test_visit_time_outside_the_window_sends_nothing(sandbox, tmp_path):
    hour = (dt.datetime.now(dt.timezone.utc).hour + 2) % 24
    window = f"{hour:02d}00-{(hour + 1) % 24:02d}00"
    web = sandbox([SiteSpec("night.test", pages=3, robots=f"User-agent: *\nVisit-time: {window}\n")])
    proc, _ = run_crawl(web, [web.url("night.test")], tmp_path, {"CLOSESPIDER_TIMEOUT": 4})
    ok(proc)
    assert pages_of(web, "night.test") == []
    assert len(robots_hits(web, "night.test")) == 1


def test_flip_to_disallow_mid_crawl_is_obeyed_after_the_refresh(sandbox, tmp_path):
    before = "User-agent: *\nCrawl-delay: 0.25\nDisallow: /nothing\n"
    after = "User-agent: *\nDisallow: /\n"
    # 4 s after the site's first request, whatever the crawl's start-up took on a loaded machine
    web = sandbox([SiteSpec("flip.test", pages=60, robots=before, schedule=[[4.0, {"robots": after}]],
                            schedule_from="first-request")])
    proc, items = run_crawl(web, [web.url("flip.test")], tmp_path, {"POLITECRAWL_ROBOTS_TTL": 1})
    ok(proc)
    robots = robots_hits(web, "flip.test")
    flipped = [r for r in robots if r["bytes"] == len(after)]
    assert len(robots) >= 3 and flipped, robots
    seen_at = flipped[0]["t"]
    before_pages = [r for r in pages_of(web, "flip.test") if r["t"] < seen_at]
    # 0.1 s for a page let through under the old copy and still on the wire when the refresh went out.
    after_pages = [r for r in pages_of(web, "flip.test") if r["t"] > seen_at + 0.1]
    assert len(before_pages) >= 4
    assert after_pages == []
    # Refreshes happened about once per TTL (1 s) while pages went out, not per page.
    assert len(robots) <= len(before_pages)
    assert "'politecrawl/robots/stop_requests': 1" in proc.stderr
    store = SQLiteStateStore(tmp_path / "state.db")
    try:
        events = stop_events(store)
        assert [e["origin"] for e in events] == ["http://flip.test:80"]
        assert events[0]["previous_version"] and events[0]["previous_version"] != events[0]["version"]
        assert set(versions(store, "http://flip.test:80")) == {events[0]["previous_version"], events[0]["version"]}
    finally:
        store.close()


def test_32_concurrent_first_requests_one_robots_fetch_none_after_restart(sandbox, tmp_path):
    web = sandbox([SiteSpec("busy.test", pages=32,
                            robots="User-agent: *\nDisallow: /p/31\n",
                            routes={ROBOTS: {"body": "User-agent: *\nDisallow: /p/31\n", "latency": 0.5,
                                             "headers": {"Content-Type": "text/plain"}}})])
    seeds = [web.url("busy.test", f"/p/{i}") for i in range(32)]
    settings = {"CONCURRENT_REQUESTS": 32, "CONCURRENT_REQUESTS_PER_DOMAIN": 32}
    proc, _ = run_crawl(web, seeds, tmp_path, settings)
    ok(proc)
    assert len(robots_hits(web, "busy.test")) == 1
    first = web.requests(site="busy.test")
    assert first[0]["path"] == ROBOTS
    assert paths(web, "busy.test") == {f"/p/{i}" for i in range(31)}
    mark = len(web.requests())
    # A new process on the same state, within the TTL: no robots.txt request at all.
    proc, _ = run_crawl(web, seeds, tmp_path, settings)
    ok(proc)
    assert robots_hits(web, "busy.test", since=mark) == []
    assert paths(web, "busy.test", since=mark) == {f"/p/{i}" for i in range(31)}
    assert "'politecrawl/robots/from_store': 1" in proc.stderr


NOFOLLOW_META = (
    '<!doctype html><html><head><meta name="robots" content="nofollow, noarchive"></head>'
    '<body><a href="/p/0">0</a><a href="/p/1">1</a></body></html>'
)


def test_nofollow_by_header_and_by_meta(sandbox, tmp_path):
    web = sandbox([
        SiteSpec("header.test", pages=4, headers={"X-Robots-Tag": "politecrawl: nofollow"}),
        SiteSpec("meta.test", pages=4, routes={"/": {"body": NOFOLLOW_META}}),
        SiteSpec("other-bot.test", pages=4, headers={"X-Robots-Tag": "googlebot: nofollow"}),
        SiteSpec("marked.test", pages=2, headers={"X-Robots-Tag": "noindex, noai"}),
    ])
    seeds = [web.url(h) for h in ("header.test", "meta.test", "other-bot.test", "marked.test")]
    proc, items = run_crawl(web, seeds, tmp_path)
    ok(proc)
    assert paths(web, "header.test") == {"/"}
    assert paths(web, "meta.test") == {"/"}
    assert paths(web, "other-bot.test") == all_paths(4)
    assert paths(web, "marked.test") == all_paths(2)
    by_url = {item["url"]: item for item in items}
    assert by_url["http://meta.test/"]["politecrawl_robots"] == ["noarchive", "nofollow"]
    assert by_url["http://marked.test/p/1"]["politecrawl_robots"] == ["noai", "noindex"]
    assert "politecrawl_robots" not in by_url["http://other-bot.test/p/1"]
    assert "'politecrawl/robots/page/nofollow_dropped': " in proc.stderr


def test_noindex_items_kept_out_for_the_search_purpose(sandbox, tmp_path):
    web = sandbox([
        SiteSpec("hidden.test", pages=2, headers={"X-Robots-Tag": "none"}),
        SiteSpec("open.test", pages=2),
    ])
    proc, items = run_crawl(web, [web.url("hidden.test"), web.url("open.test")], tmp_path,
                            {"POLITECRAWL_PURPOSE": "search"})
    ok(proc)
    assert paths(web, "hidden.test") == {"/"}  # none = noindex + nofollow
    assert {item["url"] for item in items} == {f"http://open.test{p}" for p in all_paths(2)}
    assert "'politecrawl/robots/page/noindex_dropped': 1" in proc.stderr


def test_bad_setting_is_named(sandbox, tmp_path):
    web = sandbox([SiteSpec("x.test", pages=1)])
    proc, _ = run_crawl(web, [web.url("x.test")], tmp_path, {"POLITECRAWL_MAX_CRAWL_DELAY": "-5"})
    assert proc.returncode == 2
    assert "POLITECRAWL_MAX_CRAWL_DELAY (-5.0) must be a finite number of seconds, more than 0" in proc.stderr
    assert pages_of(web, "x.test") == []
