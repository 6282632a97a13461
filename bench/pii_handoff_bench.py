"""What handing each item to the personal-data filter's worker thread costs (issue 16).

The item processor (`politecrawl.middlewares.items.pii.PIIItemProcessor`) filters every item in one worker thread
so that no item can hold the reactor.  This measures, on a running Twisted reactor, the same small item filtered
inline (`_run`, what the processor did before) and through the worker (`_in_worker`: submit, filter, callFromThread
back), one item at a time, in interleaved rounds; it prints per-item wall times and their ratio, the median over
the rounds.

    .venv/bin/python bench/pii_handoff_bench.py --items 3000 --rounds 7
"""

from __future__ import annotations

import argparse
import statistics
import time

from scrapy.utils.test import get_crawler
from twisted.internet import defer, reactor

from politecrawl.middlewares.items.pii import PIIItemProcessor

ITEM = {"url": "http://a.example.com/p/1", "title": "a page about polite crawling", "stars": 5}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    crawler = get_crawler(settings_dict={})
    crawler.stats.open_spider()
    proc = PIIItemProcessor(crawler=crawler)
    rows: list[tuple[float, float]] = []

    @defer.inlineCallbacks
    def run():  # type: ignore[no-untyped-def]
        yield defer.ensureDeferred(proc._in_worker(dict(ITEM)))  # the detectors' dictionaries load once
        for _ in range(args.rounds):
            t = time.perf_counter()
            for _ in range(args.items):
                proc._run(dict(ITEM))
            inline = (time.perf_counter() - t) / args.items * 1e6
            t = time.perf_counter()
            for _ in range(args.items):
                yield defer.ensureDeferred(proc._in_worker(dict(ITEM)))
            worker = (time.perf_counter() - t) / args.items * 1e6
            rows.append((inline, worker))
            print(f"inline {inline:8.1f} us/item   via the worker {worker:8.1f} us/item   ratio {worker / inline:.2f}")
        reactor.stop()

    reactor.callWhenRunning(run)
    reactor.run()
    inline = statistics.median(r[0] for r in rows)
    worker = statistics.median(r[1] for r in rows)
    ratio = statistics.median(r[1] / r[0] for r in rows)
    print(f"median over {len(rows)} rounds of {args.items} items: inline {inline:.1f} us, via the worker "
          f"{worker:.1f} us, hand-off {worker - inline:+.1f} us/item, ratio {ratio:.2f}")


if __name__ == "__main__":
    main()
