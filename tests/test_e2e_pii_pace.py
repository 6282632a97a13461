"""A crawl beside items of 1 MB of digit noise keeps its pace: the filter works off the reactor and each item's
work is bounded.  What the sandbox saw is the evidence: no gap over 2 s between requests to a 5 req/s site."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import CONTACT, crawl_env

from politecrawl.sandbox import SiteSpec

pytestmark = pytest.mark.e2e

TESTS = Path(__file__).resolve().parent


def largest_gap(times: list[float]) -> float:
    times = sorted(times)
    return max((b - a for a, b in zip(times, times[1:])), default=0.0)


def test_crawl_beside_megabyte_items_keeps_its_pace(sandbox, tmp_path, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(TESTS))
    web = sandbox([SiteSpec("pace.example.com", pages=40), SiteSpec("big.example.com", pages=3)])
    output = tmp_path / "items.jsonl"
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
            "-o", f"{output}:jsonlines", "-a", f"urls={web.url('pace.example.com')}",
            "-a", f"big={web.url('big.example.com')}", "-a", "strings=2000", "-a", "length=500"]
    for name, value in settings.items():
        args += ["-s", f"{name}={value}"]
    proc = subprocess.run(args, capture_output=True, text=True, timeout=300, cwd=tmp_path, env=crawl_env())
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
