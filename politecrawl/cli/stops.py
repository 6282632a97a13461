"""``politecrawl stop`` / ``resume`` / ``stops``: the operator's side of the stop registry.

The commands work on the state store the crawls use: ``--state URL``, else the
``POLITECRAWL_STATE`` environment variable, else ``POLITECRAWL_STATE`` of the
Scrapy project settings, else the default SQLite file. A running crawl on the
same store sees a stop within 1 second (it polls the registry's version key).
"""

from __future__ import annotations

import argparse
import getpass
import os
import time
from collections.abc import Callable
from typing import Any, TextIO

from ..sites import site_key
from ..state import DEFAULT_STATE_URL, open_store
from ..stops.registry import Stop, StopRegistry

__all__ = ["add_subcommands", "cmd_resume", "cmd_stop", "cmd_stops", "resolve_state_url"]


def resolve_state_url(explicit: str | None, project_settings: Callable[[], Any] | None = None) -> str:
    if explicit:
        return explicit
    env = os.environ.get("POLITECRAWL_STATE", "").strip()
    if env:
        return env
    if project_settings is not None:
        value = (project_settings().get("POLITECRAWL_STATE") or "").strip()
        if value:
            return value
    return DEFAULT_STATE_URL


def _project_settings() -> Any:
    from scrapy.utils.project import get_project_settings  # noqa: PLC0415

    return get_project_settings()


def _when(ts: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(ts))


def _normalise(raw: str, out: TextIO, err: TextIO) -> str | None:
    try:
        site = site_key(raw)
    except ValueError as exc:  # InvalidURL (a ValueError; caught by base class so a reloaded sites module is fine)
        print(f"politecrawl: {raw!r} names no site: {exc}", file=err)
        return None
    if site != raw.strip():
        print(f"politecrawl: {raw!r} normalised to site {site}", file=out)
    return site


def _registry(args: argparse.Namespace, clock: Callable[[], float]) -> tuple[StopRegistry, str]:
    url = resolve_state_url(getattr(args, "state", None), _project_settings)
    store = open_store(url, clock)
    return StopRegistry(store, clock), store.url


def cmd_stop(
    args: argparse.Namespace, out: TextIO, err: TextIO, clock: Callable[[], float] = time.time
) -> int:
    site = _normalise(args.site, out, err)
    if site is None:
        return 2
    try:
        registry, url = _registry(args, clock)
        before = registry.active(site)
        stop = registry.stop(site, args.reason, source="operator", by=args.by or _user())
    except ValueError as exc:
        print(f"politecrawl: error: {exc}", file=err)
        return 2
    if before is not None:
        print(
            f"politecrawl: {site} was already stopped ({stop.id} since {_when(stop.at)}); "
            "the new request is logged with it",
            file=out,
        )
    else:
        print(
            f"politecrawl: stopped {site} ({stop.id}, {_when(stop.at)}) in {url}; "
            "a running crawl on this state sees it within 1 s, later crawls refuse the site "
            "until `politecrawl resume`",
            file=out,
        )
    return 0


def cmd_resume(
    args: argparse.Namespace, out: TextIO, err: TextIO, clock: Callable[[], float] = time.time
) -> int:
    site = _normalise(args.site, out, err)
    if site is None:
        return 2
    try:
        registry, url = _registry(args, clock)
        ended = registry.resume(site, args.reason, by=args.by or _user())
    except ValueError as exc:
        print(f"politecrawl: error: {exc}", file=err)
        return 2
    if ended is None:
        print(f"politecrawl: {site} has no active stop in {url}; nothing to resume", file=err)
        return 1
    print(f"politecrawl: resumed {site} (ended {ended.id}, stopped {_when(ended.at)})", file=out)
    return 0


def format_stops(stops: list[Stop]) -> str:
    if not stops:
        return "politecrawl: no active stops."
    rows = [("id", "site", "since", "by", "source", "reason")]
    rows += [(s.id, s.site, _when(s.at), s.by or "-", s.source, s.reason) for s in stops]
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(r[:5], widths)) + "  " + r[5] for r in rows
    )


def cmd_stops(
    args: argparse.Namespace, out: TextIO, err: TextIO, clock: Callable[[], float] = time.time
) -> int:
    registry, url = _registry(args, clock)
    print(format_stops(registry.list()), file=out)
    if getattr(args, "history", False):
        print("\nhistory:", file=out)
        for e in registry.history():
            print(f"  {_when(e.at)}  {e.event:<10} {e.stop_id:<9} {e.site}  by {e.by or '-'} "
                  f"({e.source}): {e.reason}", file=out)
    return 0


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name in this environment
        return ""


def add_subcommands(sub: Any) -> None:
    """Add ``stop``, ``resume`` and ``stops`` to the ``politecrawl`` command's subparsers."""
    for name, func, text in (
        ("stop", cmd_stop, "stop a site: no request, now or in later crawls, until resumed"),
        ("resume", cmd_resume, "end a site's stop (a reason is required)"),
    ):
        p = sub.add_parser(name, help=text)
        p.add_argument("site", metavar="SITE", help="a URL or host; normalised to its site key")
        p.add_argument("--reason", required=True, help="who asked, how and when (kept in the log)")
        p.add_argument("--by", default="", help="who issues it (default: your user name)")
        p.add_argument("--state", help="state store URL (default: POLITECRAWL_STATE)")
        p.set_defaults(func=func)
    p = sub.add_parser("stops", help="list active stops (who, when, why)")
    p.add_argument("--state", help="state store URL (default: POLITECRAWL_STATE)")
    p.add_argument("--history", action="store_true", help="also print the stop/resume log")
    p.set_defaults(func=cmd_stops)

