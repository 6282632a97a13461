"""Where a crawl's CPU goes, by layer, from the py-spy profiles of ``bench/speed_bench.py --profile DIR``.

    .venv/bin/python bench/speed_layers.py DIR/1-politecrawl-0.txt DIR/1-plain_tuned-0.txt [--ms-per-page 2.5 1.7]
        [--top 25] [--stages]

Each sample (collapsed stacks, ``py-spy record --format raw --gil``: only samples holding the GIL) goes to
one owner: the innermost frame that is politecrawl's own code, the spider, Scrapy, Twisted or the asyncio
loop; standard-library and other third-party frames (lxml, w3lib, sqlite3, json ...) go to the owner that
called them.  Samples taken before the reactor ran are "start-up" and after it stopped "shut-down".
With ``--ms-per-page`` (the bench's CPU ms/page of the same crawl, measured without the profiler) each
share is also given in ms/page.  ``--top`` lists the innermost owner functions with the most samples.
``--stages`` counts each sample instead by the stage of a page's way through the crawl that it is in (the
first of :data:`STAGES` any frame of its stack matches): the HTTP client, the spider callback, the spider
middlewares and the scheduling of what the callback yields, the downloader middlewares ...
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

FRAME = re.compile(r"^(?P<func>.*) \((?P<file>[^:()]*):\d+\)$")
REACTOR = ("run_forever (asyncio/base_events.py", "AsyncioSelectorReactor.run", "EPollReactor.run")


#: (stage, substrings of a frame): a sample belongs to the first stage any frame of its stack holds.
STAGES: list[tuple[str, tuple[str, ...]]] = [
    ("imports", ("_find_and_load ",)),
    ("personal-data filter (its worker thread)", ("Worker._work ",)),
    ("spider callback (GenericSpider: lxml text, links, Requests)", ("GenericSpider.parse ", "GenericSpider._sitemaps_of")),
    ("items: personal-data glue, pipelines, feed export, item_scraped", (
        "Scraper.start_itemproc", "Scraper._itemproc_finished", "FeedExporter", "export_item", "PIIItemProcessor")),
    ("spider middlewares and scheduling what the callback yields", (
        "SpiderMiddlewareManager", "process_spider_output", "Scraper.handle_spider_output", "_parallel_asyncio",
        "ExecutionEngine.crawl ", "ExecutionEngine._schedule_request")),
    ("frontier pop (admission, pacing, budget)", (
        "ExecutionEngine._start_scheduled_request", "ExecutionEngine._next_request", "Scheduler.next_request")),
    ("downloader middlewares: responses", ("DownloaderMiddlewareManager._process_response",)),
    ("downloader middlewares: requests", ("DownloaderMiddlewareManager._process_request",)),
    ("HTTP client (Twisted's, Scrapy's handler)", ("twisted/web/", "handlers/http11.py", "DownloadHandlers.download_request")),
    ("response to the scraper, signals", ("Scraper.", "ExecutionEngine._handle_downloader_output",
                                          "ExecutionEngine._download", "send_catch_log")),
    ("reactor and asyncio loop (sockets, timers, tasks)", ("asyncio", "twisted/internet")),
]


def stage(stack: str) -> str:
    for name, parts in STAGES:
        if any(part in stack for part in parts):
            return name
    return "other (start-up, shut-down, settings)"


def owner(path: str) -> str | None:
    if path.startswith(("politecrawl/spiders/", "spiders/")):
        return "spider"
    if path.startswith(("politecrawl/", "middlewares/")) and not path.startswith(("politecrawl/cli/",)):
        if "/pii/" in path or path.startswith("middlewares/items/pii"):
            return "politecrawl: personal-data filter"
        return "politecrawl: other layers"
    if path.startswith("scrapy/"):
        if path.startswith("scrapy/core/downloader/handlers/"):
            return "Scrapy: HTTP handler"
        return "Scrapy"
    if path.startswith("twisted/web/"):
        return "Twisted: HTTP client"
    if path.startswith("twisted/"):
        return "Twisted: reactor, Deferreds, sockets"
    if path.startswith("asyncio/"):
        return "asyncio loop"
    if path.startswith("concurrent/futures") or path in ("threading.py", "queue.py"):
        return "threads (futures, queues, locks)"
    return None


def classify(line: str) -> tuple[str, str, int]:
    stack, _, count = line.rstrip("\n").rpartition(" ")
    frames = stack.split(";")
    in_reactor = any(f.startswith(REACTOR) for f in frames)
    main = frames[0].endswith("MainThread")
    who, func = "other", frames[-1]
    for frame in reversed(frames[1:]):
        m = FRAME.match(frame)
        if m and (o := owner(m["file"])) is not None:
            who, func = o, frame
            break
    if any(f.startswith("_find_and_load ") for f in frames):
        who = "imports"
    elif main and not in_reactor:
        who = "start-up and shut-down (settings, preflight, reports)"
    return who, func, int(count)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("profiles", nargs="+", type=Path)
    parser.add_argument("--ms-per-page", nargs="*", type=float, default=[])
    parser.add_argument("--top", type=int, default=0)
    parser.add_argument("--stages", action="store_true", help="by stage of a page's way, not by owner")
    args = parser.parse_args()
    for i, path in enumerate(args.profiles):
        layers: Counter[str] = Counter()
        funcs: Counter[str] = Counter()
        for line in path.open():
            if line.strip() and args.stages:
                layers[stage(line.rpartition(" ")[0])] += int(line.rpartition(" ")[2])
            elif line.strip():
                who, func, n = classify(line)
                layers[who] += n
                funcs[f"{who} | {func}"] += n
        total = sum(layers.values())
        ms = args.ms_per_page[i] if i < len(args.ms_per_page) else None
        print(f"\n{path.name}: {total} samples holding the GIL")
        for who, n in layers.most_common():
            extra = f"  {ms * n / total:5.2f} ms/page" if ms else ""
            print(f"  {n / total:6.1%}{extra}  {who}")
        for func, n in funcs.most_common(args.top):
            print(f"    {n / total:6.1%}  {func}")


if __name__ == "__main__":
    main()
