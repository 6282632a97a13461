"""Cost of one ``take_tokens`` call per state store, and Redis round trips per call.

    .venv/bin/python bench/state_bench.py [--calls 20000] [--redis-url redis://127.0.0.1:6379/0]

Without --redis-url (or REDIS_URL) a throw-away redis-server is started on a
free port. One process, one key, every call granted or refused at full speed:
the figure is the store's own cost (Python + I/O), not a crawl's.
Round trips are counted from the server's INFO commandstats: client commands
only (the HMGET/HSET inside the script are not round trips).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import redis  # noqa: E402
from redis_server import redis_url_or_throwaway  # noqa: E402

from politecrawl.state import MemoryStateStore, SQLiteStateStore, open_store  # noqa: E402

_INNER = {"cmdstat_hmget", "cmdstat_hset", "cmdstat_config|resetstat", "cmdstat_info"}


def per_call_us(store, calls: int, repeats: int = 3) -> float:
    """Median over *repeats* runs of microseconds per take_tokens call."""
    results = []
    for r in range(repeats):
        key = f"bench:{r}"
        store.take_tokens(key, 0.0, 100.0, 10.0)  # create the bucket (and load the script)
        started = time.perf_counter()
        for i in range(calls):
            store.take_tokens(key, i * 0.001, 100.0, 10.0)
        results.append((time.perf_counter() - started) / calls * 1e6)
    return statistics.median(results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=20000)
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL"))
    args = parser.parse_args()

    rows = []
    with redis_url_or_throwaway(args.redis_url) as url:
        rows.append(("memory", per_call_us(MemoryStateStore(), args.calls)))
        with tempfile.TemporaryDirectory() as tmp:
            sqlite = SQLiteStateStore(Path(tmp) / "bench.db")
            rows.append(("SQLite (WAL, file in tmp)", per_call_us(sqlite, args.calls // 4)))
            sqlite.close()
        store = open_store(url + ("&" if "?" in url else "?") + "prefix=pcbench:")
        raw = redis.Redis.from_url(url.split("?")[0])
        store.take_tokens("warm", 0.0, 1.0, 1.0)
        raw.config_resetstat()
        n = args.calls // 4
        for i in range(n):
            store.take_tokens("rt", float(i), 1.0, 1.0)
        stats = raw.info("commandstats")
        client_cmds = sum(v["calls"] for k, v in stats.items() if k not in _INNER)
        rows.append(("Redis (loopback TCP)", per_call_us(store, args.calls // 4)))
        for key in store.keys("") :
            store.delete(key)
        store.close()
        raw.close()
    print(f"{'store':30} {'µs per take_tokens':>20} {'calls/s':>10}")
    for name, us in rows:
        print(f"{name:30} {us:20.1f} {1e6 / us:10.0f}")
    print(f"Redis round trips per take_tokens (after the first): {client_cmds / n:.2f}")


if __name__ == "__main__":
    main()
