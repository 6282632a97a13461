"""Peak memory and bytes read beside hostile sites: politecrawl against plain Scrapy, same run.

    .venv/bin/python bench/hostile_bench.py [--robots-mb 200] [--tdmrep-mb 200]

Sites (the sandbox web): a robots.txt that streams --robots-mb MB (a stand-in for an
endless one: plain Scrapy would read an endless one to its 1 GiB DOWNLOAD_MAXSIZE), a
tdmrep.json of --tdmrep-mb MB, a gzip bomb page (200 MB of zeros, ~200 KB on the wire)
and a plain site. Each crawler runs in its own process; its peak resident memory is
/proc/self/status VmHWM at exit (tests/peak_rss.py), and the bytes each protocol fetch
cost are what the sandbox's log says it wrote. Plain Scrapy obeys robots.txt
(ROBOTSTXT_OBEY) and does not fetch tdmrep.json.
"""

from __future__ import annotations

import argparse
import base64
import gzip
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from politecrawl.sandbox import SandboxWeb, SiteSpec

REPO = Path(__file__).resolve().parent.parent
MIB = 1024 * 1024
CONTACT = "https://example.org/politecrawl-bench"


def sites(robots_mb: int, tdmrep_mb: int) -> list[SiteSpec]:
    bomb = gzip.compress(b"\0" * (200 * MIB), compresslevel=9)
    return [
        SiteSpec("endless.test", pages=6, routes={"/robots.txt": {
            "stream_bytes": robots_mb * MIB, "body": "# " + "x" * 77 + "\n"}}),
        SiteSpec("huge.test", pages=4, routes={"/.well-known/tdmrep.json": {
            "stream_bytes": tdmrep_mb * MIB, "body": " "}}),
        SiteSpec("bomb.test", pages=3, routes={"/p/1": {
            "body_b64": base64.b64encode(bomb).decode(), "headers": {"Content-Encoding": "gzip"}}}),
        SiteSpec("plain.test", pages=10),
    ]


def run(web: SandboxWeb, urls: list[str], *, polite: bool, workdir: Path) -> tuple[float, float]:
    """One crawl; (peak RSS MiB, seconds)."""
    settings = {**web.settings(), "LOG_LEVEL": "WARNING", "TELNETCONSOLE_ENABLED": "False"}
    runner = [sys.executable, str(REPO / "tests" / "peak_rss.py")]
    if polite:
        settings |= {"POLITECRAWL_CONTACT": CONTACT, "POLITECRAWL_STATE": f"sqlite:///{workdir / 'state.db'}",
                     "POLITECRAWL_DEFAULT_DAILY_REQUESTS": "1e12", "POLITECRAWL_MAX_SITE_RATE": "1000",
                     "POLITECRAWL_BURST": "50"}
        args = [*runner, "crawl", *urls]
    else:
        spider = workdir / "plain_spider.py"
        spider.write_text("from politecrawl.spiders.generic import GenericSpider\n\n\n"
                          "class PlainSpider(GenericSpider):\n    name = 'plain'\n")
        settings |= {"ROBOTSTXT_OBEY": "True"}
        args = [*runner, "--scrapy", "runspider", str(spider), "-a", "urls=" + ",".join(urls)]
    for name, value in settings.items():
        args += ["-s", f"{name}={value}"]
    import time

    started = time.time()
    proc = subprocess.run(args, cwd=workdir, capture_output=True, text=True, timeout=1800)
    elapsed = time.time() - started
    line = [ln for ln in proc.stderr.splitlines() if ln.startswith("PEAK_RSS_KIB ")]
    if not line:
        raise SystemExit(f"no peak memory line; exit {proc.returncode}:\n{proc.stderr[-3000:]}")
    return int(line[-1].split()[1]) / 1024, elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--robots-mb", type=int, default=200)
    parser.add_argument("--tdmrep-mb", type=int, default=200)
    args = parser.parse_args()
    out = {}
    for label, polite in (("politecrawl", True), ("plain Scrapy", False)):
        with SandboxWeb(sites(args.robots_mb, args.tdmrep_mb)) as web, tempfile.TemporaryDirectory() as tmp:
            urls = [web.url(s) for s in ("endless.test", "huge.test", "bomb.test", "plain.test")]
            peak, seconds = run(web, urls, polite=polite, workdir=Path(tmp))
            log = web.requests()
            read = {f"{r['site']}{r['path']}": r["bytes"] for r in log
                    if r["path"] in ("/robots.txt", "/.well-known/tdmrep.json") and r["site"] != "plain.test"}
            out[label] = {"peak_rss_mib": round(peak), "seconds": round(seconds, 1),
                          "requests": len(log), "protocol_bytes_written": read}
    out["ratio_peak_rss_plain_over_politecrawl"] = round(
        out["plain Scrapy"]["peak_rss_mib"] / out["politecrawl"]["peak_rss_mib"], 2)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
