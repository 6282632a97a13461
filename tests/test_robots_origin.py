"""OriginRules and robots_url: what is in force for one origin, in process."""

from __future__ import annotations

from politecrawl.clock import FakeClock
from politecrawl.robots import RobotsConfig, record_from_fetch
from politecrawl.robots.fetch import FetchOutcome
from politecrawl.robots.origin import OriginRules, robots_url

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
