"""The shared frontier's Lua scripts (politecrawl.state.redis_frontier) against a real Redis.

Time is passed in (``now``), so these tests need no clock of their own.
"""

from __future__ import annotations

import math

import pytest

from politecrawl.budget.estimates import TrafficEstimate
from politecrawl.budget.ledger import BudgetLedger, BudgetSettings
from politecrawl.state.redis import BUDGET_KEY, RedisStateStore
from politecrawl.state.redis_frontier import UNLIMITED, PushItem, RedisFrontier

pytestmark = pytest.mark.redis

T0 = 1_800_000_000.0
TTL = 3.0  # the lease timeout of named nodes
A, B = "http://a.com:80", "http://b.com:80"


@pytest.fixture
def node(redis_url):
    """A function making frontier clients (nodes) on one set of keys, and the state store."""
    import redis  # noqa: PLC0415

    store = RedisStateStore(redis_url)
    clients = []

    def make(name: str = "", *, lease: bool = True) -> RedisFrontier:
        """A node; one *name*d has a lease of its own (``<name>:l``) unless not *lease*."""
        client = redis.Redis.from_url(redis_url.split("?")[0])
        clients.append(client)
        return RedisFrontier(client, store.prefix + "f:requests", store.prefix + "f:dupefilter",
                             store.prefix + BUDGET_KEY, node=name,
                             lease=f"{name}:l" if name and lease else "", lease_timeout=TTL)

    make.store = store
    yield make
    for client in clients:
        client.close()
    store.close()


def push(site, origin, n, *, rate, burst=2.0, priority=0, tag="r", fp=True):
    return [PushItem(f"{tag}{origin}{i}" if fp else "", site, origin, priority,
                     f"{tag}{i}".encode(), rate, burst) for i in range(n)]


def popped(exchange):
    return [(p.site, p.data.decode()) for p in exchange.popped]


def test_pops_only_sites_that_may_go_so_a_spent_site_never_blocks_a_ready_one(node):
    f = node()
    f.exchange(push("a.com", A, 5, rate=0.1, tag="a") + push("b.com", B, 5, rate=10, tag="b"), 0, T0)
    first = f.exchange([], 10, T0)
    # a.com: its one starting token; b.com: one per send slot (1/rate apart)
    assert popped(first) == [("a.com", "a0"), ("b.com", "b0")]
    assert first.next_ready == pytest.approx(T0 + 0.1, abs=1e-3)
    later = f.exchange([], 10, T0 + 0.35)
    assert [s for s, _ in popped(later)] == ["b.com"]  # a.com waits for its token: not popped
    assert len(f) == 10 - 3


def test_the_pop_spends_the_budget_ledgers_own_bucket(node):
    f = node()
    ledger = BudgetLedger(node.store, {"a.com": TrafficEstimate(3 * 86_400, None, "test")},
                          BudgetSettings(max_site_rate=10, burst=2, pace_margin=0))
    f.exchange(push("a.com", A, 3, rate=1.0), 0, T0)
    assert len(f.exchange([], 1, T0).popped) == 1  # the bucket's starting token
    assert ledger.acquire("a.com", T0) == pytest.approx(1.0)  # the same bucket: empty now
    assert ledger.acquire("a.com", T0 + 1.0) == 0.0  # a robots.txt fetch takes the next token
    assert f.exchange([], 1, T0 + 1.0).popped == []  # ... so the frontier has none to give
    assert len(f.exchange([], 1, T0 + 2.0).popped) == 1


def test_priority_first_then_first_in_first_out(node):
    f = node()
    items = push("a.com", A, 3, rate=UNLIMITED, tag="low") + \
        push("a.com", A, 2, rate=UNLIMITED, priority=5, tag="high")
    f.exchange(items, 0, T0)
    got = [d for _, d in popped(f.exchange([], 10, T0))]
    assert got == ["high0", "high1", "low0", "low1", "low2"]


def test_the_shared_dupefilter_keeps_one_copy_and_dont_filter_passes(node):
    a, b = node(), node()
    first = a.exchange(push("a.com", A, 2, rate=UNLIMITED), 0, T0)
    again = b.exchange(push("a.com", A, 2, rate=UNLIMITED)
                       + push("a.com", A, 1, rate=UNLIMITED, tag="x", fp=False), 0, T0)
    assert first.new == [True, True] and again.new == [False, False, True]
    assert len(a) == 3
    only_seen = b.exchange([PushItem("fp-new", "a.com", A, 0, b"", UNLIMITED, 1.0)], 0, T0)
    assert only_seen.new == [True] and len(a) == 3  # asked the dupefilter, queued nothing


def test_a_pause_reaches_every_node_and_only_grows(node):
    a, b = node(), node()
    a.exchange(push("a.com", A, 5, rate=UNLIMITED), 0, T0)
    a.set_site("a.com", T0, pause=T0 + 30)
    b.set_site("a.com", T0, pause=T0 + 10)  # a shorter pause does not shorten it
    assert b.exchange([], 5, T0 + 29).popped == []
    assert b.exchange([], 5, T0 + 29).next_ready == pytest.approx(T0 + 30, abs=1e-3)
    assert len(b.exchange([], 1, T0 + 30).popped) == 1


def test_a_stopped_site_is_not_popped_and_a_resumed_one_goes_at_once(node):
    a, b = node(), node()
    a.exchange(push("a.com", A, 2, rate=UNLIMITED) + push("b.com", B, 1, rate=UNLIMITED), 0, T0)
    a.set_site("a.com", T0, stopped="operator")
    assert popped(b.exchange([], 5, T0)) == [("b.com", "r0")]
    assert b.exchange([], 5, T0 + 100).popped == []
    assert b.exchange([], 5, T0 + 100).next_ready is None  # nothing will be ready by itself
    assert b.clear_operator_stops() == 1  # a node starting reads the stop registry again
    a.set_site("a.com", T0 + 101, stopped=None)
    assert len(b.exchange([], 5, T0 + 101).popped) == 2


def test_crawl_delay_holds_between_grants_of_any_nodes(node):
    a, b = node(), node()
    a.exchange(push("a.com", A, 4, rate=UNLIMITED), 0, T0)
    a.set_origin("a.com", A, T0, interval=5.0)
    grants = []
    for t in range(0, 16):
        for f in (a, b):
            grants += [T0 + t for _ in f.exchange([], 5, T0 + t).popped]
    assert grants == [T0, T0 + 5, T0 + 10, T0 + 15]


def test_visit_time_window(node):
    f = node()
    midnight = math.floor(T0 / 86_400) * 86_400
    f.exchange(push("a.com", A, 2, rate=UNLIMITED), 0, midnight + 3600)
    f.set_origin("a.com", A, midnight + 3600, wstart=2 * 3600.0, wend=3 * 3600.0)
    closed = f.exchange([], 5, midnight + 3600)
    assert closed.popped == [] and closed.next_ready == midnight + 2 * 3600
    assert len(f.exchange([], 5, midnight + 2 * 3600 + 1).popped) == 2
    f.set_origin("a.com", A, T0, wstart=None, wend=None)


def test_send_slots_space_grants_one_interval_apart_with_bounded_catch_up(node):
    f = node()
    f.exchange(push("a.com", A, 20, rate=2.0, burst=5.0), 0, T0)
    grants = []
    for step in range(0, 41):  # asked every 0.1 s for 4 s
        now = T0 + step * 0.1
        grants += [now for _ in f.exchange([], 5, now).popped]
    gaps = [round(b - a, 6) for a, b in zip(grants, grants[1:])]
    assert min(gaps) >= 0.5 - 1e-6  # the burst does not bring two grants closer than 1 / rate
    late = f.exchange([], 5, T0 + 10.0)  # a node back after a long stall
    assert len(late.popped) == 1  # catches up one slot, never a burst
    nxt = f.exchange([], 5, T0 + 10.2)
    # the late slot is at most a quarter interval back (T0 + 9.875), the next one interval on
    assert nxt.popped == [] and nxt.next_ready == pytest.approx(T0 + 10.375, abs=1e-3)


def test_a_node_is_handed_only_what_it_asked_for(node):
    a, b = node(), node()
    a.exchange(push("a.com", A, 10, rate=UNLIMITED), 0, T0)
    assert len(a.exchange([], 3, T0).popped) == 3  # what a killed node could lose: 3
    assert len(b) == 7 and len(b.exchange([], 10, T0).popped) == 7


def test_a_site_without_a_known_budget_is_not_popped(node):
    f = node()
    f.exchange([PushItem("x", "a.com", A, 0, b"r", None, None)], 0, T0)
    assert f.exchange([], 5, T0).popped == []  # fail closed: asked again later
    f.set_site("a.com", T0, rate=1.0, burst=2.0)
    assert len(f.exchange([], 5, T0).popped) == 1


def test_one_crawl_id_for_every_node_and_clear(node):
    a, b = node(), node()
    assert a.claim_crawl_id("first") == "first"
    assert b.claim_crawl_id("second") == "first"
    a.exchange(push("a.com", A, 2, rate=UNLIMITED), 0, T0)
    assert a.waiting_by_site() == {"a.com": 2}
    a.clear()
    assert len(a) == 0 and a.waiting_by_site() == {} and b.claim_crawl_id("third") == "third"


def test_each_ready_moment_wakes_the_origins_owner_not_every_node(redis_url):
    import redis  # noqa: PLC0415

    store = RedisStateStore(redis_url)
    client = redis.Redis.from_url(redis_url.split("?")[0])
    nodes = [RedisFrontier(client, store.prefix + "w:requests", store.prefix + "w:df",
                           store.prefix + BUDGET_KEY, node=f"host:{i}") for i in range(3)]
    origins = [f"http://s{i}.com:80" for i in range(30)]
    items = [it for i, o in enumerate(origins) for it in push(f"s{i}.com", o, 3, rate=1 / (i + 2))]
    for f in nodes:
        f.exchange(items if f is nodes[0] else [], 0, T0)  # all three nodes are live owners
    taken = nodes[0].exchange([], 30, T0)  # one token each; next at T0 + 2, T0 + 3, ...
    assert len(taken.popped) == 30
    wake = [f.exchange([], 5, T0 + 0.5).next_ready for f in nodes]
    # the 30 origins' ready moments are partitioned: each node wakes for its own first one
    assert len(set(wake)) == 3 and min(wake) == pytest.approx(T0 + 2, abs=1e-3), wake
    for i in sorted(range(3), key=lambda i: wake[i]):  # each wake-up finds work
        assert nodes[i].exchange([], 5, wake[i]).popped
    client.close()
    store.close()


def test_the_pop_takes_the_servers_token_in_the_same_step_and_never_spends_one_alone(node):
    f = node()
    f.servers = (node.store.prefix + "server:", 1.0, 1.0)  # 1 request/s per server, burst 1
    C = "http://c.com:80"
    items = push("a.com", A, 3, rate=10, tag="a") + push("b.com", B, 3, rate=10, tag="b") + \
        push("c.com", C, 3, rate=10, tag="c")
    items = [PushItem(i.fingerprint, i.site, i.origin, 0, i.data, i.rate, i.burst,
                      "127.0.0.9" if i.site == "c.com" else "127.0.0.2") for i in items]
    first = f.exchange(items, 10, T0)
    # a.com and b.com share 127.0.0.2: one request between them; c.com is on a server of its own
    assert sorted(s for s, _ in popped(first)) == ["a.com", "c.com"]
    assert first.held == [("127.0.0.2", "b.com")]
    # b.com's own bucket was not touched while its server held it back
    assert f.client.exists(node.store.prefix + "budget:b.com") == 0
    assert len(f.exchange([], 10, T0 + 1.0).popped) == 2  # 127.0.0.2's next token and c.com's
    # an origin pushed without a server (an older node) takes only its site's token
    f.exchange([PushItem("d0", "d.com", "http://d.com:80", 0, b"d0", 10, 2.0)], 0, T0 + 1.0)
    assert [s for s, _ in popped(f.exchange([], 10, T0 + 1.0))] == ["d.com"]


def test_a_busy_servers_tokens_go_round_the_origins_waiting_for_it(node):
    f = node()
    f.servers = (node.store.prefix + "server:", 1.0, 1.0)
    sites = ["a.com", "b.com", "c.com", "d.com"]
    f.exchange([PushItem(f"{s}{i}", s, f"http://{s}:80", 0, b"r", 10, 2.0, "127.0.0.2")
                for s in sites for i in range(10)], 0, T0)
    got = []
    for step in range(161):  # asked every 0.05 s for 8 s: 9 tokens of the server
        got += [p.site for p in f.exchange([], 4, T0 + step * 0.05).popped]
    assert len(got) == 9
    # in turn, not by the origins' names: each had 2 or 3 (without the turn: one origin had all 9)
    assert sorted(got.count(s) for s in sites) in ([2, 2, 2, 3],)


def test_the_pop_reads_each_requests_fetch_history_record_in_the_same_script(node):
    """A push may name its request's fetch-history record (its fingerprint); the pop returns the
    record with the request (``""``: none yet), so the node reads no record of its own."""
    f = node()
    reader = RedisFrontier(f.client, f.base, f.dupefilter_key, f.budget_prefix,
                           history_prefix=node.store.prefix + "recrawl:url:")
    fps = ["a" * 40, "b" * 40]
    node.store.set("recrawl:url:" + fps[0], '{"url":"http://a.com/1","etag":"\\"v1\\""}')
    pickled = b"\x80\x04stop."  # a pickle ends in '.'
    pushes = [PushItem(f"fp{i}", "a.com", A, 0, pickled + str(i).encode() + b".", UNLIMITED, 1.0,
                       history=fps[i]) for i in range(2)]
    pushes.append(PushItem("fp2", "a.com", A, 0, b"plain.", UNLIMITED, 1.0))  # no record to read
    reader.exchange(pushes, 0, T0)
    got = reader.exchange([], 5, T0).popped
    assert [p.data for p in got] == [pickled + b"0.", pickled + b"1.", b"plain."]  # the suffix stripped
    assert [p.record for p in got] == ['{"url":"http://a.com/1","etag":"\\"v1\\""}', "", None]
    # a node that reads no history (its recrawl off) still gets the request without the suffix
    reader.exchange([PushItem("fp9", "a.com", A, 0, b"x.", UNLIMITED, 1.0, history=fps[1])], 0, T0)
    plain = RedisFrontier(f.client, f.base, f.dupefilter_key, f.budget_prefix)
    assert [(p.data, p.record) for p in plain.exchange([], 5, T0 + 1).popped] == [(b"x.", None)]


# -- leases: a request a node was granted stays in its lease until acknowledged, and goes back to its
# queue when the node's lease expires (a node killed) --------------------------------------------------

def lpush(site, origin, n, *, rate=UNLIMITED, tag="r", start=0):
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
    a.exchange(lpush("a.com", A, 3), 0, T0)
    got = a.exchange([], 2, T0)
    assert data(got) == ["r0", "r1"]
    # a grant's id: the request's 16-hex sequence and the token of the pop that granted it
    assert all(len(p.lease.split(".")[0]) == 16 for p in got.popped)
    assert got.popped[0].lease != got.popped[1].lease
    assert len(a) == 1 and a.leased() == 2  # out of the queue, not out of the frontier
    a.exchange([], 0, T0 + 0.1, acks=[got.popped[0].lease], leased=True)
    assert a.leased() == 1
    a.exchange([], 0, T0 + 0.2, acks=[got.popped[1].lease, got.popped[1].lease], leased=True)  # twice: no-op
    assert a.leased() == 0
    assert a.client.zcard(a.base + ":leases") == 0  # a node holding nothing leaves the index


def test_a_node_that_stops_renewing_has_its_requests_put_back_first_in_order(node):
    a, b = node("a"), node("b")
    a.exchange(lpush("a.com", A, 4), 0, T0)
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


def regrant(a, b):
    """a is granted r0, stalls past its lease (b puts r0 back), then is granted r0 again: the two
    grants of r0 (the stalled copy's, the new one's)."""
    a.exchange(lpush("a.com", A, 1), 0, T0)
    old = a.exchange([], 1, T0).popped[0]
    assert talk(b, T0 + 0.5, T0 + TTL) == []
    assert b.exchange([], 0, T0 + TTL + 0.01).requeued == [("a:l", 1)]  # b takes nothing
    again = a.exchange([], 1, T0 + TTL + 0.1, leased=True)
    assert again.lease_lost and data(again) == ["r0"]
    new = again.popped[0]
    assert new.lease != old.lease and a.leased() == 1
    return old, new


def test_an_ack_of_a_stale_copy_leaves_the_same_nodes_new_grant_leased(node):
    a, b = node("a"), node("b")
    old, new = regrant(a, b)
    # the stalled copy finishes first: its ack names the old grant, and removes nothing
    a.exchange([], 0, T0 + TTL + 0.2, acks=[old.lease], leased=True)
    assert a.leased() == 1
    assert a.client.hkeys(a.base + ":lease:a:l") == [new.lease.encode()]
    # a dies before the new copy finishes: r0 is not lost, it goes back when a's lease expires
    assert talk(b, T0 + TTL + 0.5, T0 + 2 * TTL + 0.2) == []
    late = b.exchange([], 1, T0 + 2 * TTL + 0.3)
    assert late.requeued == [("a:l", 1)] and data(late) == ["r0"]


def test_an_ack_of_the_new_grant_releases_it(node):
    a, b = node("a"), node("b")
    old, new = regrant(a, b)
    a.exchange([], 0, T0 + TTL + 0.2, acks=[old.lease], leased=True)
    a.exchange([], 0, T0 + TTL + 0.3, acks=[new.lease], leased=True)
    assert a.leased() == 0 and len(a) == 0
    assert a.client.zcard(a.base + ":leases") == 0
    assert b.exchange([], 1, T0 + 3 * TTL).requeued == []  # nothing of a's comes back


def test_renewals_keep_a_slow_nodes_lease_and_beats_put_back_too(node):
    a, b = node("a"), node("b")
    a.exchange(lpush("a.com", A, 2), 0, T0)
    assert data(a.exchange([], 1, T0)) == ["r0"]
    for k in range(1, 8):  # a beats every second (no exchange): its lease lives on
        assert a.beat(T0 + k, leased=True) == ([], False, 0)
        assert b.exchange([], 0, T0 + k + 0.5).requeued == []
    # a stops beating: after its deadline even a beat of another node puts its request back
    assert talk(b, T0 + 8, T0 + 7 + TTL) == []
    assert b.beat(T0 + 7 + TTL + 0.1) == ([("a:l", 1)], False, 0)
    assert len(b) == 2
    assert a.beat(T0 + 11, leased=True) == ([], True, 0)  # a is told


def test_the_ack_rides_with_the_pushes_it_waited_for_in_one_script(node):
    a, b = node("a"), node("b")
    a.exchange(lpush("a.com", A, 1, tag="page"), 0, T0)
    parent = a.exchange([], 1, T0).popped[0]
    # the page's links and its ack in one round trip: from then on nothing of it is a's
    a.exchange(lpush("a.com", A, 2, tag="link"), 0, T0 + 0.1, acks=[parent.lease], leased=True)
    later = b.exchange([], 5, T0 + 10)
    assert later.requeued == [] and data(later) == ["link0", "link1"]


def test_a_put_back_request_takes_a_budget_token_again(node):
    a, b = node("a"), node("b")
    BudgetLedger(node.store, {"a.com": TrafficEstimate(86_400 * 3, None, "test")},
                 BudgetSettings(max_site_rate=10, burst=2, pace_margin=0))
    a.exchange(lpush("a.com", A, 2, rate=1.0), 0, T0)
    assert data(a.exchange([], 1, T0)) == ["r0"]  # the bucket's starting token
    # a dies; after its deadline r0 is back, and goes only with a token of its own
    assert talk(b, T0 + 0.5, T0 + TTL) == []
    assert data(b.exchange([], 5, T0 + TTL + 0.01)) == ["r0"]
    assert data(b.exchange([], 5, T0 + TTL + 0.5)) == []
    assert data(b.exchange([], 5, T0 + TTL + 1.01)) == ["r1"]


def test_a_closing_node_releases_its_lease_and_nothing_is_put_back(node):
    a, b = node("a"), node("b")
    a.exchange(lpush("a.com", A, 2), 0, T0)
    a.exchange([], 2, T0)
    a.release()
    assert b.exchange([], 5, T0 + 100).requeued == [] and len(b) == 0


def test_without_a_lease_nothing_is_kept(node):
    a, b = node("a", lease=False), node("b")
    a.exchange(lpush("a.com", A, 2, tag="x") + lpush("b.com", B, 1), 0, T0)
    got = a.exchange([], 5, T0)
    assert sorted(data(got)) == ["r0", "x0", "x1"] and {p.lease for p in got.popped} == {""}
    assert b.leased() == 0 and b.exchange([], 5, T0 + 100).requeued == []


def test_leases_that_ran_out_while_no_node_could_reach_redis_are_renewed_not_put_back(node):
    a, b = node("a"), node("b")
    a.exchange(lpush("a.com", A, 3), 0, T0)
    assert data(a.exchange([], 1, T0)) == ["r0"]
    for k in range(1, 4):  # both nodes talk to Redis every half second
        a.beat(T0 + k / 2, leased=True)
        b.exchange([], 0, T0 + k / 2 + 0.1)
    # Redis is down for 5 s: a's lease runs out meanwhile, but a could not renew it either
    back = b.exchange([], 1, T0 + 6.6)
    assert back.requeued == [] and data(back) == ["r1"]
    assert a.beat(T0 + 6.7, leased=True) == ([], False, 0)  # a renews it in time
    # gaps shorter than half a lease are no outage: a node gone is found as usual
    requeued = [pair for k in range(1, 6) for pair in b.exchange([], 0, T0 + 6.7 + k).requeued]
    assert requeued == [("a:l", 1)]
    assert data(b.exchange([], 5, T0 + 12)) == ["r0", "r2"]


# -- a pop whose reply is lost: Redis ran the script, the node got an error (a timeout, a dropped
# connection); what it granted goes back at the node's next script, not at the node's close ----------

def lose_replies(f, monkeypatch, *, ran: bool = True):
    """*f*'s next exchange fails as a lost reply does: Redis ran it (*ran*) or not, the node gets a
    ``redis`` connection error. Returns a function that restores the replies."""
    import redis  # noqa: PLC0415

    script = f._exchange

    def lost(*args, **kwargs):
        if ran:
            script(*args, **kwargs)
        raise redis.exceptions.TimeoutError("Timeout reading from socket")

    monkeypatch.setattr(f, "_exchange", lost)
    return lambda: monkeypatch.setattr(f, "_exchange", script)


def test_a_pop_whose_reply_is_lost_is_put_back_by_the_nodes_next_script_and_popped_again(node, monkeypatch):
    import redis  # noqa: PLC0415

    a, b = node("a"), node("b")
    a.exchange(lpush("a.com", A, 5), 0, T0)
    seen = a.exchange([], 1, T0)  # a got this reply: r0 is a's
    assert data(seen) == ["r0"]
    restore = lose_replies(a, monkeypatch)
    with pytest.raises(redis.exceptions.TimeoutError):
        a.exchange([], 2, T0 + 0.1, leased=True)  # Redis granted r1, r2 to a; a never saw them
    restore()
    assert len(a) == 2 and a.leased() == 3  # still leased to a: its lease is renewed by its beats
    # a's next script (here its beat) puts back what the lost pop granted, and only that
    assert a.beat(T0 + 0.2, leased=True) == ([], False, 2)
    assert len(a) == 4 and a.leased() == 1
    # popped again, first in their order, by another node (or a itself); r0 stays a's
    again = b.exchange([], 5, T0 + 0.3)
    assert data(again) == ["r1", "r2", "r3", "r4"] and again.unseen == 0
    assert a.exchange([], 5, T0 + 0.4, leased=True).unseen == 0 and len(a) == 0
    assert a.leased() == 5  # r0 a's, the rest b's: each request granted to one node
    assert a.client.hlen(a.base + ":lease:a:l") == 1  # a holds only r0


def test_a_lost_reply_is_put_back_by_the_next_exchange_which_pops_it_again(node, monkeypatch):
    import redis  # noqa: PLC0415

    a = node("a")
    a.exchange(lpush("a.com", A, 3), 0, T0)
    restore = lose_replies(a, monkeypatch)
    with pytest.raises(redis.exceptions.TimeoutError):
        a.exchange([], 2, T0)
    restore()
    got = a.exchange([], 3, T0 + 0.5)
    assert got.unseen == 2 and data(got) == ["r0", "r1", "r2"]  # back first, then popped again
    assert a.leased() == 3 and len(a) == 0
    # replies seen from then on: nothing of them goes back (granted once)
    for k in range(1, 6):
        step = a.exchange([], 1, T0 + 0.5 + k, leased=True)
        assert step.unseen == 0 and step.requeued == [] and step.popped == []
    assert a.leased() == 3


def test_lost_replies_in_a_row_and_a_script_that_never_ran(node, monkeypatch):
    import redis  # noqa: PLC0415

    a, b = node("a"), node("b")
    a.exchange(lpush("a.com", A, 6), 0, T0)
    granted = data(a.exchange([], 1, T0))  # r0, seen
    restore = lose_replies(a, monkeypatch)
    for k in range(2):  # two lost replies in a row: each script puts back the one before it
        with pytest.raises(redis.exceptions.TimeoutError):
            a.exchange([], 1, T0 + 0.1 * (k + 1), leased=True)
    restore()
    restore = lose_replies(a, monkeypatch, ran=False)  # a connection error before Redis ran it
    with pytest.raises(redis.exceptions.TimeoutError):
        a.exchange([], 1, T0 + 0.3, leased=True)
    restore()
    got = a.exchange([], 1, T0 + 0.4, leased=True)
    assert got.unseen == 1  # the second lost pop's request (the first's went back with the second)
    granted += data(got)
    granted += data(b.exchange([], 6, T0 + 0.5))
    # every request granted to a node that saw it exactly once: r0 to a, r1 again (to a), the rest b's
    assert sorted(granted) == [f"r{i}" for i in range(6)]
    assert a.leased() == 6 and len(a) == 0


def test_a_closing_node_puts_back_a_lost_pops_requests_before_it_releases_its_lease(node, monkeypatch):
    import redis  # noqa: PLC0415

    a, b = node("a"), node("b")
    a.exchange(lpush("a.com", A, 2), 0, T0)
    restore = lose_replies(a, monkeypatch)
    with pytest.raises(redis.exceptions.TimeoutError):
        a.exchange([], 2, T0)
    restore()
    assert a.exchange([], 0, T0 + 0.1).unseen == 2  # the close's last exchange
    a.release()
    assert data(b.exchange([], 5, T0 + 0.2)) == ["r0", "r1"]
    assert a.client.exists(a.base + ":pop:a:l") == 0


def test_a_script_the_node_gave_up_on_that_runs_after_its_retry_grants_and_puts_back_nothing(node, monkeypatch):
    """A timed-out script may still be in Redis's buffer of the dropped connection and run after the
    node's next script (on a new connection): it is stale then (a later token ran) and must neither pop
    nor take the later pop, whose reply the node got, for a lost one."""
    import redis  # noqa: PLC0415

    a, b = node("a"), node("b")
    a.exchange(lpush("a.com", A, 6), 0, T0)
    granted = data(a.exchange([], 1, T0))  # r0
    late = []

    def held_back(script):
        def call(*args, **kwargs):
            late.append(lambda: script(*args, **kwargs))
            raise redis.exceptions.TimeoutError("Timeout reading from socket")
        return call

    monkeypatch.setattr(a, "_exchange", held_back(a._exchange))
    with pytest.raises(redis.exceptions.TimeoutError):
        a.exchange([], 2, T0 + 0.1, leased=True)
    monkeypatch.undo()
    granted += data(a.exchange([], 2, T0 + 0.2, leased=True))  # the retry: r1, r2, seen by a
    monkeypatch.setattr(a, "_beat", held_back(a._beat))
    with pytest.raises(redis.exceptions.TimeoutError):
        a.beat(T0 + 0.3, leased=True)
    monkeypatch.undo()
    granted += data(a.exchange([], 1, T0 + 0.4, leased=True))  # r3, seen by a
    for run in late:  # the exchange and the beat a gave up on run now, after its later scripts
        run()
    assert len(a) == 2 and a.leased() == 4  # nothing more granted, nothing of a's put back
    assert a.beat(T0 + 0.5, leased=True)[2] == 0
    granted += data(b.exchange([], 6, T0 + 0.6))
    assert granted == ["r0", "r1", "r2", "r3", "r4", "r5"]  # each granted once
    assert a.client.hlen(a.base + ":lease:a:l") == 4
