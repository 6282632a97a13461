"""SQLiteFrontier: per-origin order, leases that survive a kill, fingerprints, memory per origin."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from politecrawl.frontier.sqlite import SQLiteFrontier


def _urls(store, origin_id):
    out = []
    while (taken := store.pop(origin_id)) is not None:
        out.append(taken[2].decode())
    return out


def test_order_within_an_origin_is_rank_then_arrival(tmp_path):
    store = SQLiteFrontier(tmp_path / "f.sqlite3")
    a = store.origin_id("a.com", "http://a.com:80")
    assert store.push(a, 0, "u1", b"u1", fifo=True) is True  # the origin was empty
    assert store.push(a, 0, "u2", b"u2", fifo=True) is False
    store.push(a, -2, "high", b"high", fifo=True)  # a lower rank goes first
    store.push(a, 1, "start", b"start", fifo=True)
    assert store.head(a)[2] == "high"
    assert _urls(store, a) == ["high", "u1", "u2", "start"]
    b = store.origin_id("b.com", "http://b.com:80")
    for url in ("x", "y", "z"):
        store.push(b, 0, url, url.encode(), fifo=False)
    assert _urls(store, b) == ["z", "y", "x"]  # last in, first out
    assert len(store) == 0 and store.count(a) == 0
    store.close()


def test_handles_names_and_drops_by_site(tmp_path):
    store = SQLiteFrontier(tmp_path / "f.sqlite3")
    www = store.origin_id("a.com", "https://www.a.com:443")
    bare = store.origin_id("a.com", "https://a.com:443")
    other = store.origin_id("b.com", "https://b.com:443")
    assert store.origin_id("a.com", "https://www.a.com:443") == www
    for handle in (www, bare, other):
        store.push(handle, 0, "u", b"u", fifo=True)
    assert sorted(store.handles_of("a.com")) == sorted([www, bare])
    assert store.names(other) == ("b.com", "https://b.com:443")
    assert sorted(store.waiting()) == [("a.com", "https://a.com:443", 1), ("a.com", "https://www.a.com:443", 1),
                                       ("b.com", "https://b.com:443", 1)]
    assert store.drop(www) + store.drop(bare) == 2
    assert store.handles_of("a.com") == [] and len(store) == 1
    store.close()


def test_a_request_taken_out_is_not_handed_out_twice_until_finished(tmp_path):
    store = SQLiteFrontier(tmp_path / "f.sqlite3", commit_gap=0)
    a = store.origin_id("a.com", "http://a.com:80")
    for url in ("u1", "u2"):
        store.push(a, 0, url, url.encode(), fifo=True)
    lease, _, body = store.pop(a)
    assert body == b"u1" and store.head(a)[2] == "u2" and store.in_flight == 1
    assert store.head_body(a)[2:] == ("u2", b"u2")  # the body pop would hand out next, not the one in flight
    store.push(a, -2, "first", b"first", fifo=True)
    assert store.pop(a)[2] == b"first" and store.pop(a)[2] == b"u2" and store.pop(a) is None
    store.finish(lease)
    store.finish_all()
    assert store.in_flight == 0 and len(store) == 0
    store.close()
    again = SQLiteFrontier(tmp_path / "f.sqlite3")
    assert len(again) == 0
    again.close()


def test_a_finished_request_whose_delete_waits_for_the_commit_is_not_handed_out_again(tmp_path):
    store = SQLiteFrontier(tmp_path / "f.sqlite3", commit_gap=3600)
    a = store.origin_id("a.com", "http://a.com:80")
    for url in ("u1", "u2"):
        store.push(a, 0, url, url.encode(), fifo=True)
    lease, _, _ = store.pop(a)
    store.finish(lease)  # deleted at the next commit
    assert store.in_flight == 0 and store.head(a)[2] == "u2"
    assert store.pop(a)[2] == b"u2" and store.pop(a) is None
    store.commit()
    assert store.in_flight == 1 and store.head(a) is None
    store.close()


def test_fingerprints_are_seen_once(tmp_path):
    store = SQLiteFrontier(tmp_path / "f.sqlite3")
    assert store.seen(b"\x01" * 20) is False
    assert store.seen(b"\x01" * 20) is True
    store.close()
    again = SQLiteFrontier(tmp_path / "f.sqlite3")
    assert again.seen(b"\x01" * 20) is True and again.seen_count() == 1
    again.close()


def test_fingerprints_are_kept_under_their_origin_and_an_older_files_are_still_read(tmp_path):
    import sqlite3

    path = tmp_path / "f.sqlite3"
    store = SQLiteFrontier(path)
    a = store.origin_id("a.com", "http://a.com:80")
    assert store.seen(b"\x02" * 20, a) is False and store.seen(b"\x02" * 20, a) is True
    assert store.known_id("http://a.com:80") == a and store.known_id("http://b.com:80") is None
    store.close()
    db = sqlite3.connect(path)
    assert db.execute("SELECT origin, fp FROM seen_by_origin").fetchall() == [(a, b"\x02" * 20)]
    db.execute("INSERT INTO seen (fp) VALUES (?)", (b"\x03" * 20,))  # as a file written before held them
    db.commit()
    db.close()
    again = SQLiteFrontier(path)
    assert again.seen(b"\x03" * 20, a) is True and again.seen(b"\x02" * 20, a) is True
    assert again.seen(b"\x04" * 20, a) is False and again.seen_count() == 3
    again.close()


def test_a_killed_process_loses_no_queued_request(tmp_path):
    """Killed with writes uncommitted: the file holds the state of the last commit; unfinished requests wait."""
    path = tmp_path / "f.sqlite3"
    script = textwrap.dedent(f"""
        import os
        from politecrawl.frontier.sqlite import SQLiteFrontier
        store = SQLiteFrontier({str(path)!r}, commit_gap=0)
        a = store.origin_id("a.com", "http://a.com:80")
        for i in range(100):
            store.seen(str(i).encode())
            store.push(a, 0, f"u{{i}}", f"u{{i}}".encode(), fifo=True)
        leases = [store.pop(a)[0] for _ in range(10)]  # u0..u9 in flight
        for lease in leases[:5]:
            store.finish(lease)  # u0..u4 done: committed with everything before
        store.commit_gap = 3600
        store.push(a, 0, "late", b"late", fifo=True)  # not committed
        store.finish(leases[5])  # u5 done, its delete not committed: queued again, with its child "late" lost
        store.seen(b"late")
        os.kill(os.getpid(), 9)
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert proc.returncode == -9, proc.stderr
    store = SQLiteFrontier(path)
    a = store.origin_id("a.com", "http://a.com:80")
    assert _urls(store, a) == [f"u{i}" for i in range(5, 100)]
    assert store.seen(b"late") is False and store.seen(b"99") is True
    store.close()


def test_site_of_an_origin_is_its_rows_and_a_new_origin_is_made_once(tmp_path):
    store = SQLiteFrontier(tmp_path / "f.sqlite3")
    assert store.site_of("http://a.com:80") is None  # never queued: the caller computes the site
    a = store.origin_id("a.com", "http://a.com:80")
    assert store.site_of("http://a.com:80") == "a.com" and store.origin_id("a.com", "http://a.com:80") == a
    store.close()
    again = SQLiteFrontier(tmp_path / "f.sqlite3")  # read from the file, not a cache
    assert again.site_of("http://a.com:80") == "a.com" and again.origin_id("a.com", "http://a.com:80") == a
    assert again.site_of("http://b.com:80") is None and again.site_of("http://c.com:80") is None
    b = again.origin_id("b.com", "http://b.com:80")  # not the origin site_of looked up last: read, then made
    assert b != a and again.names(b) == ("b.com", "http://b.com:80")
    again.close()


def test_names_the_caches_let_go_come_with_the_head_in_one_statement(tmp_path, monkeypatch):
    """Past the name cache (round robin over more origins than it holds), an origin's names are read with its
    head request: the pop that follows reads nothing more; an origin with nothing queued is read alone."""
    import politecrawl.frontier.sqlite as sqlite_module  # noqa: PLC0415

    monkeypatch.setattr(sqlite_module, "CACHE_ENTRIES", 4)
    store = SQLiteFrontier(tmp_path / "f.sqlite3")
    ids = [store.origin_id(f"s{i}.com", f"http://o{i}.s{i}.com:80") for i in range(10)]
    for i, origin_id in enumerate(ids):
        store.push(origin_id, 0, f"http://o{i}.s{i}.com/a", b"a", fifo=True)
        store.push(origin_id, 0, f"http://o{i}.s{i}.com/b", b"b", fifo=True)
    empty = store.origin_id("e.com", "http://e.com:80")
    store.commit()  # the pushes written
    statements = []
    store._db.set_trace_callback(statements.append)
    for _ in range(2):
        for i, origin_id in enumerate(ids):
            statements.clear()
            assert store.names(origin_id) == (f"s{i}.com", f"http://o{i}.s{i}.com:80")
            assert store.head(origin_id)[2] == store.pop(origin_id)[1]
            assert len(statements) == 1, statements
    assert store.names(empty) == ("e.com", "http://e.com:80")
    assert store.names(ids[0]) == ("s0.com", "http://o0.s0.com:80")  # no requests left: read alone
    store.close()
