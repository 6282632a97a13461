"""Hostile and broken sites, end to end: what the sandbox's sites saw (its request log)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter

import pytest
from helpers import crawl_env, run_crawl

from politecrawl.sandbox import PROTOCOL_PATHS, SiteSpec

pytestmark = pytest.mark.e2e


def report_of(tmp_path) -> dict:
    out = tmp_path / "report.json"
    proc = subprocess.run(
        [sys.executable, "-m", "politecrawl.cli", "report", "--state",
         f"sqlite:///{tmp_path / 'state.db'}", "--json", str(out)],
        capture_output=True, text=True, timeout=120, cwd=tmp_path, env=crawl_env(),
    )
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
