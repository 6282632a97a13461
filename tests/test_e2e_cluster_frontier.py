"""The shared frontier (issue 20): two nodes on one Redis, judged by the sandbox's log.

Every node is a real ``politecrawl crawl`` process with ``SCHEDULER =
ClusterScheduler``; its bot name (``pcnode<N>``) makes its User-Agent say which
node sent a request. Caps are spread, as real budgets are, so a node that held
requests of a slow site while it could not go would show as a starved site.
"""

from __future__ import annotations

import json
import signal
import time

import pytest
from cluster_helpers import Cluster, busy_cpu, cluster_settings, key_prefix, node_of
from helpers import politecrawl_command, wait_for

from politecrawl.sandbox import SiteSpec, max_in_window

pytestmark = [pytest.mark.e2e, pytest.mark.redis]

DAY = 86_400
BURST = 2  # POLITECRAWL_BURST's default


def spread_caps(rates: dict[str, float], **extra) -> dict:
    return {
        "POLITECRAWL_SITE_TRAFFIC": json.dumps({site: rate * 3 * DAY for site, rate in rates.items()}),
        "POLITECRAWL_MAX_SITE_RATE": "10",
        "POLITECRAWL_BURST": str(BURST),
        **extra,
    }


def test_two_nodes_over_spread_caps_keep_every_cap_and_never_starve_the_slowest(
        sandbox, redis_url, tmp_path):
    """On a loaded machine on purpose (busy processes beside the nodes): a node's requests then
    reach the site up to seconds after their grant while the other node's go at once. Before
    send slots were checked at the send, 1 to 2 runs in 3 showed a window over cap (23 requests to
    fast.test in 5 s against at most 22, as in CI)."""
    rates = {"slow.test": 0.25, "calm.test": 0.5, "mid.test": 1.0, "brisk.test": 2.0,
             "quick.test": 3.0, "fast.test": 4.0}
    seconds = 24
    web = sandbox([SiteSpec(site, pages=int(rate * 60) + 10) for site, rate in rates.items()])
    settings = cluster_settings(web, redis_url, **spread_caps(
        rates, CLOSESPIDER_TIMEOUT=str(seconds)))
    with busy_cpu(3):
        cluster = Cluster([web.url(site) for site in rates], settings, tmp_path, n=2)
        codes = cluster.wait()
    assert codes == [0, 0], cluster.output(1)[-3000:]
    log = web.requests()
    start = min(r["t"] for r in log) + 4
    end = max(r["t"] for r in log) - 1
    for site, rate in rates.items():
        times = sorted(r["t"] for r in log if r["site"] == site)
        for window in (1, 5, 10, 20):  # every request the site saw counts, robots.txt included
            assert max_in_window(times, window) <= rate * window + BURST, (site, window, times)
        steady = [t for t in times if start <= t < end]
        # used, not only respected: no site waits behind requests another node holds
        assert len(steady) >= 0.75 * rate * (end - start), (site, len(steady), end - start)
        gaps = [b - a for a, b in zip([start, *steady], [*steady, end])]
        assert max(gaps) <= 2.0 / rate + 1.5, (site, max(gaps))  # starved before: ~30 s
    by_node = {n: sum(1 for r in log if node_of(r) == n) for n in (1, 2)}
    assert min(by_node.values()) >= 0.1 * len(log), by_node  # both nodes did the work
    pages = [(r["site"], r["path"]) for r in log if r["path"].startswith("/p/")]
    assert len(pages) == len(set(pages))  # one shared dupefilter: nothing fetched twice
    for node in (1, 2):
        assert "the shared frontier" not in cluster.output(node) or \
            "unreachable" not in cluster.output(node)


def test_a_429_pause_and_a_stop_reach_both_nodes(sandbox, redis_url, tmp_path):
    """Events, not timings, decide when things happen: the 429 is served (a route added to a host
    of the site) only once both nodes have sent to both sites, the stop once the 429 was served, and
    the nodes are stopped (SIGTERM: a graceful close) once both sent to the site again after the
    pause and the throttled page was asked again, not at a crawl timeout. Bounds for requests
    already on their way when a pause or a stop reached Redis are those of a loaded machine: a request granted just before may be held up to 1 s for its send
    slot and reach the site later still when its node's event loop runs late (the pause: 1.5 s of
    an 8 s pause, where a node that missed it would have sent ~25 requests; the stop: 2 s, with
    the crawl running on after it). Until 2026-12-05 (session 10) the 429 was /p/10 of one host,
    reached ~20 s into a 30 s crawl (CLOSESPIDER_TIMEOUT) on an idle machine: on a loaded one it
    came late enough for the re-fetch after the 6 s pause to miss the crawl's end, and the bounds
    were 0.5 s and 1 s."""
    pause, in_flight, stop_grace = 8, 1.5, 2.0
    rates = {"limit-shop.com": 4.0, "stop-shop.com": 4.0}
    # each site on 8 hosts: origins are shared out among the nodes, so both nodes send to both
    limit_hosts = [f"h{i}.limit-shop.com" for i in range(8)]
    stop_hosts = [f"h{i}.stop-shop.com" for i in range(8)]
    web = sandbox([SiteSpec(host, pages=80) for host in limit_hosts + stop_hosts])
    # a safety net only: the test ends the crawl itself
    settings = cluster_settings(web, redis_url, **spread_caps(rates, CLOSESPIDER_TIMEOUT="300"))
    cluster = Cluster([web.url(host) for host in limit_hosts + stop_hosts], settings, tmp_path, n=2)

    def of(site):
        return [r for r in web.requests() if r["site"].endswith("." + site)]

    try:
        assert wait_for(lambda: {node_of(r) for r in of("limit-shop.com")} >= {1, 2}
                        and {node_of(r) for r in of("stop-shop.com")} >= {1, 2},
                        timeout=120), "the nodes did not both start sending to both sites"
        # the next page of limit-shop.com's first host answers 429 with Retry-After (once)
        web.update(limit_hosts[0], routes={"/p/*": {
            "status": 429, "headers": {"Retry-After": str(pause)}, "body": "slow down", "times": 1}})
        assert wait_for(lambda: any(r["status"] == 429 for r in of("limit-shop.com")),
                        timeout=60), "the 429 was not reached"
        stop = politecrawl_command("stop", "http://stop-shop.com/", "--reason", "mail from the owner",
                                   "--state", redis_url, timeout=60, cwd=tmp_path)
        returned = time.time()
        assert stop.returncode == 0, stop.stderr
        (throttled,) = [r for r in of("limit-shop.com") if r["status"] == 429]
        resumed_at = max(throttled["t"] + pause, returned + stop_grace)

        def resumed():
            limit = of("limit-shop.com")
            return ({node_of(r) for r in limit if r["t"] >= resumed_at} >= {1, 2} and
                    [(r["site"], r["path"]) for r in limit].count((throttled["site"], throttled["path"])) == 2)

        # both nodes crawl on after the pause and the stop (a node that had missed the stop would show),
        # and the throttled page is asked again
        assert wait_for(resumed, timeout=150), "the nodes did not both go on after the pause"
        for proc in cluster.procs:
            proc.send_signal(signal.SIGTERM)
        cluster.wait(timeout=120)
    finally:
        cluster.kill_all()
    for node in (1, 2):  # a graceful close, as after Ctrl-C (its exit code says it was interrupted)
        said = cluster.output(node)
        assert "Spider closed (shutdown)" in said and "Traceback" not in said, said[-3000:]
    # the stop: no request from either node more than the grace after the command returned, while
    # both nodes went on crawling the other site for seconds (a node that missed the stop would show)
    stopped = of("stop-shop.com")
    late = [(node_of(r), round(r["t"] - returned, 2)) for r in stopped if r["t"] > returned + stop_grace]
    assert late == [], late
    # the pause: one node got the 429; neither sends to the site until it ends
    limit = of("limit-shop.com")
    assert [r for r in limit if r["status"] == 429] == [throttled]
    t429 = throttled["t"]
    inside = [(node_of(r), round(r["t"] - t429, 2)) for r in limit
              if t429 + in_flight < r["t"] < t429 + pause - 0.05]
    assert inside == [], inside
    # both nodes sent to the site before the pause, so either would have sent inside it
    before = {node_of(r) for r in limit if r["t"] < t429}
    after = [r for r in limit if r["t"] >= t429 + pause - 0.05]
    assert before == {1, 2} and after, (before, len(after))
    # the throttled page was asked again, after the pause
    again = [r for r in limit if (r["site"], r["path"]) == (throttled["site"], throttled["path"])]
    assert len(again) == 2 and again[1]["t"] >= t429 + pause - 0.05, again


def _queued_and_left(redis_url: str) -> tuple[set[str], set[str]]:
    """The fingerprints in the shared dupefilter (every request ever queued), and the URLs
    still in the shared frontier's per-origin queues (member: 16-hex sequence + the request)."""
    import pickle  # noqa: PLC0415 - scrapy-redis's default serializer

    import redis  # noqa: PLC0415

    prefix = key_prefix(redis_url)
    client = redis.Redis.from_url(redis_url.split("?")[0])
    try:
        (dupefilter,) = list(client.scan_iter(match=prefix + "*:dupefilter"))
        queued = {fp.decode() for fp in client.smembers(dupefilter)}
        left = set()
        for key in client.scan_iter(match=prefix + "*:requests:q:*"):
            for member in client.zrange(key, 0, -1):
                left.add(pickle.loads(member[16:])["url"])
        return queued, left
    finally:
        client.close()


def _leased_to(redis_url: str, pid: int) -> int:
    """The requests leased to the node of process *pid* (its lease: ``<host>:<pid>:<id>``)."""
    import socket  # noqa: PLC0415

    import redis  # noqa: PLC0415

    prefix = key_prefix(redis_url)
    client = redis.Redis.from_url(redis_url.split("?")[0])
    try:
        mine = f"{socket.gethostname()}:{pid}:"
        return sum(client.hlen(key) for key in client.scan_iter(match=prefix + "*:requests:lease:*")
                   if key.decode().rsplit(":lease:", 1)[1].startswith(mine))
    finally:
        client.close()


def _chains(chains: int, length: int, latency: float) -> tuple[list[str], dict[str, dict]]:
    """Pages in chains: ``/c/<k>/<j>`` links only to ``/c/<k>/<j+1>``, so a page whose links are
    lost (its answer never parsed, or parsed and not pushed) loses the rest of its chain."""
    routes = {}
    for k in range(chains):
        for j in range(length):
            link = f'<a href="/c/{k}/{j + 1}">next</a>' if j + 1 < length else ""
            routes[f"/c/{k}/{j}"] = {"body": f"<html><body><p>chain {k} page {j}</p>{link}</body></html>",
                                     "latency": latency}
    return [f"/c/{k}/0" for k in range(chains)], routes


def test_a_killed_node_loses_nothing_and_at_most_its_leased_requests_are_fetched_twice(
        sandbox, redis_url, tmp_path):
    """kill -9 of one of two nodes mid-crawl: what it was granted and had not finished (in flight,
    granted and not sent, answered but its links or fetch history not yet written) stays in its lease
    in Redis; the survivor puts it back once the lease expires and fetches it again. Until 2026-12-05
    those requests were lost, and with them the pages only they linked to (here: the rest of their
    chain: on main 7ac1d8f, 21 of the 240 pages were never fetched).

    The lease timeout is 10 s, not the default 3 s: the survivor's own lease must not expire while
    its event loop stalls (a node that cannot run for longer than its lease has what it holds put
    back and fetched twice: documented, and not what this test is about). On a very loaded machine a
    stall of 3 s is possible; one of 10 s is not. The killed node's requests come back 10 s after its
    last renewal instead of 3 s."""
    concurrency, local_queue, lease_timeout = 8, 16, 10
    rates = {"one.test": 3.0, "two.test": 3.0, "three.test": 3.0, "four.test": 3.0}
    chains, length, latency = 6, 10, 0.3
    heads, routes = _chains(chains, length, latency)
    # every answer as slow (robots.txt and the home page too): no site shows strain
    web = sandbox([SiteSpec(site, pages=0, extra_links=heads, routes=routes, latency=latency)
                   for site in rates])
    settings = cluster_settings(web, redis_url, **spread_caps(
        rates, CONCURRENT_REQUESTS=str(concurrency), POLITECRAWL_CLUSTER_LOCAL_QUEUE=str(local_queue),
        POLITECRAWL_CLUSTER_LEASE_TIMEOUT=str(lease_timeout)))
    cluster = Cluster([web.url(site) for site in rates], settings, tmp_path, n=2)
    try:
        assert wait_for(lambda: sum(1 for r in web.requests() if node_of(r) == 2
                                    and r["path"].startswith("/c/")) >= 25,
                        timeout=90), "node 2 did not get going"
        cluster.procs[1].send_signal(signal.SIGKILL)
        killed_at = time.time()
        cluster.procs[1].wait()
        leased = _leased_to(redis_url, cluster.procs[1].pid)  # what it held: its lease, as it died
        code = cluster.procs[0].wait(timeout=180)
    finally:
        cluster.kill_all()
    assert code == 0, cluster.output(1)[-3000:]
    assert "this node's lease expired" not in cluster.output(1), "the survivor stalled > its lease"
    log = web.requests()
    after = [r for r in log if r["t"] > killed_at + 3 and r["path"].startswith("/c/")]
    assert after and {node_of(r) for r in after} == {1}  # the survivor carried on alone
    # nothing lost: every page of every chain of every site was fetched
    pages_seen = [(r["site"], r["path"]) for r in log if r["path"].startswith("/c/")]
    missing = {(site, path) for site in rates for path in routes} - set(pages_seen)
    assert not missing, (f"{len(missing)} pages of {len(rates) * len(routes)} never fetched", sorted(missing))
    # fetched twice: only what node 2 held in its lease, once more
    twice = [page for page in set(pages_seen) if pages_seen.count(page) > 1]
    assert len(twice) <= leased, (twice, leased)
    assert all(pages_seen.count(page) == 2 for page in twice)
    assert f"{leased} requests it was granted and had not finished are back" in cluster.output(1)
    # the lease gave nothing extra: every site within its cap in every window (re-fetches took tokens)
    for site, rate in rates.items():
        times = sorted(r["t"] for r in log if r["site"] == site)
        for window in (1, 2, 5, 10):
            assert max_in_window(times, window) <= rate * window + BURST, (site, window)
    _, left = _queued_and_left(redis_url)
    assert not left
    print(f"node 2 held {leased} requests in its lease when killed; fetched twice: {len(twice)}; "
          f"pages fetched {len(pages_seen)} for {len(rates) * len(routes)}")


def test_hosts_of_several_sites_on_one_server_stay_within_its_rate_on_two_nodes(
        sandbox, redis_url, tmp_path):
    """The per-server limit in a cluster: the pop takes the server's token with the site's, so
    two nodes together keep POLITECRAWL_MAX_IP_RATE for a server that hosts three sites (four
    caps of 2 req/s on it: 8 req/s if the sites' caps were all that held), and no node holds a
    request waiting for its server."""
    shared_ip, alone_ip, ip_rate, seconds = "127.0.0.2", "127.0.0.3", 2.0, 16
    shared = ["www.shop-a.com", "img.shop-a.com", "shop-b.com", "shop-c.com"]
    rates = {"shop-a.com": 2.0, "shop-b.com": 2.0, "shop-c.com": 2.0, "example.org": 2.0}
    web = sandbox([*(SiteSpec(host, pages=120, address=shared_ip) for host in shared),
                   SiteSpec("solo.example.org", pages=120, address=alone_ip)])
    settings = cluster_settings(web, redis_url, **spread_caps(
        rates, POLITECRAWL_MAX_IP_RATE=str(ip_rate), CLOSESPIDER_TIMEOUT=str(seconds)))
    cluster = Cluster([web.url(host) for host in [*shared, "solo.example.org"]], settings,
                      tmp_path, n=2)
    codes = cluster.wait()
    assert codes == [0, 0], cluster.output(1)[-3000:]
    log = web.requests()
    assert {r["server"] for r in log if r["site"] in shared} == {shared_ip}
    on_shared = sorted(r["t"] for r in log if r["server"] == shared_ip)
    # every request the server saw counts (robots.txt and tdmrep.json of its 4 hosts included)
    for window in (1, 2, 5, 10):
        assert max_in_window(on_shared, window) <= ip_rate * window + BURST, (window, on_shared)
    # and the server's rate is used: at least 80 % of it over its first 10 s
    assert len([t for t in on_shared if t < on_shared[0] + 10]) >= 0.8 * ip_rate * 10
    assert {node_of(r) for r in log if r["server"] == shared_ip} == {1, 2}  # both nodes sent
    for site in ("shop-a.com", "shop-b.com", "shop-c.com"):  # no site on it starved
        assert sum(1 for r in log if r["server"] == shared_ip and r["site"].endswith(site)) >= 4
    # the site alone on its server keeps its own cap, as if the busy server did not exist
    alone = sorted(r["t"] for r in log if r["server"] == alone_ip)
    assert len([t for t in alone if t < alone[0] + 10]) >= 0.8 * 2.0 * 10
    # a node says which server bound the crawl
    said = cluster.output(1) + cluster.output(2)
    assert f"server {shared_ip} (address) bound the crawl" in said
    assert f"server {alone_ip}" not in said


def test_many_hosts_on_one_server_whose_lookups_answer_late_get_its_rate_from_the_first_second(
        sandbox, redis_url, tmp_path, monkeypatch):
    """Eight sites on one server, whose hosts' lookups take 0.5 s (the sandbox's resolver, slowed):
    a node holds a host's requests until its address is known, so none is pushed under the host's
    name, where each host would have had a bucket of its own (eight requests at once at the start)."""
    from helpers import REPO  # noqa: PLC0415

    shared_ip, ip_rate, seconds = "127.0.0.2", 1.0, 8
    hosts = [f"shop-{i}.com" for i in range(8)]
    web = sandbox([SiteSpec(host, pages=60, address=shared_ip) for host in hosts])
    monkeypatch.setenv("PYTHONPATH", str(REPO / "tests"))
    settings = cluster_settings(web, redis_url, **spread_caps(
        dict.fromkeys(hosts, 2.0), POLITECRAWL_MAX_IP_RATE=str(ip_rate), CLOSESPIDER_TIMEOUT=str(seconds),
        TWISTED_DNS_RESOLVER="slow_resolver.SlowSandboxResolver"))
    cluster = Cluster([web.url(host) for host in hosts], settings, tmp_path, n=2)
    codes = cluster.wait()
    assert codes == [0, 0], cluster.output(1)[-3000:]
    on_shared = sorted(r["t"] for r in web.requests() if r["server"] == shared_ip)
    assert on_shared, cluster.output(1)[-3000:]
    # every window, from the first second on (robots.txt and tdmrep.json included)
    for window in (1, 2, 5):
        assert max_in_window(on_shared, window) <= ip_rate * window + BURST, (window, on_shared)
    said = cluster.output(1) + cluster.output(2)
    assert "'politecrawl/cluster/held_for_lookup'" in said
    print(f"{len(on_shared)} requests on the server, first second {max_in_window(on_shared, 1)}")
