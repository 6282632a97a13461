"""The cluster node's view of the shared frontier (politecrawl.cluster), with a FakeClock."""

from __future__ import annotations

import pytest
from cluster_helpers import key_prefix
from redis_server import RedisServer, free_port
from scrapy import Request, Spider
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from politecrawl.clock import FakeClock
from politecrawl.cluster import ClusterSettings, SharedFrontierLink
from politecrawl.config import ConfigError


def link(**kw):
    clock = FakeClock(1000.0)
    return SharedFrontierLink(ClusterSettings(**kw), clock), clock


def test_settings_defaults_and_rejections():
    assert ClusterSettings.from_settings(Settings()) == ClusterSettings(8, 0.5, 5.0)
    s = ClusterSettings.from_settings(Settings({"POLITECRAWL_CLUSTER_LOCAL_QUEUE": "16",
                                                "POLITECRAWL_CLUSTER_POLL_INTERVAL": "0.25",
                                                "POLITECRAWL_CLUSTER_IDLE_CLOSE": "0"}))
    assert s == ClusterSettings(16, 0.25, 0.0)
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


def test_takes_a_batch_only_below_the_low_water_mark():
    ln, clock = link(local_queue=8)
    assert ln.to_take(local=0, now=clock()) == 8
    assert ln.to_take(local=4, now=clock()) == 4
    assert ln.to_take(local=5, now=clock()) == 0  # enough waits here: do not ask Redis


def test_an_empty_shared_frontier_is_asked_once_per_poll_interval():
    ln, clock = link(local_queue=8, poll_interval=0.5)
    ln.took(asked=8, got=0, now=clock())
    assert ln.to_take(0, clock()) == 0
    clock.advance(0.49)
    assert ln.to_take(0, clock()) == 0
    clock.advance(0.01)
    assert ln.to_take(0, clock()) == 8
    ln.took(asked=8, got=8, now=clock())  # a full batch: more may be there, ask at once
    assert ln.to_take(0, clock()) == 8


def test_a_push_makes_asking_due_again():
    ln, clock = link(poll_interval=0.5)
    ln.took(asked=8, got=0, now=clock())
    ln.pushed(clock())
    assert ln.to_take(0, clock()) == 8
    assert ln.idle_for(clock()) == 0.0


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
    ln.took(8, 8, clock())
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


def _scheduler(state_url, **settings):
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
def test_two_nodes_share_one_dupefilter_and_waiting_requests_go_back_on_close(redis_url):
    a, b = _scheduler(redis_url), _scheduler(redis_url)
    urls = [f"http://shop-a.com/p/{i}" for i in range(5)]
    assert all(a.enqueue_request(Request(u)) for u in urls)
    assert not any(b.enqueue_request(Request(u)) for u in urls)  # seen by node a
    first = b.next_request()
    assert first is not None and first.url in urls
    assert len(b.local) == 4  # the rest wait in b's paced frontier, not in Redis
    assert len(a.queue) == 0
    b.close("shutdown")
    assert len(a.queue) == 4  # handed back for the other nodes
    got = {a.next_request().url for _ in range(4)}
    assert got == set(urls) - {first.url}


def test_unreachable_redis_sends_nothing_holds_new_requests_and_resumes():
    server = RedisServer(port=free_port(), persist=True)
    server.start()
    try:
        node = _scheduler(server.url + "?prefix=pcunit:")
        node.enqueue_request(Request("http://shop-a.com/1"))
        server.stop()
        assert node.enqueue_request(Request("http://shop-a.com/2"))  # held, not lost
        assert node.unsent and node.has_pending_requests()
        assert node.next_request() is None  # fail closed, though a request waits locally
        assert node.stats.get_value("politecrawl/cluster/redis_errors") == 1
        server.start()
        node.link._next_ask = float("-inf")
        sent = [node.next_request(), node.next_request()]
        assert {r.url for r in sent if r} == {"http://shop-a.com/1", "http://shop-a.com/2"}
        assert not node.unsent
    finally:
        server.close()
