"""Benchmarks of the per-site traffic budget (issue 4). Results: docs/benchmarks.md.

    .venv/bin/python bench/budget_bench.py utilisation [--sites 500] [--seconds 60]
    .venv/bin/python bench/budget_bench.py overhead [--pages 20000] [--pairs 3]
    .venv/bin/python bench/budget_bench.py ledger [--sites 100000]

Every figure about traffic comes from the sandbox's own request log (what the
sites saw). Plain Scrapy runs in the same invocation, on the same web, with
the same concurrency, and ratios are reported: these machines are shared.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

from politecrawl.sandbox import PROTOCOL_PATHS, SandboxWeb, SiteSpec, max_in_window

DAY = 86_400
CONTACT = "https://example.org/politecrawl-bench"


def crawl(web: SandboxWeb, urls: list[str], settings: dict[str, Any], *, polite: bool,
          workdir: Path) -> subprocess.CompletedProcess[str]:
    """One crawl in a subprocess: politecrawl's full stack, or plain Scrapy."""
    base = {
        **web.settings(),
        "LOG_LEVEL": "WARNING",
        "CONCURRENT_ITEMS": "10",
        "TELNETCONSOLE_ENABLED": "False",
        **settings,
    }
    if polite:
        base |= {"POLITECRAWL_CONTACT": CONTACT,
                 "POLITECRAWL_STATE": f"sqlite:///{workdir / 'state.db'}"}
        args = [sys.executable, "-m", "politecrawl.cli", "crawl", *urls]
    else:
        args = [sys.executable, "-m", "scrapy", "runspider", str(_plain_spider(workdir)),
                "-a", "urls=" + ",".join(urls)]
    for name, value in base.items():
        args += ["-s", f"{name}={value}"]
    return subprocess.run(args, cwd=workdir, capture_output=True, text=True, timeout=3600)


def _plain_spider(workdir: Path) -> Path:
    path = workdir / "plain_spider.py"
    path.write_text(
        "from politecrawl.spiders.generic import GenericSpider\n\n\n"
        "class PlainSpider(GenericSpider):\n    name = 'plain'\n"
    )
    return path


# -- 1. utilisation against the limit -------------------------------------------
def utilisation(args: argparse.Namespace) -> dict[str, Any]:
    rng = random.Random(7)
    rates = {f"site{i}.com": math.exp(rng.uniform(math.log(0.01), math.log(1.0)))
             for i in range(args.sites)}
    burst = 1
    span = args.seconds
    results = {}
    for label, polite in (("politecrawl", True), ("plain Scrapy", False)):
        sites = [SiteSpec(host, pages=int(rate * (span + 30)) + 5) for host, rate in rates.items()]
        with SandboxWeb(sites) as web, tempfile.TemporaryDirectory() as tmp:
            if polite:
                settings = {
                    "POLITECRAWL_SITE_TRAFFIC": json.dumps(
                        {h: r * 3 * DAY for h, r in rates.items()}),
                    "POLITECRAWL_MAX_SITE_RATE": "10",
                    # every sandbox site is on 127.0.0.1, one server: this measures the site budgets
                    "POLITECRAWL_MAX_IP_RATE": "10000",
                    "POLITECRAWL_BURST": str(burst),
                }
            else:
                settings = {
                    "DOWNLOAD_SLOTS": json.dumps(
                        {h: {"delay": 1 / r, "concurrency": 1, "jitter": 0}
                         for h, r in rates.items()}),
                    "CONCURRENT_REQUESTS_PER_DOMAIN": "1",
                    "RANDOMIZE_DOWNLOAD_DELAY": "False",
                    "SCHEDULER_PRIORITY_QUEUE": "scrapy.pqueues.DownloaderAwarePriorityQueue",
                    "ROBOTSTXT_OBEY": "True",
                }
            settings |= {"CONCURRENT_REQUESTS": "64", "CLOSESPIDER_TIMEOUT": str(span + 15),
                         "LOG_LEVEL": "INFO"}  # INFO: the stats dump at the end (few lines)
            proc = crawl(web, [web.url(h) for h in rates], settings, polite=polite,
                         workdir=Path(tmp))
            budget_stats = dict(re.findall(r"'politecrawl/budget/([\w/-]+)': (\d+)", proc.stderr))
            log = web.requests()
        start = min(r["t"] for r in log) + 5
        window = [r for r in log if start <= r["t"] < start + span]
        achieved = len(window) / span
        violations = 0
        worst = []
        by_site: dict[str, list[float]] = {}
        for r in log:
            by_site.setdefault(r["site"], []).append(r["t"])
        for host, times in by_site.items():
            times.sort()
            for w in (1, 10, 60):
                seen = max_in_window(times, w)
                if seen > rates[host] * w + burst:
                    violations += 1
                    gaps = [round(b - a, 3) for a, b in zip(times, times[1:])]
                    worst.append((seen - rates[host] * w - burst, host, w, round(rates[host], 4),
                                  min(gaps) if gaps else None))
        for excess, host, w, rate, gap in sorted(worst, reverse=True)[:8]:
            print(f"  {label} over: {host} W={w}s rate={rate}/s excess={excess:.2f} "
                  f"smallest gap={gap}s", flush=True)
        bands: dict[str, list[float]] = {}  # where the shortfall is: utilisation by site rate
        for host, rate in rates.items():
            band = "<0.1/s" if rate < 0.1 else "0.1-0.5/s" if rate < 0.5 else ">=0.5/s"
            got = sum(1 for r in window if r["site"] == host) / span
            pair = bands.setdefault(band, [0.0, 0.0])
            pair[0] += got
            pair[1] += rate
        results[label] = {
            "achieved_rps": round(achieved, 2),
            "utilisation_by_rate": {b: round(g / c, 3) for b, (g, c) in sorted(bands.items())},
            "sum_of_caps_rps": round(sum(rates.values()), 2),
            "utilisation": round(achieved / sum(rates.values()), 3),
            "violating_site_windows": violations,
        }
        if polite:
            results[label]["budget_stats"] = {k: int(v) for k, v in budget_stats.items()}
        print(label, results[label], flush=True)
    return results


# -- 2. overhead when the budget does not bind ------------------------------------
def overhead(args: argparse.Namespace) -> dict[str, Any]:
    results = {}
    for nsites in (1, 200):
        per_site = args.pages // nsites
        sites = [SiteSpec(f"site{i}.com", pages=per_site) for i in range(nsites)]
        ratios, rates = [], {"politecrawl": [], "plain Scrapy": []}
        cpu: dict[str, list[float]] = {"politecrawl": [], "plain Scrapy": []}
        for _ in range(args.pairs):
            pair = {}
            for label, polite in (("politecrawl", True), ("plain Scrapy", False)):
                with SandboxWeb(sites) as web, tempfile.TemporaryDirectory() as tmp:
                    settings = {"CONCURRENT_REQUESTS": "16", "ROBOTSTXT_OBEY": "True"}
                    if polite:
                        settings |= {"POLITECRAWL_DEFAULT_DAILY_REQUESTS": "1e12",
                                     "POLITECRAWL_MAX_SITE_RATE": "10000",
                                     "POLITECRAWL_BURST": "1000"}
                    started = time.time()
                    before = resource.getrusage(resource.RUSAGE_CHILDREN)
                    proc = crawl(web, [web.url(s.host) for s in sites], settings,
                                 polite=polite, workdir=Path(tmp))
                    after = resource.getrusage(resource.RUSAGE_CHILDREN)
                    wall = time.time() - started
                    # pages only: robots.txt (both stacks) and tdmrep.json (politecrawl) are not pages
                    log = [r for r in web.requests() if r["path"] not in PROTOCOL_PATHS]
                if proc.returncode != 0:
                    raise SystemExit(proc.stderr[-3000:])
                times = sorted(r["t"] for r in log)
                pair[label] = len(log) / (times[-1] - times[0])
                rates[label].append(pair[label])
                # CPU of the crawl process (start-up included) per page: less sensitive than
                # pages/s to what else runs on the machine
                seconds = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
                cpu[label].append(seconds / len(log) * 1e3)
                print(f"{nsites} site(s) {label}: {len(log)} pages, {pair[label]:.0f} pages/s, "
                      f"crawler CPU {cpu[label][-1]:.2f} ms/page (wall {wall:.1f} s)", flush=True)
            ratios.append(pair["politecrawl"] / pair["plain Scrapy"])
        results[f"{nsites} site(s)"] = {
            "politecrawl_pages_per_s": round(statistics.median(rates["politecrawl"])),
            "plain_scrapy_pages_per_s": round(statistics.median(rates["plain Scrapy"])),
            "ratio_median": round(statistics.median(ratios), 3),
            "ratios": [round(r, 3) for r in ratios],
            "politecrawl_cpu_ms_per_page": round(statistics.median(cpu["politecrawl"]), 2),
            "plain_scrapy_cpu_ms_per_page": round(statistics.median(cpu["plain Scrapy"]), 2),
            "cpu_ratio_plain_over_politecrawl": round(
                statistics.median(cpu["plain Scrapy"]) / statistics.median(cpu["politecrawl"]), 3),
        }
        print(results[f"{nsites} site(s)"], flush=True)
    return results


# -- 3. scale of the ledger --------------------------------------------------------
def ledger(args: argparse.Namespace) -> dict[str, Any]:
    from politecrawl.budget import BudgetLedger, BudgetSettings  # noqa: PLC0415
    from politecrawl.pacing import Pacer  # noqa: PLC0415
    from politecrawl.state import MemoryStateStore, SQLiteStateStore  # noqa: PLC0415

    results = {}
    hosts = [f"site{i}.com" for i in range(args.sites)]
    origins = [f"http://{h}:80" for h in hosts]
    # "sqlite" is the default (takes written behind, at most POLITECRAWL_LEDGER_BATCH unwritten);
    # "sqlite write-through" writes every take at once (POLITECRAWL_LEDGER_BATCH = 0)
    for label in ("memory", "sqlite", "sqlite write-through"):
        with tempfile.TemporaryDirectory() as tmp:
            store = (MemoryStateStore() if label == "memory" else
                     SQLiteStateStore(Path(tmp) / "s.db", batch=0 if "through" in label else 32))
            tracemalloc.start()
            before = tracemalloc.get_traced_memory()[0]
            book = BudgetLedger(store, {}, BudgetSettings(default_daily_requests=1e9,
                                                          max_site_rate=1e6, burst=1e6))
            pacer = Pacer(book)
            now = time.time()
            for host, origin in zip(hosts, origins):
                pacer.acquire(host, origin, now)
            after = tracemalloc.get_traced_memory()[0]
            tracemalloc.stop()
            n = 20_000
            picks = [random.randrange(len(hosts)) for _ in range(n)]
            started, cpu = time.perf_counter(), time.process_time()
            for i in picks:
                pacer.acquire(hosts[i], origins[i], now)
            per_call = (time.perf_counter() - started) / n
            results[label] = {
                "bytes_per_site": round((after - before) / len(hosts)),
                "decision_us": round(per_call * 1e6, 1),
                "decision_cpu_us": round((time.process_time() - cpu) / n * 1e6, 1),
            }
            store.close()
            if label == "sqlite write-through":
                results[label]["write_floor_us"] = _sqlite_write_floor(Path(tmp) / "floor.db", n)
            print(label, results[label], flush=True)
    return results


def _sqlite_write_floor(path: Path, n: int) -> float:
    """What one durable write costs on this machine, same settings: a one-row UPDATE of a
    ten-row table in its own transaction (the floor under any per-token SQLite ledger)."""
    import sqlite3  # noqa: PLC0415

    db = sqlite3.connect(str(path), isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("CREATE TABLE t (k INTEGER PRIMARY KEY, v REAL)")
    db.executemany("INSERT INTO t VALUES (?, 0)", [(i,) for i in range(10)])
    started = time.perf_counter()
    for i in range(n):
        db.execute("UPDATE t SET v = v + 1 WHERE k = ?", (i % 10,))
    floor = (time.perf_counter() - started) / n
    db.close()
    return round(floor * 1e6, 1)


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="which", required=True)
    u = sub.add_parser("utilisation")
    u.add_argument("--sites", type=int, default=500)
    u.add_argument("--seconds", type=int, default=60)
    o = sub.add_parser("overhead")
    o.add_argument("--pages", type=int, default=20_000)
    o.add_argument("--pairs", type=int, default=3)
    g = sub.add_parser("ledger")
    g.add_argument("--sites", type=int, default=100_000)
    args = parser.parse_args()
    result = {"utilisation": utilisation, "overhead": overhead, "ledger": ledger}[args.which](args)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
