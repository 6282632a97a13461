"""A request's path through the layers, counted in one real crawl (docs/admission.md).

    .venv/bin/python bench/admission_path.py [--seconds 20]

Crawls the demo's sandbox web (eight sites: robots.txt rules, a Crawl-delay,
a robots.txt that answers 503, a disallowed bot) with the whole stack, in this
process, and counts per request the site saw:

* the calls that ask whether a request may go (``Admission.admit``,
  ``Admission.before_send``), and by which module;
* the hops back to the frontier (``Runtime.back_to_frontier``), by stat;
* the computations of a site or origin key from a URL (``site_key``,
  ``origin_key``, ``site_or_invalid``), by the calling module, beside the
  stamps read (``keys_of``) instead.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import politecrawl.sites as sites_module
from politecrawl.sandbox import PROTOCOL_PATHS, SandboxWeb, demo_sites

CALLS: Counter[str] = Counter()


def _caller() -> str:
    """The module that asked (not this file's wrappers, not site_or_invalid asking site_key)."""
    frame = sys._getframe(2)
    while frame is not None and frame.f_globals.get("__name__") in ("politecrawl.sites", __name__):
        frame = frame.f_back
    return frame.f_globals.get("__name__", "?") if frame is not None else "?"


def _counting(name: str, fn: Any) -> Any:
    def counted(*args: Any, **kwargs: Any) -> Any:
        if sys._getframe(1).f_globals.get("__name__") != "politecrawl.sites":  # not site_or_invalid's own
            CALLS[f"{name} <- {_caller()}"] += 1
        return fn(*args, **kwargs)

    counted.__wrapped__ = fn  # type: ignore[attr-defined]
    return counted


def _asking(name: str, fn: Any) -> Any:
    def asked(*args: Any, **kwargs: Any) -> Any:
        answer = fn(*args, **kwargs)
        CALLS[f"{name} <- {_caller()} -> {answer.kind}"] += 1
        return answer

    return asked


def install() -> None:
    """Count before any glue module imports the names (they bind them at import)."""
    for name in ("site_key", "origin_key", "site_or_invalid"):
        setattr(sites_module, name, _counting(name, getattr(sites_module, name)))
    from politecrawl.admission import Admission  # noqa: PLC0415
    from politecrawl.middlewares import runtime  # noqa: PLC0415

    for name in ("admit", "before_send"):
        setattr(Admission, name, _asking(f"Admission.{name}", getattr(Admission, name)))
    back = runtime.Runtime.back_to_frontier

    def back_to_frontier(self: Any, request: Any, stat: str, **meta: Any) -> Any:
        CALLS[f"back_to_frontier {stat}"] += 1
        return back(self, request, stat, **meta)

    runtime.Runtime.back_to_frontier = back_to_frontier
    for name in ("keys_of", "site_of", "response_keys", "response_site"):  # the stamp's readers
        if hasattr(runtime, name):
            setattr(runtime, name, _counting(f"{name} (reads the stamp)", getattr(runtime, name)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--loglevel", default="WARNING")
    args = parser.parse_args()
    install()
    from politecrawl.cli import main as cli_main  # noqa: PLC0415

    with SandboxWeb(demo_sites()) as web, tempfile.TemporaryDirectory() as tmp:
        urls = [web.url(site.host) for site in web.sites]
        argv = ["crawl", *urls, "-L", args.loglevel]
        for name, value in {**web.settings(), "POLITECRAWL_CONTACT": "https://example.org/bench",
                            "POLITECRAWL_STATE": f"sqlite:///{Path(tmp) / 'state.db'}",
                            "POLITECRAWL_DEFAULT_DAILY_REQUESTS": 3 * 86_400 * 3,  # 3 req/s at a share of 1/3
                            "POLITECRAWL_MAX_SITE_RATE": 3, "CLOSESPIDER_TIMEOUT": args.seconds}.items():
            argv += ["-s", f"{name}={value}"]
        cli_main(argv, out=io.StringIO(), err=io.StringIO())
        seen = web.requests()
    pages = sum(1 for r in seen if r["path"] not in PROTOCOL_PATHS)
    rows = {key: {"calls": n, "per_page": round(n / max(pages, 1), 3)} for key, n in sorted(CALLS.items())}
    print(json.dumps({"requests_seen": len(seen), "pages_seen": pages, "calls": rows}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
