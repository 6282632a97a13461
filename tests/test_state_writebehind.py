"""The SQLite store's write-behind token buckets: batching, crash bound, ownership, fail closed."""

from __future__ import annotations

import json
import logging
import sqlite3
import subprocess
import sys
import textwrap

import pytest

from politecrawl.clock import FakeClock
from politecrawl.config import ConfigError, PolitecrawlConfig
from politecrawl.state import SQLiteStateStore, StateStoreError, open_store
from politecrawl.state.writebehind import (
    FLUSH_INTERVAL,
    LEASE_KEY,
    LEASE_TTL,
    WAIT_POLL,
    lease_holder_alive,
)


def written(path, key):
    """The bucket as the file holds it (what a restart would read), or None."""
    db = sqlite3.connect(str(path))
    try:
        return db.execute("SELECT tokens, updated_at FROM buckets WHERE key = ?", (key,)).fetchone()
    finally:
        db.close()


def take(store, clock, key="budget:a", rate=0.0, burst=1000.0):
    return store.take_tokens(key, clock(), rate, burst, initial=burst)


def test_takes_are_written_once_batch_tokens_were_granted(tmp_path):
    clock = FakeClock()
    store = SQLiteStateStore(tmp_path / "s.db", clock, batch=4)
    for _ in range(4):
        assert take(store, clock)[0]
    assert written(tmp_path / "s.db", "budget:a") is None  # 4 held unwritten: the bound
    assert store.hgetall("budget:a")["tokens"] == repr(996.0)  # the store itself sees them
    assert store.keys("budget:") == ["budget:a"]
    assert take(store, clock)[0]  # the 5th take writes the first 4 first
    assert written(tmp_path / "s.db", "budget:a") == (996.0, clock())
    store.close()
    assert written(tmp_path / "s.db", "budget:a") == (995.0, clock())  # close writes the rest


def test_takes_are_written_at_the_latest_flush_interval_after_the_first(tmp_path):
    clock = FakeClock()
    store = SQLiteStateStore(tmp_path / "s.db", clock, batch=1000)
    assert take(store, clock)[0]
    clock.advance(FLUSH_INTERVAL - 0.001)
    assert take(store, clock)[0]
    assert written(tmp_path / "s.db", "budget:a") is None
    clock.advance(0.001)
    assert take(store, clock)[0]
    assert written(tmp_path / "s.db", "budget:a")[0] == 998.0
    store.flush()  # what the crawl's timer calls every FLUSH_INTERVAL
    assert written(tmp_path / "s.db", "budget:a")[0] == 997.0
    store.close()


def test_refusals_do_not_count_against_the_batch(tmp_path):
    clock = FakeClock()
    store = SQLiteStateStore(tmp_path / "s.db", clock, batch=2)
    assert store.take_tokens("budget:a", clock(), 0.0, 1.0)[0]
    for _ in range(10):
        assert store.take_tokens("budget:a", clock(), 0.0, 1.0) == (False, float("inf"))
    assert written(tmp_path / "s.db", "budget:a") is None
    store.close()
    assert written(tmp_path / "s.db", "budget:a")[0] == 0.0


def test_batch_zero_writes_every_take_at_once(tmp_path):
    clock = FakeClock()
    store = SQLiteStateStore(tmp_path / "s.db", clock, batch=0)
    assert take(store, clock)[0]
    assert written(tmp_path / "s.db", "budget:a")[0] == 999.0
    assert store.get(LEASE_KEY) is None  # no ownership needed
    store.close()


def test_a_second_store_waits_until_the_owner_hands_over_then_both_write_through(tmp_path):
    clock = FakeClock()
    path = tmp_path / "s.db"
    owner = SQLiteStateStore(path, clock, batch=100)
    other = SQLiteStateStore(path, clock, batch=100)  # same process, so the owner counts as alive
    grants = [take(owner, clock, burst=10.0)[0] for _ in range(3)]
    assert take(other, clock, burst=10.0) == (False, WAIT_POLL)  # owner holds 3 unwritten takes
    assert written(path, "budget:a") is None
    clock.advance(0.01)
    assert take(other, clock, burst=10.0)[0] is False  # still waiting
    owner.flush()  # the owner's next write hands the buckets over
    assert written(path, "budget:a")[0] == 7.0
    assert owner.get(LEASE_KEY) is None
    clock.advance(WAIT_POLL)
    # from here each take is one SQL statement, by either store: 7 tokens left in all
    for _ in range(10):
        grants.append(take(other, clock, burst=10.0)[0])
        grants.append(take(owner, clock, burst=10.0)[0])
        assert written(path, "budget:a")[0] == 10 - sum(grants)
    assert sum(grants) == 10
    owner.close()
    other.close()


def test_the_shared_mark_lapses_and_a_later_process_owns_the_buckets_again(tmp_path):
    clock = FakeClock()
    path = tmp_path / "s.db"
    a = SQLiteStateStore(path, clock, batch=100)
    b = SQLiteStateStore(path, clock, batch=100)
    take(a, clock)
    take(b, clock)  # asks a to share
    a.flush()
    clock.advance(WAIT_POLL)
    take(b, clock)  # b now writes through
    assert written(path, "budget:a")[0] == 998.0
    a.close()
    b.close()
    clock.advance(LEASE_TTL)  # nobody keeps the mark alive
    c = SQLiteStateStore(path, clock, batch=100)
    take(c, clock)
    assert written(path, "budget:a")[0] == 998.0  # buffered again
    assert c.get(LEASE_KEY) is not None
    c.close()


def test_an_owner_that_stopped_writing_loses_the_buckets_and_says_so(tmp_path, caplog):
    clock = FakeClock()
    path = tmp_path / "s.db"
    a = SQLiteStateStore(path, clock, batch=100)
    take(a, clock)
    clock.advance(LEASE_TTL + 1)  # a wrote nothing for the lease's lifetime
    b = SQLiteStateStore(path, clock, batch=100)
    with caplog.at_level(logging.WARNING, logger="politecrawl.state"):
        assert take(b, clock)[0]  # b owns the buckets now
        a.flush()  # a must not overwrite what b holds with its stale copy
    assert "lost the token buckets" in caplog.text
    assert "1 granted takes are unrecorded" in caplog.text
    b.flush()
    assert written(path, "budget:a")[0] == 999.0  # b's take; a's was lost (the crash bound)
    assert take(a, clock)[0] is False  # a now waits for b
    a.close()
    b.close()


def test_a_full_batch_that_cannot_be_written_fails_closed(tmp_path):
    clock = FakeClock()
    store = SQLiteStateStore(tmp_path / "s.db", clock, batch=2)
    assert take(store, clock)[0] and take(store, clock)[0]

    def broken():
        raise StateStoreError("state store: write failed: disk I/O error")

    store._write = broken
    with pytest.raises(StateStoreError):
        take(store, clock)  # the ledger turns this into "no request" (test_budget)
    with pytest.raises(StateStoreError):
        take(store, clock)
    del store._write  # the disk is back: the buffered takes are written, then taking goes on
    assert take(store, clock)[0]
    assert written(tmp_path / "s.db", "budget:a")[0] == 998.0
    store.close()


_CRASHING_WORKER = textwrap.dedent("""
    import os, sys
    from politecrawl.state import SQLiteStateStore
    store = SQLiteStateStore(sys.argv[1], batch=int(sys.argv[2]))
    granted = sum(store.take_tokens("budget:a", 1000.0, 0.0, 1000.0, initial=1000.0)[0]
                  for _ in range(int(sys.argv[3])))
    print(granted, flush=True)
    os._exit(0)  # no flush, no close: as kill -9
""")


@pytest.mark.parametrize("batch,takes", [(8, 21), (8, 24), (32, 5), (0, 7)])
def test_a_crash_loses_at_most_batch_takes_and_a_restart_takes_over_at_once(
        tmp_path, batch, takes, caplog):
    path = tmp_path / "s.db"
    out = subprocess.run([sys.executable, "-c", _CRASHING_WORKER, str(path), str(batch), str(takes)],
                         capture_output=True, text=True, timeout=120, check=True)
    assert int(out.stdout) == takes
    row = written(path, "budget:a")
    recorded = 0 if row is None else 1000 - row[0]
    assert takes - batch <= recorded <= takes  # at most `batch` unrecorded
    # the crashed process's lease does not hold the restart up (its pid is gone)
    restarted = SQLiteStateStore(path, FakeClock(1000.0), batch=batch)
    with caplog.at_level(logging.WARNING, logger="politecrawl.state"):
        assert restarted.take_tokens("budget:a", 1000.0, 0.0, 1000.0)[0]
    assert ("is gone" in caplog.text) == (batch > 0)
    restarted.close()


def test_lease_holder_alive():
    assert lease_holder_alive("elsewhere:1:abc", host="here") is True  # another host: cannot tell
    assert lease_holder_alive("unreadable") is True
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    assert lease_holder_alive(f"here:{int(done.stdout)}:abc", host="here") is False
    import os  # noqa: PLC0415

    assert lease_holder_alive(f"here:{os.getpid()}:abc", host="here") is True


@pytest.mark.parametrize("raw", ["-1", "x", "1.5", 2.5, True])
def test_ledger_batch_setting_is_checked(raw):
    with pytest.raises(ConfigError, match="POLITECRAWL_LEDGER_BATCH"):
        PolitecrawlConfig.from_settings({"POLITECRAWL_CONTACT": "ops@example.org",
                                         "POLITECRAWL_LEDGER_BATCH": raw})


def test_ledger_batch_setting_reaches_the_store(tmp_path):
    config = PolitecrawlConfig.from_settings({"POLITECRAWL_CONTACT": "ops@example.org",
                                              "POLITECRAWL_LEDGER_BATCH": "0"})
    assert config.ledger_batch == 0
    store = open_store(f"sqlite:///{tmp_path / 's.db'}", batch=config.ledger_batch)
    assert store._buckets is None
    store.close()
    assert json.loads(json.dumps(PolitecrawlConfig.from_settings(
        {"POLITECRAWL_CONTACT": "ops@example.org"}).ledger_batch)) == 32
