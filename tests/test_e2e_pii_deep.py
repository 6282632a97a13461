"""An item holding a list nested 5,000 deep goes through a real crawl: no RecursionError anywhere (the filter, the
DEBUG "Scraped from" line, the feed export); what is past POLITECRAWL_PII_MAX_DEPTH is removed, counted."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import CONTACT, crawl_env

from politecrawl.sandbox import PROTOCOL_PATHS, SiteSpec

pytestmark = pytest.mark.e2e

TESTS = Path(__file__).resolve().parent


def test_deeply_nested_item_crawls_without_recursion_error(sandbox, tmp_path):
    web = sandbox([SiteSpec("deep.example.com", pages=1)])
    output = tmp_path / "items.jsonl"
    settings = {"ADDONS": json.dumps({"politecrawl.Addon": 100}), "POLITECRAWL_CONTACT": CONTACT,
                "POLITECRAWL_STATE": f"sqlite:///{tmp_path / 's.db'}", "LOG_LEVEL": "DEBUG", **web.settings()}
    args = [sys.executable, "-m", "scrapy", "runspider", str(TESTS / "pii_deep_spider.py"),
            "-o", f"{output}:jsonlines", "-a", f"url={web.url('deep.example.com')}"]
    for name, value in settings.items():
        args += ["-s", f"{name}={value}"]
    proc = subprocess.run(args, capture_output=True, text=True, timeout=300, cwd=tmp_path, env=crawl_env())
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert [r["path"] for r in web.requests() if r["path"] not in PROTOCOL_PATHS] == ["/"]
    assert "RecursionError" not in proc.stderr and "13800138000" not in proc.stderr
    (item,) = [json.loads(line) for line in output.read_text().splitlines()]
    assert item["title"] == "ok"
    level, depth = item["deep"], 1
    while level:
        level, depth = level[0], depth + 1
    assert depth == 99 and "13800138000" not in output.read_text()  # the levels above the bound, emptied
    assert "'politecrawl/pii/found/too_deep': 1" in proc.stderr
