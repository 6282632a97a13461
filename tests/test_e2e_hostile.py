"""Hostile and broken sites, end to end: what the sandbox's sites saw (its request log)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter

import pytest
from helpers import NON_BINDING_BUDGET, crawl_env, politecrawl_command, project_settings, run_crawl

from politecrawl.sandbox import PROTOCOL_PATHS, SiteSpec

pytestmark = pytest.mark.e2e


def report_of(tmp_path) -> dict:
    out = tmp_path / "report.json"
    proc = politecrawl_command("report", "--state", f"sqlite:///{tmp_path / 'state.db'}", "--json", out,
                               timeout=120, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(out.read_text())


def test_a_reset_on_keep_alive_is_counted_as_the_site_saw_it(sandbox, tmp_path):
    """No silent resend by Twisted's pool: the audit counts each request the site received."""
    web = sandbox([SiteSpec("reset.test", pages=20, routes={"/p/*": {"abort_reused": True, "times": 6}})])
    proc, _ = run_crawl(web, [web.url("reset.test")], tmp_path, {"CONCURRENT_REQUESTS": "2"})
    assert proc.returncode == 0, proc.stderr[-3000:]
    seen = web.requests("reset.test")
    aborted = [r for r in seen if r["bytes"] == 0 and r["path"].startswith("/p/")]
    assert aborted, "no request came on a reused connection"
    report = report_of(tmp_path)
    by_site = {s["site"]: s["requests"] for s in report["sites"]}
    assert by_site["reset.test"] == len(seen), (by_site, Counter(r["path"] for r in seen))
    # every page was still crawled (Scrapy's own retry, counted like any request)
    assert {r["path"] for r in seen if r["path"] not in PROTOCOL_PATHS} >= {"/", "/p/0", "/p/19"}


MIB = 1024 * 1024


def peak_rss_mib(proc) -> float:
    line = [ln for ln in proc.stderr.splitlines() if ln.startswith("PEAK_RSS_KIB ")][-1]
    return int(line.split()[1]) / 1024


def test_endless_robots_txt_huge_tdmrep_json_and_a_gzip_bomb_are_cut_while_they_stream(sandbox, tmp_path):
    import base64
    import gzip

    bomb = gzip.compress(b"\0" * (200 * MIB), compresslevel=9)  # ~200 KB on the wire
    web = sandbox([
        # robots.txt without end: a valid group first, then the same comment line for ever
        SiteSpec("endless.test", pages=6, routes={"/robots.txt": {
            "stream_bytes": -1, "body": "# " + "x" * 77 + "\n",
        }}),
        # a 200 MB tdmrep.json that announces its length, and one that does not
        SiteSpec("huge.test", pages=4, routes={"/.well-known/tdmrep.json": {
            "stream_bytes": 200 * MIB, "body": " ", "headers": {"Content-Length": str(200 * MIB)},
        }}),
        SiteSpec("hugechunked.test", pages=4, routes={"/.well-known/tdmrep.json": {
            "stream_bytes": 200 * MIB, "body": " ",
        }}),
        SiteSpec("bomb.test", pages=3, routes={"/p/1": {
            "body_b64": base64.b64encode(bomb).decode(), "headers": {"Content-Encoding": "gzip"},
        }}),
    ])
    seeds = [web.url(h) for h in ("endless.test", "huge.test", "hugechunked.test", "bomb.test")]
    proc, items = run_crawl(web, seeds, tmp_path, peak_rss=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    log = web.requests()

    def fetches(site, path):
        return [r for r in log if r["site"] == site and r["path"] == path]

    # robots.txt: read up to the RFC's 500 KiB (plus what the sockets buffered), parsed, crawled
    (robots,) = fetches("endless.test", "/robots.txt")
    assert robots["bytes"] < 16 * MIB, robots["bytes"]
    assert {r["path"] for r in log if r["site"] == "endless.test"} >= {"/", "/p/0", "/p/5"}
    # tdmrep.json: cut at its 512 KiB limit; fail closed (no page of those origins)
    for site in ("huge.test", "hugechunked.test"):
        (tdmrep,) = fetches(site, "/.well-known/tdmrep.json")
        assert tdmrep["bytes"] < 16 * MIB, (site, tdmrep["bytes"])
        assert [r["path"] for r in log if r["site"] == site] == ["/robots.txt", "/.well-known/tdmrep.json"]
    # the gzip bomb: sent whole (200 KB), dropped at 10 MiB decompressed; the rest of the site crawled
    assert [r["bytes"] for r in fetches("bomb.test", "/p/1")] == [len(bomb)]
    assert {i["url"].rsplit("/", 1)[-1] for i in items if "bomb.test/p/" in i["url"]} == {"0", "2"}
    assert "exceeded DOWNLOAD_MAXSIZE (10485760 B) during decompression" in proc.stderr
    # the crawl process's memory: one robots.txt copy, no 200 MB body, no 200 MB page
    peak = peak_rss_mib(proc)
    print(f"PEAK RSS of the crawl: {peak:.0f} MiB")
    assert peak < 400, peak


def test_tdmrep_json_is_kept_in_the_state_store_like_robots_txt(sandbox, tmp_path):
    """A second crawl on the same state store fetches neither robots.txt nor tdmrep.json again."""
    web = sandbox([SiteSpec("kept.test", pages=3, routes={"/.well-known/tdmrep.json": {
        "body": '[{"location": "/p/1", "tdm-reservation": 1}]', "headers": {"Content-Type": "application/json"},
    }})])
    for _ in range(2):
        proc, _ = run_crawl(web, [web.url("kept.test")], tmp_path)
        assert proc.returncode == 0, proc.stderr[-3000:]
    seen = Counter(r["path"] for r in web.requests("kept.test"))
    assert seen["/.well-known/tdmrep.json"] == 1 and seen["/robots.txt"] == 1, seen
    assert seen["/p/1"] == 0  # the stored copy still reserves it
    assert "'politecrawl/reservations/tdmrep/from_store': 1" in proc.stdout + proc.stderr


def test_robots_txt_unreachable_is_a_wait_and_the_site_is_crawled_once_it_answers(sandbox, tmp_path):
    """503 + Retry-After: 4 for the first 5 s of the site: no page meanwhile, retried as asked, then crawled."""
    web = sandbox([
        SiteSpec("late.test", pages=5, robots="User-agent: *\nDisallow: /p/4\n", robots_status=503,
                 robots_headers={"Retry-After": "4"}, schedule=[[5.0, {"robots_status": 200}]],
                 schedule_from="first-request"),
        SiteSpec("fine.test", pages=3),
    ])
    proc, _ = run_crawl(web, [web.url("late.test"), web.url("fine.test")], tmp_path,
                        {"POLITECRAWL_ROBOTS_RETRY_BASE": "1"})
    assert proc.returncode == 0, proc.stderr[-3000:]
    log = web.requests("late.test")
    robots = [r for r in log if r["path"] == "/robots.txt"]
    assert [r["status"] for r in robots] == [503, 503, 200], robots
    gaps = [b["t"] - a["t"] for a, b in zip(robots, robots[1:])]
    assert all(gap >= 3.9 for gap in gaps), gaps  # Retry-After: 4 honoured (the back-off alone: 1, 2 s)
    answered = robots[-1]["t"]
    pages = [r for r in log if r["path"] not in PROTOCOL_PATHS]
    assert pages and all(r["t"] > answered for r in pages)  # no page while robots.txt was unreachable
    assert {r["path"] for r in pages} == {"/", "/p/0", "/p/1", "/p/2", "/p/3"}  # then all it allows
    assert "robots.txt of http://late.test:80 is unreachable (HTTP 503): its requests wait" in proc.stderr
    assert "robots/refused/unreachable" not in proc.stderr


def test_robots_txt_throttled_many_times_is_still_a_wait_not_a_stop(sandbox, tmp_path):
    """429 + Retry-After: 1 on robots.txt for the first 6 s: more 429s in a row than the throttle stop
    count (3), yet the site is not stopped: a protocol file's 429 is its own back-off's wait."""
    web = sandbox([
        SiteSpec("busy.test", pages=3, robots="User-agent: *\nAllow: /\n", robots_status=429,
                 robots_headers={"Retry-After": "1"}, schedule=[[6.0, {"robots_status": 200}]],
                 schedule_from="first-request"),
    ])
    proc, _ = run_crawl(web, [web.url("busy.test")], tmp_path, {"POLITECRAWL_ROBOTS_RETRY_BASE": "1"})
    assert proc.returncode == 0, proc.stderr[-3000:]
    log = web.requests("busy.test")
    robots = [r["status"] for r in log if r["path"] == "/robots.txt"]
    assert robots.count(429) >= 3 and robots[-1] == 200, robots
    pages = {r["path"] for r in log if r["path"] not in PROTOCOL_PATHS}
    assert pages == {"/", "/p/0", "/p/1", "/p/2"}, pages
    assert "throttled answers in a row" not in proc.stderr
    assert "politecrawl/stops/crawl_stops" not in proc.stderr


def test_a_crawl_whose_every_seed_site_stays_unreachable_fails_and_says_so(sandbox, tmp_path):
    web = sandbox([
        SiteSpec("down.test", pages=3, robots_status=500),
        SiteSpec("reset.test", pages=3, routes={"/robots.txt": {"abort": True}}),
    ])
    proc, _ = run_crawl(web, [web.url("down.test"), web.url("reset.test")], tmp_path, {
        "POLITECRAWL_ROBOTS_RETRY_BASE": "1", "POLITECRAWL_ROBOTS_MAX_WAIT": "5",
    })
    assert proc.returncode == 1, proc.stderr[-3000:]
    assert "crawl failed: robots.txt of every seed site stayed unreachable (down.test, reset.test)" in proc.stderr
    for site in ("down.test", "reset.test"):
        seen = web.requests(site)
        assert seen and all(r["path"] == "/robots.txt" for r in seen), seen  # no page, ever
        assert 2 <= len(seen) <= 4, seen  # tries at 0, 1 and 3 s; the next (7 s) is past the 5 s wait
    assert "robots.txt unreachable" in proc.stdout  # the summary: not "disallowed"
    assert "robots.txt of http://down.test:80 unreachable (HTTP 500" in proc.stderr
    assert "robots.txt of every site of this crawl stayed unreachable (down.test, reset.test)" in proc.stderr
    report = report_of(tmp_path)
    text = " ".join(report["summary"]["text"])
    assert "not sent because robots.txt was unreachable (http_5xx, network_error)" in text, text
    assert "disallowed" not in text


def test_a_compressed_robots_txt_is_read_and_a_robots_txt_bomb_fails_closed(sandbox, tmp_path):
    import base64
    import gzip

    def gz(data: bytes) -> dict:
        return {"body_b64": base64.b64encode(gzip.compress(data, 9)).decode(),
                "headers": {"Content-Encoding": "gzip", "Content-Type": "text/plain"}}

    web = sandbox([
        SiteSpec("gz.test", pages=4, routes={"/robots.txt": gz(b"User-agent: *\nDisallow: /p/1\n")}),
        SiteSpec("gzbomb.test", pages=4, routes={"/robots.txt": gz(b"#" * (40 * MIB))}),
    ])
    proc, _ = run_crawl(web, [web.url("gz.test"), web.url("gzbomb.test")], tmp_path,
                        {"POLITECRAWL_ROBOTS_MAX_WAIT": "2"})
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert {r["path"] for r in web.requests("gz.test")} >= {"/", "/p/0", "/p/2"}
    assert "/p/1" not in {r["path"] for r in web.requests("gz.test")}
    # 40 MB once decompressed: past robots.txt's 10 MiB download limit, so unreachable: no page
    assert [r["path"] for r in web.requests("gzbomb.test")] == ["/robots.txt"]
    assert "robots.txt of http://gzbomb.test:80 unreachable" in proc.stderr


def scrapy_crawl(web, tmp_path, name: str, urls: list[str], *lines: str) -> subprocess.CompletedProcess[str]:
    """``scrapy crawl generic`` in a plain Scrapy project (folder *name*) whose settings add the add-on."""
    project = tmp_path / name
    project.mkdir()
    (project / "scrapy.cfg").write_text(f"[settings]\ndefault = {name}_settings\n")
    (project / f"{name}_settings.py").write_text(
        'SPIDER_MODULES = ["politecrawl.spiders"]\n'
        + project_settings(web, project / "state.db", *lines)
    )
    env = crawl_env()
    env["PYTHONPATH"] = str(project)
    return subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "generic", "-a", f"urls={','.join(urls)}"],
        cwd=project, env=env, capture_output=True, text=True, timeout=180,
    )


def test_scrapy_crawl_whose_every_site_stays_unreachable_exits_1_and_says_why(sandbox, tmp_path):
    """Under ``scrapy crawl`` (a project with the ADDONS line), robots.txt answering 503 every time."""
    web = sandbox([SiteSpec("down.test", pages=3, robots_status=503), SiteSpec("fine.test", pages=2)])
    limits = ("POLITECRAWL_ROBOTS_RETRY_BASE = 1", "POLITECRAWL_ROBOTS_MAX_WAIT = 3",
              *(f"{name} = {value}" for name, value in NON_BINDING_BUDGET.items()))
    proc = scrapy_crawl(web, tmp_path, "down", [web.url("down.test")], *limits)
    assert proc.returncode == 1, proc.stderr[-3000:]
    seen = web.requests("down.test")
    assert seen and all(r["path"] == "/robots.txt" for r in seen), seen  # no page, ever
    assert "'finish_reason': 'robots_txt_unreachable'" in proc.stderr
    assert ("robots.txt of every site of this crawl stayed unreachable (down.test): no page was requested; "
            "the crawl failed (exit code 1)") in proc.stderr
    assert "Traceback" not in proc.stderr
    # the same project on a site that answers: exit 0, finished
    healthy = scrapy_crawl(web, tmp_path, "fine", [web.url("fine.test")], *limits)
    assert healthy.returncode == 0, healthy.stderr[-3000:]
    assert "'finish_reason': 'finished'" in healthy.stderr
    assert {r["path"] for r in web.requests("fine.test")} >= {"/", "/p/0", "/p/1"}


def test_an_unreachable_tdmrep_json_holds_the_origin_until_it_answers(sandbox, tmp_path):
    """tdmrep.json resets the connection for the first 2 s of the site: no page meanwhile (the purpose,
    research, is one TDM binds), fetched again on robots.txt's schedule, then its answer applies."""
    tdmrep = "/.well-known/tdmrep.json"
    answer = {"status": 200, "body": json.dumps([{"location": "/p/1", "tdm-reservation": 1}]),
              "headers": {"Content-Type": "application/json"}}
    web = sandbox([SiteSpec("tdm.test", pages=4, routes={tdmrep: {"abort": True}},
                            schedule=[[2.0, {"routes": {tdmrep: answer}}]], schedule_from="first-request")])
    proc, _ = run_crawl(web, [web.url("tdm.test")], tmp_path, {"POLITECRAWL_ROBOTS_RETRY_BASE": "1"})
    assert proc.returncode == 0, proc.stderr[-3000:]
    log = web.requests("tdm.test")
    fetches = [r for r in log if r["path"] == tdmrep]
    assert len(fetches) >= 2 and fetches[0]["bytes"] == 0 and fetches[-1]["bytes"] > 0, fetches
    assert fetches[1]["t"] - fetches[0]["t"] >= 0.9  # the back-off (1 s), not at once
    answered = fetches[-1]["t"]
    pages = [r for r in log if r["path"] not in PROTOCOL_PATHS]
    assert pages and all(r["t"] > answered for r in pages), (answered, pages)  # none while unreachable
    assert {r["path"] for r in pages} == {"/", "/p/0", "/p/2", "/p/3"}  # then what the file leaves open
    assert "tdmrep.json of http://tdm.test:80 is unreachable (network error" in proc.stderr
    assert "its requests wait (reserved until it answers)" in proc.stderr
