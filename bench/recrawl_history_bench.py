"""What the fetch history costs per URL, in SQLite and Redis, and what eviction costs when it is full.

    .venv/bin/python bench/recrawl_history_bench.py [--urls 20000] [--sites 100] [--redis-url redis://...]

For each store: *urls* new URLs (about 90 characters, over *sites* sites) are
recorded as the recrawl middleware records an answer (``FetchHistory.visit``
with an ETag, a Last-Modified and a digest), each with a kept item of a
2,000-character page (the generic crawl keeps one); then each URL is answered
once more with a 304; then, with ``max_urls`` = *urls*, 5 % more new URLs
arrive, so the history evicts the URLs fetched least recently in batches of
1 %. Reported: bytes per URL (the SQLite file after a checkpoint; Redis's
``used_memory``), microseconds per new answer, per 304, per read, and per
eviction batch and per evicted URL. Without --redis-url (or REDIS_URL) a
throw-away redis-server is started on a free port.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import redis  # noqa: E402
from redis_server import redis_url_or_throwaway  # noqa: E402

from politecrawl.recrawl import FetchHistory, HistorySettings, ScheduleSettings  # noqa: E402
from politecrawl.state import SQLiteStateStore, open_store  # noqa: E402

TEXT = ("Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut "
        "labore et dolore magna aliqua. ") * 17


def url_of(i: int, sites: int) -> str:
    # ~90 characters, as the doc's figure assumes
    return f"https://www.site{i % sites:05d}-example.com/catalogue/section-{i % 97:02d}/product-page-{i:09d}.html"


def run(store, urls: int, sites: int, size_of) -> dict[str, float]:
    schedule = ScheduleSettings(min_interval=0, initial_interval=0)
    history = FetchHistory(store, HistorySettings(max_urls=urls, schedule=schedule))
    etag, lm = '"5f2c-1a2b3c4d"', "Thu, 01 Jan 2026 00:00:00 GMT"
    empty = size_of()
    started = time.perf_counter()
    for i in range(urls):
        url = url_of(i, sites)
        history.visit(url, float(i), status=200, etag=etag, last_modified=lm, digest=f"sha1:{i:032d}")
    new_us = (time.perf_counter() - started) / urls * 1e6
    bare = size_of()
    for i in range(urls):
        history.keep_item(url_of(i, sites), {"url": url_of(i, sites), "title": f"Product {i}", "text": TEXT,
                                             "fetched_at": "2026-12-05T10:00:00+00:00"})
    with_items = size_of()
    started = time.perf_counter()
    for i in range(urls):
        history.get(url_of(i, sites))
    read_us = (time.perf_counter() - started) / urls * 1e6
    started = time.perf_counter()
    for i in range(urls):
        history.visit(url_of(i, sites), float(urls + i), status=304)
    revalidated_us = (time.perf_counter() - started) / urls * 1e6
    extra = urls // 20
    batches: list[float] = []
    evicted = 0
    plain: list[float] = []
    for i in range(urls, urls + extra):
        t0 = time.perf_counter()
        visit = history.visit(url_of(i, sites), float(2 * urls + i), status=200, etag=etag, last_modified=lm,
                              digest=f"sha1:{i:032d}")
        took = time.perf_counter() - t0
        if visit.evicted:
            batches.append(took)
            evicted += visit.evicted
        else:
            plain.append(took)
    assert float(store.get("recrawl:size")) <= urls and not history.full
    # the URLs evicted are the first ones (fetched least recently), the last ones are kept
    assert history.get(url_of(0, sites)) is None and history.get(url_of(urls - 1, sites)) is not None
    return {
        "bytes_per_url": round((bare - empty) / urls), "bytes_per_url_with_item": round((with_items - empty) / urls),
        "us_per_new_answer": round(new_us), "us_per_304": round(revalidated_us), "us_per_read": round(read_us),
        "eviction_batches": len(batches), "evicted": evicted,
        "ms_per_eviction_batch": round(sum(batches) / len(batches) * 1e3, 1) if batches else 0.0,
        "us_per_evicted_url": round(sum(batches) / evicted * 1e6) if evicted else 0,
        "us_per_new_answer_when_full_not_evicting": round(sum(plain) / len(plain) * 1e6) if plain else 0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--urls", type=int, default=20000)
    parser.add_argument("--sites", type=int, default=100)
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL"))
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "state.db"
        store = SQLiteStateStore(path)

        def sqlite_size() -> int:
            store._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            return path.stat().st_size

        print(json.dumps({"store": "sqlite", "urls": args.urls, **run(store, args.urls, args.sites, sqlite_size)}),
              flush=True)
        store.close()
    with redis_url_or_throwaway(args.redis_url) as url:
        raw = redis.Redis.from_url(url.split("?")[0])
        store = open_store(url + ("&" if "?" in url else "?") + "prefix=pcbench:")

        def redis_size() -> int:
            return int(raw.info("memory")["used_memory"])

        print(json.dumps({"store": "redis", "urls": args.urls, **run(store, args.urls, args.sites, redis_size)}),
              flush=True)
        for key in store.keys("recrawl:"):
            store.delete(key)
        store.close()
        raw.close()
    print(f"load average after: {os.getloadavg()}", flush=True)


if __name__ == "__main__":
    main()
