"""The cluster node's view of the shared frontier (politecrawl.cluster), with a FakeClock."""

from __future__ import annotations

import pytest
from cluster_helpers import key_prefix
from redis_server import RedisServer, free_port
from scrapy import Request, Spider
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from politecrawl.clock import FakeClock
from politecrawl.cluster import ClusterSettings, LeaseBook, SharedFrontierLink
from politecrawl.config import ConfigError


def link(**kw):
    clock = FakeClock(1000.0)
    return SharedFrontierLink(ClusterSettings(**kw), clock), clock


def test_settings_defaults_and_rejections():
    assert ClusterSettings.from_settings(Settings()) == ClusterSettings(16, 0.5, 5.0)
    s = ClusterSettings.from_settings(Settings({"POLITECRAWL_CLUSTER_LOCAL_QUEUE": "8",
                                                "POLITECRAWL_CLUSTER_POLL_INTERVAL": "0.25",
                                                "POLITECRAWL_CLUSTER_IDLE_CLOSE": "0"}))
    assert s == ClusterSettings(8, 0.25, 0.0)
    for name, value, rule in [
        ("POLITECRAWL_CLUSTER_LOCAL_QUEUE", "0", ">= 1"),
        ("POLITECRAWL_CLUSTER_LOCAL_QUEUE", "2.5", "whole number"),
        ("POLITECRAWL_CLUSTER_POLL_INTERVAL", "0", ">= 0.01"),
        ("POLITECRAWL_CLUSTER_IDLE_CLOSE", "soon", "must be a number"),
        ("POLITECRAWL_CLUSTER_IDLE_CLOSE", "inf", "finite"),
    ]:
        with pytest.raises(ConfigError) as err:
            ClusterSettings.from_settings(Settings({name: value}))
        assert name in str(err.value) and repr(value) in str(err.value) and rule in str(err.value)


def test_the_lease_timeout_defaults_to_four_poll_intervals_and_a_second_and_must_exceed_two():
    assert ClusterSettings.from_settings(Settings()).lease == 3.0
    assert ClusterSettings.from_settings(Settings({"POLITECRAWL_CLUSTER_POLL_INTERVAL": "0.25"})).lease == 2.0
    assert ClusterSettings.from_settings(Settings({"POLITECRAWL_CLUSTER_LEASE_TIMEOUT": "10"})).lease == 10.0
    for settings, rule in [({"POLITECRAWL_CLUSTER_LEASE_TIMEOUT": "1"}, "> 2 x POLITECRAWL_CLUSTER_POLL_INTERVAL (1)"),
                           ({"POLITECRAWL_CLUSTER_LEASE_TIMEOUT": "4", "POLITECRAWL_CLUSTER_POLL_INTERVAL": "2"}, "(4)"),
                           ({"POLITECRAWL_CLUSTER_LEASE_TIMEOUT": "nan"}, "finite")]:
        with pytest.raises(ConfigError) as err:
            ClusterSettings.from_settings(Settings(settings))
        assert "POLITECRAWL_CLUSTER_LEASE_TIMEOUT" in str(err.value) and rule in str(err.value)


def test_a_lease_is_acknowledged_once_done_and_what_it_produced_is_pushed():
    book = LeaseBook(renew_every=0.5)
    book.leased("p1", "http://a.com/1")
    book.leased("p2", "http://a.com/2")
    assert book.to_ack() == []  # in flight: nothing to acknowledge
    book.enqueued()  # p1's links are enqueued (pushed with the next round trip) ...
    held = book.enqueued()  # ... one of them held while its host's address is looked up
    book.finished("p1")
    assert book.to_ack(first_held=held) == []  # its held link is in no push yet
    assert book.to_ack() == ["p1"]  # released: it rides on the push of its links
    book.finished("p2")
    assert book.to_ack(first_held=book.enqueued()) == ["p1", "p2"]  # a link enqueued after: no wait
    # a page whose fetch-history record is still held (written behind) waits for its write
    assert book.to_ack(writing=lambda url: url.endswith("/2")) == ["p1"]
    book.acked(["p1"], 10.0)
    assert book.held == {"p2": "http://a.com/2"} and [lease for _, lease, _ in book.done] == ["p2"]
    book.acked(["p2"], 10.1)
    assert not book and book.done == []


def test_the_ack_of_a_redirected_request_waits_for_the_record_of_the_url_it_was_leased_for():
    """A meta refresh is a 200 (its record written behind) that the redirect middleware turns into a
    new request carrying the lease: the copy is pushed and finishes the lease at once, but the ack
    waits for the original URL's record, not the copy's (nor none)."""
    book = LeaseBook(renew_every=0.5)
    book.leased("p1", "http://a.com/refresh")
    book.enqueued()  # the redirect's copy, enqueued: it finishes the lease ...
    book.finished("p1")
    book.finished("p1")  # ... and so does the engine, for the original request
    holding = {"http://a.com/refresh"}
    assert book.to_ack(writing=holding.__contains__) == []
    holding.clear()  # the original's record written
    assert set(book.to_ack(writing=holding.__contains__)) == {"p1"}
    book.acked(book.to_ack(), 1.0)
    assert not book and book.done == []


def test_the_lease_is_renewed_once_a_poll_interval_while_the_node_holds_any():
    book = LeaseBook(renew_every=0.5)
    assert not book.renew_due(100.0)  # holds nothing: nothing to renew
    book.leased("p1")
    assert book.renew_due(100.0)
    book.acked([], 100.0)  # a round trip renewed it
    assert not book.renew_due(100.49) and book.renew_due(100.5)


def test_an_idle_engine_leaves_no_lease_held():
    book = LeaseBook(renew_every=0.5)
    for lease in ("a", "b", "c"):
        book.leased(lease)
    book.finished("a")
    book.engine_idle()  # b and c were dropped without a word: done too
    assert sorted(book.to_ack()) == ["a", "b", "c"]


def test_takes_no_more_than_the_node_can_send_at_once():
    ln, clock = link(local_queue=8)
    assert ln.to_take(free=16, now=clock()) == 8
    assert ln.to_take(free=3, now=clock()) == 3
    assert ln.to_take(free=0, now=clock()) == 0  # the downloader is full: do not ask Redis


def test_asks_again_when_the_earliest_origin_is_due_at_most_one_poll_interval_later():
    ln, clock = link(local_queue=8, poll_interval=0.5)
    ln.exchanged(asked=8, got=1, next_ready=clock() + 0.2, queued=10, now=clock())
    assert ln.to_take(8, clock()) == 0
    assert ln.next_ask_at() == clock() + 0.2
    ln.exchanged(asked=8, got=0, next_ready=clock() + 30, queued=10, now=clock())
    assert ln.next_ask_at() == clock() + 0.5  # another node may push a ready origin
    ln.exchanged(asked=8, got=0, next_ready=clock() - 1, queued=10, now=clock())
    assert ln.next_ask_at() == clock() + ln.MIN_GAP  # scan limit reached: soon, never a spin
    ln.exchanged(asked=8, got=8, next_ready=clock(), queued=10, now=clock())
    assert ln.to_take(8, clock()) == 8  # a full batch: more may be ready


def test_a_push_makes_asking_due_again():
    ln, clock = link(poll_interval=0.5)
    ln.exchanged(asked=8, got=0, next_ready=None, queued=0, now=clock())
    assert ln.idle_for(clock()) == 0.0 and ln.to_take(8, clock()) == 0
    ln.exchanged(asked=0, got=0, next_ready=clock(), queued=1, now=clock(), pushed=True)
    assert ln.to_take(8, clock()) == 8
    assert ln.queued_seen(clock()) == 1
    clock.advance(0.6)
    assert ln.queued_seen(clock()) is None  # too old: ask Redis


def test_unreachable_redis_fails_closed_says_so_once_and_retries_each_interval():
    ln, clock = link(poll_interval=0.5)
    assert ln.may_send()
    assert ln.failed(clock()) is True  # the first failure is logged
    assert ln.failed(clock()) is False  # later ones only counted
    assert not ln.may_send()
    assert not ln.should_probe(clock())
    clock.advance(0.5)
    assert ln.should_probe(clock())
    assert ln.keep_open(clock())  # a node never closes because Redis is down
    clock.advance(4.5)
    assert ln.recovered(clock()) == 5.0
    assert ln.may_send() and ln.recovered(clock()) is None
    assert ln.failures == 2


def test_a_busy_node_probes_redis_it_has_not_heard_from():
    ln, clock = link(poll_interval=0.5)
    ln.exchanged(8, 8, clock(), 5, clock())
    clock.advance(0.4)
    assert not ln.should_probe(clock())
    clock.advance(0.1)
    assert ln.should_probe(clock())


def test_idle_node_closes_after_the_shared_frontier_was_empty_long_enough():
    ln, clock = link(idle_close=5.0)
    assert ln.keep_open(clock())  # not looked yet
    ln.seen_size(0, clock())
    clock.advance(4.9)
    assert ln.keep_open(clock())
    ln.seen_size(0, clock())  # still empty: the first empty sighting counts
    clock.advance(0.1)
    assert not ln.keep_open(clock())
    ln.seen_size(1, clock())  # work (or another busy node) again
    assert ln.keep_open(clock()) and ln.idle_for(clock()) == 0.0


def test_busy_mark_renewed_at_most_once_per_interval_and_outlives_idle_close():
    ln, clock = link(poll_interval=0.5, idle_close=5.0)
    assert ln.beat_ttl == 6.0
    assert not ln.beat_due(False, clock())
    assert ln.beat_due(True, clock())
    ln.beaten(clock())
    clock.advance(0.3)
    assert not ln.beat_due(True, clock())
    clock.advance(0.2)
    assert ln.beat_due(True, clock())
    ln.failed(clock())
    assert not ln.beat_due(True, clock())


# -- the scheduler against a real Redis ------------------------------------------------


class _Spider(Spider):
    name = "clustertest"


def _scheduler(state_url, before_open=None, **settings):
    from politecrawl.middlewares.frontier.cluster import ClusterScheduler  # noqa: PLC0415

    prefix = key_prefix(state_url) or "pc:"
    crawler = get_crawler(_Spider, {
        "POLITECRAWL_CONTACT": "https://example.org/politecrawl-tests",
        "POLITECRAWL_STATE": state_url,
        "POLITECRAWL_BUDGET_ENABLED": False,
        "SCHEDULER_PRIORITY_QUEUE": "politecrawl.middlewares.frontier.queue.PacedPriorityQueue",
        "SCHEDULER_QUEUE_KEY": prefix + "%(spider)s:requests",
        "SCHEDULER_DUPEFILTER_KEY": prefix + "%(spider)s:dupefilter",
        **settings,
    })
    crawler.spider = _Spider()
    scheduler = ClusterScheduler.from_crawler(crawler)
    if before_open is not None:
        before_open(scheduler)
    scheduler.open(crawler.spider)
    return scheduler


@pytest.mark.redis
def test_state_must_be_redis_and_blocking_pops_are_refused(redis_url, tmp_path):
    with pytest.raises(ConfigError, match="POLITECRAWL_STATE .* must be a redis:// URL"):
        _scheduler(f"sqlite:///{tmp_path / 's.db'}")
    with pytest.raises(ConfigError, match=r"SCHEDULER_IDLE_BEFORE_CLOSE \(5\) must be 0"):
        _scheduler(redis_url, SCHEDULER_IDLE_BEFORE_CLOSE=5)
    with pytest.raises(ConfigError, match="DUPEFILTER_CLASS .* must be scrapy_redis"):
        _scheduler(redis_url, DUPEFILTER_CLASS="politecrawl.clock.FakeClock")


@pytest.mark.redis
def test_two_nodes_share_one_dupefilter_and_granted_requests_go_back_on_close(redis_url):
    a, b = _scheduler(redis_url), _scheduler(redis_url)
    urls = [f"http://shop-a.com/p/{i}" for i in range(5)]
    assert all(a.enqueue_request(Request(u)) for u in urls)
    a.push_pending()  # pushes go out with a node's next round trip; here at once
    for u in urls:
        b.enqueue_request(Request(u))
    b.link._next_ask = float("-inf")
    first = b.next_request()
    assert first is not None and first.url in urls
    assert b.stats.get_value("politecrawl/cluster/duplicates") == 5  # seen by a: queued once
    assert len(b.granted) == 4 and len(a.queue) == 0  # b took what it could send at once
    b.close("shutdown")
    assert len(a.queue) == 4  # what b was granted and did not send went back
    a.link._next_ask = float("-inf")
    got = set()
    for _ in range(4):
        a.link._next_ask = float("-inf")
        request = a.next_request()
        got.add(request.url)
    assert got == set(urls) - {first.url}


def test_unreachable_redis_sends_nothing_holds_new_requests_and_resumes():
    server = RedisServer(port=free_port(), persist=True)
    server.start()
    try:
        node = _scheduler(server.url + "?prefix=pcunit:")
        node.enqueue_request(Request("http://shop-a.com/1"))
        server.stop()
        assert node.enqueue_request(Request("http://shop-a.com/2"))  # held, not lost
        assert node.next_request() is None  # fail closed, though requests wait locally
        assert node.pending and node.has_pending_requests()
        assert node.stats.get_value("politecrawl/cluster/redis_errors") == 1
        server.start()
        node.link._next_ask = float("-inf")
        sent = []
        for _ in range(2):
            node.link._next_ask = float("-inf")
            sent.append(node.next_request())
        assert {r.url for r in sent if r} == {"http://shop-a.com/1", "http://shop-a.com/2"}
        assert not node.pending
    finally:
        server.close()


def test_new_requests_ride_on_the_next_pop_unless_it_is_far_or_they_are_many():
    ln, clock = link()
    now = clock()
    assert not ln.push_due(0, now, now)
    assert not ln.push_due(3, now, now + ln.PUSH_DELAY / 2)  # the next pop takes them along
    assert ln.push_due(3, now, now + ln.PUSH_DELAY)  # waited long enough: a round trip of their own
    assert ln.push_due(ln.PUSH_BATCH, now, now)


@pytest.mark.redis
def test_the_servers_token_is_taken_in_the_pop_so_no_node_holds_a_request_for_its_server(redis_url):
    from politecrawl.budget.servers import SERVER_KEY, ServerLimit  # noqa: PLC0415

    node = _scheduler(redis_url)
    store = node.runtime.store
    # the per-server limit (POLITECRAWL_MAX_IP_RATE): 1 request a minute; hosts are their own servers
    limit = node.runtime.pacer.servers = ServerLimit(store, 1 / 60, 1.0)
    node.frontier.servers = (store.prefix + SERVER_KEY, limit.pace, limit.burst)
    node.enqueue_request(Request("http://shop-a.com/1"))
    node.enqueue_request(Request("http://shop-a.com/2"))
    assert node.next_request().url == "http://shop-a.com/1"
    assert node.next_request() is None  # its server has no token: not popped, not held here
    assert len(node) == 0 and len(node.queue) == 1  # the request waits in the shared frontier
    (record,) = limit.servers.values()
    assert (record.server, record.requests, record.waits > 0) == ("shop-a.com", 1, True)
    assert record.held_sites == {"shop-a.com"}  # the report's "servers that bound the crawl"


@pytest.mark.redis
def test_no_origin_is_pushed_under_its_host_name_while_its_address_is_being_looked_up(redis_url):
    """Three hosts of three sites on one server, whose lookups answer late: their requests wait on
    the node until the address is known, so the pop takes the server's token, one for all three
    (pushed at once under their names, each host had a bucket of its own: three requests at once)."""
    from politecrawl.budget.servers import SERVER_KEY, ServerLimit  # noqa: PLC0415

    asked, limits = [], []

    def install(node):  # the per-server limit at 1 request a minute, with a resolver that answers late
        store = node.runtime.store
        limits.append(ServerLimit(store, 1 / 60, 1.0, lookup=asked.append))
        node.runtime.pacer.servers = limits[0]

    node = _scheduler(redis_url, before_open=install)
    (limit,) = limits
    hosts = ["www.shop-a.com", "www.shop-b.com", "www.shop-c.com"]
    for host in hosts:
        for i in range(2):
            node.enqueue_request(Request(f"http://{host}/{i}"))
    assert asked == hosts  # one lookup per host
    node.link._next_ask = float("-inf")
    assert node.next_request() is None
    assert len(node.queue) == 0 and len(node) == 6 and node.has_pending_requests()  # held on the node
    node.push_pending()
    assert len(node.queue) == 0  # not even pushed on their own round trip
    limit.learn(hosts[0], "127.0.0.9")
    limit.learn(hosts[1], "127.0.0.9")
    limit.learn(hosts[2], "127.0.0.9")
    assert asked == hosts  # answered, not asked again
    sent = []
    for _ in range(3):
        node.link._next_ask = float("-inf")
        sent.append(node.next_request())
    assert len([r for r in sent if r]) == 1  # the server's one token, not one per host name
    assert len(node.queue) == 5
    origins = node.frontier.base + ":o:"
    assert {node.server.hget(origins + f"http://{h}:80", "server") for h in hosts} == {b"127.0.0.9"}
    assert node.server.exists(*(node.runtime.store.prefix + SERVER_KEY + h for h in hosts)) == 0
    assert node.stats.get_value("politecrawl/cluster/held_for_lookup") == 6


@pytest.mark.redis
def test_a_node_closing_while_a_lookup_runs_pushes_the_held_requests_under_the_host_name(redis_url):
    from politecrawl.budget.servers import ServerLimit  # noqa: PLC0415

    def install(node):
        node.runtime.pacer.servers = ServerLimit(node.runtime.store, 1 / 60, 1.0, lookup=lambda host: None)

    node = _scheduler(redis_url, before_open=install)
    node.enqueue_request(Request("http://www.shop-a.com/1"))
    assert len(node) == 1 and len(node.queue) == 0
    node.close("finished")
    assert len(node) == 0 and len(node.queue) == 1  # not lost: the documented fallback, the host name
    assert node.server.hget(node.frontier.base + ":o:http://www.shop-a.com:80", "server") == b"www.shop-a.com"


def test_a_node_whose_redis_goes_away_before_it_opens_waits_for_it_instead_of_failing():
    """Redis answered the preflight and is gone when the scheduler opens (a full CI run saw a
    node fail there with a traceback): the opening steps are tried again every poll interval,
    and the engine awaits them, so nothing is sent before they ran."""
    from politecrawl.middlewares.frontier.shared import join_when_reachable
    from politecrawl.state.base import StateStoreError

    answers = [StateStoreError("SET failed"), redis_error(), None]
    calls, failures, scheduled = [], [], []

    def join():
        calls.append(1)
        answer = answers.pop(0)
        if answer is not None:
            raise answer

    joined = join_when_reachable(join, lambda op, exc: failures.append((op, type(exc).__name__)),
                                 0.5, later=lambda delay, func: scheduled.append((delay, func)))
    assert joined is not None and not joined.called
    fired = []
    joined.addCallback(fired.append)
    while scheduled:
        delay, func = scheduled.pop(0)
        assert delay == 0.5
        func()
    assert len(calls) == 3 and fired == [None]
    assert failures == [("open", "StateStoreError"), ("open", "ConnectionError")]
    # Redis up at once: no Deferred, nothing scheduled
    assert join_when_reachable(lambda: None, failures.append, 0.5, later=scheduled.append) is None
    assert scheduled == []


def test_a_configuration_fault_found_once_redis_answers_fails_the_opening():
    from politecrawl.middlewares.frontier.shared import join_when_reachable

    answers = [redis_error(), ConfigError("REDIS_URL must name the same Redis server")]
    scheduled, errors = [], []

    def join():
        raise answers.pop(0)

    joined = join_when_reachable(join, lambda op, exc: None, 0.5,
                                 later=lambda delay, func: scheduled.append(func))
    joined.addErrback(lambda failure: errors.append(failure.value))
    scheduled.pop(0)()
    assert scheduled == [] and [type(e) for e in errors] == [ConfigError]


def redis_error():
    import redis

    return redis.exceptions.ConnectionError("Error 111 connecting")
