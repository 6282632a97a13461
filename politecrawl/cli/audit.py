"""``politecrawl report`` and ``politecrawl status``: the audit trail, read back.

``--state URL`` as in the other commands (else ``POLITECRAWL_STATE`` from the
environment or the project settings, else the default SQLite file).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path
from typing import Any, TextIO

from ..audit.html import render_html
from ..audit.read import find_crawl, records
from ..audit.report import build_report
from ..audit.table import format_report
from ..feeds import writable_file_problem
from ..running import describe_state
from ..state import open_store
from .usage import EXIT_FAILED, EXIT_USAGE

__all__ = ["add_subcommands", "cmd_report", "cmd_status", "write_report"]


def _state_url(args: argparse.Namespace, err: TextIO) -> str | None:
    """``--state``, else this folder's state if it exists, else the newest running crawl's;
    ``None`` (after one line naming the absolute path looked at) when there is none."""
    from ..running import absolute_state_url  # noqa: PLC0415
    from .stops import _project_settings, resolve_state_url, targets  # noqa: PLC0415

    found = targets(args, err, verb="read")
    if found is None:
        return None
    if len(found) == 1:
        return found[0].open_url
    here = absolute_state_url(resolve_state_url(None, _project_settings), os.getcwd())
    return next((t.open_url for t in found if t.open_url == here), found[-1].open_url)


def load_report(state_url: str, crawl_id: str | None, charts: int = 20) -> dict[str, Any] | None:
    """The report of *crawl_id* (default the latest) in an existing state store (never made here)."""
    store = open_store(state_url, create=False)
    try:
        entry = find_crawl(store, crawl_id)
        if entry is None:
            return None
        return build_report(entry, records(store, entry.crawl_id), charts=charts)
    finally:
        store.close()


def write_report(report: dict[str, Any], *, json_path: str | os.PathLike[str] | None = None,
                 html_path: str | os.PathLike[str] | None = None) -> None:
    """Write the report as JSON and/or as one self-contained HTML page."""
    for path, text in ((json_path, lambda: json.dumps(report, indent=1, ensure_ascii=False) + "\n"),
                       (html_path, lambda: render_html(report))):
        if path:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            Path(path).write_text(text(), encoding="utf-8")


def _missing(args: argparse.Namespace, url: str, err: TextIO) -> int:
    if args.crawl:
        print(f"politecrawl: the audit trail in {describe_state(url)} has no crawl {args.crawl!r} (give an id or a unique "
              "prefix; `politecrawl report --list` lists them)", file=err)
        return EXIT_USAGE  # --crawl names nothing: a usage mistake
    print(f"politecrawl: the audit trail in {describe_state(url)} has no crawl yet", file=err)
    return EXIT_FAILED


def cmd_report(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    for option, path in (("--json", args.json), ("--html", args.html)):
        problem = writable_file_problem(Path(path)) if path else None
        if problem:
            print(f"politecrawl: error: {option} {path!r}: {path} {problem}", file=err)
            return 2
    url = _state_url(args, err)
    if url is None:
        return 2
    if args.list:
        from ..audit.read import crawls  # noqa: PLC0415

        store = open_store(url, create=False)
        try:
            for entry in crawls(store):
                end = "running or not closed" if entry.ended_at is None else _when(entry.ended_at)
                print(f"{entry.crawl_id}  started {_when(entry.started_at)}  ended {end}", file=out)
        finally:
            store.close()
        return 0
    report = load_report(url, args.crawl, args.charts)
    if report is None:
        return _missing(args, url, err)
    write_report(report, json_path=args.json, html_path=args.html)
    print(format_report(report), file=out)
    for label, path in (("JSON", args.json), ("HTML", args.html)):
        if path:
            print(f"politecrawl: {label} report written to {path}", file=out)
    return 0


def cmd_status(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    url = _state_url(args, err)
    if url is None:
        return 2
    report = load_report(url, args.crawl)
    if report is None:
        return _missing(args, url, err)
    if not report["crawl"]["running"]:
        print(f"politecrawl: no crawl is running on {describe_state(url)}; the latest one ended — its report:", file=out)
    print(format_report(report), file=out)
    return 0


def _when(ts: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(ts))


def add_subcommands(sub: Any) -> None:
    report = sub.add_parser("report", help="the compliance report of a crawl, from its audit trail")
    report.add_argument("--crawl", help="crawl id or a unique prefix (default: the latest crawl)")
    report.add_argument("--state", help="state store URL (default: POLITECRAWL_STATE)")
    report.add_argument("--json", metavar="FILE", help="write the report as JSON")
    report.add_argument("--html", metavar="FILE", help="write the report as one self-contained HTML page")
    report.add_argument("--charts", type=int, default=20, metavar="N",
                        help="chart the N busiest sites in the HTML (default 20)")
    report.add_argument("--list", action="store_true", help="list the crawls in the audit trail")
    report.set_defaults(func=cmd_report)

    status = sub.add_parser("status", help="the per-site table of the running (or latest) crawl")
    status.add_argument("--crawl", help="crawl id or a unique prefix (default: the latest crawl)")
    status.add_argument("--state", help="state store URL (default: POLITECRAWL_STATE)")
    status.set_defaults(func=cmd_status)
