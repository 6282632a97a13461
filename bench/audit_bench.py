"""Audit trail cost at scale: 1,000,000 requests to 1,000 sites over 10 hours (a polite, sparse crawl).

Measures the time per request of the trail's bookkeeping (sent + received, SQLite store, 5 s flushes),
the records and bytes written, and the time to build the report. Run: ``python bench/audit_bench.py``.
"""

from __future__ import annotations

import os
import tempfile
import time

from politecrawl.audit import AuditTrail, build_report, find_crawl, records
from politecrawl.state import open_store


def main(n: int = 1_000_000, sites: int = 1000, hours: float = 10.0) -> None:
    workdir = tempfile.mkdtemp()
    store = open_store(f"sqlite:///{workdir}/audit.db")
    now = [1_700_000_000.0]
    trail = AuditTrail(store, "bench", lambda: now[0], flush_interval=5)
    trail.start({})
    names = [f"site{i}.com" for i in range(sites)]
    step = hours * 3600 / n
    started = time.perf_counter()
    for i in range(n):
        now[0] += step
        site = names[i % sites]
        trail.sent(site, now[0])
        trail.received(site, 20_000, 200)
        if i % 5000 == 0:
            trail.flush_if_due()
    elapsed = time.perf_counter() - started
    trail.end("finished")
    store.close()
    store = open_store(f"sqlite:///{workdir}/audit.db")
    count = sum(1 for _ in records(store, "bench"))
    size = sum(os.path.getsize(os.path.join(workdir, f)) for f in os.listdir(workdir))
    t0 = time.perf_counter()
    report = build_report(find_crawl(store, "bench"), records(store, "bench"))
    built = time.perf_counter() - t0
    assert report["totals"]["requests"] == n
    print(f"{n:,} requests to {sites:,} sites over {hours:g} h: {elapsed / n * 1e6:.1f} us per request "
          f"(sent + received), {count:,} audit records, {size / 1e6:.1f} MB on disk, report built in {built:.1f} s")


if __name__ == "__main__":
    main()
