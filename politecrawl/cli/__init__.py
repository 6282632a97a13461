"""The ``politecrawl`` command.

Exit codes: 0 done, 1 the crawl or its export failed, 2 a usage or settings
mistake (one line each, before any request).
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import TextIO

from .._version import __version__
from ..config import ConfigError
from ..state import StateStoreError
from .crawl import CrawlResult, build_settings, cmd_crawl, finish, run_crawl
from .demo import DEMO_DIR, DEMO_MARKER, cmd_demo, cmd_sandbox, demo_folder_plan
from .usage import EXIT_OK, EXIT_USAGE, Parser, UsageError, log_level, port_number, positive_int

__all__ = ["CrawlResult", "DEMO_MARKER", "UsageError", "build_parser", "build_settings", "demo_folder_plan",
           "finish", "main", "run_crawl"]

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
    crawl.add_argument("--warc", metavar="FILE",
                       help="also write what the sites served to a new WARC file (.warc or .warc.gz): pages as "
                            "served, personal data included; an existing file is never overwritten")
    crawl.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE",
                       help="a Scrapy or POLITECRAWL_ setting (repeatable)")
    crawl.add_argument("-L", "--loglevel", default="INFO", type=log_level)
    crawl.set_defaults(func=cmd_crawl)

    demo = sub.add_parser("demo", help="crawl a local sandbox web (offline, embedded defaults)")
    demo.add_argument("--dir", default=str(DEMO_DIR),
                      help="a folder of the demo's own for items, state and report (new, empty, or an "
                           "earlier demo's)")
    demo.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE")
    demo.add_argument("--seconds", type=positive_int, default=20,
                      help="stop after this long; what still waits for its budget is reported")
    demo.add_argument("-L", "--loglevel", default="WARNING", type=log_level)
    demo.set_defaults(func=cmd_demo)

    sandbox = sub.add_parser("sandbox", help="serve the sandbox web in the foreground")
    sandbox.add_argument("--spec", help="JSON list of site specs (default: the demo web)")
    sandbox.add_argument("--port", type=port_number, default=0, help="0 (default) picks a free port")
    sandbox.set_defaults(func=cmd_sandbox)

    from .stops import add_subcommands as add_stop_commands  # noqa: PLC0415

    add_stop_commands(sub)
    from .audit import add_subcommands as add_audit_commands  # noqa: PLC0415

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

