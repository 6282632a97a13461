"""One counter per fact: on one real crawl, the progress line, the end-of-crawl summary, the report
and Scrapy's stats give the same requests, answers, bytes and refusals, and the sites saw as many."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter

import pytest
from helpers import CONTACT, crawl_env, politecrawl_command

from politecrawl.sandbox import SiteSpec

pytestmark = pytest.mark.e2e

SITES = [
    SiteSpec("a-shop.com", pages=15, robots="User-agent: *\nDisallow: /p/2\nDisallow: /p/5\n"),
    SiteSpec("b-shop.com", pages=10, body_size=3000),
    SiteSpec("c-shop.com", pages=8, robots=None),
]


def _stat(log: str, name: str) -> int:
    match = re.search(rf"'{re.escape(name)}': (\d+)", log)
    return int(match.group(1)) if match else 0


def _summary(out: str) -> dict[str, tuple[int, int, int, int]]:
    """The summary table the crawl command prints: site -> (requests, 2xx, other, bytes)."""
    rows = {}
    for line in out.splitlines():
        cells = line.split()
        if len(cells) >= 5 and cells[0] in {s.host for s in SITES}:
            rows[cells[0]] = tuple(int(c) for c in cells[1:5])
    return rows


def test_progress_summary_report_and_stats_count_the_same(sandbox, tmp_path):
    web = sandbox(SITES)
    state = f"sqlite:///{tmp_path / 'state.db'}"
    settings = {
        "POLITECRAWL_STATE": state, "POLITECRAWL_CONTACT": CONTACT,
        "POLITECRAWL_DEFAULT_DAILY_REQUESTS": "1e12", "POLITECRAWL_MAX_SITE_RATE": "1000",
        "POLITECRAWL_PROGRESS_INTERVAL": "1", "LOG_LEVEL": "INFO", **web.settings(),
    }
    args = [sys.executable, "-m", "politecrawl.cli", "crawl", *(web.url(s.host) for s in SITES)]
    for name, value in settings.items():
        args += ["-s", f"{name}={value}"]
    proc = subprocess.run(args, capture_output=True, text=True, cwd=tmp_path, env=crawl_env(), timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    seen = web.requests()
    report_run = politecrawl_command("report", "--state", state, "--json", tmp_path / "report.json",
                                     cwd=tmp_path, timeout=120)
    assert report_run.returncode == 0, report_run.stderr
    report = json.loads((tmp_path / "report.json").read_text())
    sites = {s["site"]: s for s in report["sites"]}
    log = proc.stderr

    # what the sites saw
    by_site = Counter(r["site"] for r in seen)
    assert {site: s["requests"] for site, s in sites.items() if s["requests"]} == dict(by_site)
    assert report["totals"]["requests"] == len(seen) == _stat(log, "politecrawl/requests")

    # answers: the progress line's pages, the report, Scrapy's own count of downloaded answers
    progress = re.findall(r"politecrawl progress: ([\d,]+) pages?", log)
    assert progress, log[-3000:]
    pages = int(progress[-1].replace(",", ""))  # the line at the end
    answers = sum(s["responses"] for s in sites.values())
    assert pages == answers == _stat(log, "downloader/response_count") == len(seen)

    # the summary the command prints, per site: requests, answers by class, bytes
    summary = _summary(proc.stdout)
    for site, s in sites.items():
        if not s["requests"]:
            continue
        requests, ok, other, nbytes = summary[site]
        assert (requests, ok + other, nbytes) == (s["requests"], s["responses"], s["bytes"])
        assert ok == s["statuses"].get("2xx", 0)

    # refusals: the report, the stat and the summary
    refused = sites["a-shop.com"]["refusals"].get("robots:disallowed", 0)
    assert refused == _stat(log, "politecrawl/robots/refused/disallowed") >= 2
    assert f"robots:disallowed={refused}" in proc.stdout
