"""CPU per page of the full politecrawl stack against plain Scrapy (issue 21). Results: docs/benchmarks.md.

    .venv/bin/python bench/speed_bench.py [--pages 20000] [--pairs 3] [--concurrency 32] [--sites 1,200] [--text cjk]
        [--profile DIR] [--base PYTHON] [--base-setting NAME=VALUE ...] [--arms politecrawl,plain,plain tuned]

Budgets slack (they never bind). Three crawls per round, their order rotated round to round:

- ``politecrawl``: ``politecrawl crawl`` with the add-on's defaults (robots.txt,
  tdmrep.json, budget, stops, reservations, personal-data filter, audit);
- ``plain``: plain Scrapy at its defaults (``ROBOTSTXT_OBEY = True``);
- ``plain tuned``: plain Scrapy with the settings the add-on sets for speed
  (``TUNED``), which any Scrapy user could copy.

All run ``GenericSpider`` with the same ``CONCURRENT_REQUESTS``, write the same
JSON-lines feed, ``LOG_LEVEL = WARNING``, telnet off. Pages are counted by the
sandbox's own log (robots.txt and tdmrep.json are not pages). CPU (user + system)
and peak RSS are those of the crawl process (``os.wait4``), start-up included.
Each page's answer also says whether it came on a reused connection (the sandbox
counts requests per connection): "connections/page" is new connections per page.

``--base PYTHON`` adds a fourth crawl to each round, ``politecrawl base``: the politecrawl arm run by another
checkout's interpreter (a venv whose editable install points at, say, main), so that a change is measured against
its base in the same rounds; the JSON then also has the ratios politecrawl / base. ``--base-setting NAME=VALUE``
(repeatable) gives the base arm these settings too (with or without ``--base``: without, the base arm is this
checkout), so that a setting's effect is measured in one checkout. ``--arms`` picks the crawls.

``--profile DIR`` runs each crawl under ``py-spy record`` (``pip install py-spy``;
250 Hz, every thread, collapsed stacks ``DIR/<sites>-<arm>-<round>.txt``, with
``--gil`` only samples holding the GIL, i.e. Python CPU): the CPU figures then include
py-spy's own, so read shares from the profiles, not the bench's milliseconds.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from politecrawl.sandbox import PROTOCOL_PATHS, SandboxWeb, SiteSpec

CONTACT = "https://example.org/politecrawl-bench"

#: What the add-on sets for speed that plain Scrapy can be given as settings.
TUNED: dict[str, str] = {
    "CONCURRENT_ITEMS": "10",
    "FEED_EXPORTERS": json.dumps({"jsonlines": "politecrawl.middlewares.items.feed.OrjsonLinesItemExporter"}),
}

ARMS = ("politecrawl", "plain", "plain tuned")
BASE = "politecrawl base"

#: ``--text``: what each page holds beside the sandbox's English text (``cjk`` makes the personal-data filter load
#: jieba and both MeCab taggers, which a Latin-script crawl never loads).
TEXTS: dict[str, str] = {
    "latin": "",
    "cjk": "<p>张伟说：你好，欢迎光临本店。</p><p>田中さんに会った。</p><p>김민준 씨가 왔다.</p>",
}


def run_crawl(web: SandboxWeb, urls: list[str], arm: str, workdir: Path, concurrency: int,
              profile: Path | None = None, python: str = sys.executable,
              base_settings: dict[str, str] | None = None) -> dict[str, Any]:
    settings = {
        **web.settings(),
        "LOG_LEVEL": "WARNING",
        "TELNETCONSOLE_ENABLED": "False",
        "CONCURRENT_REQUESTS": str(concurrency),
    }
    feed = workdir / "items.jsonl"
    if arm in ("politecrawl", BASE):
        settings |= {"POLITECRAWL_CONTACT": CONTACT,
                     "POLITECRAWL_STATE": f"sqlite:///{workdir / 'state.db'}",
                     "POLITECRAWL_DEFAULT_DAILY_REQUESTS": "1e12",
                     "POLITECRAWL_MAX_SITE_RATE": "10000",
                     "POLITECRAWL_BURST": "1000"}
        if arm == BASE:
            settings |= base_settings or {}
        args = [python if arm == BASE else sys.executable, "-m", "politecrawl.cli", "crawl", *urls, "-O", str(feed)]
    else:
        settings |= {"ROBOTSTXT_OBEY": "True", "FEEDS": json.dumps({str(feed): {"format": "jsonlines"}})}
        if arm == "plain tuned":
            settings |= TUNED
        spider = workdir / "plain_spider.py"
        spider.write_text("from politecrawl.spiders.generic import GenericSpider\n\n\n"
                          "class PlainSpider(GenericSpider):\n    name = 'plain'\n")
        args = [sys.executable, "-m", "scrapy", "runspider", str(spider), "-a", "urls=" + ",".join(urls)]
    for name, value in settings.items():
        args += ["-s", f"{name}={value}"]
    if profile is not None:
        py_spy = Path(sys.executable).with_name("py-spy")
        args = [str(py_spy), "record", "--rate", "250", "--gil", "--threads", "--format", "raw", "-o", str(profile),
                "--", *args]
    started = time.time()
    with (workdir / "stderr.txt").open("w+") as err:
        proc = subprocess.Popen(args, cwd=workdir, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)  # the crawl process's own CPU and peak RSS
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        stderr = err.read()
    return {"returncode": proc.returncode, "stderr": stderr, "wall": time.time() - started,
            "cpu": usage.ru_utime + usage.ru_stime, "sys": usage.ru_stime, "rss_mb": usage.ru_maxrss / 1024,
            "items": sum(1 for _ in feed.open()) if feed.exists() else 0}


def _measure(args: argparse.Namespace, nsites: int) -> dict[str, Any]:
    per_site = args.pages // nsites
    sites = [SiteSpec(f"site{i}.com", pages=per_site, body_extra=TEXTS[args.text]) for i in range(nsites)]
    arms = args.arms
    rows: dict[str, dict[str, list[float]]] = {a: {"cpu": [], "rate": [], "rss": [], "conns": []} for a in arms}
    for round_ in range(args.pairs):
        k = round_ % len(arms)
        order = arms[k:] + arms[:k]
        for arm in order:
            with SandboxWeb(sites) as web, tempfile.TemporaryDirectory() as tmp:
                profile = (args.profile / f"{nsites}-{arm.replace(' ', '_')}-{round_}.txt") if args.profile else None
                result = run_crawl(web, [web.url(s.host) for s in sites], arm, Path(tmp), args.concurrency, profile,
                                   python=args.base or sys.executable, base_settings=args.base_settings)
                every = web.requests()
                log = [r for r in every if r["path"] not in PROTOCOL_PATHS]
            if result["returncode"] != 0:
                raise SystemExit(f"{arm}: exit {result['returncode']}\n{result['stderr'][-3000:]}")
            times = sorted(r["t"] for r in log)
            rate = len(log) / (times[-1] - times[0])
            cpu = result["cpu"] / len(log) * 1e3
            rows[arm]["cpu"].append(cpu)
            rows[arm]["rate"].append(rate)
            rows[arm]["rss"].append(result["rss_mb"])
            conns = sum(1 for r in every if not r.get("reused")) / len(log)
            rows[arm]["conns"].append(conns)
            print(f"{nsites} site(s) {arm}: {len(log)} pages, {result['items']} items, {rate:.0f} pages/s, "
                  f"CPU {cpu:.2f} ms/page (system {result['sys'] / len(log) * 1e3:.2f}), peak RSS {result['rss_mb']:.0f} MB, {conns:.3f} connections/page (wall {result['wall']:.1f} s, "
                  f"load {os.getloadavg()[0]:.1f})", flush=True)
    med = {a: {k: statistics.median(v) for k, v in rows[a].items()} for a in arms}
    out: dict[str, Any] = {
        "cpu_ms_per_page": {a: round(med[a]["cpu"], 2) for a in arms},
        "pages_per_s": {a: round(med[a]["rate"]) for a in arms},
        "peak_rss_mb": {a: round(med[a]["rss"]) for a in arms},
        "connections_per_page": {a: round(med[a]["conns"], 3) for a in arms},
    }
    if "politecrawl" not in arms:
        return out
    pc = rows["politecrawl"]["cpu"]
    for other, name in (("plain", "plain"), ("plain tuned", "plain_tuned"), (BASE, "base")):
        if other in arms:
            out[f"cpu_ratio_vs_{name}"] = round(med["politecrawl"]["cpu"] / med[other]["cpu"], 3)
            out[f"cpu_ratios_of_rounds_vs_{name}"] = [round(p / q, 3) for p, q in zip(pc, rows[other]["cpu"])]
    if BASE in arms:
        out["rss_ratios_of_rounds_vs_base"] = [round(p / q, 3) for p, q in zip(rows["politecrawl"]["rss"],
                                                                                rows[BASE]["rss"])]
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=20_000)
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--sites", default="1,200")
    parser.add_argument("--text", choices=sorted(TEXTS), default="latin")
    parser.add_argument("--profile", type=Path, default=None, help="py-spy profiles of each crawl into this directory")
    parser.add_argument("--base", default=None, help="another checkout's Python: adds the arm 'politecrawl base'")
    parser.add_argument("--base-setting", action="append", default=[], metavar="NAME=VALUE",
                        help="a setting of the base arm only (repeatable)")
    parser.add_argument("--arms", default=",".join(ARMS), help="comma-separated: " + ", ".join((*ARMS, BASE)))
    args = parser.parse_args()
    args.arms = tuple(a.strip() for a in args.arms.split(",") if a.strip())
    if any("=" not in s for s in args.base_setting):
        parser.error("--base-setting: NAME=VALUE")
    args.base_settings = dict(s.split("=", 1) for s in args.base_setting)
    if (args.base or args.base_settings) and BASE not in args.arms:
        args.arms += (BASE,)
    unknown = set(args.arms) - {*ARMS, BASE}
    if unknown or (BASE in args.arms and not (args.base or args.base_settings)):
        parser.error(f"--arms: unknown {sorted(unknown)} or '{BASE}' without --base")
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
    results = {f"{n} site(s)": _measure(args, n) for n in (int(s) for s in args.sites.split(","))}
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
