"""Pages/s: ``politecrawl crawl`` with the robots middlewares vs plain Scrapy (ROBOTSTXT_OBEY=False).

Same sandbox web, same pages, same concurrency, same CONCURRENT_ITEMS, runs
interleaved (A, B, C, A, B, C, ...), the median of N per arm:

* ``scrapy``      plain Scrapy, the generic spider, ``ROBOTSTXT_OBEY = False``
* ``politecrawl`` ``politecrawl crawl`` (Addon: core, identity, paced frontier,
                  robots.txt + page-level robots middlewares; the budget is
                  turned off with ``POLITECRAWL_BUDGET_ENABLED = False``)
* ``no-robots``   the same, with the two robots middlewares taken out of the
                  Addon (to separate the robots cost from the rest of the stack)

Pages/s = page requests the sandbox saw (robots.txt left out) divided by the
time from the first to the last request of the run (the sandbox's clock), so
Python start-up is not counted.

    python bench/robots_bench.py [--sites 20] [--pages 100] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from politecrawl.sandbox import SandboxWeb, SiteSpec

CONTACT = "https://example.org/politecrawl-bench"
ROBOTS = "User-agent: *\nDisallow: /private/\nDisallow: /*.pdf$\nAllow: /\n"
COMMON = {
    "CONCURRENT_REQUESTS": 16,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
    "CONCURRENT_ITEMS": 10,
    "LOG_LEVEL": "INFO",
    "TELNETCONSOLE_ENABLED": False,
}

# politecrawl without its robots parts: RobotsTxtMiddleware out of the request gates, and ReservedItems
# alone in place of the page middleware (which also runs the page robots directives)
NO_ROBOTS = (
    "import sys, politecrawl.middlewares.addon as a, politecrawl.middlewares.downloader.chain as c; "
    "c.RequestGates.PARTS = tuple(p for p in c.RequestGates.PARTS if '.robots.' not in p); "
    "a.COMPONENTS[:] = [x for x in a.COMPONENTS if '.page.' not in x[1]]"
    " + [('SPIDER_MIDDLEWARES', 'politecrawl.middlewares.spider.reserved_items.ReservedItems', 800)]; "
    "from politecrawl.cli import main; sys.exit(main(sys.argv[1:]))"
)


def env() -> dict[str, str]:
    e = dict(os.environ)
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        e.pop(name, None)
    return e


def run(arm: str, web: SandboxWeb, urls: list[str], workdir: Path) -> tuple[int, float]:
    workdir.mkdir(parents=True)
    settings = {**COMMON, **web.settings()}
    out = workdir / "items.jsonl"
    if arm == "scrapy":
        (workdir / "scrapy.cfg").write_text("[settings]\ndefault = bench_settings\n")
        (workdir / "bench_settings.py").write_text(
            'SPIDER_MODULES = ["politecrawl.spiders"]\nROBOTSTXT_OBEY = False\n'
        )
        args = [sys.executable, "-m", "scrapy", "crawl", "generic", "-a", "urls=" + " ".join(urls),
                "-o", str(out)]
        e = env()
        e["PYTHONPATH"] = str(workdir)
    else:
        settings["POLITECRAWL_CONTACT"] = CONTACT
        settings["POLITECRAWL_BUDGET_ENABLED"] = False  # robots is the only policy component on
        settings["POLITECRAWL_STATE"] = f"sqlite:///{workdir / 'state.db'}"
        head = ["-m", "politecrawl.cli"] if arm == "politecrawl" else ["-c", NO_ROBOTS]
        args = [sys.executable, *head, "crawl", *urls, "-o", str(out)]
        e = env()
    for name, value in settings.items():
        args += ["-s", f"{name}={value if isinstance(value, str) else json.dumps(value)}"]
    mark = len(web.requests())
    proc = subprocess.run(args, cwd=workdir, env=e, capture_output=True, text=True, timeout=900)
    if proc.returncode != 0:
        raise SystemExit(f"{arm} failed:\n{proc.stderr[-3000:]}")
    seen = web.requests(since=mark)
    pages = [r for r in seen if r["path"] != "/robots.txt"]
    span = max(r["t"] for r in seen) - min(r["t"] for r in seen)
    return len(pages), len(pages) / span


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sites", type=int, default=20)
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    sites = [SiteSpec(f"site{i:03d}.bench", pages=args.pages, robots=ROBOTS) for i in range(args.sites)]
    arms = ("scrapy", "politecrawl", "no-robots")
    results: dict[str, list[float]] = {arm: [] for arm in arms}
    with SandboxWeb(sites) as web, tempfile.TemporaryDirectory() as tmp:
        urls = [web.url(s.host) for s in sites]
        expected = args.sites * (args.pages + 1)
        for i in range(args.runs):
            for arm in arms:
                pages, rate = run(arm, web, urls, Path(tmp) / f"{arm}-{i}")
                if pages != expected:
                    raise SystemExit(f"{arm} run {i}: {pages} pages, expected {expected}")
                results[arm].append(rate)
                print(f"run {i + 1} {arm:12s} {pages} pages {rate:8.1f} pages/s", flush=True)
    medians = {arm: statistics.median(rates) for arm, rates in results.items()}
    print()
    print(f"{args.sites} sites x {args.pages + 1} pages, CONCURRENT_REQUESTS=16, PER_DOMAIN=8, CONCURRENT_ITEMS=10")
    for arm in arms:
        print(f"{arm:12s} median {medians[arm]:8.1f} pages/s  runs {', '.join(f'{r:.1f}' for r in results[arm])}")
    print(f"politecrawl / scrapy     = {medians['politecrawl'] / medians['scrapy']:.3f}")
    print(f"politecrawl / no-robots  = {medians['politecrawl'] / medians['no-robots']:.3f}")


if __name__ == "__main__":
    main()
