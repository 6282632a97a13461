"""The per-user list of running crawls (politecrawl.running) and the stop commands that use it."""

from __future__ import annotations

import io
import os
import socket

import pytest

from politecrawl.cli import main
from politecrawl.running import (
    CrawlEntry,
    RunningCrawls,
    absolute_state_url,
    describe_state,
    process_alive,
    registry_folder,
)
from politecrawl.state import SQLiteStateStore
from politecrawl.stops.registry import StopRegistry
from politecrawl.stops.targets import SiteArgumentError, choose_targets, site_argument


def entry(crawl_id, pid, state, folder="/w", port=0, at=0.0):
    return CrawlEntry(crawl_id=crawl_id, pid=pid, state_url=state, folder=folder, started_at=at,
                      wake_port=port)


# -- the registry folder ----------------------------------------------------------
def test_registry_folder_follows_xdg():
    assert str(registry_folder({"XDG_STATE_HOME": "/s", "HOME": "/h"})) == "/s/politecrawl/crawls"
    assert str(registry_folder({"HOME": "/h"})) == "/h/.local/state/politecrawl/crawls"
    assert str(registry_folder({"XDG_STATE_HOME": "rel", "HOME": "/h"})) == "/h/.local/state/politecrawl/crawls"


def test_register_list_unregister_with_fake_pids(tmp_path):
    alive = {101, 202}
    crawls = RunningCrawls(tmp_path / "crawls", alive=lambda pid, start: pid in alive)
    crawls.register(entry("c-new", 202, "sqlite:////b.db", at=20.0))
    crawls.register(entry("c-old", 101, "sqlite:////a.db", at=10.0))
    crawls.register(entry("c-dead", 303, "sqlite:////a.db", at=5.0))
    assert [e.crawl_id for e in crawls.running()] == ["c-old", "c-new"]  # oldest first
    assert not (tmp_path / "crawls" / "c-dead.json").exists()  # a dead pid's entry is cleaned
    assert [e.crawl_id for e in crawls.on_state("sqlite:////a.db")] == ["c-old"]
    alive.discard(101)  # the crawl was killed: its entry goes at the next read
    assert [e.crawl_id for e in crawls.running()] == ["c-new"]
    crawls.unregister("c-new")
    crawls.unregister("c-new")  # twice is harmless
    assert crawls.running() == []
    assert oct((tmp_path / "crawls").stat().st_mode & 0o777) == "0o700"


def test_entry_round_trip_and_rewrite(tmp_path):
    crawls = RunningCrawls(tmp_path, alive=lambda pid, start: True)
    first = CrawlEntry("c1", 7, "sqlite:////s.db", "/w", 1.0, ("a.com",), 4000, "123")
    crawls.register(first)
    again = CrawlEntry(**{**first.__dict__, "sites": ("a.com", "b.org")})
    crawls.register(again)
    (read,) = crawls.running()
    assert read == again and read.sites == ("a.com", "b.org") and read.process_start == "123"
    assert oct((tmp_path / "c1.json").stat().st_mode & 0o777) == "0o600"
    assert [p.name for p in tmp_path.iterdir()] == ["c1.json"]  # no temporary file left


def test_unreadable_entry_is_skipped_not_deleted(tmp_path):
    crawls = RunningCrawls(tmp_path, alive=lambda pid, start: True)
    (tmp_path / "half.json").write_text('{"crawl_id": "x", ')
    assert crawls.running() == []
    assert (tmp_path / "half.json").exists()
    assert RunningCrawls(tmp_path / "missing").running() == []


def test_process_alive_checks_pid_and_start():
    me = os.getpid()
    assert process_alive(me)
    assert not process_alive(0) and not process_alive(-1)
    from politecrawl.running import process_start  # noqa: PLC0415

    start = process_start(me)
    if start:  # Linux: a reused pid with another start time is not our crawl
        assert process_alive(me, start) and not process_alive(me, start + "0")


def test_absolute_state_url_and_description():
    assert absolute_state_url("sqlite:///.politecrawl/state.db", "/home/a/p") == \
        "sqlite:////home/a/p/.politecrawl/state.db"
    assert absolute_state_url("sqlite:////x/../y.db", "/w") == "sqlite:////y.db"
    assert absolute_state_url("redis://h:6379/0", "/w") == "redis://h:6379/0"
    assert describe_state("sqlite:////y.db") == "/y.db"
    assert describe_state("redis://u:secret@h:6379/0") == "redis://u:***@h:6379/0"


# -- which stores a command applies to ----------------------------------------------
def test_choose_targets():
    running = [entry("c1", 1, "sqlite:////a.db", "/a"), entry("c2", 2, "sqlite:////a.db", "/a2"),
               entry("c3", 3, "sqlite:////b.db", "/b"), entry("m", 4, "memory://", "/m")]
    exists = {"sqlite:////a.db", "sqlite:////b.db", "sqlite:////here/.politecrawl/state.db"}.__contains__
    found = choose_targets(None, "sqlite:///.politecrawl/state.db", "/here", running, exists)
    assert [(t.url, [c.crawl_id for c in t.crawls]) for t in found] == [
        ("sqlite:////a.db", ["c1", "c2"]), ("sqlite:////b.db", ["c3"]),
        ("sqlite:////here/.politecrawl/state.db", []),
    ]
    # this folder's store is left out when it does not exist
    found = choose_targets(None, "sqlite:///.politecrawl/state.db", "/else", running, exists)
    assert [t.url for t in found] == ["sqlite:////a.db", "sqlite:////b.db"]
    # --state: that store only, with the crawls on it, even when it does not exist
    (one,) = choose_targets("sqlite:///../a.db", "x", "/w", running, exists)
    assert (one.url, one.exists, [c.crawl_id for c in one.crawls]) == ("sqlite:////a.db", True, ["c1", "c2"])
    (new,) = choose_targets("sqlite:///n.db", "x", "/w", running, exists)
    assert (new.url, new.exists, new.crawls) == ("sqlite:////w/n.db", False, [])


@pytest.mark.parametrize("raw", ["not a url", "", "  ", "ftp://x.com", "http://", "a..b", "user@x.com",
                                 "x.com/a b", "mailto:x@y.org", "<x.com>"])
def test_site_argument_refuses(raw):
    with pytest.raises(SiteArgumentError):
        site_argument(raw)


@pytest.mark.parametrize(("raw", "site"), [
    ("example.org", "example.org"), ("https://News.Example.com.cn:8443/a?b", "example.com.cn"),
    ("www.shop.co.uk/", "shop.co.uk"), ("x.com:80", "x.com"), ("127.0.0.1", "127.0.0.1"),
    ("münchen.de", "xn--mnchen-3ya.de"), ("localhost", "localhost"),
])
def test_site_argument_accepts(raw, site):
    assert site_argument(raw) == site


# -- the commands ------------------------------------------------------------------
def run(argv, cwd):
    out, err = io.StringIO(), io.StringIO()
    before = os.getcwd()
    os.chdir(cwd)
    try:
        rc = main(argv, out, err)
    finally:
        os.chdir(before)
    return rc, out.getvalue(), err.getvalue()


@pytest.fixture
def crawls(tmp_path, monkeypatch):
    """The per-user list of running crawls in a folder of this test's own."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("POLITECRAWL_STATE", raising=False)
    return RunningCrawls(registry_folder())


def a_crawl(crawls, tmp_path, name, port=0):
    """A 'running' crawl: an entry of this (live) process and its existing state file."""
    folder = tmp_path / name
    (folder / ".politecrawl").mkdir(parents=True)
    db = folder / ".politecrawl" / "state.db"
    SQLiteStateStore(db).close()
    crawls.register(CrawlEntry(f"crawl-{name}", os.getpid(), f"sqlite:///{db}", str(folder), 1.0,
                               wake_port=port))
    return db


def test_stop_typed_elsewhere_reaches_every_running_crawl_and_wakes_it(crawls, tmp_path):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.settimeout(5)
        db_a = a_crawl(crawls, tmp_path, "a", port=sock.getsockname()[1])
        db_b = a_crawl(crawls, tmp_path, "b")
        elsewhere = tmp_path / "elsewhere"
        elsewhere.mkdir()
        rc, out, err = run(["stop", "shop.com", "--reason", "mail"], elsewhere)
        assert rc == 0, err
        assert sock.recv(100) == b"politecrawl-wake"
    for db, name in ((db_a, "a"), (db_b, "b")):
        assert StopRegistry(SQLiteStateStore(db), lambda: 0.0).active("shop.com") is not None
        assert f"in {db};" in out and f"crawl-{name} in {tmp_path / name}" in out
    assert "told at once" in out and "seen at their next registry poll" in out
    assert not (elsewhere / ".politecrawl").exists()  # no new, empty store


def test_stop_with_nothing_running_refuses_without_create(crawls, tmp_path):
    rc, out, err = run(["stop", "shop.com", "--reason", "mail"], tmp_path)
    assert rc == 2 and out == ""
    assert err.count("\n") == 1
    assert f"no state database at {tmp_path / '.politecrawl' / 'state.db'}" in err
    assert "Running crawls: none registered in" in err and "--create" in err
    assert not (tmp_path / ".politecrawl").exists()
    a_crawl(crawls, tmp_path, "a")
    rc, _, err = run(["stop", "shop.com", "--reason", "mail", "--state", "sqlite:///new.db"], tmp_path)
    assert rc == 2 and f"no state database at {tmp_path / 'new.db'}" in err
    assert f"crawl crawl-a in {tmp_path / 'a'}" in err  # the running crawls it knows
    assert not (tmp_path / "new.db").exists()
    rc, out, err = run(["stop", "shop.com", "--reason", "mail", "--state", "sqlite:///new.db", "--create"],
                       tmp_path)
    assert rc == 0 and f"in {tmp_path / 'new.db'}; no crawl is running on it" in out


@pytest.mark.parametrize("command", [["stops"], ["stops", "--history"], ["report"], ["report", "--list"],
                                     ["status"], ["resume", "x.com", "--reason", "r"]])
def test_read_only_commands_make_no_state(crawls, tmp_path, command):
    rc, out, err = run([*command, "--state", "sqlite:///deep/does/not/exist.db"], tmp_path)
    assert rc == 2 and err.count("\n") == 1
    assert f"no state database at {tmp_path / 'deep/does/not/exist.db'}" in err
    rc, out, err = run(command, tmp_path)
    assert rc == 2 and f"no state database at {tmp_path / '.politecrawl/state.db'}" in err
    assert list(tmp_path.iterdir()) == []


def test_stops_lists_every_running_crawls_store(crawls, tmp_path):
    db = a_crawl(crawls, tmp_path, "a")
    StopRegistry(SQLiteStateStore(db), lambda: 0.0).stop("x.com", "mail", source="operator")
    rc, out, err = run(["stops"], tmp_path)
    assert rc == 0, err
    assert out.splitlines()[0] == f"politecrawl: state {db} (running crawls: crawl-a in {tmp_path / 'a'})"
    assert "x.com" in out


def test_stop_refuses_a_site_that_is_no_host(crawls, tmp_path):
    rc, out, err = run(["stop", "not a url", "--reason", "r"], tmp_path)
    assert rc == 2 and out == "" and err == "politecrawl: error: SITE 'not a url' is not a host or an http(s) URL\n"
