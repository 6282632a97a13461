import pytest

from politecrawl.clock import FakeClock
from politecrawl.state import MemoryStateStore, SQLiteStateStore
from politecrawl.stops.registry import StopRegistry, StopWatcher


@pytest.fixture(params=["memory", "sqlite"])
def store(request, tmp_path):
    clock = FakeClock()
    if request.param == "memory":
        return MemoryStateStore(clock)
    return SQLiteStateStore(tmp_path / "state.db", clock)


@pytest.fixture
def clock():
    return FakeClock(1_700_000_000.0)


def test_stop_resume_list_and_log(store, clock):
    reg = StopRegistry(store, clock)
    assert reg.list() == []
    assert reg.version() == 0
    s1 = reg.stop("example.com", "mail from the site owner", by="alice")
    assert s1.id == "stop-1"
    assert (s1.site, s1.source, s1.by, s1.at, s1.scope) == (
        "example.com", "operator", "alice", 1_700_000_000.0, "persistent")
    clock.advance(10)
    s2 = reg.stop("shop.test", "phone call")
    assert s2.id == "stop-2"
    assert [s.site for s in reg.list()] == ["example.com", "shop.test"]
    assert reg.active("example.com") == s1
    assert reg.active("other.org") is None
    assert reg.version() == 2

    clock.advance(5)
    ended = reg.resume("example.com", "owner agreed to 1 req/min", by="bob")
    assert ended == s1
    assert reg.active("example.com") is None
    assert [s.site for s in reg.list()] == ["shop.test"]
    assert reg.version() == 3

    events = reg.history()
    assert [(e.event, e.stop_id, e.site, e.by, e.at) for e in events] == [
        ("stop", "stop-1", "example.com", "alice", 1_700_000_000.0),
        ("stop", "stop-2", "shop.test", "", 1_700_000_010.0),
        ("resume", "stop-1", "example.com", "bob", 1_700_000_015.0),
    ]
    assert events[2].reason == "owner agreed to 1 req/min"
    assert [e.event for e in reg.history(site="shop.test")] == ["stop"]


def test_reason_is_required(store, clock):
    reg = StopRegistry(store, clock)
    with pytest.raises(ValueError, match="reason is required"):
        reg.stop("example.com", "   ")
    reg.stop("example.com", "asked")
    with pytest.raises(ValueError, match="reason is required"):
        reg.resume("example.com", "")
    assert reg.active("example.com") is not None
    with pytest.raises(ValueError, match="at most 2000"):
        reg.stop("x.com", "y" * 2001)


def test_second_stop_keeps_first_id_and_resume_without_stop(store, clock):
    reg = StopRegistry(store, clock)
    first = reg.stop("example.com", "mail 1")
    again = reg.stop("example.com", "mail 2")
    assert again == first
    assert reg.version() == 1  # the active set did not change
    assert [e.reason for e in reg.history()] == ["mail 1", "mail 2"]
    assert reg.resume("nothing.org", "why not") is None
    assert len(reg.history()) == 2


def test_crawl_stop_is_logged_not_active(store, clock):
    reg = StopRegistry(store, clock)
    stop = reg.record_crawl_stop("example.com", "3 throttles in a row", "throttle", "c42")
    assert stop.scope == "crawl" and stop.by == "crawl:c42" and stop.id == "stop-1"
    assert reg.list() == []
    assert reg.version() == 0
    assert [(e.event, e.source) for e in reg.history()] == [("crawl-stop", "throttle")]


def test_watcher_sees_changes_within_interval(store, clock):
    reg = StopRegistry(store, clock)
    early = reg.stop("early.com", "before the crawl")
    watcher = StopWatcher(reg, clock, interval=0.5)
    first = watcher.poll()
    assert first is not None and first.stopped == (early,) and first.resumed == ()
    assert watcher.poll() is None  # not due
    clock.advance(0.5)
    assert watcher.poll() is None  # due, version unchanged

    late = reg.stop("late.com", "mid-crawl mail")
    clock.advance(0.2)
    assert watcher.poll() is None  # not due yet (0.2 s after last poll)
    clock.advance(0.3)
    change = watcher.poll()
    assert change is not None and change.stopped == (late,) and change.resumed == ()
    assert set(watcher.known) == {"early.com", "late.com"}

    reg.resume("early.com", "ok again")
    clock.advance(0.5)
    change = watcher.poll()
    assert change is not None and change.stopped == () and change.resumed == ("early.com",)


def test_watcher_on_a_second_store_handle(tmp_path, clock):
    # The CLI and the crawl open the same SQLite file separately.
    crawl = StopRegistry(SQLiteStateStore(tmp_path / "s.db", clock), clock)
    cli = StopRegistry(SQLiteStateStore(tmp_path / "s.db", clock), clock)
    watcher = StopWatcher(crawl, clock, interval=0.5)
    assert watcher.poll() is None
    cli.stop("example.com", "letter")
    clock.advance(0.5)
    change = watcher.poll()
    assert change is not None and [s.site for s in change.stopped] == ["example.com"]


def test_watcher_interval_must_be_positive(store, clock):
    with pytest.raises(ValueError, match="poll interval"):
        StopWatcher(StopRegistry(store, clock), clock, interval=0)
