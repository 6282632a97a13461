"""Helpers for cluster tests: N crawl processes on one shared Redis frontier."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qs, urlsplit

from helpers import CONTACT, crawl_env

SCHEDULER = "politecrawl.middlewares.frontier.cluster.ClusterScheduler"


def key_prefix(redis_url: str) -> str:
    """The ``prefix=`` option of a state URL (the fixture deletes those keys afterwards)."""
    return parse_qs(urlsplit(redis_url).query).get("prefix", [""])[0]


def cluster_settings(web: Any, redis_url: str, **extra: Any) -> dict[str, Any]:
    prefix = key_prefix(redis_url)
    return {
        "POLITECRAWL_CONTACT": CONTACT,
        "POLITECRAWL_STATE": redis_url,
        "SCHEDULER": SCHEDULER,
        "SCHEDULER_QUEUE_KEY": prefix + "%(spider)s:requests",
        "SCHEDULER_DUPEFILTER_KEY": prefix + "%(spider)s:dupefilter",
        "POLITECRAWL_CLUSTER_IDLE_CLOSE": "2",
        "POLITECRAWL_DEFAULT_DAILY_REQUESTS": "1e12",
        "POLITECRAWL_MAX_SITE_RATE": "1000",
        "POLITECRAWL_BURST": "50",
        "LOG_LEVEL": "INFO",
        **web.settings(),
        **extra,
    }


def node_args(urls: list[str], settings: dict[str, Any], node: int) -> list[str]:
    """``politecrawl crawl URLS`` for node *node*; its bot name (so its User-Agent) says which."""
    all_settings = {**settings, "POLITECRAWL_BOT_NAME": f"pcnode{node}"}
    args = [sys.executable, "-m", "politecrawl.cli", "crawl", *urls]
    for name, value in all_settings.items():
        args += ["-s", f"{name}={value if isinstance(value, str) else json.dumps(value)}"]
    return args


class Cluster:
    """Starts N nodes at once; collects their output."""

    def __init__(self, urls: list[str], settings: dict[str, Any], tmp_path: Path, n: int = 3, first: int = 1):
        self.procs: list[subprocess.Popen[str]] = []
        self.logs: list[Path] = []
        self.first = first
        for node in range(first, first + n):
            log = tmp_path / f"node{node}.log"
            self.logs.append(log)
            with log.open("w") as handle:
                self.procs.append(subprocess.Popen(
                    node_args(urls, settings, node), stdout=handle, stderr=subprocess.STDOUT,
                    text=True, cwd=tmp_path, env=crawl_env(),
                ))

    def wait(self, timeout: float = 180) -> list[int]:
        deadline = time.time() + timeout
        codes = []
        for proc in self.procs:
            try:
                codes.append(proc.wait(timeout=max(1.0, deadline - time.time())))
            except subprocess.TimeoutExpired:
                proc.kill()
                codes.append(proc.wait())
        return codes

    def output(self, node: int) -> str:
        return self.logs[node - self.first].read_text(errors="replace")

    def kill_all(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def node_of(record: dict[str, Any]) -> int:
    """The node number of a request, from its User-Agent's product token ``pcnode<N>``."""
    match = re.match(r"pcnode(\d+)", record.get("ua", ""))
    return int(match.group(1)) if match else 0


@contextmanager
def busy_cpu(n: int = 3) -> Iterator[None]:
    """*n* processes that only burn CPU, at the nodes' priority: a loaded machine on purpose,
    where a node's event loop runs late (the grant-to-send delays that once broke a site's cap)."""
    procs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(n)]
    try:
        yield
    finally:
        for proc in procs:
            proc.kill()
            proc.wait()
