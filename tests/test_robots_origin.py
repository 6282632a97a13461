"""OriginRules and robots_url: what is in force for one origin, in process."""

from __future__ import annotations

from politecrawl.clock import FakeClock
from politecrawl.robots import RobotsConfig, record_from_fetch
from politecrawl.robots.fetch import FetchOutcome
from politecrawl.robots.origin import (
    ALLOW, FETCHED, KNOWN, REFUSE, WAIT, WAITED_FOR, Decision, OriginRules, back_to_frontier, robots_url,
)
from politecrawl.robots.rules import Verdict

ORIGIN = "https://shop.example:443"


def test_robots_url_leaves_the_default_port_out():
    assert robots_url("https://shop.example:443") == "https://shop.example/robots.txt"
    assert robots_url("http://shop.example:80") == "http://shop.example/robots.txt"
    assert robots_url("http://shop.example:8080") == "http://shop.example:8080/robots.txt"


def _state(record, now, config):
    rules = record.rules(now, config)
    return OriginRules(record, rules, record.rules_key(now, config), None, paced=False)


def test_rules_are_current_until_the_record_expires():
    clock, config = FakeClock(), RobotsConfig(bot_name="politecrawl")
    outcome = FetchOutcome(clock(), 200, b"User-agent: *\nDisallow: /private\n", {}, 0)
    record = record_from_fetch(ORIGIN, outcome, config)
    state = _state(record, clock(), config)
    assert state.current(clock(), config)
    assert not state.rules.allowed(ORIGIN + "/private/x").allowed
    assert not state.current(record.expires_at, config)


# -- the gate's decisions (politecrawl.robots.origin) ---------------------------------------------
def _fetched(at: float, status: int, body: bytes = b"", config=None, previous=None):
    return record_from_fetch(ORIGIN, FetchOutcome(at, status, body, {}, 0), config or RobotsConfig(), previous)


def test_decide_allows_refuses_and_waits_for_an_unreachable_robots_txt():
    config = RobotsConfig(bot_name="politecrawl")
    state = OriginRules.installed(_fetched(0.0, 200, b"User-agent: *\nDisallow: /private\n"), 0.0, config)
    assert state.decide(ORIGIN + "/ok") == Decision(ALLOW, "", Verdict(True, "no-rule"))
    assert state.decide(ORIGIN + "/private/1") == Decision(REFUSE, "disallowed", Verdict(False, "disallow:/private"))
    down = OriginRules.installed(_fetched(0.0, 503), 0.0, config)
    assert down.decide(ORIGIN + "/ok") == Decision(WAIT, "unreachable", Verdict(False, "unreachable"))
    assert down.waiting() and not state.waiting()
    assert down.known_at_admission(ORIGIN + "/ok", given_up=False) is None  # the pacer holds it
    assert down.known_at_admission(ORIGIN + "/ok", given_up=True).action == WAIT  # refused, once given up
    assert state.known_at_admission(ORIGIN + "/private", given_up=False).action == REFUSE


def test_a_slow_crawl_delay_skips_the_origin_and_a_pace_is_kept():
    config = RobotsConfig(bot_name="politecrawl", max_crawl_delay=10.0)
    slow = OriginRules.installed(_fetched(0.0, 200, b"User-agent: *\nCrawl-delay: 30\n"), 0.0, config)
    assert slow.skip == "crawl_delay_too_long" and slow.interval == 0.0
    assert slow.decide(ORIGIN + "/") == Decision(REFUSE, "crawl_delay_too_long", None)
    paced = OriginRules.installed(_fetched(0.0, 200, b"User-agent: *\nCrawl-delay: 2\n"), 0.0, config)
    assert paced.skip is None and paced.interval == 2.0 and paced.paced


def test_the_same_rules_are_kept_when_a_refresh_gives_the_same_copy():
    config = RobotsConfig(bot_name="politecrawl")
    body = b"User-agent: *\nDisallow: /x\n"
    first = OriginRules.installed(_fetched(0.0, 200, body), 0.0, config)
    down = _fetched(90_000.0, 503, config=config, previous=first.record)  # the last good copy stands in
    again = OriginRules.installed(down, 90_000.0, config, first)
    assert again.rules is first.rules and not again.waiting()


def test_the_next_try_and_the_end_of_the_wait():
    config = RobotsConfig(bot_name="politecrawl", retry_base=30.0, max_wait=100.0)
    down = OriginRules.installed(_fetched(0.0, 503, config=config), 0.0, config)
    assert down.next_try(config, deadline=None) == 30.0
    assert down.next_try(config, deadline=20.0) is None


def test_an_allowed_request_goes_back_to_the_frontier_when_its_turn_paid_the_fetch_or_a_pace_came():
    assert back_to_frontier(FETCHED, paced=False, requeued=False)
    assert back_to_frontier(FETCHED, paced=False, requeued=True)
    assert back_to_frontier(WAITED_FOR, paced=True, requeued=False)
    assert not back_to_frontier(WAITED_FOR, paced=True, requeued=True)
    assert not back_to_frontier(WAITED_FOR, paced=False, requeued=False)
    assert not back_to_frontier(KNOWN, paced=True, requeued=False)
