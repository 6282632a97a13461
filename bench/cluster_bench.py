"""Cluster benchmark (issue 7): aggregate pages/s with 1, 2 and 3 nodes on one Redis frontier.

    .venv/bin/python bench/cluster_bench.py [--sites 40] [--pages 150] [--nodes 1 2 3]

Budgets do not bind (so the figure is the machinery's throughput, not a
site's cap). Every node is a ``politecrawl crawl`` process with
``SCHEDULER = ClusterScheduler`` and ``POLITECRAWL_STATE = redis://...``,
seeded with the same URLs (the shared dupefilter keeps one copy of each).
For comparison, one node with the default scheduler and a SQLite state.

Reported per run: pages/s from the sandbox's request log (first to last
request), CPU seconds used by the nodes, the sandbox server and Redis (to
say what saturates on this machine), and Redis commands per request from
``INFO commandstats`` before and after (every node's calls: frontier,
dupefilter, budget, stops, robots).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import redis

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from redis_server import RedisServer  # noqa: E402

from politecrawl.sandbox import SandboxWeb, SiteSpec  # noqa: E402

CONTACT = "https://example.org/politecrawl-bench"
SCHEDULER = "politecrawl.middlewares.frontier.cluster.ClusterScheduler"


def _proc_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _commandstats(client: redis.Redis) -> dict[str, int]:
    return {name: int(stats["calls"]) for name, stats in client.info("commandstats").items()}


def _redis_cpu(client: redis.Redis) -> float:
    info = client.info("cpu")
    return float(info["used_cpu_sys"]) + float(info["used_cpu_user"])


def _round_trips(cmds: dict[str, int]) -> int:
    """Client round trips: commandstats also counts the commands a Lua script runs
    (HMGET + HSET per ``take_tokens``) and each command of a MULTI/EXEC pipeline
    (the batch pop: MULTI, ZRANGE, ZREMRANGEBYRANK, EXEC in one round trip)."""
    inner = cmds.get("hmget", 0) + min(cmds.get("hset", 0), cmds.get("evalsha", 0))
    pipelined = cmds.get("multi", 0) + cmds.get("exec", 0) + cmds.get("zremrangebyrank", 0)
    return sum(cmds.values()) - inner - pipelined


def run(web: SandboxWeb, urls: list[str], nodes: int, workdir: Path, *, cluster: bool,
        redis_url: str) -> dict[str, Any]:
    client = redis.Redis.from_url(redis_url)
    client.flushall()
    client.config_resetstat()
    settings = {
        **web.settings(),
        "POLITECRAWL_CONTACT": CONTACT,
        "POLITECRAWL_DEFAULT_DAILY_REQUESTS": "1e12",
        "POLITECRAWL_MAX_SITE_RATE": "1000",
        "POLITECRAWL_BURST": "50",
        "LOG_LEVEL": "WARNING",
        "CONCURRENT_ITEMS": "10",
    }
    if cluster:
        settings |= {"SCHEDULER": SCHEDULER, "POLITECRAWL_STATE": redis_url + "?prefix=pc:",
                     "POLITECRAWL_CLUSTER_IDLE_CLOSE": "1"}
    else:
        settings |= {"POLITECRAWL_STATE": f"sqlite:///{workdir / 'state.db'}"}
    since = len(web.requests())
    sandbox_cpu, redis_cpu, nodes_cpu = _proc_cpu(web._process.pid), _redis_cpu(client), \
        _children_cpu()
    procs = []
    for node in range(nodes):
        args = [sys.executable, "-m", "politecrawl.cli", "crawl", *urls]
        for name, value in {**settings, "POLITECRAWL_BOT_NAME": f"bench{node}"}.items():
            args += ["-s", f"{name}={value}"]
        procs.append(subprocess.Popen(args, cwd=workdir, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL))
    codes = [p.wait(timeout=3600) for p in procs]
    log = web.requests(since=since)
    pages = [r for r in log if r["path"].startswith(("/p/", "/")) and r["path"] not in (
        "/robots.txt", "/.well-known/tdmrep.json")]
    span = max(r["t"] for r in log) - min(r["t"] for r in log)
    calls = _commandstats(client)
    cmds = {k.removeprefix("cmdstat_"): v for k, v in calls.items()
            if k not in ("cmdstat_flushall", "cmdstat_config|resetstat", "cmdstat_info",
                         "cmdstat_config")}
    result = {
        "mode": "cluster" if cluster else "single (SQLite, default scheduler)",
        "nodes": nodes,
        "exit_codes": codes,
        "requests": len(log),
        "pages": len(pages),
        "distinct_pages": len({(r["site"], r["path"]) for r in pages}),
        "seconds": round(span, 2),
        "pages_per_s": round(len(pages) / span, 1) if span else None,
        "cpu_s": {
            "nodes": round(_children_cpu() - nodes_cpu, 1),
            "sandbox": round(_proc_cpu(web._process.pid) - sandbox_cpu, 1),
            "redis": round(_redis_cpu(client) - redis_cpu, 1),
        },
        "redis_commands_per_request": round(sum(cmds.values()) / len(log), 2) if cluster else 0,
        "redis_round_trips_per_request": round(_round_trips(cmds) / len(log), 2) if cluster else 0,
        "redis_commands": dict(sorted(cmds.items(), key=lambda kv: -kv[1])) if cluster else {},
    }
    client.close()
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sites", type=int, default=40)
    parser.add_argument("--pages", type=int, default=150)
    parser.add_argument("--nodes", type=int, nargs="+", default=[1, 2, 3])
    args = parser.parse_args()
    specs = [SiteSpec(f"site{i}.example.org", pages=args.pages) for i in range(args.sites)]
    server = RedisServer()
    server.start()
    results = []
    try:
        with SandboxWeb(specs) as web, tempfile.TemporaryDirectory() as tmp:
            urls = [web.url(s.host) for s in specs]
            workdir = Path(tmp)
            runs = [(1, False)] + [(n, True) for n in args.nodes]
            for nodes, cluster in runs:
                result = run(web, urls, nodes, workdir, cluster=cluster, redis_url=server.url)
                results.append(result)
                print(json.dumps(result), flush=True)
                time.sleep(1)
    finally:
        server.close()
    print("\n| mode | nodes | pages | s | pages/s | CPU s nodes / sandbox / Redis "
          "| Redis commands / round trips per request |")
    print("|---|---|---|---|---|---|---|")
    for r in results:
        cpu = r["cpu_s"]
        print(f"| {r['mode']} | {r['nodes']} | {r['distinct_pages']} | {r['seconds']} | "
              f"{r['pages_per_s']} | {cpu['nodes']} / {cpu['sandbox']} / {cpu['redis']} | "
              f"{r['redis_commands_per_request']} / {r['redis_round_trips_per_request']} |")


if __name__ == "__main__":
    main()
