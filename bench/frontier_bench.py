"""Frontier memory, open files and speed: N queued URLs over K origins, through Scrapy's scheduler.

    .venv/bin/python bench/frontier_bench.py [--urls 1000000] [--origins 100000] [--stacks disk,scrapy,memory]
        [--requests crawl|plain] [--traced]

Each stack runs in a fresh process, twice: once with one URL per origin (K
URLs) and once with N URLs over the same K origins. Memory is the process's
resident set after the pushes minus before them (the scheduler open, one
request pushed and popped; it includes every cache the pushes fill, such as
politecrawl's site-key caches, bounded at 8,192 hosts and 1,024 URLs each); from the two runs, bytes per queued URL =
(RSS_N - RSS_K) / (N - K) and bytes per origin = (RSS_K - K x bytes per URL) / K.
CPU seconds of the calls (the machine is shared): pushes go through ``Scheduler.enqueue_request`` (dupefilter, then the queue),
pops through ``next_request`` and, for the disk frontier, the request's finish
(as the engine does: one commit per finished request). URLs are pushed round
robin over the origins; the requests are built outside the timed loops.
``--requests`` says how: ``crawl`` (the default) as a crawl's links reach the
scheduler, ``depth`` in meta as Scrapy's ``DepthMiddleware`` sets it and a
``Referer`` header as its ``RefererMiddleware`` adds it (``headers.setdefault``,
the linking page of the same origin); ``plain``: ``Request(url)``, every other
field at Scrapy's default (the disk frontier stores such a request as nothing).
``--traced`` adds, per stack, a run of K URLs under tracemalloc (not timed): Python's bytes per origin,
in all and by source file, so the frontier's own structures can be told from the process's.

Stacks:

* ``disk``: politecrawl with ``JOBDIR`` (the paced frontier over one SQLite file, fingerprints in it).
* ``memory``: politecrawl without ``JOBDIR`` (per-origin Scrapy memory queues, fingerprints in memory).
* ``scrapy``: plain Scrapy with ``JOBDIR``, at its best for this: ``ScrapyPriorityQueue`` (one
  ``PickleLifoDiskQueue`` per priority, not one per domain as the default
  ``DownloaderAwarePriorityQueue`` keeps) and ``RFPDupeFilter`` (fingerprints in memory and in
  ``requests.seen``).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

STACKS = ("disk", "scrapy", "memory")


def _rss() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS")


def _open_files() -> int:
    return len(os.listdir("/proc/self/fd"))


def _scheduler(stack: str, folder: str):
    from scrapy import Spider  # noqa: PLC0415
    from scrapy.core.scheduler import Scheduler  # noqa: PLC0415
    from scrapy.utils.test import get_crawler  # noqa: PLC0415

    settings: dict = {"LOG_ENABLED": False}
    if stack in ("disk", "memory"):
        from politecrawl.middlewares.addon import SETTINGS  # noqa: PLC0415

        settings.update(SETTINGS)  # the add-on's queue and dupefilter, without starting a crawl
        settings.update({"POLITECRAWL_CONTACT": "https://example.org/bench", "POLITECRAWL_STATE": "memory://"})
    else:
        settings["SCHEDULER_PRIORITY_QUEUE"] = "scrapy.pqueues.ScrapyPriorityQueue"
    if stack in ("disk", "scrapy"):
        settings["JOBDIR"] = folder
    crawler = get_crawler(Spider, settings_dict=settings)
    spider = Spider("bench")
    crawler.spider = spider
    scheduler = Scheduler.from_crawler(crawler)
    scheduler.open(spider)
    return scheduler


def _finisher(scheduler):
    store = getattr(scheduler.dqs, "store", None) if scheduler.dqs is not None else None
    return getattr(store, "finished", None)


#: Requests built at a time, outside the timed loop.
CHUNK = 1_000


#: How ``--requests`` builds them.
SHAPES = ("crawl", "plain")


def _request(request_cls, i: int, origins: int, shape: str = "crawl"):
    origin, page = i % origins, i // origins
    home = f"http://o{origin}.example{origin % 1000}.com/"
    request = request_cls(f"{home}p/{page}")
    if shape == "crawl":  # as Scrapy's spider middlewares leave a link found on page page // 10 of the origin
        parent = page // 10
        request.meta["depth"] = 1 + (parent.bit_length() if parent else 0)  # DepthMiddleware: the parent's + 1
        request.headers.setdefault("Referer", f"{home}p/{parent}" if parent else home)  # RefererMiddleware
    return request


def _traced_by_file(before: tracemalloc.Snapshot) -> tuple[int, list[tuple[str, int]]]:
    """Python allocations made since *before*: in all, and the eight largest by source file."""
    diff = tracemalloc.take_snapshot().compare_to(before, "filename")
    top = [("/".join(Path(d.traceback[0].filename).parts[-2:]), d.size_diff) for d in diff[:8]]
    return sum(d.size_diff for d in diff), top


def child(stack: str, urls: int, origins: int, traced: bool = False, shape: str = "crawl") -> dict:
    from scrapy import Request  # noqa: PLC0415

    folder = tempfile.mkdtemp(prefix=f"frontier-bench-{stack}-")
    scheduler = _scheduler(stack, folder)
    finished = _finisher(scheduler)
    warm = Request("http://warm.example.org/")
    scheduler.enqueue_request(warm)
    got = scheduler.next_request()
    if finished is not None:
        finished(got)
    before = _rss()
    if traced:  # allocations by source, not timed: tracemalloc slows every allocation
        tracemalloc.start()
        snapshot = tracemalloc.take_snapshot()
    clock = time.process_time  # CPU time: the machine is shared, wall time is not this process's
    push_s = 0.0
    for start in range(0, urls, CHUNK):  # requests built outside the timed loop
        chunk = [_request(Request, i, origins, shape) for i in range(start, min(urls, start + CHUNK))]
        t = clock()
        for request in chunk:
            scheduler.enqueue_request(request)
        push_s += clock() - t
    del chunk
    after = _rss()
    traced_total, traced_top = _traced_by_file(snapshot) if traced else (0, [])
    tracemalloc.stop()
    files = _open_files()
    disk = sum(p.stat().st_size for p in Path(folder).rglob("*") if p.is_file())
    queued = len(scheduler)
    t = clock()
    popped = 0
    while (request := scheduler.next_request()) is not None:
        if finished is not None:
            finished(request)
        popped += 1
    pop_s = clock() - t
    scheduler.close("finished")
    subprocess.run(["rm", "-rf", folder], check=False)
    return {
        "stack": stack, "requests": shape, "urls": urls, "origins": origins, "queued": queued, "popped": popped,
        "rss_delta": after - before, "traced": traced_total, "traced_top": traced_top, "open_files": files, "disk_bytes": disk,
        "pushes_per_s": urls / push_s, "pops_per_s": popped / pop_s if pop_s else 0.0,
    }


def run(stack: str, urls: int, origins: int, traced: bool = False, shape: str = "crawl") -> dict:
    sys.path.insert(0, str(Path(__file__).parent))
    from run_tree import child_command  # noqa: PLC0415 - under run_tree.py, the child runs the tree's code too

    out = subprocess.run(
        [*child_command(__file__), "--child", stack, "--urls", str(urls), "--origins", str(origins),
         "--requests", shape]
        + (["--traced"] if traced else []),
        capture_output=True, text=True, check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--urls", type=int, default=1_000_000)
    parser.add_argument("--origins", type=int, default=100_000)
    parser.add_argument("--stacks", default="disk,scrapy")
    parser.add_argument("--requests", choices=SHAPES, default="crawl",
                        help="crawl: depth in meta and a Referer header, as Scrapy's spider middlewares leave a link "
                             "(default); plain: Request(url)")
    parser.add_argument("--child", choices=STACKS)
    parser.add_argument("--traced", action="store_true",
                        help="also one run per stack of --origins URLs under tracemalloc: Python's bytes per origin, by file")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.urls, args.origins, args.traced, args.requests)))
        return
    print(f"{args.urls:,} URLs over {args.origins:,} origins, {args.requests} requests")
    print("| stack | B per queued URL | B per origin | RSS at N (MiB) | open files | disk B per URL "
          "| pushes/s | pops/s (with finish) | 10 M URLs / 100 k origins, on paper (MiB) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for stack in args.stacks.split(","):
        small = run(stack, args.origins, args.origins, shape=args.requests)
        large = run(stack, args.urls, args.origins, shape=args.requests)
        per_url = (large["rss_delta"] - small["rss_delta"]) / (args.urls - args.origins)
        per_origin = (small["rss_delta"] - args.origins * per_url) / args.origins
        paper = (10_000_000 * per_url + 100_000 * per_origin) / 2**20
        print(f"| {stack} | {per_url:,.0f} | {per_origin:,.0f} | {large['rss_delta'] / 2**20:,.0f} "
              f"| {large['open_files']} | {large['disk_bytes'] / args.urls:,.0f} "
              f"| {large['pushes_per_s']:,.0f} | {large['pops_per_s']:,.0f} | {paper:,.0f} |", flush=True)
        print(f"<!-- {stack}: K run {json.dumps(small)}; N run {json.dumps(large)} -->", flush=True)
        if args.traced:
            traced = run(stack, args.origins, args.origins, traced=True, shape=args.requests)
            top = ", ".join(f"{name} {size / args.origins:,.0f}" for name, size in traced["traced_top"])
            print(f"<!-- {stack}: tracemalloc, {args.origins:,} URLs over as many origins: "
                  f"{traced['traced'] / args.origins:,.0f} B per origin in Python objects; by file: {top} -->", flush=True)


if __name__ == "__main__":
    main()
