"""A crawl beside items of 1 MB of digit noise keeps its pace: the filter works off the reactor and each item's
work is bounded.  What the sandbox saw is the evidence: no gap over 2 s between requests to a 5 req/s site."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import CONTACT, crawl_env, politecrawl_command, wait_for

from politecrawl.sandbox import SiteSpec

pytestmark = pytest.mark.e2e

TESTS = Path(__file__).resolve().parent


def largest_gap(times: list[float]) -> float:
    times = sorted(times)
    return max((b - a for a, b in zip(times, times[1:])), default=0.0)


def pace_args(web, tmp_path: Path) -> list[str]:
    settings = {
        "ADDONS": json.dumps({"politecrawl.Addon": 100}),
        "POLITECRAWL_CONTACT": CONTACT,
        "POLITECRAWL_STATE": f"sqlite:///{tmp_path / 'state.db'}",
        "POLITECRAWL_DEFAULT_DAILY_REQUESTS": "1e12",
        "POLITECRAWL_MAX_SITE_RATE": "5",
        "POLITECRAWL_BURST": "1",
        "LOG_LEVEL": "INFO",
        **web.settings(),
    }
    args = [sys.executable, "-m", "scrapy", "runspider", str(TESTS / "pii_pace_spider.py"),
            "-o", f"{tmp_path / 'items.jsonl'}:jsonlines", "-a", f"urls={web.url('pace.example.com')}",
            "-a", f"big={web.url('big.example.com')}", "-a", "strings=2000", "-a", "length=500"]
    for name, value in settings.items():
        args += ["-s", f"{name}={value}"]
    return args


def test_crawl_beside_megabyte_items_keeps_its_pace(sandbox, tmp_path, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(TESTS))
    web = sandbox([SiteSpec("pace.example.com", pages=40), SiteSpec("big.example.com", pages=3)])
    output = tmp_path / "items.jsonl"
    proc = subprocess.run(pace_args(web, tmp_path), capture_output=True, text=True, timeout=300, cwd=tmp_path,
                          env=crawl_env())
    assert proc.returncode == 0, proc.stderr[-3000:]
    pace = [r["t"] for r in web.requests("pace.example.com")]
    big = [r for r in web.requests("big.example.com") if r["path"].startswith("/p/") or r["path"] == "/"]
    assert len(pace) >= 40 and len(big) == 4  # every page of both sites was fetched
    gap = largest_gap(pace)
    print(f"largest gap between requests to the 5 req/s site: {gap:.3f} s")
    assert gap <= 2.0
    # the big items' filtering (about a second of CPU each, one after another) fell inside the pace site's crawl
    assert max(pace) - min(r["t"] for r in big) > 4.0
    # The big items were filtered while the pace site was crawled, each within its budget, and dropped (fail
    # closed); the small items after each of them came out in the order the spider yielded them.
    stats = proc.stderr[proc.stderr.index("Dumping Scrapy stats") :]
    assert "'politecrawl/pii/items_dropped/over_budget': 4" in stats
    items = [json.loads(line) for line in output.read_text().splitlines()]
    for url in {i["url"] for i in items if "seq" in i}:
        assert [i["seq"] for i in items if i.get("url") == url and "seq" in i] == [0, 1, 2, 3, 4]
    assert not any("noise" in i for i in items)


# Pages enough that the pace site (5 req/s) is still under way when the stop command returns, however slow the
# machine is to start that command (60 pages: 56 fetched before it returned once, at load 25).
PACE_PAGES = 200


def test_a_stop_lands_within_its_bound_while_megabyte_items_are_filtered(sandbox, tmp_path, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(TESTS))
    web = sandbox([SiteSpec("pace.example.com", pages=PACE_PAGES), SiteSpec("big.example.com", pages=7)])
    proc = subprocess.Popen(pace_args(web, tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=tmp_path, env=crawl_env())
    try:
        # all 8 big items fetched (about 8 s of filtering queued in the worker) and the pace site under way
        assert wait_for(lambda: len([r for r in web.requests("big.example.com") if "/p/" in r["path"]]) >= 7
                        and len(web.requests("pace.example.com")) >= 10), "the crawl did not start"
        stop = politecrawl_command("stop", "http://pace.example.com/", "--reason", "owner asked",
                                   "--state", f"sqlite:///{tmp_path / 'state.db'}", timeout=60, cwd=tmp_path)
        returned = time.time()
        assert stop.returncode == 0, stop.stderr
        _, err = proc.communicate(timeout=300)
        ended = time.time() - returned
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err[-3000:]
    late = [r["t"] - returned for r in web.requests("pace.example.com") if r["t"] > returned + 1.0]
    assert late == []  # the stop was read and honoured within 1 s, though the worker was busy
    assert len(web.requests("pace.example.com")) < PACE_PAGES - 5  # it did stop the site, well before its last page
    assert "'politecrawl/pii/items_dropped/over_budget': 8" in err
    # the big site was done before the stop; what kept the crawl running after it was the worker filtering the
    # queued big items: the stop landed while it was busy
    assert max(r["t"] for r in web.requests("big.example.com")) < returned and ended > 2.0
