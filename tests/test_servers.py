"""The per-server limit (politecrawl/budget/servers.py): one bucket per server, in the one admission step."""

import heapq
import json
import math

import pytest
from scrapy.settings import Settings

from politecrawl import ConfigError
from politecrawl.admission import GO, WAIT, Admission
from politecrawl.budget import BudgetLedger, BudgetSettings
from politecrawl.budget.servers import (
    ADDRESS, LOOKUP_FAILED, PROXY, RESOLVE_POLL, YIELD, ServerLimit, host_of_origin,
)
from politecrawl.budget.settings import budget_settings
from politecrawl.pacing import Pacer
from politecrawl.state import MemoryStateStore, StateStoreError

T0 = 1_000.0
#: Hosts of three sites; a.com and b.net share a server, c.org has one of its own.
ADDRESSES = {"www.a.com": "10.0.0.1", "img.a.com": "10.0.0.1", "b.net": "10.0.0.1", "c.org": "10.0.0.2"}


class Lookups:
    """A resolver: answers at once (or later, with ``defer``), counting the lookups per host."""

    def __init__(self, addresses, *, defer=False):
        self.addresses = addresses
        self.defer = defer
        self.asked = []
        self.limit = None

    def __call__(self, host):
        self.asked.append(host)
        if not self.defer:
            self.answer(host)

    def answer(self, host):
        self.limit.learn(host, self.addresses.get(host))


def make_limit(rate=2.0, burst=2.0, addresses=ADDRESSES, *, defer=False, proxied=None, store=None):
    lookups = Lookups(addresses, defer=defer)
    limit = ServerLimit(store or MemoryStateStore(), rate, burst, pace_margin=0.0, lookup=lookups,
                        proxied=proxied)
    lookups.limit = limit
    return limit, lookups


def admission(limit, site_rate=100.0, burst=2.0):
    ledger = BudgetLedger(limit.store, {}, BudgetSettings(default_daily_requests=1e12, max_site_rate=site_rate,
                                                          burst=burst, pace_margin=0.0))
    return Admission(Pacer(ledger, limit)), ledger


def crawl(admit, origins, seconds):
    """The frontier's loop (middlewares/frontier/queue.py), on a fake clock: each origin is asked when
    it is due (the answer's wait, or the pacer's next ready time after a go), earliest first, ties in
    a fixed order (the frontier's heap compares origin handles); one request per pop. The times each
    origin was let go."""
    heap = [(T0, origin) for origin, _ in origins]
    site_of = dict(origins)
    sent = {origin: [] for origin, _ in origins}
    now = T0
    while now < T0 + seconds:
        while heap and heap[0][0] <= now:
            _, origin = heapq.heappop(heap)
            answer = admit.admit(site_of[origin], origin, origin + "/", now)
            if answer.kind == GO:
                sent[origin].append(now)
                heapq.heappush(heap, (admit.pacer.ready_at(site_of[origin], origin, now), origin))
                break
            heapq.heappush(heap, (max(now + answer.wait, math.nextafter(now, math.inf)), origin))
        now = max(now + 0.001, heap[0][0])  # the engine asks again soon, or is woken when one is due
    return sent


def most_in_window(times, width):
    times = sorted(times)
    return max((sum(1 for t in times[i:] if t < start + width) for i, start in enumerate(times)), default=0)


def test_host_of_origin():
    assert host_of_origin("https://www.a.com:443") == "www.a.com"
    assert host_of_origin("http://[2001:db8::1]:8080") == "2001:db8::1"


def test_hosts_of_several_sites_on_one_server_share_its_rate_and_others_are_not_slowed():
    limit, lookups = make_limit(rate=2.0, burst=2.0)
    admit, _ = admission(limit, site_rate=2.0)  # each site may have what the server may
    shared = [("http://www.a.com:80", "a.com"), ("http://img.a.com:80", "a.com"), ("http://b.net:80", "b.net")]
    alone = [("http://c.org:80", "c.org")]
    seconds = 20
    sent = crawl(admit, shared + alone, seconds)
    server = [t for origin, _ in shared for t in sent[origin]]
    # the server of three hosts of two sites: rate × W + burst over every window, not the sum of two caps
    for width in (1, 2, 5, 20):
        assert most_in_window(server, width) <= 2.0 * width + 2.0, width
    assert len(server) >= 2.0 * seconds  # and it gets its rate
    # a site on a server of its own is not slowed: its cap, and its server never held it back
    assert len(sent["http://c.org:80"]) >= 2.0 * seconds
    assert limit.servers["10.0.0.2"].waits == 0
    # each host was looked up once
    assert sorted(lookups.asked) == sorted(ADDRESSES)
    assert {r.server: (r.basis, r.sites) for r in limit.servers.values()} == {
        "10.0.0.1": (ADDRESS, {"a.com", "b.net"}), "10.0.0.2": (ADDRESS, {"c.org"})}
    # its tokens go round the origins waiting for it: none starves
    for origin, _ in shared:
        assert len(sent[origin]) >= 0.9 * len(server) / 3, origin
    bound = limit.bound()
    assert [r.server for r in bound] == ["10.0.0.1"]
    assert bound[0].held_sites == {"a.com", "b.net"}
    assert bound[0].requests == len(server)


def test_the_server_bucket_holds_across_processes_sharing_the_store():
    store = MemoryStateStore()
    one, _ = make_limit(rate=1.0, burst=1.0, store=store)
    two, _ = make_limit(rate=1.0, burst=1.0, store=store)
    assert one.take("a.com", "http://www.a.com:80", T0) == 0.0
    assert two.take("b.net", "http://b.net:80", T0) == pytest.approx(1.0)  # the other process's server
    assert two.take("c.org", "http://c.org:80", T0) == 0.0


def test_a_request_waits_while_its_host_is_looked_up_and_takes_nothing():
    limit, lookups = make_limit(defer=True)
    admit, ledger = admission(limit)
    origin = "http://b.net:80"
    answer = admit.admit("b.net", origin, origin + "/", T0)
    assert answer.kind == WAIT and answer.wait == RESOLVE_POLL
    assert admit.pacer.ready_at("b.net", origin, T0) == T0 + RESOLVE_POLL
    assert admit.admit("b.net", origin, origin + "/", T0 + 0.05).kind == WAIT
    assert lookups.asked == ["b.net"]  # asked once, however often admission asks
    assert "b.net" not in ledger.sites  # no site token was taken while waiting
    lookups.answer("b.net")
    assert admit.admit("b.net", origin, origin + "/", T0 + 0.1).kind == GO
    assert limit.servers["10.0.0.1"].requests == 1


@pytest.mark.parametrize(("proxied", "addresses", "basis"), [
    (lambda scheme, host: True, ADDRESSES, PROXY),     # an HTTP proxy: the crawler never learns the address
    (None, {}, LOOKUP_FAILED),                          # the lookup failed
])
def test_without_an_address_the_host_is_its_own_server(proxied, addresses, basis):
    limit, lookups = make_limit(rate=1.0, burst=1.0, addresses=addresses, proxied=proxied)
    assert limit.take("a.com", "http://www.a.com:80", T0) == 0.0
    assert limit.take("a.com", "http://img.a.com:80", T0) == 0.0  # another host: another bucket
    assert limit.take("a.com", "https://www.a.com:443", T0) == pytest.approx(1.0)  # same host, same bucket
    assert {r.server: r.basis for r in limit.servers.values()} == {"www.a.com": basis, "img.a.com": basis}
    assert limit.keyed_by_host() == 2
    assert lookups.asked == ([] if proxied else ["www.a.com", "img.a.com"])


def test_an_ip_literal_is_its_own_server_and_is_not_looked_up():
    limit, lookups = make_limit()
    assert limit.server_of("10.0.0.1", "http://10.0.0.1:8080").server == "10.0.0.1"
    assert limit.server_of("a.com", "http://www.a.com:80").server == "10.0.0.1"  # the same server
    assert limit.server_of("2001:db8::1", "http://[2001:db8::1]:80").server == "2001:db8::1"
    assert lookups.asked == ["www.a.com"]


def test_no_site_token_is_spent_while_the_server_is_known_to_be_busy():
    limit, _ = make_limit(rate=1.0, burst=1.0)
    admit, ledger = admission(limit, site_rate=1.0, burst=1.0)
    assert admit.admit("a.com", "http://www.a.com:80", None, T0).kind == GO
    # b.net (its first token) is refused by the server; its site token is spent, the server's hint set
    answer = admit.admit("b.net", "http://b.net:80", None, T0)
    assert answer.kind == WAIT and answer.wait == pytest.approx(1.0)
    # now the hint holds b.net back before its budget is asked: its bucket refills meanwhile
    assert admit.admit("b.net", "http://b.net:80", None, T0 + 0.5).kind == WAIT
    assert admit.admit("b.net", "http://b.net:80", None, T0 + 1.0).kind == GO


def test_a_busy_servers_tokens_go_to_the_origin_that_waited_longest():
    limit, _ = make_limit(rate=1.0, burst=1.0)
    a, b, c = "http://www.a.com:80", "http://img.a.com:80", "http://b.net:80"
    assert limit.take("a.com", a, T0) == 0.0
    assert limit.wait("b.net", c, T0 + 0.1) == pytest.approx(0.9)  # c waits first, then b
    assert limit.wait("a.com", b, T0 + 0.2) == pytest.approx(0.8)
    assert limit.wait("a.com", b, T0 + 1.0) == YIELD  # the token is there, but c waited longer
    assert limit.wait("b.net", c, T0 + 1.0) == 0.0
    assert limit.take("b.net", c, T0 + 1.0) == 0.0
    assert limit.wait("a.com", b, T0 + 2.0) == 0.0  # b's turn next
    # an origin that stopped asking (its site stopped, its queue emptied) does not keep its place
    assert limit.wait("a.com", a, T0 + 2.0) == YIELD
    assert limit.wait("a.com", a, T0 + 2.0 + 0.25 + 2.0 + 0.01) == 0.0
    # an origin whose own site budget holds it is not in the line
    assert limit.wait("a.com", a, T0 + 5.0, site_ready=False) == 0.0
    assert a not in limit.servers["10.0.0.1"].waiting


def test_a_ledger_that_cannot_be_read_gives_the_server_no_request():
    class Broken(MemoryStateStore):
        def take_tokens(self, *args, **kwargs):
            raise StateStoreError("disk gone")

    limit, _ = make_limit(store=Broken())
    assert limit.take("a.com", "http://www.a.com:80", T0) == 1.0
    assert limit.ledger_errors == 1


def test_the_first_wait_of_a_server_is_told_once():
    told = []
    limit, _ = make_limit(rate=1.0, burst=1.0)
    limit.on_first_wait = told.append
    for _ in range(3):
        limit.take("a.com", "http://www.a.com:80", T0)
    assert [r.server for r in told] == ["10.0.0.1"]
    assert limit.servers["10.0.0.1"].waits == 2


def test_the_setting_and_its_default():
    assert budget_settings(Settings({})).server_rate == 1.0  # POLITECRAWL_MAX_SITE_RATE's default
    assert budget_settings(Settings({"POLITECRAWL_MAX_SITE_RATE": "5"})).server_rate == 5.0
    assert budget_settings(Settings({"POLITECRAWL_MAX_IP_RATE": "1/2"})).server_rate == 0.5
    for bad in ("0", "-1", "fast", "1e6", "inf"):
        with pytest.raises(ConfigError, match=r"^POLITECRAWL_MAX_IP_RATE \("):
            budget_settings(Settings({"POLITECRAWL_MAX_IP_RATE": bad}))
    with pytest.raises(ValueError):
        ServerLimit(MemoryStateStore(), math.inf, 1.0)


# -- the report: servers that bound the crawl -------------------------------------
def test_the_report_names_the_servers_that_bound_the_crawl():
    from politecrawl.audit import AuditTrail, build_report, find_crawl, format_report, records  # noqa: PLC0415
    from politecrawl.audit.html import render_html  # noqa: PLC0415
    from politecrawl.clock import FakeClock  # noqa: PLC0415

    clock = FakeClock(T0)
    store = MemoryStateStore(clock)
    trail = AuditTrail(store, "c1", clock)
    trail.start({})
    trail.sent("a.com", T0)
    # first when it binds, then at the end with what it did: the last record counts
    trail.event("server", server="10.0.0.1", basis=ADDRESS, rate=2.0, burst=2.0, sites=["a.com", "b.net"])
    trail.event("server", server="10.0.0.1", basis=ADDRESS, rate=2.0, burst=2.0, sites=["a.com", "b.net"],
                held_sites=["b.net"], requests=40, waits=12)
    trail.event("server", server="shop.example", basis=PROXY, rate=2.0, burst=2.0, sites=["shop.example"],
                held_sites=["shop.example"], requests=9, waits=30)
    trail.end("finished")
    entry = find_crawl(store, None)
    report = build_report(entry, records(store, entry.crawl_id))
    assert [(s["server"], s["requests"], s["waits"]) for s in report["servers"]] == [
        ("shop.example", 9, 30), ("10.0.0.1", 40, 12)]
    line = next(t for t in report["summary"]["text"] if "server" in t)
    assert line.startswith("2 servers held requests back")
    assert "10.0.0.1 (2 sites: a.com, b.net; at most 2 req/s)" in line
    assert line in format_report(report)
    html = render_html(report)
    assert "Servers that bound the crawl" in html and "<td>10.0.0.1</td>" in html


def test_a_crawl_no_server_bound_says_nothing_of_servers():
    from politecrawl.audit import AuditTrail, build_report, find_crawl, records  # noqa: PLC0415
    from politecrawl.audit.html import render_html  # noqa: PLC0415
    from politecrawl.clock import FakeClock  # noqa: PLC0415

    clock = FakeClock(T0)
    store = MemoryStateStore(clock)
    trail = AuditTrail(store, "c1", clock)
    trail.start({})
    trail.end("finished")
    entry = find_crawl(store, None)
    report = build_report(entry, records(store, entry.crawl_id))
    assert report["servers"] == []
    assert not any("server" in t for t in report["summary"]["text"])
    assert "Servers that bound" not in render_html(report)


def test_the_site_budget_knows_when_its_next_token_comes():
    """After a grant, the ledger's ready time is the next token's (the bucket as last seen), not now."""
    ledger = BudgetLedger(MemoryStateStore(), {}, BudgetSettings(default_daily_requests=1e12, max_site_rate=2.0,
                                                                 burst=1.0, pace_margin=0.0))
    assert ledger.ready_at("a.com", T0) == T0
    assert ledger.acquire("a.com", T0) == 0.0
    assert ledger.ready_at("a.com", T0) == pytest.approx(T0 + 0.5)
    assert ledger.acquire("a.com", T0 + 0.2) == pytest.approx(0.3)
    assert ledger.ready_at("a.com", T0 + 0.2) == pytest.approx(T0 + 0.5)
    assert ledger.acquire("a.com", T0 + 0.5) == 0.0


# -- the sandbox: sites on loopback addresses of their own -----------------------------
def test_the_sandbox_serves_sites_on_their_own_loopback_addresses(sandbox):
    import http.client  # noqa: PLC0415

    from politecrawl.sandbox import SiteSpec  # noqa: PLC0415
    from politecrawl.sandbox.resolver import SandboxResolver  # noqa: PLC0415

    web = sandbox([SiteSpec("a.com", address="127.0.0.2"), SiteSpec("b.net", address="127.0.0.2"),
                   SiteSpec("c.org", address="127.0.0.3"), SiteSpec("d.de")])
    settings = web.settings()
    assert json.loads(settings["POLITECRAWL_SANDBOX_ADDRESSES"]) == {
        "a.com": "127.0.0.2", "b.net": "127.0.0.2", "c.org": "127.0.0.3"}
    resolver = SandboxResolver(None, "127.0.0.1", web.port, json.loads(settings["POLITECRAWL_SANDBOX_ADDRESSES"]))

    class Receiver:
        def resolutionBegan(self, resolution):
            self.addresses = []

        def addressResolved(self, address):
            self.addresses.append((address.host, address.port))

        def resolutionComplete(self):
            pass

    for host, address in (("a.com", "127.0.0.2"), ("B.NET.", "127.0.0.2"), ("c.org", "127.0.0.3"),
                          ("d.de", "127.0.0.1")):
        receiver = Receiver()
        resolver.resolveHostName(receiver, host)
        assert receiver.addresses == [(address, web.port)]
        connection = http.client.HTTPConnection(address, web.port, timeout=10)
        connection.request("GET", "/", headers={"Host": host.lower().rstrip(".")})
        assert connection.getresponse().status == 200
        connection.close()
    assert [(r["site"], r["server"]) for r in web.requests()] == [
        ("a.com", "127.0.0.2"), ("b.net", "127.0.0.2"), ("c.org", "127.0.0.3"), ("d.de", "127.0.0.1")]
    with pytest.raises(ValueError, match="127.0.0.0/8"):
        SandboxResolver(None, "127.0.0.1", web.port, {"a.com": "10.0.0.1"})


def test_a_cluster_crawl_installs_the_per_server_limit_too():
    from types import SimpleNamespace  # noqa: PLC0415

    from scrapy.utils.test import get_crawler  # noqa: PLC0415

    from politecrawl.middlewares.downloader.servers import install_server_limit  # noqa: PLC0415

    # the cluster's scheduler takes the server's token for each request it pops (tests/test_cluster.py)
    crawler = get_crawler(settings_dict={
        "SCHEDULER": "politecrawl.middlewares.frontier.cluster.ClusterScheduler"})
    runtime = SimpleNamespace(store=MemoryStateStore(), pacer=Pacer())
    limit = install_server_limit(crawler, runtime, BudgetSettings())
    assert runtime.pacer.servers is limit and limit.rate == 1.0
