"""The ``politecrawl`` command."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn, TextIO
from urllib.parse import urlsplit

from . import __version__
from .config import ConfigError
from .feeds import OutputPlan, known_formats, plan_output
from .preflight import check_settings
from .sites import InvalidURL, site_key
from .state import StateStoreError, open_store

#: Exit codes (README): done; the crawl or its export failed; a usage or settings mistake.
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

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


class UsageError(Exception):
    """A command's argument or setting is wrong: each line is printed, the exit code is 2."""

    def __init__(self, *lines: str) -> None:
        super().__init__("; ".join(lines))
        self.lines = list(lines)


class Parser(argparse.ArgumentParser):
    """argparse, with a mistake as one line (no usage block) and exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (0-65535)") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (0-65535; 0 picks a free one)")
    return port


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be more than 0")
    return value


def _log_level(text: str) -> str:
    level = text.strip().upper()
    if level not in ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG"):
        raise argparse.ArgumentTypeError(f"{text!r} is not one of CRITICAL, ERROR, WARNING, INFO, DEBUG")
    return level


# -- crawl ---------------------------------------------------------------------
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
    from .config import PolitecrawlConfig  # noqa: PLC0415

    store = open_store(PolitecrawlConfig.from_settings(settings).state_url)
    store.close()


@dataclass
class CrawlResult:
    """What a crawl left: per-site tallies, and why it failed if it did."""

    tallies: dict[str, dict[str, int]] = field(default_factory=dict)
    failure: str = ""
    export_failures: int = 0


def run_crawl(urls: list[str], settings: Any) -> CrawlResult:
    """Run the generic spider over *urls*."""
    from scrapy.crawler import CrawlerProcess  # noqa: PLC0415

    from .runtime import Runtime  # noqa: PLC0415
    from .spiders.generic import GenericSpider  # noqa: PLC0415

    process = CrawlerProcess(settings)
    crawler = process.create_crawler(GenericSpider)
    process.crawl(crawler, urls=urls)
    process.start()
    runtime = Runtime.peek(crawler)
    stats = crawler.stats.get_stats() if crawler.stats is not None else {}
    result = CrawlResult(tallies=runtime.tallies.as_dict() if runtime is not None else {})
    if getattr(process, "bootstrap_failed", False) or getattr(crawler, "spider", None) is None:
        result.failure = "it could not start (the log above says why)"
    elif stats.get("finish_reason") in ("shutdown", "cancelled"):
        result.failure = f"it was interrupted ({stats['finish_reason']})"
    result.export_failures = sum(v for k, v in stats.items() if k.startswith("feedexport/failed_count/"))
    return result


def format_summary(tallies: dict[str, dict[str, int]]) -> str:
    """A short per-site table: requests sent, answers, bytes, and what was refused and why."""
    if not tallies:
        return "politecrawl: no site was contacted."
    rows = [("site", "requests", "2xx", "other", "bytes", "refused / dropped / waiting")]
    for site, counts in tallies.items():
        ok = counts.get("status:2xx", 0)
        answers = counts.get("responses", 0)
        held = [
            f"{name.split(':', 1)[1]}={n}"
            for name, n in sorted(counts.items())
            if name.startswith(("refused:", "dropped:")) and n
        ]
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
    plan = output_plan(args, overrides)
    settings = build_settings(overrides, plan)
    preflight(settings)
    if plan is not None and plan.appends_to:
        print(f"politecrawl: adding items to {plan.path} ({plan.appends_to} bytes already there; "
              "-O overwrites instead)", file=out)
    result = run_crawl(urls, settings)
    print(format_summary(result.tallies), file=out)
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
    return code


# -- demo and sandbox ----------------------------------------------------------
#: The file that marks a folder as the demo's own (it may then clear its own files there).
DEMO_MARKER = ".politecrawl-demo"
#: What the demo writes in its folder.
DEMO_FILES = frozenset({"items.jsonl", "state.db", "state.db-wal", "state.db-shm", "state.db-journal",
                        "report.html", "report.json"})


def demo_folder_plan(names: Iterable[str]) -> tuple[list[str], list[str]]:
    """(the demo's own files to clear, files it did not make) in a folder holding *names*.

    A folder without the marker is the demo's only if it holds nothing but what
    the demo writes (a demo of an earlier version); with the marker, files
    someone else put there are kept, never removed.
    """
    names = set(names)
    own = sorted(names & DEMO_FILES)
    foreign = sorted(names - DEMO_FILES - {DEMO_MARKER})
    return own, foreign if DEMO_MARKER not in names else []


def prepare_demo_folder(workdir: Path) -> None:
    """Make *workdir* the demo's (new, empty, or marked as its own); ``UsageError`` if it is not."""
    if workdir.exists() and not workdir.is_dir():
        raise UsageError(f"--dir {str(workdir)!r} is a file; the demo needs a folder of its own")
    if workdir.is_dir():
        own, foreign = demo_folder_plan(p.name for p in workdir.iterdir())
        if foreign:
            raise UsageError(
                f"--dir {str(workdir)!r} holds files the demo did not make ({', '.join(foreign[:3])}"
                f"{', ...' if len(foreign) > 3 else ''}); give a new or empty folder"
            )
        for name in own:
            (workdir / name).unlink()
    else:
        try:
            workdir.mkdir(parents=True)
        except OSError as exc:
            raise UsageError(f"--dir {str(workdir)!r} cannot be made: {exc.strerror or exc}") from None
    (workdir / DEMO_MARKER).write_text(
        "Made by `politecrawl demo`: each demo run replaces its own files here.\n", encoding="utf-8"
    )


def cmd_demo(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from .sandbox import SandboxWeb, demo_sites  # noqa: PLC0415

    workdir = Path(args.dir)
    extra = parse_overrides(args.set)
    plan = OutputPlan(str(workdir / "items.jsonl"), "jsonlines", overwrite=True)
    sites = demo_sites()

    def demo_settings(web_settings: dict[str, str]) -> Any:
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
            **web_settings,
            **extra,
        }
        return build_settings(overrides, plan)

    # the settings (-s too) are checked before the folder is touched and the sandbox web starts
    early = demo_settings({"POLITECRAWL_SANDBOX": "127.0.0.1:1"})
    problems = check_settings(early.get, list(early))
    if problems:
        raise UsageError(*problems)
    prepare_demo_folder(workdir)
    with SandboxWeb(sites) as web:
        print(f"politecrawl demo: a sandbox web of {len(sites)} sites on {web.address}", file=out)
        settings = demo_settings(web.settings())
        preflight(settings)
        result = run_crawl([web.url(site.host) for site in sites], settings)
        seen = web.requests()
    print(format_summary(result.tallies), file=out)
    outside = [r for r in seen if r["client"] != "127.0.0.1"]
    print(
        f"politecrawl demo: the sandbox saw {_count(len(seen), 'request')}, all from 127.0.0.1"
        if not outside
        else f"politecrawl demo: {_count(len(outside), 'request')} came from elsewhere!",
        file=out,
    )
    print(f"politecrawl demo: items in {plan.path}, state in {workdir / 'state.db'}", file=out)
    print(demo_report(workdir, settings.get("POLITECRAWL_STATE")), file=out)
    return EXIT_FAILED if result.failure or result.export_failures else EXIT_OK


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def demo_report(workdir: Path, state_url: str) -> str:
    """Write the demo crawl's compliance report (HTML + JSON) into *workdir*; say where it is."""
    from .audit.cli import load_report, write_report  # noqa: PLC0415

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
    from .sandbox import demo_sites  # noqa: PLC0415
    from .sandbox.server import listen, load_spec, reactor  # noqa: PLC0415

    try:
        sites = load_spec(args.spec) if args.spec else demo_sites()
    except ValueError as exc:
        raise UsageError(f"--spec {exc}") from None
    try:
        port = listen(sites, args.port)
    except OSError as exc:
        raise UsageError(f"--port {args.port}: {exc}") from None
    print(
        f"politecrawl sandbox: serving {_count(len(sites), 'site')} on 127.0.0.1:{port}; crawl it with\n"
        "  -s TWISTED_DNS_RESOLVER=politecrawl.sandbox.resolver.SandboxResolver "
        f"-s POLITECRAWL_SANDBOX=127.0.0.1:{port}",
        file=out,
        flush=True,
    )
    reactor.run()
    return EXIT_OK


# -- entry point ---------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="politecrawl", description="A polite, law-aware crawler on Scrapy.",
                    epilog="Exit codes: 0 done, 1 the crawl or its export failed, 2 a usage or settings mistake.")
    parser.add_argument("--version", action="version", version=f"politecrawl {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    crawl = sub.add_parser("crawl", help="crawl seed URLs with the generic spider")
    crawl.add_argument("urls", nargs="+", metavar="URL")
    crawl.add_argument("-o", "--output", metavar="FILE[:FORMAT]",
                       help="add items to this file (.jsonl: JSON lines; another format only to a new file)")
    crawl.add_argument("-O", "--overwrite-output", metavar="FILE[:FORMAT]",
                       help="write items to this file, replacing what it holds")
    crawl.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE",
                       help="a Scrapy or POLITECRAWL_ setting (repeatable)")
    crawl.add_argument("-L", "--loglevel", default="INFO", type=_log_level)
    crawl.set_defaults(func=cmd_crawl)

    demo = sub.add_parser("demo", help="crawl a local sandbox web (offline, embedded defaults)")
    demo.add_argument("--dir", default=str(DEMO_DIR),
                      help="a folder of the demo's own for items, state and report (new, empty, or an "
                           "earlier demo's)")
    demo.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE")
    demo.add_argument("--seconds", type=_positive_int, default=20,
                      help="stop after this long; what still waits for its budget is reported")
    demo.add_argument("-L", "--loglevel", default="WARNING", type=_log_level)
    demo.set_defaults(func=cmd_demo)

    sandbox = sub.add_parser("sandbox", help="serve the sandbox web in the foreground")
    sandbox.add_argument("--spec", help="JSON list of site specs (default: the demo web)")
    sandbox.add_argument("--port", type=_port, default=0, help="0 (default) picks a free port")
    sandbox.set_defaults(func=cmd_sandbox)

    from .stops.cli import add_subcommands as add_stop_commands  # noqa: PLC0415

    add_stop_commands(sub)
    from .audit.cli import add_subcommands as add_audit_commands  # noqa: PLC0415

    add_audit_commands(sub)
    return parser


def main(argv: list[str] | None = None, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    """Run one command; its exit code (0 done, 1 the crawl or its export failed, 2 a mistake)."""
    args = build_parser().parse_args(argv)
    try:
        code = args.func(args, out, err)
        out.flush()
        return code
    except UsageError as exc:
        for line in exc.lines:
            print(f"politecrawl: error: {line}", file=err)
        return EXIT_USAGE
    except (ConfigError, StateStoreError) as exc:
        print(f"politecrawl: error: {' '.join(str(exc).split())}", file=err)
        return EXIT_USAGE
    except BrokenPipeError:  # the reader went away (`| head`): end quietly
        _silence(out)
        return EXIT_OK
    except KeyboardInterrupt:
        print("politecrawl: interrupted", file=err)
        return 130


def _silence(out: TextIO) -> None:
    """Point a closed standard output at /dev/null, so Python's exit flush does not complain."""
    try:
        fd = out.fileno()
    except (OSError, ValueError, AttributeError):
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)


if __name__ == "__main__":
    sys.exit(main())
