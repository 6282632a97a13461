import multiprocessing

import pytest

from politecrawl.clock import FakeClock
from politecrawl.state import SQLiteStateStore, StateStoreError, open_store


def test_open_store_schemes(tmp_path):
    assert open_store("memory://").url == "memory://"
    store = open_store(f"sqlite:///{tmp_path / 'a' / 'state.db'}")
    assert (tmp_path / "a" / "state.db").exists()
    assert store._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    with pytest.raises(StateStoreError, match="unknown scheme"):
        open_store("postgres://x/y")


def test_unwritable_state_location_is_a_clear_error(tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where a folder should be")
    with pytest.raises(StateStoreError) as info:
        open_store(f"sqlite:///{blocker / 'state.db'}")
    assert "cannot open the state store" in str(info.value)
    assert "POLITECRAWL_STATE" in str(info.value)


def test_ttl_follows_the_injected_clock(tmp_path):
    clock = FakeClock()
    store = SQLiteStateStore(tmp_path / "s.db", clock=clock)
    store.set("k", "v", ttl=10)
    clock.advance(9.9)
    assert store.get("k") == "v"
    clock.advance(0.2)
    assert store.get("k") is None
    assert store.set_if_absent("k", "w", ttl=5) is True
    assert store.set_if_absent("k", "x") is False
    assert store.get("k") == "w"


def _hammer(path: str, worker: int, rounds: int) -> None:
    store = SQLiteStateStore(path)
    for i in range(rounds):
        store.incr("counter")
        store.hincr("hash", "field", 2)
        store.append("log", {"worker": worker, "i": i})
    store.close()


def test_two_processes_writing_at_once(tmp_path):
    path = str(tmp_path / "shared.db")
    SQLiteStateStore(path).close()
    rounds = 300
    ctx = multiprocessing.get_context("spawn")
    workers = [ctx.Process(target=_hammer, args=(path, w, rounds)) for w in (1, 2)]
    for p in workers:
        p.start()
    for p in workers:
        p.join(120)
        assert p.exitcode == 0
    store = SQLiteStateStore(path)
    assert store.get("counter") == repr(float(2 * rounds))
    assert store.hgetall("hash") == {"field": repr(float(4 * rounds))}
    entries = store.read_log("log")
    assert len(entries) == 2 * rounds
    ids = [entry_id for entry_id, _ in entries]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    for worker in ("1", "2"):
        seq = [int(r["i"]) for _, r in entries if r["worker"] == worker]
        assert seq == list(range(rounds))


def _open_at_once(path: str, barrier) -> None:
    barrier.wait()
    store = SQLiteStateStore(path)
    store.incr("opened")
    store.close()


def test_many_processes_opening_a_new_file_at_once(tmp_path):
    """Switching a new file to WAL races between openers; none may fail."""
    path = str(tmp_path / "fresh.db")
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(6)
    workers = [ctx.Process(target=_open_at_once, args=(path, barrier)) for _ in range(6)]
    for p in workers:
        p.start()
    for p in workers:
        p.join(120)
        assert p.exitcode == 0
    assert SQLiteStateStore(path).get("opened") == repr(6.0)


def test_buckets_written_as_hash_fields_by_an_earlier_version_are_kept(tmp_path):
    import sqlite3

    path = tmp_path / "old.db"
    SQLiteStateStore(path).close()
    db = sqlite3.connect(path)
    db.execute("DROP TABLE buckets")
    db.executemany(
        "INSERT INTO hashes (key, field, value) VALUES (?, ?, ?)",
        [("budget:a.com", "tokens", "0.25"), ("budget:a.com", "updated_at", "100.0"),
         ("other", "tokens", "7")],  # a plain hash with a field named tokens stays a hash
    )
    db.commit()
    db.close()
    store = SQLiteStateStore(path)
    # no fresh token on upgrade: 0.25 left at t=100, rate 1/s -> the next token at 100.75
    assert store.take_tokens("budget:a.com", 100.5, 1.0, 2.0) == (False, 0.25)
    assert store.take_tokens("budget:a.com", 100.75, 1.0, 2.0) == (True, 0.0)
    assert store.hgetall("other") == {"tokens": "7"}
    assert store.keys("budget:") == ["budget:a.com"]


def test_page_cache_is_bounded_at_512_kb(tmp_path):
    """The page cache fills once the file passes it (one history record a page), so it is a floor under a long
    crawl's RSS: 512 KB, not SQLite's own 2 MB nor 8 (docs/speed.md), and no memory map."""
    store = SQLiteStateStore(tmp_path / "s.db")
    try:
        assert store._db.execute("PRAGMA cache_size").fetchone()[0] == -512
        assert store._db.execute("PRAGMA mmap_size").fetchone()[0] == 0
    finally:
        store.close()
