"""Progress of a long crawl: the pure text, then a real crawl's log and terminal (sandbox)."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import time

import pytest
from helpers import CONTACT, crawl_env, politecrawl_command

from politecrawl.config import ConfigError
from politecrawl.progress import (
    Progress,
    ProgressSettings,
    closing_lines,
    format_progress,
    human_seconds,
    slow_budget_line,
)
from politecrawl.sandbox import SiteSpec


@pytest.mark.parametrize(("seconds", "text"), [
    (0.25, "0.2 s"), (1, "1 s"), (25.9, "26 s"), (60, "1 min"), (90, "1.5 min"), (600, "10 min"),
    (3600, "1 h"), (86_400, "24 h"), (172_800, "2 days"), (1e6, "12 days"),
])
def test_human_seconds(seconds, text):
    assert human_seconds(seconds) == text


def test_slow_budget_line_in_human_terms():
    assert slow_budget_line("example.com", 10_000 / 3 / 86_400, "default") == (
        "example.com: no traffic estimate, 3,333 requests/day = one request every 26 s; "
        "set POLITECRAWL_SITE_TRAFFIC")
    assert slow_budget_line("x.de", 100 / 86_400, "SimilarWeb 2026-10") == (
        "x.de: traffic estimate from SimilarWeb 2026-10, 100 requests/day = one request every 14 min")
    assert slow_budget_line("fast.com", 0.5, "default") is None  # every 2 s: not slow
    assert "no request" in slow_budget_line("zero.com", 0.0, "default")


def test_format_progress():
    assert format_progress(Progress(pages=1, items=0, queued=0)) == "1 page, 0 items, 0 requests queued"
    line = format_progress(Progress(pages=1200, items=980, queued=340, waiting=310, next_site="a.com",
                                    next_in=25.6, stopped=["d.com", "a.com", "c.com", "b.com"],
                                    paused=["e.com"], elapsed=125))
    assert line == ("1,200 pages, 980 items, 340 requests queued (310 waiting for their turn; next: a.com in "
                    "26 s); 4 sites stopped (a.com, b.com, c.com and 1 more); 1 site paused (e.com); "
                    "running 2.1 min")


def test_closing_lines():
    lines = closing_lines(["out/items.jsonl", "s3://bucket/key.jl"], "sqlite:///.politecrawl/state.db",
                          "20261205T000000Z-abc123", "/home/me/proj")
    assert lines == [
        "items in /home/me/proj/out/items.jsonl",
        "items in s3://bucket/key.jl",
        "state in /home/me/proj/.politecrawl/state.db (crawl 20261205T000000Z-abc123)",
        "compliance report: politecrawl report --state sqlite:////home/me/proj/.politecrawl/state.db "
        "--crawl 20261205T000000Z-abc123 --html report.html",
    ]
    assert closing_lines([], "memory://", "c", "/w") == ["state in memory:// (crawl c)"]


def test_progress_settings():
    def read(values):
        return ProgressSettings.from_settings(values.get)

    assert read({}) == ProgressSettings(60.0, True)
    assert read({"POLITECRAWL_PROGRESS_INTERVAL": "0", "POLITECRAWL_PROGRESS_LIVE": False}) == \
        ProgressSettings(0.0, False)
    with pytest.raises(ConfigError, match=r"POLITECRAWL_PROGRESS_INTERVAL \('-1'\) must be a number of seconds"):
        read({"POLITECRAWL_PROGRESS_INTERVAL": "-1"})
    with pytest.raises(ConfigError, match=r"POLITECRAWL_PROGRESS_LIVE \('maybe'\) must be True or False"):
        read({"POLITECRAWL_PROGRESS_LIVE": "maybe"})


def crawl_args(web, tmp_path, **settings):
    args = [sys.executable, "-m", "politecrawl.cli", "crawl", web.url("slow.com"), web.url("fast.com"),
            "-o", "items.jsonl"]
    all_settings = {
        "POLITECRAWL_CONTACT": CONTACT, "POLITECRAWL_STATE": "sqlite:///state.db",
        "POLITECRAWL_SITE_TRAFFIC": json.dumps({"fast.com": {"requests_per_day": 1e9}}),
        "POLITECRAWL_MAX_SITE_RATE": "1000", "POLITECRAWL_PROGRESS_INTERVAL": "1", "CLOSESPIDER_TIMEOUT": "4",
        **web.settings(), **settings,
    }
    for name, value in all_settings.items():
        args += ["-s", f"{name}={value}"]
    return args


@pytest.mark.e2e
def test_a_crawl_logs_its_progress_and_where_things_are(sandbox, tmp_path):
    web = sandbox([SiteSpec("slow.com", pages=50), SiteSpec("fast.com", pages=40, latency=0.05)])
    proc = subprocess.run(crawl_args(web, tmp_path), capture_output=True, text=True, cwd=tmp_path,
                          env=crawl_env(), timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    log = proc.stderr
    # at start, the slow default budget in human terms (and nothing for the site with an estimate)
    assert "slow.com: no traffic estimate, 3,333 requests/day = one request every 26 s; " \
           "set POLITECRAWL_SITE_TRAFFIC" in log
    assert "fast.com: no traffic estimate" not in log
    progress = [line for line in log.splitlines() if "politecrawl progress: " in line]
    assert len(progress) >= 3  # one a second for ~4 s, and one at the end
    assert "waiting for their turn; next: slow.com in " in log  # slow.com's queue waits for its budget
    assert "\x1b[2K" not in log  # not a terminal: no live line
    assert f"items in {tmp_path / 'items.jsonl'}" in log
    assert f"state in {tmp_path / 'state.db'} (crawl " in log
    report = [line for line in log.splitlines() if "compliance report: politecrawl report" in line]
    assert len(report) == 1
    command = report[0].split("compliance report: ", 1)[1].split()
    run = politecrawl_command(*command[1:], cwd=tmp_path, timeout=60)
    assert run.returncode == 0, run.stderr  # the command it gives works
    assert (tmp_path / "report.html").exists()


@pytest.mark.e2e
def test_live_line_on_a_terminal(sandbox, tmp_path):
    web = sandbox([SiteSpec("slow.com", pages=50), SiteSpec("fast.com", pages=40, latency=0.05)])
    master, slave = pty.openpty()
    proc = subprocess.Popen(crawl_args(web, tmp_path, POLITECRAWL_PROGRESS_INTERVAL="0"),
                            stdout=subprocess.DEVNULL, stderr=slave, cwd=tmp_path, env=crawl_env())
    os.close(slave)
    seen = b""
    deadline = time.time() + 120
    while time.time() < deadline:
        ready, _, _ = select.select([master], [], [], 1)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
        elif proc.poll() is not None:
            break
    proc.wait(timeout=30)
    os.close(master)
    assert proc.returncode == 0, seen[-3000:]
    text = seen.decode("utf-8", "replace")
    live = [part for part in text.split("\r\x1b[2K") if part.startswith("politecrawl: ") and " queued" in part]
    assert len(live) >= 2  # redrawn every second
    assert "politecrawl progress: " not in text  # the interval line is off; the live line stays
