"""``politecrawl crawl``: seeds and settings checked, the generic spider run, what it left said."""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass, field
from typing import Any, TextIO
from urllib.parse import urlsplit

from ..config import PolitecrawlConfig
from ..feeds import OutputPlan, known_formats, plan_output
from ..preflight import check_settings
from ..robots import ENDED_UNREACHABLE, all_ended_unreachable
from ..sites import InvalidURL, site_key, site_or_invalid
from ..state import open_store
from .usage import EXIT_FAILED, EXIT_OK, UsageError

def seed_problems(urls: list[str]) -> tuple[list[str], list[str]]:
    """(the seeds that can be crawled, one line for each that cannot)."""
    good, bad = [], []
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            bad.append(f"{url!r} is not an http(s) URL with a host")
            continue
        try:
            site_key(url)
        except InvalidURL as exc:
            bad.append(f"{url!r}: {exc}")
            continue
        good.append(url)
    return good, bad


def check_seeds(urls: list[str], err: TextIO) -> list[str]:
    """The seeds that can be crawled; each bad one is named and skipped. None good: ``UsageError``."""
    good, bad = seed_problems(urls)
    if not good:
        raise UsageError("nothing to crawl: " + "; ".join(bad) if bad else "nothing to crawl")
    for line in bad:
        print(f"politecrawl: skipping {line}", file=err)
    return good


def parse_overrides(pairs: list[str]) -> dict[str, str]:
    settings = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"-s expects NAME=VALUE, got {pair!r}")
        settings[name.strip()] = value
    return settings


def build_settings(overrides: dict[str, Any], output: OutputPlan | None = None) -> Any:
    from scrapy.utils.project import get_project_settings  # noqa: PLC0415

    settings = get_project_settings()
    settings.set("ADDONS", {**settings.getdict("ADDONS"), "politecrawl.Addon": 100}, "cmdline")
    if output is not None:
        settings.set("FEEDS", {output.path: {"format": output.format, "overwrite": output.overwrite}},
                     "cmdline")
    settings.setdict(overrides, "cmdline")
    return settings


def output_plan(args: argparse.Namespace, overrides: dict[str, Any]) -> OutputPlan | None:
    """The ``-o``/``-O`` file, checked before the crawl: a known format, a file that can be written."""
    if not (args.output or args.overwrite_output):
        return None
    if args.output and args.overwrite_output:
        raise UsageError("give -o FILE (add to it) or -O FILE (overwrite it), not both")
    from scrapy.utils.project import get_project_settings  # noqa: PLC0415

    settings = get_project_settings()
    settings.setdict({k: v for k, v in overrides.items() if k.startswith("FEED_EXPORTERS")}, "cmdline")
    try:
        return plan_output(args.overwrite_output or args.output, known_formats(settings.get),
                           overwrite=bool(args.overwrite_output), option="-O" if args.overwrite_output else "-o")
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def preflight(settings: Any) -> None:
    """Every setting, then the state store, before Scrapy starts: ``UsageError`` with one line each."""
    problems = check_settings(settings.get, list(settings))
    if problems:
        raise UsageError(*problems)
    store = open_store(PolitecrawlConfig.from_settings(settings).state_url)
    store.close()


@dataclass
class CrawlResult:
    """What a crawl left: per-site tallies, and why it failed if it did."""

    tallies: dict[str, dict[str, int]] = field(default_factory=dict)
    failure: str = ""
    export_failures: int = 0
    warc: str = ""


def run_crawl(urls: list[str], settings: Any) -> CrawlResult:
    """Run the generic spider over *urls*."""
    from scrapy.crawler import CrawlerProcess  # noqa: PLC0415

    from ..middlewares.runtime import Runtime  # noqa: PLC0415
    from ..spiders.generic import GenericSpider  # noqa: PLC0415

    process = CrawlerProcess(settings)
    # by the class, not a Crawler made beforehand: Scrapy then merges the process's settings
    # into the crawler's, which would undo what the spider's update_settings set
    process.crawl(GenericSpider, urls=urls)
    (crawler,) = process.crawlers
    process.start()
    runtime = Runtime.peek(crawler)
    stats = crawler.stats.get_stats() if crawler.stats is not None else {}
    result = CrawlResult(tallies=runtime.tallies.as_dict() if runtime is not None else {})
    if getattr(process, "bootstrap_failed", False) or getattr(crawler, "spider", None) is None:
        result.failure = "it could not start (the log above says why)"
    elif stats.get("finish_reason") in ("shutdown", "cancelled"):
        result.failure = f"it was interrupted ({stats['finish_reason']})"
    result.warc = os.path.abspath(settings.get("POLITECRAWL_WARC")) if settings.get("POLITECRAWL_WARC") else ""
    result.export_failures = sum(v for k, v in stats.items() if k.startswith("feedexport/failed_count/"))
    return result


def _held_name(reason: str) -> str:
    """A tally reason as the summary says it (an unreachable robots.txt is not a disallow)."""
    return "robots.txt unreachable" if reason == "robots:unreachable" else reason


def format_summary(tallies: dict[str, dict[str, int]]) -> str:
    """A short per-site table: requests sent, answers, bytes, and what was refused and why."""
    if not tallies:
        return "politecrawl: no site was contacted."
    rows = [("site", "requests", "2xx", "other", "bytes", "refused / dropped / waiting")]
    for site, counts in tallies.items():
        ok = counts.get("status:2xx", 0)
        answers = counts.get("responses", 0)
        held = [
            f"{_held_name(name.split(':', 1)[1])}={n}"
            for name, n in sorted(counts.items())
            if name.startswith(("refused:", "dropped:")) and n
        ]
        if counts.get(ENDED_UNREACHABLE) and not counts.get("refused:robots:unreachable"):
            held.append("robots.txt unreachable")
        if counts.get("waiting"):
            held.append(f"waiting={counts['waiting']}")
        rows.append(
            (site, str(counts.get("requests", 0)), str(ok), str(answers - ok),
             str(counts.get("bytes", 0)), ", ".join(held) or "-")
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row[:-1], widths)) + "  " + row[-1]
        for row in rows
    ]
    return "\n".join(lines)


def cmd_crawl(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    urls = check_seeds(args.urls, err)
    overrides = parse_overrides(args.set)
    overrides.setdefault("LOG_LEVEL", args.loglevel)
    if args.warc:
        overrides["POLITECRAWL_WARC"] = args.warc
    plan = output_plan(args, overrides)
    settings = build_settings(overrides, plan)
    preflight(settings)
    if plan is not None and plan.appends_to:
        print(f"politecrawl: adding items to {plan.path} ({plan.appends_to} bytes already there; "
              "-O overwrites instead)", file=out)
    result = run_crawl(urls, settings)
    print(format_summary(result.tallies), file=out)
    seed_sites = sorted({site_or_invalid(url) for url in urls})
    if not result.failure and all_ended_unreachable(seed_sites, result.tallies):
        result.failure = (f"robots.txt of every seed site stayed unreachable ({', '.join(seed_sites)}); "
                          "no page was requested")
    return finish(result, plan, out, err)


def finish(result: CrawlResult, plan: OutputPlan | None, out: TextIO, err: TextIO) -> int:
    """Say where the items went, or why the crawl or its export failed; the exit code."""
    code = EXIT_OK
    if result.failure:
        print(f"politecrawl: error: the crawl failed: {result.failure}", file=err)
        code = EXIT_FAILED
    if plan is not None:
        if result.export_failures or not os.path.isfile(plan.path):
            print(f"politecrawl: error: the items could not be written to {plan.path} "
                  "(the log above says why)", file=err)
            code = EXIT_FAILED
        elif not result.failure:
            verb = "added to" if plan.appends_to else "written to"
            print(f"politecrawl: items {verb} {plan.path}", file=out)
    if result.warc and os.path.isfile(result.warc):
        print(f"politecrawl: archive (WARC, pages as served, personal data included) written to {result.warc}",
              file=out)
    return code
