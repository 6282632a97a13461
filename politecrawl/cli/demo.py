"""``politecrawl demo`` and ``politecrawl sandbox``: the sandbox web, crawled or served."""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TextIO

from ..feeds import OutputPlan
from ..preflight import check_settings
from .crawl import build_settings, format_summary, parse_overrides, preflight, run_crawl
from .usage import EXIT_FAILED, EXIT_OK, UsageError

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


def check_demo_folder(workdir: Path) -> list[str]:
    """The demo's own files in *workdir* (to clear); ``UsageError`` if the folder is not the demo's to use."""
    if workdir.exists() and not workdir.is_dir():
        raise UsageError(f"--dir {str(workdir)!r} is a file; the demo needs a folder of its own")
    if not workdir.is_dir():
        return []
    own, foreign = demo_folder_plan(p.name for p in workdir.iterdir())
    if foreign:
        raise UsageError(
            f"--dir {str(workdir)!r} holds files the demo did not make ({', '.join(foreign[:3])}"
            f"{', ...' if len(foreign) > 3 else ''}); give a new or empty folder"
        )
    return own


def prepare_demo_folder(workdir: Path) -> None:
    """Make *workdir* the demo's (new, empty, or marked as its own): its own earlier files cleared."""
    own = check_demo_folder(workdir)
    for name in own:
        (workdir / name).unlink()
    try:
        workdir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"--dir {str(workdir)!r} cannot be made: {exc.strerror or exc}") from None
    (workdir / DEMO_MARKER).write_text(
        "Made by `politecrawl demo`: each demo run replaces its own files here.\n", encoding="utf-8"
    )


def cmd_demo(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from ..sandbox import SandboxWeb, demo_sites  # noqa: PLC0415

    workdir = Path(args.dir)
    check_demo_folder(workdir)
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
    from ..sandbox.server import listen, load_spec, reactor  # noqa: PLC0415

    try:
        sites = load_spec(args.spec) if args.spec else demo_sites()
    except ValueError as exc:
        raise UsageError(f"--spec {exc}") from None
    try:
        port = listen(sites, args.port)
    except OSError as exc:
        raise UsageError(f"--port {args.port}: {exc}") from None
    addresses = {site.host.lower(): site.address for site in sites if site.address}
    print(
        f"politecrawl sandbox: serving {_count(len(sites), 'site')} on 127.0.0.1:{port}; crawl it with\n"
        "  -s TWISTED_DNS_RESOLVER=politecrawl.sandbox.resolver.SandboxResolver "
        f"-s POLITECRAWL_SANDBOX=127.0.0.1:{port}"
        + (f" -s 'POLITECRAWL_SANDBOX_ADDRESSES={json.dumps(addresses, sort_keys=True)}'" if addresses else ""),
        file=out,
        flush=True,
    )
    reactor.run()
    return EXIT_OK
