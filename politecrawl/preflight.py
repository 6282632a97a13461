"""The pre-flight check: every politecrawl setting read once, before any request.

:func:`check_settings` takes a settings getter (a Scrapy ``Settings``' or a
dict's ``get``) and the names that are set, and returns one line per
mistake, each naming the setting, the value and the rule; an empty list means
the crawl may start. It runs every component's own reader (the same code the
components run in ``from_crawler``), so the check and the crawl cannot
disagree, and it reads the traffic file, ``JOBDIR`` and the feed paths as the
crawl would. It does not open the state store (the command line does that).

Unknown ``POLITECRAWL_*`` names are mistakes too (with a "did you mean"),
unless listed in ``POLITECRAWL_IGNORE_SETTINGS``. A new setting is added to
:data:`SETTINGS` (a test checks the source and the README agree with it).
"""

from __future__ import annotations

import difflib
import ipaddress
import json
import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from .archive import warc_path_problem
from .audit.settings import AuditSettings
from .budget.estimates import load_estimates
from .budget.settings import budget_settings
from .cluster import ClusterSettings
from .config import PolitecrawlConfig, gc_threshold_setting
from .feeds import existing_ancestor, feed_problems, writable_file_problem
from .pii.config import PIIConfig
from .progress import ProgressSettings
from .recrawl.settings import RecrawlSettings
from .robots.config import RobotsConfig
from .search.config import SearchConfig
from .settings_reader import SettingsReader
from .stops.settings import StopsSettings

__all__ = ["IGNORE_SETTING", "SETTINGS", "check_settings", "unknown_setting"]

Getter = Callable[..., Any]

#: Names a project lists here are its own: not politecrawl's, not rejected.
IGNORE_SETTING = "POLITECRAWL_IGNORE_SETTINGS"

#: Good values that stand in for a required setting already reported, so the
#: rest of its reader's settings are still checked.
_STAND_INS = {"POLITECRAWL_CONTACT": "https://example.org/crawler"}


class _View:
    """Settings as seen through *get*, with some names read as unset."""

    def __init__(self, get: Getter, hidden: frozenset[str] = frozenset()) -> None:
        self._get = get
        self._hidden = hidden

    def get(self, name: str, default: Any = None) -> Any:
        if name in self._hidden:
            return _STAND_INS.get(name, default)
        value = self._get(name, default)
        return default if value is None else value

    def __getitem__(self, name: str) -> Any:
        return self.get(name)


def _core(view: _View) -> None:
    PolitecrawlConfig.from_settings(view)


def _robots(view: _View) -> None:
    RobotsConfig.from_settings(view.get)


def _bools(*names: str) -> Callable[[_View], None]:
    def check(view: _View) -> None:
        for name in names:
            SettingsReader(view).boolean(name, True)

    return check


def _gc_threshold(view: _View) -> None:
    gc_threshold_setting(SettingsReader(view))


def _traffic(view: _View) -> None:
    value = view.get("POLITECRAWL_SITE_TRAFFIC")
    try:
        load_estimates(value)
    except OSError as exc:
        raise ValueError(f"POLITECRAWL_SITE_TRAFFIC ({value!r}) cannot be read: {exc.strerror or exc}") from None
    except ValueError as exc:  # a file's own line: say which setting led there
        if "POLITECRAWL_SITE_TRAFFIC" in str(exc):
            raise
        raise ValueError(f"POLITECRAWL_SITE_TRAFFIC ({value!r}): {exc}") from None


def _sandbox(view: _View) -> None:
    address = view.get("POLITECRAWL_SANDBOX")
    if not address:
        return
    host, _, port = str(address).rpartition(":")
    if host not in ("127.0.0.1", "localhost") or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"POLITECRAWL_SANDBOX ({address!r}) must be '127.0.0.1:<port>' "
                         "(a sandbox web on this machine, port 1-65535)")


def _warc(view: _View) -> None:
    path = view.get("POLITECRAWL_WARC")
    if not path:
        return
    if not isinstance(path, str):
        raise ValueError(f"POLITECRAWL_WARC ({path!r}) must be the path of a new file")
    problem = warc_path_problem(path)
    if problem:
        raise ValueError(f"POLITECRAWL_WARC ({path!r}): {problem}")


def _sandbox_addresses(view: _View) -> None:
    raw = view.get("POLITECRAWL_SANDBOX_ADDRESSES")
    if raw is None or raw == "" or raw == {}:
        return
    rule = "must be a dict (or JSON object) of host names to addresses in 127.0.0.0/8"
    value = raw
    if isinstance(raw, str):
        try:
            value = json.loads(raw)
        except ValueError:
            value = None
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise ValueError(f"POLITECRAWL_SANDBOX_ADDRESSES ({raw!r}) {rule}")
    for address in value.values():
        try:
            loopback = ipaddress.IPv4Address(address).is_loopback
        except ValueError:
            loopback = False
        if not loopback:
            raise ValueError(f"POLITECRAWL_SANDBOX_ADDRESSES ({raw!r}) {rule}: {address!r} is not")


def _ignore(view: _View) -> None:
    _ignored(view.get)


#: Each politecrawl setting, by the reader that checks it. Readers that check
#: several settings report the first bad one; check_settings reruns them
#: without it until each bad value has its own line.
SETTINGS: dict[str, Callable[[_View], None]] = {
    **dict.fromkeys(("POLITECRAWL_CONTACT", "POLITECRAWL_BOT_NAME", "POLITECRAWL_BOT_VERSION", "POLITECRAWL_PURPOSE",
                     "POLITECRAWL_STATE", "POLITECRAWL_LEDGER_BATCH"), _core),
    **dict.fromkeys(("POLITECRAWL_LOAD_SHARE", "POLITECRAWL_DEFAULT_DAILY_REQUESTS",
                     "POLITECRAWL_MAX_SITE_RATE", "POLITECRAWL_BURST", "POLITECRAWL_PACE_MARGIN",
                     "POLITECRAWL_MAX_IP_RATE"),
                    budget_settings),
    "POLITECRAWL_SITE_TRAFFIC": _traffic,
    "POLITECRAWL_BUDGET_ENABLED": _bools("POLITECRAWL_BUDGET_ENABLED"),
    "POLITECRAWL_GC_FREEZE": _bools("POLITECRAWL_GC_FREEZE"),
    "POLITECRAWL_GC_THRESHOLD": _gc_threshold,
    **dict.fromkeys(("POLITECRAWL_ROBOTS_TTL", "POLITECRAWL_MAX_CRAWL_DELAY",
                     "POLITECRAWL_ROBOTS_LAST_GOOD_MAX_AGE", "POLITECRAWL_ROBOTS_RETRY_BASE",
                     "POLITECRAWL_ROBOTS_RETRY_MAX", "POLITECRAWL_ROBOTS_MAX_WAIT"), _robots),
    **dict.fromkeys(("POLITECRAWL_MAX_RETRY_AFTER", "POLITECRAWL_THROTTLE_STOP_AFTER",
                     "POLITECRAWL_THROTTLE_BACKOFF_MIN", "POLITECRAWL_THROTTLE_BACKOFF_MAX",
                     "POLITECRAWL_BLOCK_AUTH_URLS", "POLITECRAWL_BLOCK_CHALLENGE_URLS",
                     "POLITECRAWL_STOPS_POLL_INTERVAL", "POLITECRAWL_TDMREP_MAX_BYTES"),
                    StopsSettings.from_settings),
    **dict.fromkeys(("POLITECRAWL_PII_ENABLED", "POLITECRAWL_PII_FIELDS", "POLITECRAWL_PII_ALLOW",
                     "POLITECRAWL_PII_ACTION", "POLITECRAWL_PII_FIELD_ACTIONS",
                     "POLITECRAWL_PII_KEY", "POLITECRAWL_PII_REGIONS",
                     "POLITECRAWL_PII_PHONE_LENIENCY", "POLITECRAWL_PII_MAX_CHARS",
                     "POLITECRAWL_PII_ITEM_MAX_SECONDS", "POLITECRAWL_PII_ITEM_MAX_CHARS",
                     "POLITECRAWL_PII_MAX_DEPTH"),
                    lambda view: PIIConfig.from_settings(view.get, environ=os.environ)),
    **dict.fromkeys(("POLITECRAWL_AUDIT_FLUSH_INTERVAL", "POLITECRAWL_AUDIT_BUCKET",
                     "POLITECRAWL_AUDIT_PER_REQUEST"),
                    lambda view: AuditSettings.from_settings(view.get)),
    **dict.fromkeys(("POLITECRAWL_CLUSTER_LOCAL_QUEUE", "POLITECRAWL_CLUSTER_POLL_INTERVAL",
                     "POLITECRAWL_CLUSTER_IDLE_CLOSE", "POLITECRAWL_CLUSTER_CRAWL_ID",
                     "POLITECRAWL_CLUSTER_LEASE_TIMEOUT"),
                    ClusterSettings.from_settings),
    **dict.fromkeys(("POLITECRAWL_PROGRESS_INTERVAL", "POLITECRAWL_PROGRESS_LIVE"),
                    lambda view: ProgressSettings.from_settings(view.get)),
    **dict.fromkeys(("POLITECRAWL_SITEMAPS", "POLITECRAWL_SITEMAP_MAX_BYTES", "POLITECRAWL_SITEMAP_MAX_URLS",
                     "POLITECRAWL_SCOPE", "POLITECRAWL_ALLOW", "POLITECRAWL_DENY", "POLITECRAWL_KEEP_TYPES",
                     "POLITECRAWL_DENY_EXTENSIONS", "POLITECRAWL_FOLLOW_EXTENSIONS",
                     "POLITECRAWL_BREADTH_FIRST", "POLITECRAWL_DEPTH_LIMIT", "POLITECRAWL_SITE_PAGE_QUOTA",
                     "POLITECRAWL_DROP_PARAMS", "POLITECRAWL_KEEP_PARAMS"),
                    lambda view: SearchConfig.from_settings(view.get)),
    **dict.fromkeys(("POLITECRAWL_RECRAWL", "POLITECRAWL_RECRAWL_MIN_INTERVAL", "POLITECRAWL_RECRAWL_MAX_INTERVAL",
                     "POLITECRAWL_RECRAWL_INITIAL_INTERVAL", "POLITECRAWL_RECRAWL_MAX_URLS"),
                    lambda view: RecrawlSettings.from_settings(view.get)),
    "POLITECRAWL_WARC": _warc,
    "POLITECRAWL_SANDBOX": _sandbox,
    "POLITECRAWL_SANDBOX_ADDRESSES": _sandbox_addresses,
    IGNORE_SETTING: _ignore,
}


def _ignored(get: Getter) -> frozenset[str]:
    raw = get(IGNORE_SETTING, None)
    if raw is None or raw == "":
        return frozenset()
    if isinstance(raw, str):
        raw = [part.strip() for part in raw.split(",")]
    if not isinstance(raw, (list, tuple, set, frozenset)) or not all(isinstance(n, str) for n in raw):
        raise ValueError(f"{IGNORE_SETTING} ({raw!r}) must be a list of setting names "
                         "(or one comma-separated string)")
    return frozenset(n for n in raw if n)


def unknown_setting(name: str) -> str:
    """The line for a ``POLITECRAWL_*`` name politecrawl does not know."""
    close = difflib.get_close_matches(name, list(SETTINGS), n=1, cutoff=0.75)
    hint = f" (did you mean {close[0]}?)" if close else ""
    return (f"{name} is not a politecrawl setting{hint}; a name your project uses for itself "
            f"can be listed in {IGNORE_SETTING}")


def _named(message: str, names: Iterable[str]) -> str | None:
    """The setting a message is about: the known name it mentions first."""
    found = [(message.find(name), -len(name), name) for name in names if name in message]
    return min(found)[2] if found else None


def _run(reader: Callable[[_View], None], get: Getter, names: list[str], hidden: set[str]) -> list[str]:
    """Run *reader*, hiding each setting it rejects, until it passes: one line per bad value.

    *hidden* holds the settings already reported (by other readers too); the
    ones this reader rejects are added.
    """
    lines: list[str] = []
    for _ in range(len(names) + len(hidden) + 1):
        try:
            reader(_View(get, frozenset(hidden)))
            return lines
        except ValueError as exc:  # ConfigError and the components' own errors are ValueErrors
            message = " ".join(str(exc).split())
            name = _named(message, SETTINGS)
            if name in hidden:  # no way past it; already reported
                return lines
            if name is None:
                return [*lines, message]
            if not message.startswith(name):
                message = f"{name}: {message}"
            lines.append(message)
            hidden.add(name)
    return lines


def check_settings(get: Getter, names: Iterable[str]) -> list[str]:
    """One line per bad setting; ``[]`` when every setting is good.

    *get(name, default)* reads a setting; *names* are those set (for the
    unknown-name check: only names starting ``POLITECRAWL_`` are looked at).
    """
    lines: list[str] = []
    try:
        ignored = _ignored(get)
    except ValueError as exc:
        lines.append(str(exc))
        ignored = frozenset()
    for name in sorted(set(names)):
        if name.startswith("POLITECRAWL_") and name not in SETTINGS and name not in ignored:
            lines.append(unknown_setting(name))
    readers: dict[Callable[[_View], None], list[str]] = {}
    for name, reader in SETTINGS.items():
        if reader is not _ignore:
            readers.setdefault(reader, []).append(name)
    reported: set[str] = set()
    for reader, reader_names in readers.items():
        lines.extend(_run(reader, get, reader_names, reported))
    lines.extend(_jobdir(get("JOBDIR", None)))
    lines.extend(feed_problems(get))
    return lines


def _jobdir(value: Any) -> list[str]:
    if not value:
        return []
    path = Path(str(value))
    if path.exists() and not path.is_dir():
        return [f"JOBDIR ({str(value)!r}) is a file; it must be a folder for the crawl's queue "
                "(an existing one resumes that crawl, a new one is made)"]
    ancestor = existing_ancestor(path)
    problem = writable_file_problem(ancestor / ".politecrawl-jobdir-check") if ancestor.is_dir() else "no"
    if problem:
        return [f"JOBDIR ({str(value)!r}) cannot be made or written: {ancestor} is not a writable folder"]
    return []


def as_getter(mapping: Mapping[str, Any]) -> Getter:
    """A getter over a plain mapping (tests, other callers)."""
    return lambda name, default=None: mapping.get(name, default)
