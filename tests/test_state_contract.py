"""One contract for every state store: memory, SQLite and Redis give the same answers.

Memory and SQLite take their time from a FakeClock. Redis counts TTLs with the
server's own clock, so its TTL checks read PTTL and let a short real TTL run
out; everything else (including take_tokens, whose time is an argument) is
exact for all three.
"""

from __future__ import annotations

import json
import math
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest

from politecrawl.clock import FakeClock
from politecrawl.state import IndexedWrite, MemoryStateStore, SQLiteStateStore, open_store
from politecrawl.state.tokens import take as reference_take

WORKER = Path(__file__).with_name("state_worker.py")


class Backend:
    """A store under test plus a way to let time pass for its TTLs."""

    def __init__(self, name, store, clock=None, raw=None, url=None):
        self.name, self.store, self.clock, self.raw, self.url = name, store, clock, raw, url

    def short_ttl(self) -> float:
        return 0.05 if self.clock is None else 5.0

    def let_expire(self, ttl: float) -> None:
        """Let *ttl* seconds pass (fake clock) or wait past it (Redis's clock)."""
        if self.clock is not None:
            self.clock.advance(ttl)
        else:
            time.sleep(ttl + 0.25)

    def assert_alive_for(self, key: str, ttl: float) -> None:
        """*key* is readable and will expire within *ttl* seconds, not much sooner."""
        assert self.store.get(key) is not None
        if self.clock is not None:
            self.clock.advance(ttl - 0.001)
            assert self.store.get(key) is not None
            self.clock.advance(0.001)
            assert self.store.get(key) is None
        else:
            pttl = self.raw.pttl(self.store.prefix + key)
            assert ttl * 1000 - 5000 < pttl <= ttl * 1000


@pytest.fixture(
    params=["memory", "sqlite", "sqlite-write-through",
            pytest.param("redis", marks=pytest.mark.redis)]
)
def backend(request, tmp_path):
    name = request.param
    if name == "memory":
        clock = FakeClock()
        yield Backend(name, MemoryStateStore(clock), clock)
    elif name.startswith("sqlite"):
        clock = FakeClock()
        store = SQLiteStateStore(tmp_path / "state.db", clock,
                                 batch=0 if name == "sqlite-write-through" else 32)
        yield Backend(name, store, clock, url=f"sqlite:///{tmp_path / 'state.db'}")
        store.close()
    else:
        import redis  # noqa: PLC0415

        url = request.getfixturevalue("redis_url")
        store = open_store(url)
        raw = redis.Redis.from_url(url.split("?")[0], decode_responses=True)
        yield Backend(name, store, raw=raw, url=url)
        store.close()
        raw.close()


# -- strings -------------------------------------------------------------------
def test_get_set_overwrite(backend):
    s = backend.store
    assert s.get("robots:https://a.example:443") is None
    s.set("robots:https://a.example:443", "v1")
    assert s.get("robots:https://a.example:443") == "v1"
    s.set("robots:https://a.example:443", "v2 ünïcode 中文")
    assert s.get("robots:https://a.example:443") == "v2 ünïcode 中文"
    s.set("empty", "")
    assert s.get("empty") == ""


def test_set_with_ttl_expires(backend):
    s = backend.store
    s.set("long", "x", ttl=30)
    backend.assert_alive_for("long", 30)
    ttl = backend.short_ttl()
    s.set("short", "x", ttl=ttl)
    backend.let_expire(ttl)
    assert s.get("short") is None
    assert "short" not in s.keys("")


def test_set_without_ttl_clears_ttl(backend):
    s = backend.store
    ttl = backend.short_ttl()
    s.set("k", "old", ttl=ttl)
    s.set("k", "new")
    backend.let_expire(ttl)
    assert s.get("k") == "new"


def test_set_if_absent(backend):
    s = backend.store
    assert s.set_if_absent("lock", "a") is True
    assert s.set_if_absent("lock", "b") is False
    assert s.get("lock") == "a"
    ttl = backend.short_ttl()
    assert s.set_if_absent("lease", "a", ttl=ttl) is True
    assert s.set_if_absent("lease", "b", ttl=ttl) is False
    backend.let_expire(ttl)
    assert s.set_if_absent("lease", "c", ttl=30) is True
    assert s.get("lease") == "c"
    backend.assert_alive_for("lease", 30)


def test_delete_every_type(backend):
    s = backend.store
    s.set("str", "1")
    s.hset("hash", {"f": "1"})
    s.append("log", {"f": "1"})
    for key in ("str", "hash", "log", "missing"):
        s.delete(key)
    assert s.get("str") is None
    assert s.hgetall("hash") == {}
    assert s.read_log("log") == []
    assert s.keys("") == []


def test_incr(backend):
    s = backend.store
    assert s.incr("n") == 1.0
    assert s.incr("n", 2) == 3.0
    assert s.incr("n", -0.5) == 2.5
    assert s.incr("n", 0.25) == 2.75
    assert float(s.get("n")) == 2.75
    assert s.incr("other", 0.5) == 0.5


def test_incr_keeps_ttl_and_restarts_after_expiry(backend):
    s = backend.store
    s.set("n", "1", ttl=30)
    assert s.incr("n", 1) == 2.0
    backend.assert_alive_for("n", 30)
    ttl = backend.short_ttl()
    s.set("m", "5", ttl=ttl)
    assert s.incr("m") == 6.0
    backend.let_expire(ttl)
    assert s.get("m") is None
    assert s.incr("m") == 1.0


# -- hashes --------------------------------------------------------------------
def test_hashes(backend):
    s = backend.store
    assert s.hgetall("h") == {}
    s.hset("h", {"a": "x", "b": 3, "c": 0.5})
    assert s.hgetall("h") == {"a": "x", "b": "3", "c": "0.5"}
    s.hset("h", {"a": "y"})
    assert s.hgetall("h") == {"a": "y", "b": "3", "c": "0.5"}
    s.hset("h", {})
    assert s.hgetall("h")["a"] == "y"
    s.hdel("h", "b", "missing")
    s.hdel("h")
    assert s.hgetall("h") == {"a": "y", "c": "0.5"}
    s.hdel("nothing", "a")
    assert s.hgetall("nothing") == {}


def test_hincr(backend):
    s = backend.store
    assert s.hincr("h", "spent") == 1.0
    assert s.hincr("h", "spent", 2.5) == 3.5
    assert s.hincr("h", "spent", -1) == 2.5
    assert s.hincr("fresh", "bytes", 1024) == 1024.0
    assert {k: float(v) for k, v in s.hgetall("h").items()} == {"spent": 2.5}


def test_set_indexed_writes_record_and_entry_counting_up_to_a_limit(backend):
    s = backend.store
    assert s.set_indexed("r:1", "one", "idx", "f1", "e1") is True  # no count: nothing counted
    assert s.get("r:1") == "one" and s.hgetall("idx") == {"f1": "e1"} and s.get("n") is None
    assert s.set_indexed("r:2", "two", "idx", "f2", "e2", count="n", limit=2) is True
    assert s.set_indexed("r:3", "three", "idx", "f3", "e3", count="n", limit=2) is True
    assert float(s.get("n")) == 2.0
    # full: nothing written, the count unchanged
    assert s.set_indexed("r:4", "four", "idx", "f4", "e4", count="n", limit=2) is False
    assert s.get("r:4") is None and "f4" not in s.hgetall("idx") and float(s.get("n")) == 2.0
    # an overwrite without count keeps the other fields
    assert s.set_indexed("r:1", "uno", "idx", "f1", "e1b") is True
    assert s.get("r:1") == "uno"
    assert s.hgetall("idx") == {"f1": "e1b", "f2": "e2", "f3": "e3"}


def test_set_indexed_many_writes_each_as_set_indexed_with_its_also_sets(backend):
    s = backend.store
    assert s.set_indexed_many([]) == []
    done = s.set_indexed_many([
        IndexedWrite("r:1", "one", "idx", "f1", "e1", count="n", limit=2, also=(("i:1", "item one"),)),
        IndexedWrite("r:2", "two", "idx", "f2", "e2", count="n", limit=2),
        # full: neither the record nor its also-set is written, the count unchanged
        IndexedWrite("r:3", "three", "idx", "f3", "e3", count="n", limit=2, also=(("i:3", "x"),)),
        IndexedWrite("r:1", "uno", "idx", "f1", "e1b"),  # an overwrite, not counted
        IndexedWrite("", also=(("i:2", "item two"), ("i:4", "four"))),  # no record: the sets alone
        IndexedWrite("r:5", "five"),  # no index entry
    ])
    assert done == [True, True, False, True, True, True]
    assert float(s.get("n")) == 2.0
    assert [s.get(k) for k in ("r:1", "r:2", "r:3", "r:5")] == ["uno", "two", None, "five"]
    assert [s.get(k) for k in ("i:1", "i:2", "i:3", "i:4")] == ["item one", "item two", None, "four"]
    assert s.hgetall("idx") == {"f1": "e1b", "f2": "e2"}


# -- logs ----------------------------------------------------------------------
def test_logs_order_after_and_limit(backend):
    s = backend.store
    ids = [s.append("audit", {"i": i, "site": "a.example"}) for i in range(12)]
    s.append("other", {"i": 99})
    assert ids == sorted(ids) and len(set(ids)) == 12
    everything = s.read_log("audit")
    assert [entry_id for entry_id, _ in everything] == ids
    assert [r["i"] for _, r in everything] == [str(i) for i in range(12)]
    assert everything[0][1] == {"i": "0", "site": "a.example"}
    assert [r["i"] for _, r in s.read_log("audit", after=ids[8])] == ["9", "10", "11"]
    assert [r["i"] for _, r in s.read_log("audit", after=ids[2], limit=2)] == ["3", "4"]
    assert [r["i"] for _, r in s.read_log("audit", limit=1)] == ["0"]
    assert s.read_log("audit", limit=0) == []
    assert s.read_log("audit", after=ids[-1]) == []
    assert s.read_log("missing") == []
    assert [r["i"] for _, r in s.read_log("other")] == ["99"]


def test_logs_keep_values_and_empty_records(backend):
    s = backend.store
    s.append("log", {})
    s.append("log", {"text": "ünïcode 中文", "n": 1.5, "blank": ""})
    records = [r for _, r in s.read_log("log")]
    assert records == [{}, {"text": "ünïcode 中文", "n": "1.5", "blank": ""}]


# -- keys ----------------------------------------------------------------------
def test_keys_by_prefix_over_every_type(backend):
    s = backend.store
    s.set("stop:a.example", "1")
    s.hset("budget:a.example", {"f": 1})
    s.hset("budget:b.example", {"f": 1})
    s.append("audit:a.example", {"f": 1})
    s.set("Budget:upper", "1")
    assert s.keys("budget:") == ["budget:a.example", "budget:b.example"]
    assert s.keys("Budget:") == ["Budget:upper"]  # case-sensitive
    assert s.keys("audit:") == ["audit:a.example"]
    assert s.keys("budget:a") == ["budget:a.example"]
    assert s.keys("nothing") == []
    assert s.keys("") == [
        "Budget:upper", "audit:a.example", "budget:a.example", "budget:b.example", "stop:a.example",
    ]


def test_keys_prefix_glob_and_like_characters_are_literal(backend):
    s = backend.store
    names = ["a*b", "axb", "a?c", "abc", "a[b]c", "abc]", "a\\b", "a%b", "a_b", "aXb"]
    for name in names:
        s.set(name, "1")
    assert s.keys("a*") == ["a*b"]
    assert s.keys("a?") == ["a?c"]
    assert s.keys("a[b]") == ["a[b]c"]
    assert s.keys("a[") == ["a[b]c"]
    assert s.keys("a\\") == ["a\\b"]
    assert s.keys("a%") == ["a%b"]
    assert s.keys("a_") == ["a_b"]
    assert s.keys("ax") == ["axb"]
    assert s.keys("a") == sorted(names)


def test_keys_skip_expired_strings(backend):
    s = backend.store
    ttl = backend.short_ttl()
    s.set("robots:x", "1", ttl=ttl)
    s.set("robots:y", "1")
    assert s.keys("robots:") == ["robots:x", "robots:y"]
    backend.let_expire(ttl)
    assert s.keys("robots:") == ["robots:y"]


# -- take_tokens -----------------------------------------------------------------
def test_take_tokens_new_bucket_starts_with_one_token(backend):
    s = backend.store
    assert s.take_tokens("b", 1000.0, rate=2.0, burst=10.0) == (True, 0.0)
    assert s.take_tokens("b", 1000.0, rate=2.0, burst=10.0) == (False, 0.5)
    assert s.take_tokens("b", 1000.25, rate=2.0, burst=10.0) == (False, 0.25)
    assert s.take_tokens("b", 1000.5, rate=2.0, burst=10.0) == (True, 0.0)
    fields = s.hgetall("b")
    assert set(fields) == {"tokens", "updated_at"}
    assert float(fields["tokens"]) == 0.0 and float(fields["updated_at"]) == 1000.5


def test_take_tokens_refills_up_to_burst(backend):
    s = backend.store
    assert s.take_tokens("b", 0.0, 4.0, 3.0) == (True, 0.0)
    results = [s.take_tokens("b", 100.0, 4.0, 3.0) for _ in range(4)]
    assert results == [(True, 0.0)] * 3 + [(False, 0.25)]


def test_take_tokens_cost_initial_and_limits(backend):
    s = backend.store
    assert s.take_tokens("c", 10.0, 2.0, 8.0, cost=3.0, initial=8.0) == (True, 0.0)
    assert s.take_tokens("c", 10.0, 2.0, 8.0, cost=3.0) == (True, 0.0)
    assert s.take_tokens("c", 10.0, 2.0, 8.0, cost=3.0) == (False, 0.5)  # 2 left, need 1 more
    assert s.take_tokens("c", 10.0, 2.0, 8.0, cost=9.0) == (False, math.inf)  # cost > burst
    assert s.take_tokens("i", 0.0, 1.0, 4.0, initial=100.0) == (True, 0.0)  # clamped to burst
    assert float(s.hgetall("i")["tokens"]) == 3.0
    assert s.take_tokens("z", 0.0, 0.0, 4.0) == (True, 0.0)
    assert s.take_tokens("z", 1e6, 0.0, 4.0) == (False, math.inf)  # rate 0: never refills
    assert s.take_tokens("e", 0.0, 1.0, 4.0, initial=0.0) == (False, 1.0)


def test_take_tokens_clock_backwards_gains_nothing(backend):
    s = backend.store
    assert s.take_tokens("b", 100.0, 1.0, 5.0) == (True, 0.0)
    assert s.take_tokens("b", 50.0, 1.0, 5.0) == (False, 1.0)  # 50 s back: no refill
    assert float(s.hgetall("b")["updated_at"]) == 100.0  # not moved back
    assert s.take_tokens("b", 100.5, 1.0, 5.0) == (False, 0.5)  # only 0.5 s since 100
    assert s.take_tokens("b", 101.0, 1.0, 5.0) == (True, 0.0)


def test_take_tokens_lowered_burst_applies_at_once(backend):
    s = backend.store
    s.take_tokens("b", 0.0, 1.0, 10.0, initial=10.0)  # 9 left
    assert s.take_tokens("b", 0.0, 1.0, 2.0) == (True, 0.0)  # clamped to 2, then 1 left
    assert s.take_tokens("b", 0.0, 1.0, 2.0) == (True, 0.0)
    assert s.take_tokens("b", 0.0, 1.0, 2.0) == (False, 1.0)


def test_take_tokens_matches_the_reference_rule_exactly(backend):
    """Awkward decimals, jitter and backward steps: every store gives the rule's exact doubles."""
    s = backend.store
    rng = random.Random(7)
    tokens = updated = None
    now = 1_700_000_000.123
    rate, burst = 0.3, 2.7
    for _ in range(60):
        now += rng.choice([-0.7, 0.0, 0.1, 0.33, 1.9, 4.1])
        cost = rng.choice([1.0, 0.4, 1.3])
        granted, wait, tokens, updated = reference_take(tokens, updated, now, rate, burst, cost, 1.0)
        assert s.take_tokens("r", now, rate, burst, cost) == (granted, wait)
    fields = s.hgetall("r")
    assert (float(fields["tokens"]), float(fields["updated_at"])) == (tokens, updated)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"rate": -1.0, "burst": 1.0},
        {"rate": 1.0, "burst": 0.0},
        {"rate": 1.0, "burst": 1.0, "cost": 0.0},
        {"rate": 1.0, "burst": 1.0, "initial": -1.0},
        {"rate": math.nan, "burst": 1.0},
        {"rate": 1.0, "burst": math.inf},
    ],
)
def test_take_tokens_rejects_bad_arguments(backend, kwargs):
    with pytest.raises(ValueError, match="take_tokens: "):
        backend.store.take_tokens("b", 0.0, **kwargs)
    assert backend.store.hgetall("b") == {}


# -- several processes -------------------------------------------------------------
def _run_workers(url: str, op: str, key: str, args: list, n: int = 2) -> list[dict]:
    start_at = time.time() + 1.0  # both interpreters are up by then
    procs = [
        subprocess.Popen(
            [sys.executable, str(WORKER), url, op, key, repr(start_at), *map(str, args)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(n)
    ]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err[-2000:]
        results.append(json.loads(out))
    return results


@pytest.fixture(params=["sqlite", pytest.param("redis", marks=pytest.mark.redis)])
def shared_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'shared.db'}"
    return request.getfixturevalue("redis_url")


def test_two_processes_incr_exact_total(shared_url):
    _run_workers(shared_url, "incr", "hits", [400])
    store = open_store(shared_url)
    try:
        assert store.incr("hits", 0) == 800.0
    finally:
        store.close()


def test_two_processes_take_tokens_never_overspend(shared_url):
    # No refill (rate 0, one fixed now): exactly the 25 initial tokens go out, however interleaved.
    results = _run_workers(shared_url, "take-fixed", "fixed", [200, 0.0, 25.0, 25.0, 1000.0])
    assert sum(r["granted"] for r in results) == 25
    assert sum(r["calls"] for r in results) == 400


def test_two_processes_take_tokens_live_rate(shared_url):
    rate, burst, seconds = 200.0, 20.0, 1.0
    results = _run_workers(shared_url, "take-live", "live", [seconds, rate, burst])
    granted = sum(r["granted"] for r in results)
    elapsed = max(r["max_now"] for r in results) - min(r["min_now"] for r in results)
    assert all(r["calls"] > 0 for r in results)
    # Token-bucket bound: the first token, plus what the clock refilled, never more.
    assert granted <= 1 + rate * elapsed + 1e-6
    # And hammering takes nearly all of it (loose: a loaded machine stalls the workers).
    assert granted >= 0.5 * rate * elapsed - burst
