"""robots.txt records, versions and evidence in the state store (memory and SQLite)."""

from __future__ import annotations

import pytest

from politecrawl.clock import FakeClock
from politecrawl.robots import (
    FetchOutcome,
    RobotsConfig,
    Verdict,
    claim_fetch,
    evidence,
    load_record,
    note_decision,
    record_from_fetch,
    release_fetch,
    save_record,
    versions,
)
from politecrawl.state import MemoryStateStore, SQLiteStateStore

ORIGIN = "http://a.test:80"
CFG = RobotsConfig(ttl=600)


@pytest.fixture(params=["memory", "sqlite"])
def env(request, tmp_path):
    clock = FakeClock()
    if request.param == "memory":
        store = MemoryStateStore(clock)
    else:
        store = SQLiteStateStore(tmp_path / "state.db", clock)
    yield clock, store
    store.close()


def test_record_survives_a_new_store_on_the_same_file(tmp_path):
    clock = FakeClock()
    first = SQLiteStateStore(tmp_path / "s.db", clock)
    record = record_from_fetch(ORIGIN, FetchOutcome(clock(), 200, b"User-agent: *\nDisallow: /x\n"), CFG)
    save_record(first, record, clock(), CFG)
    first.close()
    second = SQLiteStateStore(tmp_path / "s.db", clock)
    assert load_record(second, ORIGIN) == record
    assert load_record(second, "http://b.test:80") is None
    second.close()


def test_versions_keep_first_and_last_fetch(env):
    clock, store = env
    body = b"User-agent: *\nDisallow: /x\n"
    r1 = record_from_fetch(ORIGIN, FetchOutcome(clock(), 200, body), CFG)
    save_record(store, r1, clock(), CFG)
    first = clock()
    clock.advance(600)
    r2 = record_from_fetch(ORIGIN, FetchOutcome(clock(), 200, body), CFG, r1)
    save_record(store, r2, clock(), CFG)
    clock.advance(600)
    r3 = record_from_fetch(ORIGIN, FetchOutcome(clock(), 200, b"User-agent: *\nDisallow: /\n"), CFG, r2)
    save_record(store, r3, clock(), CFG)
    seen = versions(store, ORIGIN)
    assert set(seen) == {r1.version, r3.version} and r1.version == r2.version
    assert seen[r1.version]["first"] == first and seen[r1.version]["last"] == first + 600
    assert seen[r3.version]["kind"] == "parsed" and seen[r3.version]["bytes"] == 26
    assert load_record(store, ORIGIN) == r3


def test_record_outlives_its_expiry_for_the_last_good_window(env):
    clock, store = env
    record = record_from_fetch(ORIGIN, FetchOutcome(clock(), 200, b""), CFG)
    save_record(store, record, clock(), CFG)
    clock.advance(600 + 30 * 86_400)
    assert load_record(store, ORIGIN) == record
    clock.advance(600 + 1)
    assert load_record(store, ORIGIN) is None


def test_unreadable_record_is_ignored(env):
    _, store = env
    store.set(f"robots:record:{ORIGIN}", "{broken")
    assert load_record(store, ORIGIN) is None


def test_evidence_counts_per_version_and_rule(env):
    _, store = env
    note_decision(store, ORIGIN, "v1", Verdict(True, "allow:/a"))
    note_decision(store, ORIGIN, "v1", Verdict(True, "allow:/a"))
    note_decision(store, ORIGIN, "v1", Verdict(False, "disallow:/b c"))
    note_decision(store, ORIGIN, "v2", Verdict(True, "no-rule"), n=3)
    assert evidence(store, ORIGIN) == {
        ("v1", "allow", "allow:/a"): 2,
        ("v1", "deny", "disallow:/b c"): 1,
        ("v2", "allow", "no-rule"): 3,
    }


def test_fetch_lease_is_exclusive_until_released_or_expired(env):
    clock, store = env
    assert claim_fetch(store, ORIGIN, "p1", 30)
    assert not claim_fetch(store, ORIGIN, "p2", 30)
    release_fetch(store, ORIGIN)
    assert claim_fetch(store, ORIGIN, "p2", 30)
    clock.advance(31)
    assert claim_fetch(store, ORIGIN, "p3", 30)


def test_stop_events_are_logged_in_order(env):
    from politecrawl.robots import note_stop, stop_events

    _, store = env
    note_stop(store, ORIGIN, site="a.test", version="v2", fetched_at=10.0, previous_version="v1", crawl_id="c1")
    note_stop(store, "http://b.test:80", site="b.test", version="v9", fetched_at=11.0)
    events = stop_events(store)
    assert [(e["origin"], e["version"], e["previous_version"]) for e in events] == [
        (ORIGIN, "v2", "v1"), ("http://b.test:80", "v9", ""),
    ]
    assert events[0]["fetched_at"] == "10.0" and events[0]["crawl_id"] == "c1"
