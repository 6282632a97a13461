"""Redis round trips a request in a cluster crawl (issue 20: at most 2), counted on a real Redis.

Two and three nodes crawl sites with spread caps, on default settings (the recrawl fetch history on),
as ``bench/cluster_bench.py utilisation`` does, smaller. Every command a client sends is counted with
Redis's ``MONITOR`` (the commands Lua scripts run inside Redis are not round trips and are left out);
requests are what the sites saw (the sandbox's log). Start-up and closing are counted too.

The count is of the session's Redis (``REDIS_URL`` or the tests' own ``redis-server``): another
client talking to it during the crawl would only make the figure larger.
"""

from __future__ import annotations

import json
import math
import random

import pytest
from cluster_helpers import Cluster, cluster_settings
from redis_server import CommandCounter

from politecrawl.sandbox import PROTOCOL_PATHS, SiteSpec, max_in_window

pytestmark = [pytest.mark.e2e, pytest.mark.redis]

DAY = 86_400
BURST = 2  # POLITECRAWL_BURST's default
SECONDS = 30  # start-up (per site: robots.txt, tdmrep.json, budget and audit records) weighs less
MAX_ROUND_TRIPS = 2.0


@pytest.mark.parametrize("nodes", [2, 3])
def test_a_request_costs_at_most_two_redis_round_trips(sandbox, redis_server_url, redis_url, tmp_path, nodes):
    rng = random.Random(20)
    rates = {f"site{i}.test": math.exp(rng.uniform(math.log(1.0), math.log(4.0))) for i in range(12)}
    # each site on a loopback address of its own: the per-server limit would bind them together
    web = sandbox([SiteSpec(host, pages=int(rate * (SECONDS + 20)) + 10, address=f"127.0.2.{i + 1}")
                   for i, (host, rate) in enumerate(rates.items())])
    settings = cluster_settings(
        web, redis_url,
        POLITECRAWL_SITE_TRAFFIC=json.dumps({site: rate * 3 * DAY for site, rate in rates.items()}),
        POLITECRAWL_MAX_SITE_RATE="10", POLITECRAWL_BURST=str(BURST),
        CLOSESPIDER_TIMEOUT=str(SECONDS), LOG_LEVEL="WARNING",
    )
    counter = CommandCounter(redis_server_url)
    try:
        cluster = Cluster([web.url(site) for site in rates], settings, tmp_path, n=nodes)
        codes = cluster.wait()
    finally:
        counter.close()
    assert codes == [0] * nodes, cluster.output(1)[-3000:]
    log = web.requests()
    pages = [r for r in log if r["path"] not in PROTOCOL_PATHS]
    assert len(pages) > 10 * SECONDS  # the crawl ran (~27 requests a second at the caps)
    per_request = counter.count / len(log)
    by_name = {name: round(n / len(log), 3) for name, n in sorted(counter.by_name.items(), key=lambda kv: -kv[1])}
    print(f"{nodes} nodes: {per_request:.2f} Redis round trips a request over {len(log)} requests: {by_name}")
    assert per_request <= MAX_ROUND_TRIPS, f"{per_request:.2f} round trips a request: {by_name}"
    # and nothing polite gave way for it: every site within its cap
    for host, rate in rates.items():
        times = sorted(r["t"] for r in log if r["site"] == host)
        for window in (1, 10):
            assert max_in_window(times, window) <= rate * window + BURST, (host, window)
