"""Leases of the shared frontier (politecrawl.state.redis_frontier): a request a node was granted
stays in the node's lease until acknowledged, and goes back to its queue when the node's lease
expires (a node killed). Against a real Redis; time is passed in (``now``): no clock of its own.
"""

from __future__ import annotations

import pytest

from politecrawl.budget.estimates import TrafficEstimate
from politecrawl.budget.ledger import BudgetLedger, BudgetSettings
from politecrawl.state.redis import BUDGET_KEY, RedisStateStore
from politecrawl.state.redis_frontier import UNLIMITED, PushItem, RedisFrontier

pytestmark = pytest.mark.redis

T0 = 1_800_000_000.0
TTL = 3.0
A, B = "http://a.com:80", "http://b.com:80"


@pytest.fixture
def node(redis_url):
    """Makes frontier clients (nodes, each with a lease of its own) on one set of keys."""
    import redis  # noqa: PLC0415

    store = RedisStateStore(redis_url)
    clients = []

    def make(name: str, *, lease: bool = True) -> RedisFrontier:
        client = redis.Redis.from_url(redis_url.split("?")[0])
        clients.append(client)
        return RedisFrontier(client, store.prefix + "f:requests", store.prefix + "f:dupefilter",
                             store.prefix + BUDGET_KEY, node=name, lease=name + ":l" if lease else "",
                             lease_timeout=TTL)

    make.store = store
    yield make
    for client in clients:
        client.close()
    store.close()


def push(site, origin, n, *, rate=UNLIMITED, tag="r", start=0):
    return [PushItem(f"{tag}{origin}{i}", site, origin, 0, f"{tag}{i}".encode(), rate, 2.0)
            for i in range(start, start + n)]


def data(exchange):
    return [p.data.decode() for p in exchange.popped]


def talk(f, start, end, step=0.5):
    """*f* beats every *step* seconds from *start* to *end* (a live cluster reaches Redis at least
    once a poll interval; a longer silence is taken for an outage); what it put back."""
    requeued, t = [], start
    while t < end:
        requeued += f.beat(t)[0]
        t += step
    return requeued


def test_a_granted_request_stays_leased_until_acknowledged(node):
    a = node("a")
    a.exchange(push("a.com", A, 3), 0, T0)
    got = a.exchange([], 2, T0)
    assert data(got) == ["r0", "r1"]
    assert all(len(p.lease) == 16 for p in got.popped) and got.popped[0].lease != got.popped[1].lease
    assert len(a) == 1 and a.leased() == 2  # out of the queue, not out of the frontier
    a.exchange([], 0, T0 + 0.1, acks=[got.popped[0].lease], leased=True)
    assert a.leased() == 1
    a.exchange([], 0, T0 + 0.2, acks=[got.popped[1].lease, got.popped[1].lease], leased=True)  # twice: no-op
    assert a.leased() == 0
    assert a.client.zcard(a.base + ":leases") == 0  # a node holding nothing leaves the index


def test_a_node_that_stops_renewing_has_its_requests_put_back_first_in_order(node):
    a, b = node("a"), node("b")
    a.exchange(push("a.com", A, 4), 0, T0)
    taken = a.exchange([], 2, T0)  # then a is killed: no ack, no renewal
    assert data(taken) == ["r0", "r1"]
    # before the deadline, b gets only what is queued, and nothing is put back
    assert talk(b, T0 + 0.5, T0 + TTL - 0.1) == []
    early = b.exchange([], 1, T0 + TTL - 0.01)
    assert data(early) == ["r2"] and early.requeued == []
    late = b.exchange([], 5, T0 + TTL + 0.01)
    assert late.requeued == [("a:l", 2)]
    assert data(late) == ["r0", "r1", "r3"]  # back at their place in the queue: before r3
    assert b.leased() == 4  # now all b's (r2 and these)
    assert a.client.exists(a.base + ":lease:a:l") == 0
    # a came back to life (a stall, not a kill): it is told its lease was gone; its acks are no-ops
    back = a.exchange([], 0, T0 + TTL + 0.5, acks=[p.lease for p in taken.popped], leased=True)
    assert back.lease_lost and back.requeued == []
    assert b.leased() == 4


def test_renewals_keep_a_slow_nodes_lease_and_beats_put_back_too(node):
    a, b = node("a"), node("b")
    a.exchange(push("a.com", A, 2), 0, T0)
    assert data(a.exchange([], 1, T0)) == ["r0"]
    for k in range(1, 8):  # a beats every second (no exchange): its lease lives on
        assert a.beat(T0 + k, leased=True) == ([], False)
        assert b.exchange([], 0, T0 + k + 0.5).requeued == []
    # a stops beating: after its deadline even a beat of another node puts its request back
    assert talk(b, T0 + 8, T0 + 7 + TTL) == []
    assert b.beat(T0 + 7 + TTL + 0.1) == ([("a:l", 1)], False)
    assert len(b) == 2
    assert a.beat(T0 + 11, leased=True) == ([], True)  # a is told


def test_the_ack_rides_with_the_pushes_it_waited_for_in_one_script(node):
    a, b = node("a"), node("b")
    a.exchange(push("a.com", A, 1, tag="page"), 0, T0)
    parent = a.exchange([], 1, T0).popped[0]
    # the page's links and its ack in one round trip: from then on nothing of it is a's
    a.exchange(push("a.com", A, 2, tag="link"), 0, T0 + 0.1, acks=[parent.lease], leased=True)
    later = b.exchange([], 5, T0 + 10)
    assert later.requeued == [] and data(later) == ["link0", "link1"]


def test_a_put_back_request_takes_a_budget_token_again(node):
    a, b = node("a"), node("b")
    BudgetLedger(node.store, {"a.com": TrafficEstimate(86_400 * 3, None, "test")},
                 BudgetSettings(max_site_rate=10, burst=2, pace_margin=0))
    a.exchange(push("a.com", A, 2, rate=1.0), 0, T0)
    assert data(a.exchange([], 1, T0)) == ["r0"]  # the bucket's starting token
    # a dies; after its deadline r0 is back, and goes only with a token of its own
    assert talk(b, T0 + 0.5, T0 + TTL) == []
    assert data(b.exchange([], 5, T0 + TTL + 0.01)) == ["r0"]
    assert data(b.exchange([], 5, T0 + TTL + 0.5)) == []
    assert data(b.exchange([], 5, T0 + TTL + 1.01)) == ["r1"]


def test_a_closing_node_releases_its_lease_and_nothing_is_put_back(node):
    a, b = node("a"), node("b")
    a.exchange(push("a.com", A, 2), 0, T0)
    a.exchange([], 2, T0)
    a.release()
    assert b.exchange([], 5, T0 + 100).requeued == [] and len(b) == 0


def test_without_a_lease_nothing_is_kept(node):
    a, b = node("a", lease=False), node("b")
    a.exchange(push("a.com", A, 2, tag="x") + push("b.com", B, 1), 0, T0)
    got = a.exchange([], 5, T0)
    assert sorted(data(got)) == ["r0", "x0", "x1"] and {p.lease for p in got.popped} == {""}
    assert b.leased() == 0 and b.exchange([], 5, T0 + 100).requeued == []


def test_leases_that_ran_out_while_no_node_could_reach_redis_are_renewed_not_put_back(node):
    a, b = node("a"), node("b")
    a.exchange(push("a.com", A, 3), 0, T0)
    assert data(a.exchange([], 1, T0)) == ["r0"]
    for k in range(1, 4):  # both nodes talk to Redis every half second
        a.beat(T0 + k / 2, leased=True)
        b.exchange([], 0, T0 + k / 2 + 0.1)
    # Redis is down for 5 s: a's lease runs out meanwhile, but a could not renew it either
    back = b.exchange([], 1, T0 + 6.6)
    assert back.requeued == [] and data(back) == ["r1"]
    assert a.beat(T0 + 6.7, leased=True) == ([], False)  # a renews it in time
    # gaps shorter than half a lease are no outage: a node gone is found as usual
    requeued = [pair for k in range(1, 6) for pair in b.exchange([], 0, T0 + 6.7 + k).requeued]
    assert requeued == [("a:l", 1)]
    assert data(b.exchange([], 5, T0 + 12)) == ["r0", "r2"]
