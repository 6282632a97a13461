"""Helpers for end-to-end tests: run real crawls in a subprocess, as a user would."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from politecrawl.sandbox import SandboxWeb

CONTACT = "https://example.org/politecrawl-tests"
#: Protocol files politecrawl fetches itself, before a site's pages.
REPO = Path(__file__).resolve().parent.parent


#: Budgets that do not bind, for tests about something else (a test may set its own).
NON_BINDING_BUDGET = {
    "POLITECRAWL_DEFAULT_DAILY_REQUESTS": "1e12",
    "POLITECRAWL_MAX_SITE_RATE": "1000",
    "POLITECRAWL_BURST": "50",
}


def project_settings(web: SandboxWeb, state_db: Path, *lines: str) -> str:
    """A Scrapy project's settings.py with the add-on, crawling the sandbox web; ``lines`` follow."""
    return (
        'ADDONS = {"politecrawl.Addon": 100}\n'
        f'POLITECRAWL_CONTACT = "{CONTACT}"\n'
        f'POLITECRAWL_STATE = "sqlite:///{state_db}"\n'
        'TWISTED_DNS_RESOLVER = "politecrawl.sandbox.resolver.SandboxResolver"\n'
        f'POLITECRAWL_SANDBOX = "{web.address}"\n'
        + "".join(line + "\n" for line in lines)
    )


def addon_settings(**given: Any) -> Any:
    """Scrapy settings after politecrawl's add-on ran, with *given* set at project priority."""
    from scrapy.settings import Settings  # noqa: PLC0415

    from politecrawl.middlewares.addon import Addon  # noqa: PLC0415

    settings = Settings({"POLITECRAWL_CONTACT": "ops@example.org"})
    for name, value in given.items():
        settings.set(name, value, "project")
    Addon().update_settings(settings)
    return settings


def crawl_env() -> dict[str, str]:
    env = dict(os.environ)
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        env.pop(name, None)
    return env


def politecrawl_command(
    *args: str | os.PathLike[str], cwd: str | os.PathLike[str], timeout: float = 120,
    env: dict[str, str] | None = None, check: bool = False,
) -> subprocess.CompletedProcess[str]:
    """``politecrawl ARGS`` in a subprocess, as an operator types it (``crawl_env()`` unless *env*);
    its output is captured as text."""
    return subprocess.run(
        [sys.executable, "-m", "politecrawl.cli", *(str(a) for a in args)], capture_output=True, text=True,
        timeout=timeout, cwd=cwd, env=crawl_env() if env is None else env, check=check,
    )


def run_crawl(
    web: SandboxWeb,
    urls: list[str],
    tmp_path: Path,
    settings: dict[str, Any] | None = None,
    *,
    contact: str | None = CONTACT,
    timeout: float = 180,
    peak_rss: bool = False,
    extra_args: tuple[str, ...] = (),
) -> tuple[subprocess.CompletedProcess[str], list[dict[str, Any]]]:
    """``politecrawl crawl URLS -o items.jsonl`` against the sandbox; returns (process, items).

    With *peak_rss*, the crawl process writes its peak memory to stderr (tests/peak_rss.py).
    """
    output = tmp_path / "items.jsonl"
    all_settings: dict[str, Any] = {
        "POLITECRAWL_STATE": f"sqlite:///{tmp_path / 'state.db'}",
        **NON_BINDING_BUDGET,
        **web.settings(),
        **(settings or {}),
    }
    if contact is not None:
        all_settings.setdefault("POLITECRAWL_CONTACT", contact)
    runner = [str(REPO / "tests" / "peak_rss.py")] if peak_rss else ["-m", "politecrawl.cli"]
    args = [sys.executable, *runner, "crawl", *urls, "-o", str(output), *extra_args]
    for name, value in all_settings.items():
        args += ["-s", f"{name}={value if isinstance(value, str) else json.dumps(value)}"]
    proc = subprocess.run(
        args, capture_output=True, text=True, timeout=timeout, cwd=tmp_path, env=crawl_env()
    )
    items = []
    if output.exists():
        items = [json.loads(line) for line in output.read_text().splitlines() if line.strip()]
    return proc, items


#: Every page with history is due again at once (recrawl tests; the schedule itself has unit tests).
RECRAWL_DUE_AT_ONCE = {"POLITECRAWL_RECRAWL_MIN_INTERVAL": "0", "POLITECRAWL_RECRAWL_INITIAL_INTERVAL": "0"}


def crawl_on_state(
    web: SandboxWeb, tmp_path: Path, name: str, settings: dict[str, Any] | None = None, *,
    site: str = "shop-a.com", extra_args: tuple[str, ...] = (),
) -> tuple[subprocess.CompletedProcess[str], list[dict[str, Any]]]:
    """One crawl of *site* in a folder *name* of its own, on the state all of a test's crawls share
    (``tmp_path/state.db``): a first crawl, then its recrawls. Returns (process, items)."""
    out = tmp_path / name
    out.mkdir()
    state = {"POLITECRAWL_STATE": f"sqlite:///{tmp_path / 'state.db'}", **(settings or {})}
    return run_crawl(web, [web.url(site)], out, state, extra_args=extra_args)


def stat_value(proc: subprocess.CompletedProcess[str], name: str) -> int:
    """The stat *name* (``politecrawl/...``) in the stats a crawl dumped to stderr; 0 if absent."""
    found = re.search(rf"'{re.escape(name)}': (\d+)", proc.stderr)
    return int(found.group(1)) if found else 0


def wait_for(predicate, timeout: float = 60.0) -> bool:
    """Poll *predicate* until it is true (True) or *timeout* seconds pass (False)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False

