"""The robots.txt core: fetch outcome → record → decisions (RFC 9309), exact times from a FakeClock."""

from __future__ import annotations

import pytest

from politecrawl.clock import FakeClock
from politecrawl.robots import (
    PARSED,
    UNAVAILABLE,
    UNREACHABLE,
    FetchOutcome,
    RobotsConfig,
    RobotsConfigError,
    RobotsRecord,
    Verdict,
    decode_body,
    record_from_fetch,
)

ORIGIN = "https://shop.example:443"
CFG = RobotsConfig()
RULES = b"User-agent: *\nDisallow: /private\nAllow: /private/open\n\nUser-agent: politecrawl\nDisallow: /nobots\n"


def fetch(clock: FakeClock, status: int | None = 200, body: bytes = b"", headers=(), **kw) -> FetchOutcome:
    return FetchOutcome.from_pairs(clock(), status, body, headers, **kw)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(1_700_000_000.0)


def test_2xx_is_parsed_and_our_group_wins(clock):
    record = record_from_fetch(ORIGIN, fetch(clock, 200, RULES), CFG)
    assert record.kind == PARSED and record.reason == "ok"
    assert record.expires_at == clock() + 86_400
    rules = record.rules(clock(), CFG)
    # Our own group replaces the * group (RFC 9309 §2.2.1): /private is allowed to us.
    assert rules.allowed("https://shop.example/private/x") == Verdict(True, "no-rule")
    assert rules.allowed("https://shop.example/nobots/a") == Verdict(False, "disallow:/nobots")
    assert rules.allowed("https://shop.example/robots.txt") == Verdict(True, "robots.txt")
    assert rules.version == record.version and len(record.version) == 16


def test_other_bot_name_gets_star_group_longest_match_and_allow_tie(clock):
    body = b"User-agent: *\nDisallow: /private\nAllow: /private/open\nDisallow: /a$\nAllow: /tie\nDisallow: /tie\n"
    cfg = RobotsConfig(bot_name="otherbot")
    rules = record_from_fetch(ORIGIN, fetch(clock, 200, body), cfg).rules(clock(), cfg)
    assert rules.allowed("https://shop.example/private/x") == Verdict(False, "disallow:/private")
    assert rules.allowed("https://shop.example/private/open/1") == Verdict(True, "allow:/private/open")
    assert rules.allowed("https://shop.example/a").allowed is False
    assert rules.allowed("https://shop.example/ab").allowed is True
    assert rules.allowed("https://shop.example/tie") == Verdict(True, "allow:/tie")


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410, 451])
def test_4xx_is_unavailable_and_allows_everything(clock, status):
    record = record_from_fetch(ORIGIN, fetch(clock, status, b"User-agent: *\nDisallow: /"), CFG)
    assert record.kind == UNAVAILABLE and record.reason == "http_4xx"
    assert record.version == f"unavailable:{status}"
    assert record.rules(clock(), CFG).allowed("https://shop.example/x") == Verdict(True, "unavailable")


@pytest.mark.parametrize(
    ("status", "error", "reason"),
    [(500, None, "http_5xx"), (503, None, "http_5xx"), (429, None, "http_429"),
     (None, "twisted.internet.error.ConnectionRefusedError", "network_error"),
     (None, "twisted.internet.error.DNSLookupError", "network_error"), (199, None, "http_other")],
)
def test_unreachable_allows_nothing(clock, status, error, reason):
    record = record_from_fetch(ORIGIN, fetch(clock, status, b"", error=error), CFG)
    assert record.kind == UNREACHABLE and record.reason == reason
    rules = record.rules(clock(), CFG)
    assert rules.allowed("https://shop.example/") == Verdict(False, "unreachable")
    assert rules.allowed("https://shop.example/robots.txt").allowed is False


def test_redirects_not_followed_to_the_end_are_unavailable(clock):
    record = record_from_fetch(ORIGIN, fetch(clock, 301, redirects=5), CFG)
    assert (record.kind, record.reason) == (UNAVAILABLE, "too_many_redirects")
    record = record_from_fetch(ORIGIN, fetch(clock, 302, redirects=0), CFG)
    assert (record.kind, record.reason) == (UNAVAILABLE, "redirect_not_followed")
    # A chain that ended in a 200 is parsed; the redirect count is kept as evidence.
    record = record_from_fetch(ORIGIN, fetch(clock, 200, b"User-agent: *\nDisallow: /", redirects=3), CFG)
    assert record.kind == PARSED and record.redirects == 3
    assert record.rules(clock(), CFG).allowed("https://shop.example/a").allowed is False


def test_backoff_doubles_and_is_capped(clock):
    record = None
    waits = []
    for _ in range(8):
        record = record_from_fetch(ORIGIN, fetch(clock, 503), CFG, record)
        waits.append(record.expires_at - clock())
        clock.advance(waits[-1])
    assert waits == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600][:8]
    assert record.failures == 8


def test_retry_after_lengthens_backoff_up_to_the_cap(clock):
    record = record_from_fetch(ORIGIN, fetch(clock, 429, headers=[("Retry-After", "600")]), CFG)
    assert record.expires_at - clock() == 600
    record = record_from_fetch(ORIGIN, fetch(clock, 503, headers=[("Retry-After", "99999")]), CFG)
    assert record.expires_at - clock() == 3600


def test_last_good_copy_stands_in_for_30_days_then_nothing(clock):
    good = record_from_fetch(ORIGIN, fetch(clock, 200, b"User-agent: *\nDisallow: /private\n"), CFG)
    good_at = clock()
    clock.advance(86_400)
    down = record_from_fetch(ORIGIN, fetch(clock, 500), CFG, good)
    assert down.last_good is not None and down.last_good.version == good.version
    rules = down.rules(clock(), CFG)
    assert rules.version == good.version and rules.fetched_at == good_at
    assert rules.allowed("https://shop.example/page").allowed is True
    assert rules.allowed("https://shop.example/private").allowed is False
    # Still down 29 days later: the copy (30 days old then) is carried along and still used.
    clock.set(good_at + 30 * 86_400)
    down2 = record_from_fetch(ORIGIN, fetch(clock, None, error="TimeoutError"), CFG, down)
    assert down2.last_good == down.last_good and down2.failures == 2
    assert down2.rules(clock(), CFG).allowed("https://shop.example/page").allowed is True
    # One second past 30 days: fail closed.
    clock.advance(1)
    assert down2.rules(clock(), CFG).allowed("https://shop.example/page") == Verdict(False, "unreachable")


def test_unavailable_is_never_a_last_good_copy(clock):
    gone = record_from_fetch(ORIGIN, fetch(clock, 404), CFG)
    down = record_from_fetch(ORIGIN, fetch(clock, 500), CFG, gone)
    assert down.last_good is None
    assert down.rules(clock(), CFG).allowed("https://shop.example/").allowed is False


def test_recovery_resets_failures(clock):
    down = record_from_fetch(ORIGIN, fetch(clock, 500), CFG)
    up = record_from_fetch(ORIGIN, fetch(clock, 200, b""), CFG, down)
    assert up.kind == PARSED and up.failures == 0 and up.last_good is None
    assert up.rules(clock(), CFG).allowed("https://shop.example/x") == Verdict(True, "no-rule")


@pytest.mark.parametrize(
    ("header", "life"),
    [("max-age=3600", 3600), ("public, max-age=100000", 86_400), ("max-age=0", 60),
     ("no-cache", 60), ("private", 86_400), ("max-age=30, s-maxage=9", 60)],
)
def test_cache_control_shortens_the_ttl_with_a_floor(clock, header, life):
    record = record_from_fetch(ORIGIN, fetch(clock, 200, b"", [("Cache-Control", header)]), CFG)
    assert record.expires_at - clock() == life


def test_short_ttl_setting_wins_over_the_floor(clock):
    cfg = RobotsConfig(ttl=5)
    record = record_from_fetch(ORIGIN, fetch(clock, 200, b"", [("Cache-Control", "max-age=0")]), cfg)
    assert record.expires_at - clock() == 5
    assert not record.expired(clock() + 4.999) and record.expired(clock() + 5)


def test_500_kib_limit_truncates_and_drops_the_partial_line(clock):
    filler = b"# " + b"x" * 98 + b"\n"  # 101 bytes a line
    body = filler * 5100 + b"User-agent: politecrawl\nDisallow: /\n"  # rule past 500 KiB
    assert len(body) > 512_000
    record = record_from_fetch(ORIGIN, fetch(clock, 200, body), CFG)
    assert record.truncated and record.nbytes == len(body)
    assert record.rules(clock(), CFG).allowed("https://shop.example/a") == Verdict(True, "no-rule")
    # The partial last line is not parsed as a shorter (broader) rule.
    body = b"User-agent: *\n" + b"#" * (512_000 - 14 - 12) + b"\nAllow: /abcdef\nDisallow: /\n"
    text, kept, truncated = decode_body(body, 512_000)
    assert truncated and text.endswith("#\n") and len(kept) == 512_000 - 11


def test_bom_bad_bytes_and_binary_junk_do_not_crash(clock):
    body = b"\xef\xbb\xbfUser-agent: *\nDisallow: /a\xff\xfe\n"
    rules = record_from_fetch(ORIGIN, fetch(clock, 200, body), CFG).rules(clock(), CFG)
    assert rules.allowed("https://shop.example/a\ufffd\ufffd").allowed is False
    utf16 = "User-agent: *\nDisallow: /b\n".encode("utf-16")
    rules = record_from_fetch(ORIGIN, fetch(clock, 200, utf16), CFG).rules(clock(), CFG)
    assert rules.allowed("https://shop.example/b").allowed is False
    junk = bytes(range(256)) * 200
    rules = record_from_fetch(ORIGIN, fetch(clock, 200, junk), CFG).rules(clock(), CFG)
    assert rules.allowed("https://shop.example/x") == Verdict(True, "no-rule")
    # A rule framed by NULs and junk is still a line of its own.
    mixed = b"\x00\x89PNG\x00User-agent: *\x00Disallow: /secret\x00\xff\xd8"
    rules = record_from_fetch(ORIGIN, fetch(clock, 200, mixed), CFG).rules(clock(), CFG)
    assert rules.allowed("https://shop.example/secret").allowed is False


def test_min_interval_is_the_larger_of_crawl_delay_and_request_rate(clock):
    def rules(body: bytes):
        return record_from_fetch(ORIGIN, fetch(clock, 200, body), CFG).rules(clock(), CFG)

    assert rules(b"User-agent: *\nCrawl-delay: 2\n").min_interval() == 2
    assert rules(b"User-agent: *\nCrawl-delay: 2\nRequest-rate: 1/5s\n").min_interval() == 5
    assert rules(b"User-agent: *\nCrawl-delay: 7.5\nRequest-rate: 10/1m\n").min_interval() == 7.5
    assert rules(b"User-agent: *\nDisallow: /x\n").min_interval() == 0
    assert rules(b"User-agent: *\nCrawl-delay: 61\n").skip_reason(60) == "crawl_delay_too_long"
    assert rules(b"User-agent: *\nRequest-rate: 1/2m\n").skip_reason(60) == "crawl_delay_too_long"
    assert rules(b"User-agent: *\nCrawl-delay: 60\n").skip_reason(60) is None
    # Another bot's delay is not ours.
    assert rules(b"User-agent: slowbot\nCrawl-delay: 600\n").skip_reason(60) is None


def test_visit_time_window_is_read_in_utc(clock):
    from datetime import time

    record = record_from_fetch(ORIGIN, fetch(clock, 200, b"User-agent: *\nVisit-time: 2200-0600\n"), CFG)
    assert record.rules(clock(), CFG).visit_window() == (time(22, 0), time(6, 0))
    record = record_from_fetch(ORIGIN, fetch(clock, 200, b"User-agent: *\nVisit-time: 0100 0300\n"), CFG)
    assert record.rules(clock(), CFG).visit_window() == (time(1, 0), time(3, 0))
    record = record_from_fetch(ORIGIN, fetch(clock, 200, b"User-agent: other\nVisit-time: 0100-0300\n"), CFG)
    assert record.rules(clock(), CFG).visit_window() is None


def test_disallows_everything(clock):
    def rules(body: bytes):
        return record_from_fetch(ORIGIN, fetch(clock, 200, body), CFG).rules(clock(), CFG)

    assert rules(b"User-agent: *\nDisallow: /\n").disallows_everything()
    assert rules(b"User-agent: politecrawl\nDisallow: /\n").disallows_everything()
    assert not rules(b"User-agent: *\nDisallow: /\nAllow: /public\n").disallows_everything()
    assert not rules(b"User-agent: *\nDisallow: /x\n").disallows_everything()
    assert not rules(b"User-agent: other\nDisallow: /\n").disallows_everything()
    down = record_from_fetch(ORIGIN, fetch(clock, 500), CFG)
    assert not down.rules(clock(), CFG).disallows_everything()  # a failure is not a stop request


def test_json_round_trip_and_garbage(clock):
    good = record_from_fetch(ORIGIN, fetch(clock, 200, b"User-agent: *\nDisallow: /p\n"), CFG)
    down = record_from_fetch(ORIGIN, fetch(clock, 503), CFG, good)
    for record in (good, down):
        assert RobotsRecord.from_json(record.to_json()) == record
    assert RobotsRecord.from_json("not json") is None
    assert RobotsRecord.from_json('{"origin": "x"}') is None
    assert RobotsRecord.from_json('[1, 2]') is None


def test_config_rejects_bad_values():
    with pytest.raises(RobotsConfigError, match=r"POLITECRAWL_ROBOTS_TTL \('soon'\) must be a number"):
        RobotsConfig.from_settings({"POLITECRAWL_ROBOTS_TTL": "soon"}.get)
    with pytest.raises(RobotsConfigError, match=r"POLITECRAWL_MAX_CRAWL_DELAY \(-1.0\) must be"):
        RobotsConfig.from_settings({"POLITECRAWL_MAX_CRAWL_DELAY": -1}.get)
    with pytest.raises(RobotsConfigError, match="POLITECRAWL_BOT_NAME"):
        RobotsConfig(bot_name="my bot")
    with pytest.raises(RobotsConfigError, match="POLITECRAWL_ROBOTS_RETRY_MAX"):
        RobotsConfig(retry_base=10, retry_max=5)
    cfg = RobotsConfig.from_settings({"POLITECRAWL_ROBOTS_TTL": "30", "POLITECRAWL_BOT_NAME": "x"}.get)
    assert (cfg.ttl, cfg.bot_name, cfg.max_crawl_delay) == (30.0, "x", 60.0)


# -- redirects of the fetch (RFC 9309 §2.3.1.2) -------------------------------------------------
def test_a_redirect_is_followed_to_any_http_host_up_to_the_limit():
    from politecrawl.robots.fetch import redirect_target

    url = "http://a.test/robots.txt"
    assert redirect_target(301, "/r1", url, 0, 5) == "http://a.test/r1"
    assert redirect_target(308, "https://cdn.test/robots.txt", url, 4, 5) == "https://cdn.test/robots.txt"
    assert redirect_target(302, "/r6", url, 5, 5) is None  # five followed: the 3xx is the outcome
    assert redirect_target(302, None, url, 0, 5) is None  # no Location
    assert redirect_target(302, "", url, 0, 5) is None
    assert redirect_target(302, "ftp://a.test/robots.txt", url, 0, 5) is None  # not http(s)
    assert redirect_target(302, "javascript:alert(1)", url, 0, 5) is None
    assert redirect_target(200, "/elsewhere", url, 0, 5) is None  # not a redirect
    assert redirect_target(404, "/elsewhere", url, 0, 5) is None
