"""Real crawls (subprocesses, as a user runs them) against the sandbox web."""

import subprocess
import sys

from helpers import CONTACT, REPO, crawl_env, politecrawl_command, project_settings, run_crawl

from politecrawl import __version__
from politecrawl.sandbox import PROTOCOL_PATHS, SiteSpec


def test_crawl_fetches_every_page_under_an_honest_identity(sandbox, tmp_path):
    web = sandbox([SiteSpec("shop-a.com", pages=12), SiteSpec("news.example.com.cn", pages=6)])
    proc, items = run_crawl(web, [web.url("shop-a.com"), web.url("news.example.com.cn")], tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    seen = web.requests()
    pages = {(r["site"], r["path"]) for r in seen if r["path"] not in PROTOCOL_PATHS}
    expected = {("shop-a.com", "/")} | {("shop-a.com", f"/p/{i}") for i in range(12)}
    expected |= {("news.example.com.cn", "/")} | {("news.example.com.cn", f"/p/{i}") for i in range(6)}
    assert pages == expected
    # each page once, no duplicates
    assert len([r for r in seen if r["path"] not in PROTOCOL_PATHS]) == len(expected)
    assert {r["ua"] for r in seen} == {f"politecrawl/{__version__} (+{CONTACT})"}
    assert {r["client"] for r in seen} == {"127.0.0.1"}
    assert {item["url"] for item in items} == {f"http://{s}{p}" for s, p in expected}
    assert all(item["title"] and item["text"] and item["fetched_at"] for item in items)
    # the per-site summary is printed
    assert "shop-a.com" in proc.stdout and "example.com.cn" in proc.stdout
    # a default crawl warns of nothing: components that are off by default are off quietly
    assert " WARNING: " not in proc.stderr, [l for l in proc.stderr.splitlines() if " WARNING: " in l]


def test_links_outside_the_seed_sites_are_not_followed(sandbox, tmp_path):
    web = sandbox([
        SiteSpec("b.example.co.uk", pages=2, extra_links=["http://a.example.co.uk/", "http://other.org/"]),
        SiteSpec("a.example.co.uk", pages=2),
        SiteSpec("other.org", pages=2),
    ])
    proc, _ = run_crawl(web, [web.url("b.example.co.uk")], tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    sites = {r["site"] for r in web.requests()}
    assert sites == {"b.example.co.uk", "a.example.co.uk"}  # one site: example.co.uk


def test_missing_contact_refuses_to_start(sandbox, tmp_path):
    web = sandbox([SiteSpec("shop-a.com", pages=2)])
    proc, items = run_crawl(web, [web.url("shop-a.com")], tmp_path, contact=None)
    assert proc.returncode == 2
    assert "POLITECRAWL_CONTACT is not set" in proc.stderr
    assert 'POLITECRAWL_CONTACT = "https://example.org/crawler"' in proc.stderr
    assert web.requests() == []
    assert items == []


def test_unwritable_state_refuses_to_start(sandbox, tmp_path):
    web = sandbox([SiteSpec("shop-a.com", pages=2)])
    (tmp_path / "blocker").write_text("x")
    proc, _ = run_crawl(
        web, [web.url("shop-a.com")], tmp_path,
        {"POLITECRAWL_STATE": f"sqlite:///{tmp_path / 'blocker' / 'state.db'}"},
    )
    assert proc.returncode == 2
    assert "cannot open the state store" in proc.stderr
    assert web.requests() == []


def test_bad_seed_is_named_and_skipped_and_nothing_to_crawl_is_said(sandbox, tmp_path):
    web = sandbox([SiteSpec("shop-a.com", pages=1)])
    proc, _ = run_crawl(web, ["not a url", "ftp://x.org/", web.url("shop-a.com")], tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "skipping 'not a url'" in proc.stderr
    assert "skipping 'ftp://x.org/'" in proc.stderr
    assert {r["path"] for r in web.requests()} >= {"/", "/p/0"}
    proc, _ = run_crawl(web, ["nope"], tmp_path)
    assert proc.returncode == 2
    assert "nothing to crawl" in proc.stderr


def test_scrapy_crawl_with_the_addon_in_a_project(sandbox, tmp_path):
    """The one ADDONS line in a plain Scrapy project turns the stack on."""
    web = sandbox([SiteSpec("shop-a.com", pages=3)])
    (tmp_path / "scrapy.cfg").write_text("[settings]\ndefault = myproject_settings\n")
    (tmp_path / "myproject_settings.py").write_text(
        'SPIDER_MODULES = ["politecrawl.spiders"]\n'
        + project_settings(web, tmp_path / "state.db",
                           "POLITECRAWL_MAX_SITE_RATE = 100", "POLITECRAWL_DEFAULT_DAILY_REQUESTS = 1e12")
    )
    env = crawl_env()
    env["PYTHONPATH"] = str(tmp_path)
    proc = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "generic", "-a", f"urls={web.url('shop-a.com')}"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=180,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "politecrawl 0" in proc.stderr and "active as" in proc.stderr
    pages = {r["path"] for r in web.requests() if r["path"] not in PROTOCOL_PATHS}
    assert pages == {"/", "/p/0", "/p/1", "/p/2"}
    assert all(CONTACT in r["ua"] for r in web.requests())


def test_demo_runs_offline(tmp_path):
    proc = politecrawl_command("demo", "--dir", tmp_path / "demo", cwd=REPO, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "all from 127.0.0.1" in proc.stdout
    assert (tmp_path / "demo" / "items.jsonl").stat().st_size > 0


def test_environment_proxy_is_honoured_as_in_plain_scrapy(sandbox, tmp_path):
    """Without the sandbox resolver, http_proxy from the environment carries every request.

    The sandbox doubles as the forward proxy here: it answers absolute-URI requests.
    """
    web = sandbox([SiteSpec("shop-a.com", pages=2)])
    output = tmp_path / "items.jsonl"
    env = crawl_env()
    env["http_proxy"] = f"http://{web.address}"
    proc = politecrawl_command(
        "crawl", "http://shop-a.com/", "-o", output,
        "-s", f"POLITECRAWL_CONTACT={CONTACT}", "-s", f"POLITECRAWL_STATE=sqlite:///{tmp_path / 's.db'}",
        "-s", "POLITECRAWL_MAX_SITE_RATE=100", "-s", "POLITECRAWL_DEFAULT_DAILY_REQUESTS=1e12",
        cwd=tmp_path, env=env, timeout=180,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    seen = web.requests()
    assert {r["path"] for r in seen} >= {"/robots.txt", "/", "/p/0", "/p/1"}
    assert all(r["proxied"] for r in seen)
    # the crawler does not know shop-a.com's address (the proxy resolves it): its server is its name
    assert "'politecrawl/budget/servers_keyed_by_host': 1" in proc.stderr


def test_start_up_objects_are_frozen_for_the_crawl_unless_turned_off(sandbox, tmp_path):
    web = sandbox([SiteSpec("shop-a.com", pages=3)])
    for setting, frozen in ((None, True), ("False", False)):
        run_dir = tmp_path / str(frozen)
        run_dir.mkdir()
        extra = {"LOG_LEVEL": "INFO"} | ({"POLITECRAWL_GC_FREEZE": setting} if setting else {})
        proc, items = run_crawl(web, [web.url("shop-a.com")], run_dir, extra)
        assert proc.returncode == 0, proc.stderr[-3000:]
        assert len(items) == 4  # the crawl is the same either way
        assert ("start-up objects exempted from garbage-collector scans" in proc.stderr) is frozen
        assert ("'politecrawl/gc_frozen_objects'" in proc.stderr) is frozen
