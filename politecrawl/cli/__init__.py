"""The ``politecrawl`` command."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlsplit

from .._version import __version__
from ..audit.settings import AuditSettings
from ..config import ConfigError, PolitecrawlConfig
from ..robots import ENDED_UNREACHABLE, RobotsConfig, all_ended_unreachable
from ..sites import InvalidURL, site_key, site_or_invalid
from ..state import StateStoreError, open_store

DEMO_CONTACT = "https://example.org/politecrawl-demo"
DEMO_DIR = Path(".politecrawl") / "demo"
DEMO_TRAFFIC = {
    "shop-a.com": {"requests_per_day": 3_000_000, "source": "demo estimate"},
    "example.com.cn": {"requests_per_day": 2_000_000, "source": "demo estimate"},
    "example.co.uk": {"requests_per_day": 1_000_000, "source": "demo estimate"},
    "alice.github.io": {"requests_per_day": 50_000, "source": "demo estimate"},
    "example.de": {"requests_per_day": 40_000, "source": "demo estimate"},
    "example.fr": {"requests_per_day": 1_000_000, "source": "demo estimate"},
    "example.jp": {"requests_per_day": 1_000_000, "source": "demo estimate"},
}


# -- crawl ---------------------------------------------------------------------
def check_seeds(urls: list[str], err: TextIO) -> list[str]:
    """The seeds that can be crawled; each bad one is named and skipped."""
    good = []
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            print(f"politecrawl: skipping {url!r}: not an http(s) URL with a host", file=err)
            continue
        try:
            site_key(url)
        except InvalidURL as exc:
            print(f"politecrawl: skipping {url!r}: {exc}", file=err)
            continue
        good.append(url)
    return good


def parse_overrides(pairs: list[str]) -> dict[str, str]:
    settings = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise ConfigError(f"-s expects NAME=VALUE, got {pair!r}")
        settings[name.strip()] = value
    return settings


def build_settings(overrides: dict[str, Any], output: str | None) -> Any:
    from scrapy.utils.project import get_project_settings  # noqa: PLC0415

    settings = get_project_settings()
    settings.set("ADDONS", {**settings.getdict("ADDONS"), "politecrawl.Addon": 100}, "cmdline")
    if output:
        fmt = "jsonlines" if output.endswith((".jsonl", ".jl")) else Path(output).suffix.lstrip(".")
        settings.set("FEEDS", {output: {"format": fmt or "jsonlines", "overwrite": True}}, "cmdline")
    settings.setdict(overrides, "cmdline")
    return settings


def preflight(settings: Any) -> PolitecrawlConfig:
    """Check the core settings and the state store before Scrapy starts."""
    from ..pii import PIIConfig  # noqa: PLC0415 - heavy (phone metadata, itemadapter): not for `stop`

    config = PolitecrawlConfig.from_settings(settings)
    PIIConfig.from_settings(settings.get, environ=os.environ)
    RobotsConfig.from_settings(settings.get, bot_name=config.bot_name)
    AuditSettings.from_settings(settings.get)
    store = open_store(config.state_url)
    store.close()
    return config


def run_crawl(urls: list[str], settings: Any) -> dict[str, dict[str, int]]:
    """Run the generic spider over *urls*; return the per-site tallies."""
    from scrapy.crawler import CrawlerProcess  # noqa: PLC0415

    from ..middlewares.runtime import Runtime  # noqa: PLC0415
    from ..spiders.generic import GenericSpider  # noqa: PLC0415

    process = CrawlerProcess(settings)
    crawler = process.create_crawler(GenericSpider)
    process.crawl(crawler, urls=urls)
    process.start()
    runtime = Runtime.peek(crawler)
    return runtime.tallies.as_dict() if runtime is not None else {}


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
    if not urls:
        print("politecrawl: nothing to crawl (no valid http(s) seed URL given).", file=err)
        return 2
    overrides = parse_overrides(args.set)
    overrides.setdefault("LOG_LEVEL", args.loglevel)
    settings = build_settings(overrides, args.output)
    preflight(settings)
    tallies = run_crawl(urls, settings)
    print(format_summary(tallies), file=out)
    if args.output:
        print(f"politecrawl: items written to {args.output}", file=out)
    seed_sites = sorted({site_or_invalid(url) for url in urls})
    if all_ended_unreachable(seed_sites, tallies):
        print(f"politecrawl: crawl failed: robots.txt of every seed site stayed unreachable "
              f"({', '.join(seed_sites)}); no page was requested", file=err)
        return 1
    return 0


# -- demo and sandbox ----------------------------------------------------------
def cmd_demo(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from ..sandbox import SandboxWeb, demo_sites  # noqa: PLC0415

    workdir = Path(args.dir)
    if workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True)
    output = str(workdir / "items.jsonl")
    sites = demo_sites()
    with SandboxWeb(sites) as web:
        print(f"politecrawl demo: a sandbox web of {len(sites)} sites on {web.address}", file=out)
        overrides = {
            "POLITECRAWL_CONTACT": DEMO_CONTACT,
            # the demo web's traffic estimates; one small site stays budget-bound
            "POLITECRAWL_SITE_TRAFFIC": json.dumps(DEMO_TRAFFIC),
            "POLITECRAWL_MAX_SITE_RATE": "5",
            "CLOSESPIDER_TIMEOUT": str(args.seconds),
            "POLITECRAWL_STATE": f"sqlite:///{workdir / 'state.db'}",
            # a short crawl: count requests per 2 s so the report's charts show its course
            "POLITECRAWL_AUDIT_BUCKET": "2",
            "LOG_LEVEL": args.loglevel,
            **web.settings(),
            **parse_overrides(args.set),
        }
        settings = build_settings(overrides, output)
        preflight(settings)
        tallies = run_crawl([web.url(site.host) for site in sites], settings)
        seen = web.requests()
    print(format_summary(tallies), file=out)
    outside = [r for r in seen if r["client"] != "127.0.0.1"]
    print(
        f"politecrawl demo: the sandbox saw {len(seen)} requests, all from 127.0.0.1"
        if not outside
        else f"politecrawl demo: {len(outside)} requests came from elsewhere!",
        file=out,
    )
    print(f"politecrawl demo: items in {output}, state in {workdir / 'state.db'}", file=out)
    print(demo_report(workdir, settings.get("POLITECRAWL_STATE")), file=out)
    return 0


def demo_report(workdir: Path, state_url: str) -> str:
    """Write the demo crawl's compliance report (HTML + JSON) into *workdir*; say where it is."""
    from .audit import load_report, write_report  # noqa: PLC0415

    report = load_report(state_url, None)
    if report is None:
        return "politecrawl demo: the crawl left no audit trail (no report written)"
    html_path, json_path = workdir / "report.html", workdir / "report.json"
    write_report(report, json_path=json_path, html_path=html_path)
    return (
        "politecrawl demo: " + " ".join(report["summary"]["text"]) + "\n"
        f"politecrawl demo: compliance report in {html_path.resolve()} (open it in a browser; "
        f"data in {json_path.name})"
    )


def cmd_sandbox(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from ..sandbox import demo_sites  # noqa: PLC0415
    from ..sandbox.server import main as serve  # noqa: PLC0415

    spec = args.spec
    if spec is None:
        spec = str(Path(".politecrawl") / "sandbox-demo.json")
        Path(spec).parent.mkdir(parents=True, exist_ok=True)
        Path(spec).write_text(json.dumps([s.to_dict() for s in demo_sites()]), encoding="utf-8")
    print(
        "politecrawl sandbox: serving on 127.0.0.1; crawl it with\n"
        "  -s TWISTED_DNS_RESOLVER=politecrawl.sandbox.resolver.SandboxResolver "
        "-s POLITECRAWL_SANDBOX=127.0.0.1:<PORT below>",
        file=out,
        flush=True,
    )
    serve(["--spec", spec, "--port", str(args.port)])
    return 0


# -- entry point ---------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="politecrawl", description="A polite, law-aware crawler on Scrapy."
    )
    parser.add_argument("--version", action="version", version=f"politecrawl {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    crawl = sub.add_parser("crawl", help="crawl seed URLs with the generic spider")
    crawl.add_argument("urls", nargs="+", metavar="URL")
    crawl.add_argument("-o", "--output", help="write items to this file (.jsonl: JSON lines)")
    crawl.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE",
                       help="a Scrapy or POLITECRAWL_ setting (repeatable)")
    crawl.add_argument("-L", "--loglevel", default="INFO")
    crawl.set_defaults(func=cmd_crawl)

    demo = sub.add_parser("demo", help="crawl a local sandbox web (offline, embedded defaults)")
    demo.add_argument("--dir", default=str(DEMO_DIR), help="where items and state go")
    demo.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE")
    demo.add_argument("--seconds", type=int, default=20,
                      help="stop after this long; what still waits for its budget is reported")
    demo.add_argument("-L", "--loglevel", default="WARNING")
    demo.set_defaults(func=cmd_demo)

    sandbox = sub.add_parser("sandbox", help="serve the sandbox web in the foreground")
    sandbox.add_argument("--spec", help="JSON list of site specs (default: the demo web)")
    sandbox.add_argument("--port", type=int, default=0)
    sandbox.set_defaults(func=cmd_sandbox)

    from .stops import add_subcommands as add_stop_commands  # noqa: PLC0415

    add_stop_commands(sub)
    from .audit import add_subcommands as add_audit_commands  # noqa: PLC0415

    add_audit_commands(sub)
    return parser


def main(argv: list[str] | None = None, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args, out, err)
    except (ConfigError, StateStoreError) as exc:
        print(f"politecrawl: error: {exc}", file=err)
        return 2

