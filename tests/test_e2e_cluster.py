"""Crawls that span processes (issue 7): 3 nodes on one scrapy-redis frontier, judged by the sandbox's log.

Every node is a real ``politecrawl crawl`` process with
``SCHEDULER = ClusterScheduler`` and ``POLITECRAWL_STATE = redis://...``; its
bot name (``pcnode<N>``) makes its User-Agent say which node sent a request.
robots.txt and tdmrep.json take a turn of the site's budget like pages, so
every request the site saw counts against its cap.
"""

from __future__ import annotations

import json
import os
import signal
import time

import pytest
from cluster_helpers import Cluster, cluster_settings, node_of
from helpers import politecrawl_command, wait_for
from redis_server import RedisServer

from politecrawl.sandbox import SiteSpec, max_in_window

pytestmark = [pytest.mark.e2e, pytest.mark.redis]

DAY = 86_400
ROBOTS = "/robots.txt"


def capped(site: str, rate: float, burst: int, **extra) -> dict:
    return {
        "POLITECRAWL_SITE_TRAFFIC": json.dumps({site: rate * 3 * DAY}),
        "POLITECRAWL_MAX_SITE_RATE": "10",
        "POLITECRAWL_BURST": str(burst),
        **extra,
    }


def charged(log):
    """What the budget counts: every request the site saw (robots.txt included)."""
    return list(log)


def assert_cap(log, rate, burst, windows=(1, 2, 5, 10, 15), slack=0):
    """From the site's side: at most rate × W + burst requests in any window [t, t + W).

    The bound holds for the times tokens were granted; a request granted just
    before its process stalls (3 nodes, the sandbox and Redis on 2 shared cores)
    arrives later, next to newer ones. *slack* allows that many such requests.
    """
    times = sorted(r["t"] for r in log)
    for window in windows:
        worst = max_in_window(times, window)
        if worst > rate * window + burst + slack:
            t0 = times[0]
            detail = [(round(r["t"] - t0, 3), node_of(r), r["path"]) for r in log]
            raise AssertionError(f"{worst} requests in {window} s > {rate * window + burst}: "
                                 f"{sorted(detail)}")


def test_three_nodes_hold_one_site_cap_together(sandbox, redis_url, tmp_path):
    rate, burst, seconds = 3.0, 2, 15
    web = sandbox([SiteSpec("shop-a.com", pages=400)])
    settings = cluster_settings(web, redis_url, **capped(
        "shop-a.com", rate, burst, CLOSESPIDER_TIMEOUT=str(seconds)))
    cluster = Cluster([web.url("shop-a.com")], settings, tmp_path)
    codes = cluster.wait()
    assert codes == [0, 0, 0], cluster.output(1)[-3000:]
    log = web.requests("shop-a.com")
    times = sorted(r["t"] for r in charged(log))
    assert_cap(charged(log), rate, burst)
    # the cap was used, not just respected: the nodes together got ~rate × span
    span = times[-1] - times[0]
    assert span >= seconds - 3
    assert len(times) >= 0.85 * rate * span, (len(times), span)
    # all three nodes sent pages: one budget, spent by whoever was ready
    per_node = {n: sum(1 for r in charged(log) if node_of(r) == n) for n in (1, 2, 3)}
    assert all(count >= 3 for count in per_node.values()), per_node
    # one robots.txt for the cluster: the record is shared in Redis (lease + cache)
    assert sum(1 for r in log if r["path"] == ROBOTS) == 1
    # nothing was fetched twice: one shared dupefilter and queue
    pages = [r["path"] for r in charged(log) if r["path"].startswith("/p/")]
    assert len(pages) == len(set(pages))


def test_cli_stop_reaches_every_node_within_one_second(sandbox, redis_url, tmp_path):
    web = sandbox([SiteSpec("big-shop.com", pages=600, latency=0.05),
                   SiteSpec("small-shop.com", pages=20)])
    settings = cluster_settings(web, redis_url, **capped("big-shop.com", 6.0, 2),
                                CLOSESPIDER_TIMEOUT="40")
    cluster = Cluster([web.url("big-shop.com"), web.url("small-shop.com")], settings, tmp_path)
    try:
        assert wait_for(lambda: len({node_of(r) for r in web.requests("big-shop.com")} - {0}) == 3
                        and len(web.requests("big-shop.com")) >= 20), "the nodes did not start"
        stop = politecrawl_command("stop", "http://big-shop.com/x", "--reason", "mail from the owner",
                                   "--state", redis_url, timeout=60, cwd=tmp_path)
        returned = time.time()
        assert stop.returncode == 0, stop.stderr
        codes = cluster.wait(timeout=120)
    finally:
        cluster.kill_all()
    assert codes == [0, 0, 0], cluster.output(1)[-3000:]
    seen = web.requests("big-shop.com")
    late = [(node_of(r), round(r["t"] - returned, 2)) for r in seen if r["t"] > returned + 1.0]
    assert late == [], f"requests started more than 1 s after the stop: {late}"
    last = max(r["t"] for r in seen) - returned
    print(f"last request to the stopped site: {last:+.2f} s after the stop command returned")
    assert len(seen) < 300
    for node in (1, 2, 3):
        assert "big-shop.com is stopped by the operator (stop-1)" in cluster.output(node)
    # the nodes went on with the other site and finished it
    small = {r["path"] for r in web.requests("small-shop.com") if r["path"].startswith("/p/")}
    assert len(small) == 20


def test_redis_down_for_5_seconds_sends_nothing_and_the_crawl_finishes(sandbox, tmp_path):
    rate, burst, pages = 4.0, 2, 60
    server = RedisServer(persist=True)
    server.start()
    try:
        web = sandbox([SiteSpec("shop-a.com", pages=pages)])
        settings = cluster_settings(web, server.url + "?prefix=pc:", **capped(
            "shop-a.com", rate, burst, POLITECRAWL_CLUSTER_IDLE_CLOSE="3",
            CLOSESPIDER_TIMEOUT="90"))
        cluster = Cluster([web.url("shop-a.com")], settings, tmp_path)
        try:
            assert wait_for(lambda: len(charged(web.requests("shop-a.com"))) >= 15)
            down_at = time.time()
            server.stop()
            time.sleep(5)
            up_at = time.time()
            server.start()
            codes = cluster.wait(timeout=150)
        finally:
            cluster.kill_all()
    finally:
        server.close()
    assert codes == [0, 0, 0], cluster.output(1)[-3000:]
    log = web.requests("shop-a.com")
    # a request whose token was taken just before Redis went away may still arrive (0.3 s)
    while_down = [round(r["t"] - down_at, 2) for r in log if down_at + 0.3 < r["t"] < up_at]
    assert while_down == [], while_down
    after = [r for r in log if r["t"] >= up_at]
    assert after, "nothing was sent after Redis came back"
    # the crawl finished: every page once (nothing lost, nothing fetched twice)
    paths = [r["path"] for r in charged(log) if r["path"].startswith("/p/")]
    assert sorted(set(paths)) == sorted(f"/p/{i}" for i in range(pages))
    assert len(paths) == len(set(paths))
    assert_cap(charged(log), rate, burst, slack=1)  # 3 nodes starting while Redis flaps
    for node in (1, 2, 3):
        out = cluster.output(node)
        assert out.count("the shared frontier's Redis is unreachable") == 1, out[-3000:]
        assert out.count("Redis answers again after") == 1


def test_a_killed_node_leaves_the_others_crawling_within_the_cap(sandbox, redis_url, tmp_path):
    rate, burst = 3.0, 2
    web = sandbox([SiteSpec("shop-a.com", pages=400)])
    settings = cluster_settings(web, redis_url, **capped(
        "shop-a.com", rate, burst, CLOSESPIDER_TIMEOUT="16"))
    cluster = Cluster([web.url("shop-a.com")], settings, tmp_path)
    try:
        assert wait_for(lambda: len({node_of(r) for r in web.requests("shop-a.com")} - {0}) == 3)
        time.sleep(2)
        os.kill(cluster.procs[1].pid, signal.SIGKILL)
        killed_at = time.time()
        codes = cluster.wait()
    finally:
        cluster.kill_all()
    assert codes[0] == 0 and codes[2] == 0, cluster.output(1)[-3000:]
    log = charged(web.requests("shop-a.com"))
    assert not [r for r in log if node_of(r) == 2 and r["t"] > killed_at + 0.2]
    later = [r for r in log if r["t"] > killed_at + 1]
    assert {node_of(r) for r in later} == {1, 3}
    # the two left took over the whole budget, no more
    end = max(r["t"] for r in later)
    assert len(later) >= 0.8 * rate * (end - killed_at - 1), len(later)
    assert_cap(log, rate, burst, slack=1)
