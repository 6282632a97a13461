import calendar

import pytest

from politecrawl.retry_after import RetryAfter, parse_http_date, parse_retry_after, retry_after_seconds
from politecrawl.stops.throttle import ThrottlePolicy

# 1994-11-06 08:49:37 UTC, the RFC 9110 example date
EXAMPLE = float(calendar.timegm((1994, 11, 6, 8, 49, 37, 0, 0, 0)))
NOW = EXAMPLE - 100.0


@pytest.mark.parametrize(
    "value, expected",
    [
        (None, RetryAfter("absent", None)),
        ("", RetryAfter("absent", None)),
        ("   ", RetryAfter("absent", None)),
        ("120", RetryAfter("seconds", 120.0)),
        (b" 5 ", RetryAfter("seconds", 5.0)),
        ("0", RetryAfter("past", 0.0)),
        ("000", RetryAfter("past", 0.0)),
        ("-5", RetryAfter("invalid", None)),
        ("+5", RetryAfter("invalid", None)),
        ("1.5", RetryAfter("invalid", None)),
        ("5s", RetryAfter("invalid", None)),
        ("soon", RetryAfter("invalid", None)),
        ("٣", RetryAfter("invalid", None)),  # a non-ASCII digit
        ("86400", RetryAfter("seconds", 86400.0)),
        ("86401", RetryAfter("too-large", 86401.0)),
        ("9" * 5000, RetryAfter("too-large", float("inf"))),
        ("Sun, 06 Nov 1994 08:49:37 GMT", RetryAfter("date", 100.0)),
        ("Sunday, 06-Nov-94 08:49:37 GMT", RetryAfter("date", 100.0)),
        ("Sun Nov  6 08:49:37 1994", RetryAfter("date", 100.0)),
        ("Sun, 06 Nov 1994 08:48:00 GMT", RetryAfter("date", 3.0)),
        ("Sun, 06 Nov 1994 08:47:00 GMT", RetryAfter("past", 0.0)),
        ("Sun, 06 Nov 1994 08:47:57 GMT", RetryAfter("past", 0.0)),
        ("Mon, 07 Nov 1994 08:49:37 GMT", RetryAfter("too-large", 86500.0)),
        ("Sun, 06 Nov 1994 08:49:37 PST", RetryAfter("invalid", None)),
        ("Sun, 31 Feb 1994 08:49:37 GMT", RetryAfter("invalid", None)),
        ("Sun, 06 Foo 1994 08:49:37 GMT", RetryAfter("invalid", None)),
        ("Sun, 06 Nov 1994 25:49:37 GMT", RetryAfter("invalid", None)),
    ],
)
def test_parse_retry_after(value, expected):
    assert parse_retry_after(value, NOW) == expected


def test_cap_is_configurable():
    assert parse_retry_after("61", NOW, max_delay=60) == RetryAfter("too-large", 61.0)
    assert parse_retry_after("60", NOW, max_delay=60) == RetryAfter("seconds", 60.0)


@pytest.mark.parametrize(
    "values, seconds",
    [
        (["120"], 120.0),  # delta-seconds
        (["Sun, 06 Nov 1994 08:49:37 GMT"], 100.0),  # HTTP-date, each of its three forms
        (["Sunday, 06-Nov-94 08:49:37 GMT"], 100.0),
        (["Sun Nov  6 08:49:37 1994"], 100.0),
        (["Sun, 06 Nov 1994 08:40:00 GMT"], 0.0),  # past: now
        (["soon", "1.5", "", "30"], 30.0),  # garbage skipped, the first value that says a time
        ([b"7"], 7.0),
        (["soon", "-1", "Sun, 06 Nov 1994 08:49:37 PST"], None),  # only garbage
        ([], None),
        (["9" * 40], float("inf")),  # the caller caps it
    ],
)
def test_repeated_values_give_the_first_time_they_say(values, seconds):
    """robots.txt and tdmrep.json fetches read the header through the same parser."""
    assert retry_after_seconds(values, NOW) == seconds


def test_a_robots_txt_503_honours_both_syntaxes_and_ignores_garbage():
    from politecrawl.robots import FetchOutcome, RobotsConfig, record_from_fetch

    def next_try_after(value: str) -> float:
        outcome = FetchOutcome.from_pairs(NOW, 503, b"", [("Retry-After", value)])
        return record_from_fetch("http://a.test:80", outcome, RobotsConfig()).expires_at - NOW

    assert next_try_after("120") == 120.0
    assert next_try_after("Sun, 06 Nov 1994 08:49:37 GMT") == 100.0
    assert next_try_after("garbage") == 30.0  # the back-off alone
    assert next_try_after("99999999") == 3600.0  # capped at POLITECRAWL_ROBOTS_RETRY_MAX


def test_rfc850_two_digit_year_rule():
    # RFC 9110 §5.6.7: more than 50 years ahead means the previous century.
    now_2026 = float(calendar.timegm((2026, 1, 1, 0, 0, 0, 0, 0, 0)))
    assert parse_http_date("Friday, 01-Jan-27 00:00:00 GMT", now_2026) == float(
        calendar.timegm((2027, 1, 1, 0, 0, 0, 0, 0, 0)))
    assert parse_http_date("Thursday, 01-Jan-99 00:00:00 GMT", now_2026) == float(
        calendar.timegm((1999, 1, 1, 0, 0, 0, 0, 0, 0)))


class TestThrottlePolicy:
    def test_retry_after_pauses_until_then(self):
        policy = ThrottlePolicy()
        d = policy.on_throttle("a.com", "5", sent_at=999.0, now=1000.0, current_interval=2.0)
        assert (d.action, d.until, d.reason, d.streak, d.new_interval) == (
            "pause", 1005.0, "retry-after", 1, None)

    def test_http_date(self):
        policy = ThrottlePolicy()
        d = policy.on_throttle(
            "a.com", "Sun, 06 Nov 1994 08:49:37 GMT", sent_at=NOW - 1, now=NOW)
        assert (d.action, d.until, d.reason) == ("pause", EXAMPLE, "retry-after")

    @pytest.mark.parametrize("header", [None, "garbage", "-3", "0", "Sun, 06 Nov 1994 08:00:00 GMT"])
    def test_backoff_without_usable_value(self, header):
        policy = ThrottlePolicy(backoff_min=1.0)
        d = policy.on_throttle("a.com", header, sent_at=NOW - 1, now=NOW, current_interval=3.0)
        assert (d.action, d.reason, d.until, d.new_interval) == ("pause", "backoff", NOW + 6.0, 6.0)

    def test_backoff_grows_exponentially_and_is_capped(self):
        policy = ThrottlePolicy(backoff_min=1.0, backoff_max=10.0, stop_after=5)
        t = 0.0
        pauses = []
        for _ in range(4):
            d = policy.on_throttle("a.com", None, sent_at=t, now=t + 0.1, current_interval=0.5)
            pauses.append(d.until - (t + 0.1))
            t = d.until  # the retry is sent when the pause ends
        assert pauses == pytest.approx([2.0, 4.0, 8.0, 10.0])

    def test_too_large_pauses_for_the_crawl(self):
        policy = ThrottlePolicy(max_retry_after=3600)
        d = policy.on_throttle("a.com", "3601", sent_at=0, now=1)
        assert (d.action, d.until, d.reason) == ("pause-for-crawl", float("inf"), "retry-after-too-large")

    def test_three_in_a_row_after_honouring_stop(self):
        policy = ThrottlePolicy(stop_after=3)
        d1 = policy.on_throttle("a.com", "5", sent_at=99, now=100)
        d2 = policy.on_throttle("a.com", "5", sent_at=105, now=106)
        d3 = policy.on_throttle("a.com", "5", sent_at=111, now=112)
        assert [d.action for d in (d1, d2, d3)] == ["pause", "pause", "stop"]
        assert [d.streak for d in (d1, d2, d3)] == [1, 2, 3]
        assert d3.reason == "repeated-throttling" and d3.until == float("inf")

    def test_in_flight_throttles_are_one_episode(self):
        policy = ThrottlePolicy(stop_after=3)
        # 5 requests in flight when the first 429 arrives: all sent before t=100.
        decisions = [
            policy.on_throttle("a.com", ra, sent_at=95 + i * 0.1, now=100 + i * 0.01)
            for i, ra in enumerate(["5", "5", "30", "5", "5"])
        ]
        assert [d.action for d in decisions] == ["pause"] * 5
        assert [d.streak for d in decisions] == [1] * 5
        assert decisions[-1].until == 100.02 + 30  # the longest ask wins
        assert policy.streak("a.com") == 1

    def test_success_after_pause_resets_streak_but_stale_success_does_not(self):
        policy = ThrottlePolicy(stop_after=3)
        policy.on_throttle("a.com", "5", sent_at=99, now=100)
        policy.on_response("a.com", sent_at=98)  # in flight before the 429: stale
        assert policy.streak("a.com") == 1
        policy.on_response("a.com", sent_at=105)
        assert policy.streak("a.com") == 0
        d = policy.on_throttle("a.com", "5", sent_at=110, now=111)
        assert d.streak == 1 and d.action == "pause"

    def test_sites_are_independent(self):
        policy = ThrottlePolicy(stop_after=2)
        policy.on_throttle("a.com", "1", sent_at=0, now=1)
        d = policy.on_throttle("b.com", "1", sent_at=0, now=1)
        assert d.streak == 1 and d.action == "pause"

    def test_bad_parameters(self):
        with pytest.raises(ValueError, match="stop_after"):
            ThrottlePolicy(stop_after=0)
        with pytest.raises(ValueError, match="backoff_min"):
            ThrottlePolicy(backoff_min=5, backoff_max=1)
