"""The frontier on disk: 5,000 origins under ``ulimit -n 256``, killed with SIGKILL and resumed.

Every page is accounted for: fetched (the sandbox's log) or still queued in
``JOBDIR/frontier.sqlite3``, once. The only exceptions are the requests in
flight at the kill (the store had not recorded them as done): they are queued
again, so they are fetched again (or still wait) rather than lost.
"""

from __future__ import annotations

import os
import resource
import signal
import sqlite3
import subprocess
import sys
from collections import Counter

from helpers import CONTACT, NON_BINDING_BUDGET, crawl_env, wait_for

from politecrawl.middlewares.frontier.disk import FILE_NAME
from politecrawl.sandbox import SiteSpec

ORIGINS = 5_000
OPEN_FILES = 256
CONCURRENT = 16


def _limit_open_files() -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (OPEN_FILES, OPEN_FILES))


def _crawl(web, hosts, tmp_path, run, **settings):
    all_settings = {
        "POLITECRAWL_STATE": f"sqlite:///{tmp_path / 'state.db'}",
        "POLITECRAWL_CONTACT": CONTACT,
        **NON_BINDING_BUDGET,
        **web.settings(),
        "POLITECRAWL_SITEMAPS": "False",
        "JOBDIR": str(tmp_path / "job"),
        "CONCURRENT_REQUESTS": str(CONCURRENT),
        **settings,
    }
    args = [sys.executable, "-m", "politecrawl.cli", "crawl", *[f"http://{h}/" for h in hosts],
            "-o", str(tmp_path / "items.jsonl")]
    for name, value in all_settings.items():
        args += ["-s", f"{name}={value}"]
    return subprocess.Popen(  # noqa: S603
        args, cwd=tmp_path, env=crawl_env(), preexec_fn=_limit_open_files,
        stdout=(tmp_path / f"out{run}.txt").open("w"), stderr=(tmp_path / f"err{run}.txt").open("w"),
    )


def _pages(log):
    return [(r["site"], r["path"]) for r in log if r["path"] in ("/", "/p/0")]


def _store_urls(path):
    """URLs with a row in the store: waiting, or taken out and not finished."""
    with sqlite3.connect(path) as db:
        return [url for (url,) in db.execute("SELECT url FROM requests")]


def _key(url):
    host, _, path = url.removeprefix("http://").partition("/")
    return host, "/" + path


def test_5000_origins_under_256_open_files_resume_after_kill_9(sandbox, tmp_path):
    hosts = [f"h{i}.example.com" for i in range(ORIGINS)]
    web = sandbox([SiteSpec(h, pages=1) for h in hosts])  # "/" links to "/p/0"
    first = _crawl(web, hosts, tmp_path, 1)
    try:
        assert wait_for(lambda: len(_pages(web.requests())) >= 400 or first.poll() is not None, timeout=240)
        assert first.poll() is None, (tmp_path / "err1.txt").read_text()[-3000:]
        os.kill(first.pid, signal.SIGKILL)
    finally:
        first.wait(30)
    assert first.returncode == -signal.SIGKILL
    run1 = Counter(_pages(web.requests()))
    queued = _store_urls(tmp_path / "job" / FILE_NAME)
    in_store = {_key(url) for url in queued}
    assert len(queued) > ORIGINS / 2  # most of the 5,000 origins still wait

    second = _crawl(web, hosts, tmp_path, 2, CLOSESPIDER_TIMEOUT="25")
    second.wait(240)
    err = (tmp_path / "err2.txt").read_text()
    assert second.returncode == 0, err[-3000:]
    assert "Traceback" not in err, err[-3000:]
    for text in (err, (tmp_path / "err1.txt").read_text()):
        assert "Too many open files" not in text and "ConnectBindError" not in text
        assert "downloader/exception_count" not in text
    log = web.requests()
    fetched = Counter(_pages(log))
    run2 = fetched - run1
    assert run2, "the resumed crawl fetched nothing"
    assert "Resuming crawl" in err

    # Nothing fetched twice, except requests in flight at the kill (not recorded as done)
    in_flight = in_store & set(run1)
    assert len(in_flight) <= 2 * CONCURRENT, len(in_flight)
    twice = {page for page, n in fetched.items() if n > 1}
    assert twice <= in_flight, sorted(twice - in_flight)[:5]
    assert max(fetched.values()) <= 2

    # Nothing lost: every seed, and every link of a fetched home page, is fetched or still queued, once
    queued_after = _store_urls(tmp_path / "job" / FILE_NAME)
    waiting = Counter(_key(url) for url in queued_after)
    assert max(waiting.values(), default=1) == 1
    assert set(waiting) & set(fetched) <= in_flight - twice  # in flight at the kill, not yet fetched again
    for host in hosts:
        assert (host, "/") in fetched or (host, "/") in waiting, host
        if (host, "/") in fetched and (host, "/") not in waiting:  # fetched and parsed: its link was found
            assert (host, "/p/0") in fetched or (host, "/p/0") in waiting, host
    assert not [r for r in log if r["path"] == "/robots.txt" and r["status"] != 200]
