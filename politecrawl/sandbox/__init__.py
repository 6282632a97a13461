"""A local web of many synthetic sites on 127.0.0.1, for tests, benchmarks and the demo.

>>> with SandboxWeb([SiteSpec("shop-a.com", pages=5)]) as web:   # doctest: +SKIP
...     settings = web.settings()          # resolver + address for a Scrapy crawl
...     ...                                # crawl http://shop-a.com/
...     seen = web.requests(site="shop-a.com")
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import urllib.request
from collections.abc import Iterable
from typing import Any

from ..stops.tdmrep import TDMREP_PATH
from .spec import Route, SiteSpec, demo_sites

__all__ = ["PROTOCOL_PATHS", "Route", "SandboxWeb", "SiteSpec", "demo_sites", "max_in_window"]

#: Paths a polite crawler fetches that are not pages: leave them out when counting pages.
PROTOCOL_PATHS = ("/robots.txt", TDMREP_PATH, "/sitemap.xml")

# Talk to the sandbox directly, never through a proxy from the environment.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


#: How sites' caps are checked from their side: the busiest window of a request log's times.
def max_in_window(times: list[float], window: float) -> int:
    """The most of *times* (sorted or not) that fall in any half-open window of *window* seconds."""
    times = sorted(times)
    best = j = 0
    for i, start in enumerate(times):
        while j < len(times) and times[j] < start + window:
            j += 1
        best = max(best, j - i)
    return best


class SandboxWeb:
    """Starts the sandbox server in a subprocess and reads back what it saw."""

    def __init__(self, sites: Iterable[SiteSpec], *, port: int = 0) -> None:
        self.sites = list(sites)
        self.port = port
        self._process: subprocess.Popen[str] | None = None
        self._spec_file: str | None = None

    # -- life cycle ------------------------------------------------------
    def start(self) -> SandboxWeb:
        fd, self._spec_file = tempfile.mkstemp(prefix="politecrawl-sandbox-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump([s.to_dict() for s in self.sites], handle)
        self._process = subprocess.Popen(
            [sys.executable, "-m", "politecrawl.sandbox.server", "--spec", self._spec_file,
             "--port", str(self.port)],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._process.stdout is not None
        line = self._process.stdout.readline().strip()
        if not line.startswith("PORT "):
            self.stop()
            raise RuntimeError(f"the sandbox server did not start (it said {line!r})")
        self.port = int(line.split()[1])
        return self

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:  # pragma: no cover
                self._process.kill()
            self._process = None
        if self._spec_file and os.path.exists(self._spec_file):
            os.unlink(self._spec_file)

    def __enter__(self) -> SandboxWeb:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- what a crawl needs ----------------------------------------------
    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def addresses(self) -> dict[str, str]:
        """The sites that have a loopback address of their own: ``{host: address}``."""
        return {site.host.lower(): site.address for site in self.sites if site.address}

    def settings(self) -> dict[str, Any]:
        """Scrapy settings that send every host name to this sandbox (a site with an address of its
        own to that address)."""
        settings: dict[str, Any] = {
            "TWISTED_DNS_RESOLVER": "politecrawl.sandbox.resolver.SandboxResolver",
            "POLITECRAWL_SANDBOX": self.address,
        }
        addresses = self.addresses()
        if addresses:
            settings["POLITECRAWL_SANDBOX_ADDRESSES"] = json.dumps(addresses, sort_keys=True)
        return settings

    @staticmethod
    def url(host: str, path: str = "/") -> str:
        return f"http://{host}{path}"

    # -- control ---------------------------------------------------------
    def _call(self, command: str, data: Any = None) -> Any:
        body = None if data is None else json.dumps(data).encode()
        with _OPENER.open(f"http://{self.address}/__sandbox__/{command}", body, timeout=30) as r:
            return json.loads(r.read())

    def requests(self, site: str | None = None, since: int = 0) -> list[dict[str, Any]]:
        """Every request the sandbox received (time, site, path, ua, status, bytes, client, server)."""
        log = self._call(f"log?since={since}")
        return [r for r in log if site is None or r["site"] == site]

    def update(self, host: str, **patch: Any) -> None:
        """Change a site while it is served (latency, robots, routes, ...)."""
        self._call("update", {"host": host, "patch": patch})

    def add(self, site: SiteSpec) -> None:
        """Serve one more site (a crawl already running resolves it to 127.0.0.1 whatever its address)."""
        self.sites.append(site)
        self._call("add", site.to_dict())
