"""robots.txt is read once: the robots package reads its AI-use lines, the stops package consumes them."""

from __future__ import annotations

from politecrawl.robots import AIUseLine, FetchOutcome, RobotsConfig, ai_use_lines, record_from_fetch
from politecrawl.robots.rules import RobotsRules
from politecrawl.stops.robots_signals import RobotsSignals, parse_robots_signals

TEXT = (
    "Content-Signal: search=yes, ai-train=no\n"
    "User-agent: OtherBot\nDisallowAITraining: /\n"
    "User-agent: politecrawl\nUser-agent: more\nContent-Usage: /articles/ train-ai=n\nDisallow: /x\n"
)


def test_the_lines_for_our_token_with_the_global_ones():
    assert ai_use_lines(TEXT, "PoliteCrawl") == (
        AIUseLine("content-signal", None, "search=yes, ai-train=no", "Content-Signal: search=yes, ai-train=no"),
        AIUseLine("content-usage", "/articles/", "train-ai=n", "Content-Usage: /articles/ train-ai=n"),
    )
    assert [line.kind for line in ai_use_lines(TEXT, "otherbot")] == ["content-signal", "disallowaitraining"]


def test_the_rules_in_force_carry_the_lines_and_a_fixed_answer_none():
    config = RobotsConfig(bot_name="politecrawl")
    record = record_from_fetch("http://a.test:80", FetchOutcome(0.0, 200, TEXT.encode(), {}, 0), config)
    rules = record.rules(0.0, config)
    assert rules.ai_use() == ai_use_lines(TEXT, "politecrawl")
    down = record_from_fetch("http://a.test:80", FetchOutcome(0.0, 503, b"", {}, 0), config)
    assert down.rules(0.0, config).ai_use() == ()
    assert RobotsRules(None, "politecrawl").ai_use() == ()


def test_the_stops_package_reads_the_same_answer():
    from_rules = RobotsSignals(ai_use_lines(TEXT, "politecrawl"))
    from_text = parse_robots_signals(TEXT, "politecrawl")
    for path in ("/articles/1", "/other", "/"):
        assert from_rules.reservations(path) == from_text.reservations(path)
    assert "content-signal-robots" in [r.source for r in from_rules.reservations("/other")]
