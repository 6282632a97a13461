"""Property tests (hypothesis) of every parser that reads what a site sends, and of the traffic file.

Each parser: any input gives an answer or the documented error, never another
exception; and never an allow where the input held a disallow or a reservation.
"""

from __future__ import annotations

import string
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from politecrawl.budget.estimates import load_estimates
from politecrawl.config import ConfigError
from politecrawl.robots import RobotsRules, decode_body, page_directives, parse_meta_robots, parse_x_robots_tag
from politecrawl.robots.fetch import max_age
from politecrawl.stops.aipref import parse_content_signal, parse_content_usage, signal_reservation, usage_reservation
from politecrawl.retry_after import parse_retry_after, retry_after_seconds
from politecrawl.stops.tdmrep import parse_tdmrep_file

PROPS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
BOT = "politecrawl"
#: Lines that are no robots.txt record protego or RFC 9309 knows (an "X-" name)
unknown_lines = st.builds(
    lambda name, value: f"X-{name}: {value}",
    st.text(string.ascii_letters + "-", min_size=1, max_size=12),
    st.text(string.printable.replace("\n", "").replace("\r", "").replace("\x0b", "").replace("\x0c", ""),
            max_size=30),
)
paths = st.text(string.ascii_letters + string.digits + "/-._~", min_size=0, max_size=20).map(lambda p: "/" + p)


# -- robots.txt -----------------------------------------------------------------
@PROPS
@given(st.binary(max_size=2000))
def test_any_robots_txt_body_parses_without_error(body):
    text, kept, truncated = decode_body(body, 500 * 1024)
    rules = RobotsRules(text, BOT)
    assert isinstance(rules.allowed("http://a.test/x?y").allowed, bool)
    rules.min_interval(), rules.visit_window(), rules.disallows_everything()


@PROPS
@given(st.text(max_size=1500), paths)
def test_any_robots_txt_text_answers_a_verdict(text, path):
    verdict = RobotsRules(text, BOT).allowed("http://a.test" + path)
    assert isinstance(verdict.allowed, bool) and isinstance(verdict.rule, str)


@PROPS
@given(st.lists(unknown_lines, max_size=6), st.lists(unknown_lines, max_size=6), paths,
       st.sampled_from(["politecrawl", "PoliteCrawl", "politecrawl extra words", "*"]))
def test_a_disallow_is_never_lost_to_lines_around_it(before, inside, path, agent):
    """Unknown lines before, inside or after our group never turn a Disallow into an allow."""
    text = "\n".join([*before, f"User-agent: {agent}", *inside, "Disallow: /secret", *inside,
                      "User-agent: other", "Allow: /"])
    assert not RobotsRules(text, BOT).allowed("http://a.test/secret" + path).allowed


@PROPS
@given(st.integers(min_value=0, max_value=600 * 1024), st.binary(min_size=1, max_size=50))
def test_a_cut_body_never_ends_in_a_partial_line(limit, tail):
    body = b"User-agent: *\nDisallow: /abc\n" * 3 + tail
    text, kept, truncated = decode_body(body, limit)
    assert len(kept) <= limit
    if truncated:
        assert kept == b"" or kept.endswith((b"\n", b"\r"))


# -- Retry-After, Cache-Control ----------------------------------------------------
@PROPS
@given(st.one_of(st.text(max_size=60), st.binary(max_size=60), st.none()),
       st.floats(min_value=0, max_value=4e9))
def test_any_retry_after_value_is_read_or_called_invalid(value, now):
    parsed = parse_retry_after(value, now)
    assert parsed.kind in ("absent", "seconds", "date", "past", "too-large", "invalid")
    assert parsed.delay is None or parsed.delay >= 0
    if isinstance(value, str):
        wait = retry_after_seconds([value], now)
        assert wait is None or wait >= 0
        age = max_age([value])
        assert age is None or age >= 0


@PROPS
@given(st.integers(min_value=1, max_value=10**6), st.floats(min_value=0, max_value=4e9))
def test_a_number_of_seconds_is_never_read_as_less(seconds, now):
    parsed = parse_retry_after(str(seconds), now)
    assert parsed.delay is not None and parsed.delay >= min(seconds, 1)


# -- tdmrep.json ------------------------------------------------------------------
@PROPS
@given(st.one_of(st.none(), st.integers(min_value=100, max_value=599)), st.binary(max_size=3000), paths)
def test_any_tdmrep_json_is_parsed_or_fails_closed(status, body, path):
    parsed = parse_tdmrep_file(status, body, 2048)
    assert parsed.status in ("ok", "absent", "malformed", "too-large", "unreachable")
    reservation = parsed.reservation(path)
    if parsed.fail_closed:
        assert reservation is not None


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=10)),
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(st.text(max_size=10), children, max_size=4)),
    max_leaves=20,
)


@PROPS
@given(st.lists(json_values, max_size=5), paths)
def test_a_reserving_first_rule_is_never_read_as_an_allow(noise, path):
    import json

    body = json.dumps([{"location": "/*", "tdm-reservation": 1}, *noise]).encode()
    parsed = parse_tdmrep_file(200, body, 1 << 20)
    assert parsed.reservation(path) is not None


# -- Content-Usage / Content-Signal ----------------------------------------------------
@PROPS
@given(st.one_of(st.text(max_size=80), st.binary(max_size=80)))
def test_any_content_usage_value_is_read_without_error(value):
    prefs = parse_content_usage(value)
    assert all(v in ("y", "n") for v in prefs.values())
    usage_reservation(prefs, "content-usage", "x")


@PROPS
@given(st.text(max_size=80), st.sampled_from(["train-ai=n", "train-ai=n;q=1", "search=y, train-ai=n", "train-ai=n "]))
def test_a_content_usage_no_is_never_lost(noise, statement):
    """(A value that is no Structured Field dictionary, "train-ai = n" among them, is ignored
    whole: the spec's reading, RFC 9651 §4.2.)"""
    prefs = parse_content_usage(statement)
    assert prefs.get("train-ai") == "n"
    assert usage_reservation(prefs, "content-usage", "x") is not None
    parse_content_usage(noise + ", " + statement)  # any neighbour: no error


@PROPS
@given(st.text(max_size=80))
def test_any_content_signal_value_is_read_and_a_no_is_kept(noise):
    prefs = parse_content_signal(noise)
    assert all(v in ("yes", "no") for v in prefs.values())
    kept = parse_content_signal(noise.replace("ai-train", "") + ", ai-train=no")
    assert kept.get("ai-train") == "no" and signal_reservation(kept, "content-signal", "x") is not None


# -- X-Robots-Tag and meta robots --------------------------------------------------------
@PROPS
@given(st.lists(st.text(max_size=60), max_size=4), st.lists(st.tuples(st.text(max_size=20), st.text(max_size=40)),
                                                             max_size=4))
def test_any_page_directives_are_read_without_error(headers, metas):
    found = page_directives(headers, metas, BOT)
    assert all(isinstance(d, str) for d in found.as_list())


@PROPS
@given(st.lists(st.text(string.ascii_letters + " ,:", max_size=30), max_size=3),
       st.sampled_from(["noindex", "nofollow", "noai", "none"]))
def test_a_directive_for_every_bot_is_never_lost(noise, directive):
    meant = {"noindex", "nofollow"} if directive == "none" else {directive}
    values = [*noise, directive]
    assert meant <= parse_x_robots_tag(values, BOT)
    assert meant <= parse_meta_robots([("robots", ", ".join([*noise, directive]))], BOT)


# -- the traffic file ------------------------------------------------------------------
@PROPS
@given(st.binary(max_size=400), st.sampled_from([".csv", ".json"]))
def test_any_traffic_file_loads_or_gives_the_documented_error(content, suffix):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / ("traffic" + suffix)
        path.write_bytes(content)
        try:
            estimates = load_estimates(str(path))
        except ConfigError as exc:
            assert str(exc).startswith(str(path)) or "POLITECRAWL_SITE_TRAFFIC" in str(exc)
            return
    for estimate in estimates.values():
        assert 0 < estimate.requests_per_day <= 1e12


@PROPS
@given(st.dictionaries(st.text(max_size=12), json_values, max_size=4))
def test_any_traffic_mapping_loads_or_gives_the_documented_error(mapping):
    try:
        estimates = load_estimates(mapping)
    except ConfigError:
        return
    assume(estimates)
    assert all(0 < e.requests_per_day <= 1e12 for e in estimates.values())
