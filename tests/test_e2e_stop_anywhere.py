"""A stop typed in another folder reaches the running crawl (judged by the sandbox's log)."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest
from helpers import CONTACT, NON_BINDING_BUDGET, crawl_env, politecrawl_command, wait_for

from politecrawl.running import RunningCrawls, registry_folder
from politecrawl.sandbox import SiteSpec

pytestmark = pytest.mark.e2e


def test_stop_typed_in_another_folder_without_state(sandbox, tmp_path):
    web = sandbox([SiteSpec("big-shop.com", pages=600, latency=0.2), SiteSpec("small-shop.com", pages=3)])
    project, elsewhere = tmp_path / "project", tmp_path / "elsewhere"
    project.mkdir()
    elsewhere.mkdir()
    env = {**crawl_env(), "XDG_STATE_HOME": str(tmp_path / "xdg")}
    env.pop("POLITECRAWL_STATE", None)
    args = [sys.executable, "-m", "politecrawl.cli", "crawl", web.url("big-shop.com"), web.url("small-shop.com")]
    for name, value in {"POLITECRAWL_CONTACT": CONTACT, **NON_BINDING_BUDGET, **web.settings()}.items():
        args += ["-s", f"{name}={value if isinstance(value, str) else json.dumps(value)}"]
    # the crawl uses the default state, .politecrawl/state.db in its own folder
    crawl = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=project, env=env)
    try:
        assert wait_for(lambda: len(web.requests(site="big-shop.com")) >= 20), "the crawl did not start"
        stop = politecrawl_command("stop", "big-shop.com", "--reason", "mail from the owner",
                                   timeout=60, cwd=elsewhere, env=env)
        returned = time.time()
        assert stop.returncode == 0, stop.stderr
        state = project / ".politecrawl" / "state.db"
        assert "stopped big-shop.com (stop-1, " in stop.stdout and f" in {state};" in stop.stdout
        assert f"in {project}" in stop.stdout and "told at once" in stop.stdout
        out, err = crawl.communicate(timeout=120)
    finally:
        if crawl.poll() is None:
            crawl.kill()
    assert crawl.returncode == 0, err[-3000:]
    seen = web.requests(site="big-shop.com")
    late = [r for r in seen if r["t"] > returned + 1.0]
    assert late == [], f"{len(late)} requests to the site more than 1 s after the stop"
    assert len(seen) < 200
    assert not (elsewhere / ".politecrawl").exists()  # no new, empty state where the stop was typed
    assert "big-shop.com is stopped by the operator (stop-1)" in err
    # the crawl was listed while it ran and is gone from the list now
    assert RunningCrawls(registry_folder({"XDG_STATE_HOME": str(tmp_path / "xdg")})).running() == []


def test_a_redis_crawl_the_command_cannot_list_is_woken_through_the_store(sandbox, tmp_path, redis_url):
    """A crawl on another machine (here: another list of running crawls) hears the stop on Redis."""
    web = sandbox([SiteSpec("big-shop.com", pages=600, latency=0.2), SiteSpec("small-shop.com", pages=3)])
    env = {**crawl_env(), "XDG_STATE_HOME": str(tmp_path / "node-xdg")}
    settings = {"POLITECRAWL_CONTACT": CONTACT, "POLITECRAWL_STATE": redis_url,
                "POLITECRAWL_STOPS_POLL_INTERVAL": "1", **NON_BINDING_BUDGET, **web.settings()}
    args = [sys.executable, "-m", "politecrawl.cli", "crawl", web.url("big-shop.com"), web.url("small-shop.com")]
    for name, value in settings.items():
        args += ["-s", f"{name}={value}"]
    crawl = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path, env=env)
    try:
        assert wait_for(lambda: len(web.requests(site="big-shop.com")) >= 20), "the crawl did not start"
        stop = politecrawl_command("stop", "big-shop.com", "--reason", "mail", "--state", redis_url,
                                   timeout=60, cwd=tmp_path,
                                   env={**crawl_env(), "XDG_STATE_HOME": str(tmp_path / "ops-xdg")})
        returned = time.time()
        assert stop.returncode == 0, stop.stderr
        assert "no crawl is running on it" in stop.stdout  # it cannot see the crawl's entry
        out, err = crawl.communicate(timeout=120)
    finally:
        if crawl.poll() is None:
            crawl.kill()
    assert crawl.returncode == 0, err[-3000:]
    assert "'politecrawl/stops/wakeups': 1" in err  # woken by the store's channel, not the 1 s poll
    late = [r for r in web.requests(site="big-shop.com") if r["t"] > returned + 1.0]
    assert late == []


def test_a_killed_crawls_entry_is_dropped(sandbox, tmp_path):
    web = sandbox([SiteSpec("big-shop.com", pages=600, latency=0.2)])
    xdg = tmp_path / "xdg"
    env = {**crawl_env(), "XDG_STATE_HOME": str(xdg)}
    env.pop("POLITECRAWL_STATE", None)
    args = [sys.executable, "-m", "politecrawl.cli", "crawl", web.url("big-shop.com")]
    for name, value in {"POLITECRAWL_CONTACT": CONTACT, **NON_BINDING_BUDGET, **web.settings()}.items():
        args += ["-s", f"{name}={value}"]
    crawl = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tmp_path, env=env)
    crawls = RunningCrawls(registry_folder({"XDG_STATE_HOME": str(xdg)}))
    try:
        assert wait_for(lambda: len(crawls.running()) == 1), "the crawl did not list itself"
        (entry,) = crawls.running()
        assert (entry.pid, entry.folder) == (crawl.pid, str(tmp_path))
        assert entry.state_url == f"sqlite:///{tmp_path / '.politecrawl' / 'state.db'}"
        assert wait_for(lambda: crawls.running()[0].sites == ("big-shop.com",), timeout=30)
    finally:
        crawl.kill()  # SIGKILL: no chance to remove its entry
        crawl.wait(timeout=30)
    assert len(list((xdg / "politecrawl" / "crawls").glob("*.json"))) == 1
    listing = politecrawl_command("stops", timeout=60, cwd=tmp_path, env=env)
    assert listing.returncode == 0, listing.stderr
    assert "(running crawls: none)" in listing.stdout
    assert list((xdg / "politecrawl" / "crawls").glob("*.json")) == []  # the dead crawl's entry is gone
