"""Cluster benchmarks: throughput (issue 7) and utilisation of spread caps (issue 20).

    .venv/bin/python bench/cluster_bench.py [--sites 40] [--pages 150] [--nodes 1 2 3]
        [--no-single] [--round-trips] [--python OTHER_VENV/bin/python --label main]
    .venv/bin/python bench/cluster_bench.py utilisation [--sites 40] [--seconds 45] [--nodes 1 2 3]
        [--python OTHER_VENV/bin/python --label main]

**utilisation**: sites with caps spread log-uniformly over 0.1–4 requests/s, each with
pages enough to stay budget-bound and a loopback address of its own (a server of its
own: the per-server limit does not bind), default settings (burst, concurrency, local
queue). Utilisation = requests the sites saw in a steady window (from 5 s after the
first request, ``--seconds`` long) ÷ (sum of caps × window); a violation is a (site,
W ∈ {1, 10, window}) pair over rate × W + burst. Also the longest gap of the slowest
site, and Redis round trips per request: commands the nodes sent (Redis's MONITOR,
commands run inside Lua scripts left out) ÷ requests the sites saw. ``--python``
runs the nodes with another checkout's interpreter (the same bench on older code).

**throughput** (the default):

Budgets do not bind (so the figure is the machinery's throughput, not a
site's cap), and each site has a loopback address of its own (so the per-server
limit does not bind either). Every node is a ``politecrawl crawl`` process with
``SCHEDULER = ClusterScheduler`` and ``POLITECRAWL_STATE = redis://...``,
seeded with the same URLs (the shared dupefilter keeps one copy of each).
For comparison, one node with the default scheduler and a SQLite state.

The 40 hosts are ``site<i>.example.org``: one registered domain, so one budget
site (``example.org``) whose 1000 requests/s (burst 50) the nodes share, and one
send-slot schedule. ``--no-single`` leaves the single-node run out;
``--python`` runs the nodes with another checkout's interpreter (A/B against
older code: run the two alternately).

Reported per run: pages/s from the sandbox's request log (first to last
request), CPU seconds used by the nodes, the sandbox server and Redis (to
say what saturates on this machine), the nodes' ``late_sends`` and
``taken`` stats, and with ``--round-trips`` the Redis round trips per
request as the utilisation bench counts them (MONITOR: the commands the nodes
send, not those the Lua scripts run; it costs Redis and the bench some CPU).
``INFO commandstats`` is not used: it also counts every command a script runs
inside Redis (the pop script's HMGET, ZADD, ZRANGEBYSCORE... per origin it looks
at), so it said nothing about round trips.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import redis

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from redis_server import CommandCounter, RedisServer  # noqa: E402

from politecrawl.sandbox import SandboxWeb, SiteSpec, max_in_window  # noqa: E402

CONTACT = "https://example.org/politecrawl-bench"
SCHEDULER = "politecrawl.middlewares.frontier.cluster.ClusterScheduler"


def _proc_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _redis_cpu(client: redis.Redis) -> float:
    info = client.info("cpu")
    return float(info["used_cpu_sys"]) + float(info["used_cpu_user"])


def _node_stats(logs: list[Path]) -> dict[str, int]:
    """The nodes' ``politecrawl/cluster/...`` and ``budget/...`` stats, added up (their stats dumps)."""
    total: dict[str, int] = {}
    for path in logs:
        text = path.read_text(errors="replace")
        for name, value in re.findall(r"'politecrawl/((?:budget|cluster)/[\w/-]+)': (\d+)", text):
            total[name] = total.get(name, 0) + int(value)
    return total


def run(web: SandboxWeb, urls: list[str], nodes: int, workdir: Path, *, cluster: bool,
        redis_url: str, python: str = sys.executable, round_trips: bool = False) -> dict[str, Any]:
    client = redis.Redis.from_url(redis_url)
    client.flushall()
    settings = {
        **web.settings(),
        "POLITECRAWL_CONTACT": CONTACT,
        "POLITECRAWL_DEFAULT_DAILY_REQUESTS": "1e12",
        "POLITECRAWL_MAX_SITE_RATE": "1000",
        "POLITECRAWL_BURST": "50",
        "LOG_LEVEL": "INFO",
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
    counter = CommandCounter(redis_url) if cluster and round_trips else None
    procs, logs = [], []
    for node in range(nodes):
        args = [python, "-m", "politecrawl.cli", "crawl", *urls]
        for name, value in {**settings, "POLITECRAWL_BOT_NAME": f"bench{node}"}.items():
            args += ["-s", f"{name}={value}"]
        logs.append(workdir / f"throughput-node{node}.log")
        with logs[-1].open("w") as out:
            procs.append(subprocess.Popen(args, cwd=workdir, stdout=out, stderr=subprocess.STDOUT))
    codes = [p.wait(timeout=3600) for p in procs]
    if counter is not None:
        counter.close()
    log = web.requests(since=since)
    pages = [r for r in log if r["path"].startswith(("/p/", "/")) and r["path"] not in (
        "/robots.txt", "/.well-known/tdmrep.json")]
    span = max(r["t"] for r in log) - min(r["t"] for r in log)
    stats = _node_stats(logs)
    result = {
        "mode": "cluster" if cluster else "single (SQLite, default scheduler)",
        "nodes": nodes,
        "python": python,
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
        "taken": stats.get("cluster/taken", 0),
        "late_sends": stats.get("cluster/late_sends", 0),
        "redis_round_trips_per_request": round(counter.count / len(log), 2) if counter else None,
        "redis_commands_per_request": {k: round(v / len(log), 3) for k, v in sorted(
            (counter.by_name if counter else {}).items(), key=lambda kv: -kv[1])},
        "load_average": os.getloadavg(),
    }
    client.close()
    return result


def utilisation_run(rates: dict[str, float], nodes: int, span: float, python: str, *,
                    cluster: bool, redis_url: str, workdir: Path) -> dict[str, Any]:
    burst = 2.0  # POLITECRAWL_BURST's default
    # each site on a loopback address of its own: the per-server limit (POLITECRAWL_MAX_IP_RATE)
    # would otherwise bind all sites on 127.0.0.1 together, and the bench measures the sites' caps
    specs = [SiteSpec(host, pages=int(rate * (span + 40)) + 10, address=f"127.0.1.{i + 1}")
             for i, (host, rate) in enumerate(rates.items())]
    client = redis.Redis.from_url(redis_url)
    client.flushall()
    settings = {
        "POLITECRAWL_CONTACT": CONTACT,
        "POLITECRAWL_SITE_TRAFFIC": json.dumps({h: r * 3 * 86_400 for h, r in rates.items()}),
        "POLITECRAWL_MAX_SITE_RATE": "10",
        "CLOSESPIDER_TIMEOUT": str(int(span + 15)),
        "LOG_LEVEL": "INFO",
    }
    if cluster:
        settings |= {"SCHEDULER": SCHEDULER, "POLITECRAWL_STATE": redis_url + "?prefix=pc:"}
    else:
        settings |= {"POLITECRAWL_STATE": f"sqlite:///{workdir / 'state.db'}"}
    with SandboxWeb(specs) as web:
        counter = CommandCounter(redis_url) if cluster else None
        procs = []
        for node in range(nodes):
            args = [python, "-m", "politecrawl.cli", "crawl", *[web.url(h) for h in rates]]
            for name, value in {**web.settings(), **settings,
                                "POLITECRAWL_BOT_NAME": f"bench{node}"}.items():
                args += ["-s", f"{name}={value}"]
            with (workdir / f"node{node}.log").open("w") as out:
                procs.append(subprocess.Popen(args, cwd=workdir, stdout=out,
                                              stderr=subprocess.STDOUT))
        codes = [p.wait(timeout=span + 300) for p in procs]
        if any(codes):
            print((workdir / "node0.log").read_text()[-3000:], file=sys.stderr)
        if counter is not None:
            counter.close()
            print(f"MONITOR: {counter.count} commands, ended by {counter.error!r}", file=sys.stderr)
        log = web.requests()
    client.close()
    start = min(r["t"] for r in log) + 5
    window = [r for r in log if start <= r["t"] < start + span]
    by_site: dict[str, list[float]] = {h: [] for h in rates}
    for r in log:
        by_site.setdefault(r["site"], []).append(r["t"])
    violations = []
    for host, times in by_site.items():
        times.sort()
        for w in (1, 10, span):
            seen = max_in_window(times, w)
            if seen > rates[host] * w + burst:
                violations.append((host, w, round(seen - rates[host] * w - burst, 2)))
    bands: dict[str, list[float]] = {}  # where a shortfall is: utilisation by cap
    for host, rate in rates.items():
        band = "<0.5/s" if rate < 0.5 else "0.5-2/s" if rate < 2 else ">=2/s"
        pair = bands.setdefault(band, [0.0, 0.0])
        pair[0] += sum(1 for t in by_site[host] if start <= t < start + span) / span
        pair[1] += rate
    stats = dict(re.findall(r"'politecrawl/((?:budget|cluster)/[\w/-]+)': (\d+)",
                            (workdir / "node0.log").read_text(errors="replace")))
    slowest = min(rates, key=rates.get)
    inside = [t for t in by_site[slowest] if start <= t < start + span]
    gaps = [b - a for a, b in zip([start, *inside], [*inside, start + span])]
    return {
        "mode": "cluster" if cluster else "single node (SQLite, default scheduler)",
        "nodes": nodes, "exit_codes": codes,
        "utilisation": round(len(window) / span / sum(rates.values()), 3),
        "sum_of_caps_rps": round(sum(rates.values()), 2),
        "violations": violations,
        "slowest_site": f"{slowest} at {rates[slowest]:.3f}/s: longest gap {max(gaps):.1f} s "
                        f"(interval {1 / rates[slowest]:.1f} s)",
        "utilisation_by_cap": {b: round(g / c, 3) for b, (g, c) in sorted(bands.items())},
        "node0_stats": stats,
        "redis_round_trips_per_request": round(counter.count / len(log), 2) if counter else None,
        "redis_commands_per_request": {k: round(v / len(log), 3) for k, v in sorted(
            (counter.by_name if counter else {}).items(), key=lambda kv: -kv[1])},
        "load_average": os.getloadavg(),
    }


def utilisation(args: argparse.Namespace) -> None:
    rng = random.Random(20)
    rates = {f"site{i}.com": math.exp(rng.uniform(math.log(0.1), math.log(4.0)))
             for i in range(args.sites)}
    server = RedisServer()
    server.start()
    rows = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            runs = ([(1, False)] if args.single else []) + [(n, True) for n in args.nodes]
            for nodes, cluster in runs:
                row = utilisation_run(rates, nodes, args.seconds, args.python, cluster=cluster,
                                      redis_url=server.url, workdir=Path(tmp))
                rows.append(row)
                print(json.dumps(row), flush=True)
    finally:
        server.close()
    print("\n| code | mode | nodes | utilisation | violating (site, W) | slowest site "
          "| Redis round trips / request | load average |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {args.label} | {r['mode']} | {r['nodes']} | {r['utilisation']} | "
              f"{len(r['violations'])} | {r['slowest_site']} | {r['redis_round_trips_per_request']} "
              f"| {' / '.join(f'{x:.1f}' for x in r['load_average'])} |")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", nargs="?", default="throughput",
                        choices=("throughput", "utilisation"))
    parser.add_argument("--sites", type=int, default=40)
    parser.add_argument("--pages", type=int, default=150)
    parser.add_argument("--seconds", type=float, default=45)
    parser.add_argument("--nodes", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--single", action="store_true", help="also one node without the cluster")
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--label", default="this checkout")
    parser.add_argument("--no-single", action="store_true",
                        help="throughput: leave out the single node without the cluster")
    parser.add_argument("--round-trips", action="store_true",
                        help="throughput: count the nodes' Redis round trips (MONITOR)")
    parser.add_argument("--one-address", action="store_true",
                        help="throughput: every site on 127.0.0.1 (one server: its per-server limit binds them all)")
    args = parser.parse_args()
    if args.mode == "utilisation":
        utilisation(args)
        return
    # each site on a loopback address of its own, as in utilisation: on one address the per-server limit
    # (POLITECRAWL_MAX_IP_RATE) binds every site together, and the bench would measure that one server's cap
    specs = [SiteSpec(f"site{i}.example.org", pages=args.pages,
                      address=None if args.one_address else f"127.0.1.{i + 1}")
             for i in range(args.sites)]
    server = RedisServer()
    server.start()
    results = []
    try:
        with SandboxWeb(specs) as web, tempfile.TemporaryDirectory() as tmp:
            urls = [web.url(s.host) for s in specs]
            workdir = Path(tmp)
            runs = ([] if args.no_single else [(1, False)]) + [(n, True) for n in args.nodes]
            for nodes, cluster in runs:
                result = run(web, urls, nodes, workdir, cluster=cluster, redis_url=server.url,
                             python=args.python, round_trips=args.round_trips)
                results.append(result)
                print(json.dumps(result), flush=True)
                time.sleep(1)
    finally:
        server.close()
    print("\n| code | mode | nodes | pages | s | pages/s | CPU s nodes / sandbox / Redis "
          "| taken / late sends | Redis round trips / request | load average |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        cpu = r["cpu_s"]
        trips = "–" if r["redis_round_trips_per_request"] is None else r["redis_round_trips_per_request"]
        print(f"| {args.label} | {r['mode']} | {r['nodes']} | {r['distinct_pages']} | {r['seconds']} | "
              f"{r['pages_per_s']} | {cpu['nodes']} / {cpu['sandbox']} / {cpu['redis']} | "
              f"{r['taken']} / {r['late_sends']} | {trips} "
              f"| {' / '.join(f'{x:.1f}' for x in r['load_average'])} |")


if __name__ == "__main__":
    main()
