"""The traffic budget, seen from the sites' side (the sandbox's request log)."""

import json
import math
import os
import signal
import subprocess
import sys
import time

from helpers import CONTACT, crawl_env, run_crawl, wait_for

from politecrawl.sandbox import PROTOCOL_PATHS, SiteSpec, max_in_window
from politecrawl.state.writebehind import FLUSH_INTERVAL

DAY = 86_400


def pages(log, site=None):
    return [r for r in log if r["path"] not in PROTOCOL_PATHS and (site is None or r["site"] == site)]




def test_a_site_capped_at_2_per_second_for_10_seconds(sandbox, tmp_path):
    rate, burst, seconds = 2.0, 2, 10
    web = sandbox([SiteSpec("shop-a.com", pages=400)])
    proc, _ = run_crawl(web, [web.url("shop-a.com")], tmp_path, {
        "POLITECRAWL_SITE_TRAFFIC": json.dumps({"shop-a.com": rate * 3 * DAY}),
        "POLITECRAWL_MAX_SITE_RATE": "10",
        "POLITECRAWL_BURST": str(burst),
        "CLOSESPIDER_TIMEOUT": str(seconds + 3),
    })
    assert proc.returncode == 0, proc.stderr[-3000:]
    # every request counts: robots.txt and tdmrep.json fetches are charged too
    times = sorted(r["t"] for r in web.requests("shop-a.com"))
    first = times[0]
    in_ten = [t for t in times if t < first + seconds]
    bound = rate * seconds + burst
    assert 0.9 * bound <= len(in_ten) <= bound, (len(in_ten), bound)
    for window in (1, 2, 5):
        assert max_in_window(times, window) <= rate * window + burst
    assert "~518400 requests/day (settings) -> cap 172800 requests/day (2 req/s)" in proc.stderr


def test_ready_sites_are_crawled_while_budget_bound_sites_wait(sandbox, tmp_path):
    """No head-of-line blocking: 20 slow-budget sites do not starve a fast one."""
    slow = [SiteSpec(f"slow{i}.com.cn", pages=50) for i in range(20)]
    fast = SiteSpec("fast.example.org", pages=300)
    web = sandbox([*slow, fast])
    traffic = {s.host: 0.1 * 3 * DAY for s in slow}
    traffic["fast.example.org"] = 5 * 3 * DAY
    seconds = 8
    proc, _ = run_crawl(web, [web.url(s.host) for s in [*slow, fast]], tmp_path, {
        "POLITECRAWL_SITE_TRAFFIC": json.dumps(traffic),
        "POLITECRAWL_MAX_SITE_RATE": "10",
        "POLITECRAWL_BURST": "1",
        "CONCURRENT_REQUESTS": "4",
        "CLOSESPIDER_TIMEOUT": str(seconds),
    })
    assert proc.returncode == 0, proc.stderr[-3000:]
    log = web.requests()
    fast_times = sorted(r["t"] for r in log if r["site"] == "fast.example.org")
    span = fast_times[-1] - fast_times[0]
    assert span > seconds - 3
    # the fast site got its 5/s the whole time (generous bound: 80 %)
    assert len(fast_times) >= 0.8 * 5 * span
    for spec in slow:
        times = [r["t"] for r in log if r["site"] == spec.host]
        assert 1 <= len(times) <= 0.1 * seconds + 1 + 1  # rate × W + burst, plus robots.txt
    # what still waits is reported per site (in the summary's last column)
    assert any("waiting=" in line for line in proc.stdout.splitlines() if line.startswith("slow"))


def test_kill_9_and_restart_keeps_the_budget(sandbox, tmp_path):
    rate, burst = 2.0, 2
    web = sandbox([SiteSpec("shop-a.com", pages=400)])
    settings = {
        "POLITECRAWL_CONTACT": CONTACT,
        "POLITECRAWL_STATE": f"sqlite:///{tmp_path / 'state.db'}",
        "POLITECRAWL_SITE_TRAFFIC": json.dumps({"shop-a.com": rate * 3 * DAY}),
        "POLITECRAWL_MAX_SITE_RATE": "10",
        "POLITECRAWL_BURST": str(burst),
        **web.settings(),
    }
    args = [sys.executable, "-m", "politecrawl.cli", "crawl", web.url("shop-a.com")]
    for name, value in settings.items():
        args += ["-s", f"{name}={value}"]
    started = time.time()
    for _ in range(3):  # killed mid-way (once the site has seen it crawl), restarted at once, three times
        seen = len(web.requests("shop-a.com"))
        proc = subprocess.Popen(args, cwd=tmp_path, env=crawl_env(),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        assert wait_for(lambda: len(web.requests("shop-a.com")) >= seen + 3, timeout=60)
        time.sleep(0.5)  # not for correctness: a kill at a random point of the crawl, not right after a request
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    elapsed = time.time() - started
    # every request counts: robots.txt and tdmrep.json fetches are charged too
    times = sorted(r["t"] for r in web.requests("shop-a.com"))
    assert len(times) >= 6  # it did crawl
    span = times[-1] - times[0]
    # A token is taken before each request is sent, and written behind (politecrawl.state.
    # writebehind): a kill loses at most the takes of the last FLUSH_INTERVAL, per site at most
    # rate × FLUSH_INTERVAL + burst, and a restart may grant those again. Three kills.
    crash_bound = 3 * math.floor(rate * FLUSH_INTERVAL + burst)
    assert len(times) <= rate * span + burst + crash_bound, (len(times), span)
    assert span <= elapsed


def test_a_site_turned_slow_gets_a_lower_rate(sandbox, tmp_path):
    # slow from 5 s after the site's first request (robots.txt), whatever the crawl's start-up took
    web = sandbox([SiteSpec("shop-a.com", pages=600, latency=0.02,
                            schedule=[[5.0, {"latency": 0.4}]], schedule_from="first-request")])
    proc, _ = run_crawl(web, [web.url("shop-a.com")], tmp_path, {
        "POLITECRAWL_SITE_TRAFFIC": json.dumps({"shop-a.com": 8 * 3 * DAY}),
        "POLITECRAWL_MAX_SITE_RATE": "10",
        "POLITECRAWL_BURST": "2",
        "CLOSESPIDER_TIMEOUT": "14",
    })
    assert proc.returncode == 0, proc.stderr[-3000:]
    start = min(r["t"] for r in web.requests("shop-a.com"))  # the schedule's zero
    log = pages(web.requests(), "shop-a.com")
    fast = [r for r in log if r["t"] < start + 4]
    late = [r for r in log if r["t"] >= start + 9]
    rate_before = len(fast) / 4
    rate_after = len(late) / (max(r["t"] for r in log) - (start + 9) or 1)
    assert rate_before >= 5
    assert rate_after < 0.5 * rate_before, (rate_before, rate_after)
    assert "shows strain" in proc.stderr


def test_waiting_requests_resume_with_jobdir(sandbox, tmp_path):
    web = sandbox([SiteSpec("shop-a.com", pages=30)])
    settings = {
        "POLITECRAWL_SITE_TRAFFIC": json.dumps({"shop-a.com": 2 * 3 * DAY}),
        "POLITECRAWL_MAX_SITE_RATE": "10",
        "POLITECRAWL_BURST": "1",
        "JOBDIR": str(tmp_path / "job"),
        "CLOSESPIDER_TIMEOUT": "4",
    }
    proc, _ = run_crawl(web, [web.url("shop-a.com")], tmp_path, settings)
    assert proc.returncode == 0, proc.stderr[-3000:]
    first = [r["path"] for r in pages(web.requests(), "shop-a.com")]
    assert 4 <= len(first) < 31
    assert "waiting=" in proc.stdout
    settings["CLOSESPIDER_TIMEOUT"] = "60"
    proc, _ = run_crawl(web, [web.url("shop-a.com")], tmp_path, settings)
    assert proc.returncode == 0, proc.stderr[-3000:]
    all_paths = [r["path"] for r in pages(web.requests(), "shop-a.com")]
    assert sorted(set(all_paths)) == sorted({"/"} | {f"/p/{i}" for i in range(30)})
    assert len(all_paths) == len(set(all_paths))  # nothing fetched twice, nothing lost


def test_a_site_whose_robots_txt_disallows_linked_pages_keeps_its_full_rate(sandbox, tmp_path):
    """Refusals by our own robots.txt gate are not the site's strain (1 page in 5 is disallowed)."""
    rate, burst, seconds = 2.0, 2, 12
    web = sandbox([SiteSpec("shop-a.com", pages=400,
                            robots="User-agent: *\nDisallow: /*7$\nDisallow: /*3$\n")])
    proc, _ = run_crawl(web, [web.url("shop-a.com")], tmp_path, {
        "POLITECRAWL_SITE_TRAFFIC": json.dumps({"shop-a.com": rate * 3 * DAY}),
        "POLITECRAWL_MAX_SITE_RATE": "10",
        "POLITECRAWL_BURST": str(burst),
        "CLOSESPIDER_TIMEOUT": str(seconds + 2),
    })
    assert proc.returncode == 0, proc.stderr[-3000:]
    log = web.requests("shop-a.com")
    assert log and not [r for r in log if r["path"].endswith(("7", "3"))]
    times = sorted(r["t"] for r in log)
    late = [t for t in times if times[0] + 6 <= t < times[0] + 12]
    # Full rate: in the second half the site still receives ~2 a second (less the turns the
    # refused fifth of the links took). Halving the rate per refusal left ~1 a second or less.
    assert len(late) >= 0.7 * rate * 6, len(late)
    assert "shows strain" not in proc.stderr
    assert "rate at the end 2 req/s" in proc.stderr
    assert "'politecrawl/robots/refused/disallowed'" in proc.stdout + proc.stderr
    assert "politecrawl/budget/slowdowns" not in proc.stdout + proc.stderr
