"""A worker process for the state-store concurrency tests.

    python state_worker.py URL OP KEY START_AT [ARGS...]

Waits until the wall clock reaches START_AT (so that the workers overlap), then:

- ``incr N``: N × ``incr(KEY, 1)``
- ``take-fixed N RATE BURST INITIAL NOW``: N × ``take_tokens`` at one fixed NOW
- ``take-live SECONDS RATE BURST``: ``take_tokens`` at the real time, for SECONDS

and prints one JSON line: ``{"granted": ..., "calls": ..., "min_now": ..., "max_now": ...}``.
"""

from __future__ import annotations

import json
import sys
import time

from politecrawl.state import open_store


def main(argv: list[str]) -> None:
    url, op, key, start_at, *args = argv
    store = open_store(url)
    while time.time() < float(start_at):
        time.sleep(0.001)
    granted = calls = 0
    min_now, max_now = float("inf"), float("-inf")
    if op == "incr":
        for _ in range(int(args[0])):
            store.incr(key, 1)
            calls += 1
    elif op == "take-fixed":
        n, rate, burst, initial, now = int(args[0]), *map(float, args[1:])
        for _ in range(n):
            granted += store.take_tokens(key, now, rate, burst, initial=initial)[0]
            calls += 1
    elif op == "take-live":
        seconds, rate, burst = map(float, args)
        end = time.time() + seconds
        while True:
            now = time.time()
            if now >= end:
                break
            min_now, max_now = min(min_now, now), max(max_now, now)
            granted += store.take_tokens(key, now, rate, burst)[0]
            calls += 1
    else:
        raise SystemExit(f"unknown op {op!r}")
    store.close()
    print(json.dumps({"granted": granted, "calls": calls, "min_now": min_now, "max_now": max_now}))


if __name__ == "__main__":
    main(sys.argv[1:])
