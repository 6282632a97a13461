"""``politecrawl stop`` / ``resume`` / ``stops``: the operator's side of the stop registry.

With ``--state URL`` a command works on that state store. Without it, on the
store of every running crawl (they register in the per-user list of
:mod:`politecrawl.running`) and on the store this folder would use
(``POLITECRAWL_STATE`` from the environment, else from the Scrapy project
settings, else the default SQLite file) when it exists (:mod:`.targets`). A
store that does not exist is never made, except by ``stop --create``. After
writing a stop, the command wakes each running crawl on the store (one UDP
datagram on the loopback), which reads its registry at once; a crawl that is
not woken sees the stop at its next poll.
"""

from __future__ import annotations

import argparse
import getpass
import os
import time
from collections.abc import Callable
from typing import Any, TextIO

from ..running import RunningCrawls, absolute_state_url, describe_state, registry_folder, send_wake, sqlite_path
from ..state import DEFAULT_STATE_URL, StateStoreError, open_store
from ..stops.registry import Stop, StopRegistry
from ..stops.targets import SiteArgumentError, Target, choose_targets, describe_crawls, site_argument

__all__ = ["add_subcommands", "cmd_resume", "cmd_stop", "cmd_stops", "resolve_state_url", "targets"]


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
        site = site_argument(raw)
    except SiteArgumentError as exc:
        print(f"politecrawl: error: SITE {exc}", file=err)
        return None
    if site != raw.strip():
        print(f"politecrawl: {raw!r} normalised to site {site}", file=out)
    return site


def _exists(url: str) -> bool:
    """Whether the state store *url* (absolute) is there to be used without making it."""
    path = sqlite_path(url)
    if path is not None:
        return os.path.isfile(path)
    return not url.startswith("memory:")  # a server (Redis) is there; memory:// lives in one process


def targets(
    args: argparse.Namespace, err: TextIO, *, verb: str, create: bool = False
) -> list[Target] | None:
    """The state stores the command applies to, or ``None`` after one line saying why there is none.

    A store that does not exist is refused (never made) unless *create*.
    """
    folder = registry_folder()
    running = RunningCrawls(folder).running()
    cwd = os.getcwd()
    explicit = getattr(args, "state", None)
    # the project settings (a Scrapy import, ~1 s) only when no --state is given
    default = DEFAULT_STATE_URL if explicit else resolve_state_url(None, _project_settings)
    found = choose_targets(explicit, default, cwd, running, _exists)
    missing = [t for t in found if not t.exists]
    if found and not (missing and not create):
        return found
    looked = missing[0].name if missing else describe_state(absolute_state_url(default, cwd))
    known = describe_crawls(running) or f"none registered in {folder}"
    hint = "give a crawl's state with --state URL" + (
        ", or add --create to start a new state store there" if verb == "stopped" else ""
    )
    print(f"politecrawl: no state database at {looked}; nothing was {verb}. Running crawls: {known}. "
          f"To go on, {hint}.", file=err)
    return None


def _reached(target: Target, woken: int) -> str:
    if not target.crawls:
        return "no crawl is running on it"
    told = "told at once" if woken == len(target.crawls) else "seen at their next registry poll (<= 1 s)"
    crawls = ", ".join(f"{c.crawl_id} in {c.folder}" for c in target.crawls)
    return f"running crawls reached ({told}): {crawls}"


def _site_and_stores(
    args: argparse.Namespace, out: TextIO, err: TextIO, *, verb: str, create: bool = False
) -> tuple[str, list[Target]] | None:
    """The SITE argument's site key and the stores to write to; ``None`` after a line saying why not."""
    site = _normalise(args.site, out, err)
    if site is None:
        return None
    stores = targets(args, err, verb=verb, create=create)
    return None if stores is None else (site, stores)


def cmd_stop(
    args: argparse.Namespace, out: TextIO, err: TextIO, clock: Callable[[], float] = time.time
) -> int:
    begun = _site_and_stores(args, out, err, verb="stopped", create=getattr(args, "create", False))
    if begun is None:
        return 2
    site, stores = begun
    by = args.by or _user()
    failed = 0
    for target in stores:
        try:
            store = open_store(target.open_url, clock)
            try:
                registry = StopRegistry(store, clock)
                before = registry.active(site)
                stop = registry.stop(site, args.reason, source="operator", by=by)
            finally:
                store.close()
        except StateStoreError as exc:
            print(f"politecrawl: error: {site} could not be stopped in {target.name}: {exc}", file=err)
            failed += 1
            continue
        except ValueError as exc:
            print(f"politecrawl: error: {exc}", file=err)
            return 2
        woken = send_wake(c.wake_port for c in target.crawls if c.wake_port)
        if before is not None:
            print(f"politecrawl: {site} was already stopped in {target.name} ({before.id} since "
                  f"{_when(before.at)}); the new request is logged with it; {_reached(target, woken)}",
                  file=out)
        else:
            print(f"politecrawl: stopped {site} ({stop.id}, {_when(stop.at)}) in {target.name}; "
                  f"{_reached(target, woken)}; later crawls on it refuse the site until "
                  "`politecrawl resume`", file=out)
    return 1 if failed else 0


def cmd_resume(
    args: argparse.Namespace, out: TextIO, err: TextIO, clock: Callable[[], float] = time.time
) -> int:
    begun = _site_and_stores(args, out, err, verb="resumed")
    if begun is None:
        return 2
    site, stores = begun
    by = args.by or _user()
    resumed = []
    for target in stores:
        store = open_store(target.open_url, clock)
        try:
            ended = StopRegistry(store, clock).resume(site, args.reason, by=by)
        except ValueError as exc:
            print(f"politecrawl: error: {exc}", file=err)
            return 2
        finally:
            store.close()
        if ended is None:
            continue
        resumed.append(target)
        woken = send_wake(c.wake_port for c in target.crawls if c.wake_port)
        print(f"politecrawl: resumed {site} in {target.name} (ended {ended.id}, stopped "
              f"{_when(ended.at)}); {_reached(target, woken)}", file=out)
    if not resumed:
        names = ", ".join(t.name for t in stores)
        print(f"politecrawl: {site} has no active stop in {names}; nothing to resume", file=err)
        return 1
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
    stores = targets(args, err, verb="listed")
    if stores is None:
        return 2
    for n, target in enumerate(stores):
        store = open_store(target.open_url, clock, create=False)
        try:
            registry = StopRegistry(store, clock)
            crawls = ", ".join(f"{c.crawl_id} in {c.folder}" for c in target.crawls) or "none"
            print(("\n" if n else "") + f"politecrawl: state {target.name} (running crawls: {crawls})",
                  file=out)
            print(format_stops(registry.list()), file=out)
            if getattr(args, "history", False):
                print("\nhistory:", file=out)
                for e in registry.history():
                    print(f"  {_when(e.at)}  {e.event:<10} {e.stop_id:<9} {e.site}  by {e.by or '-'} "
                          f"({e.source}): {e.reason}", file=out)
        finally:
            store.close()
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
        p.add_argument("--state", help="state store URL (default: every running crawl's state and "
                       "this folder's POLITECRAWL_STATE, if it exists)")
        if name == "stop":
            p.add_argument("--create", action="store_true",
                           help="make the state store if it does not exist (a stop for crawls not yet started)")
        p.set_defaults(func=func)
    p = sub.add_parser("stops", help="list active stops (who, when, why)")
    p.add_argument("--state", help="state store URL (default: every running crawl's state and "
                   "this folder's POLITECRAWL_STATE, if it exists)")
    p.add_argument("--history", action="store_true", help="also print the stop/resume log")
    p.set_defaults(func=cmd_stops)

