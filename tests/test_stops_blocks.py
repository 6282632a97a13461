import pytest

from politecrawl.stops.blocks import BlockDetector, page_signal
from politecrawl.stops.settings import StopsSettings
from politecrawl.stops.purposes import Purpose

U = "https://a.test/p/{}"


def test_five_distinct_403s_in_a_row_stop():
    det = BlockDetector(auth_urls=5)
    verdicts = [det.observe("a.test", U.format(i), 403) for i in range(5)]
    assert verdicts[:4] == [None] * 4
    assert verdicts[4].reason == "auth-refusals" and verdicts[4].urls == 5
    assert det.observe("a.test", U.format(9), 403) is None  # reported once


def test_the_same_url_counts_once_and_content_resets():
    det = BlockDetector(auth_urls=3)
    for _ in range(10):
        assert det.observe("a.test", U.format(1), 401) is None
    assert det.observe("a.test", U.format(2), 403) is None
    assert det.observe("a.test", U.format(3), 200, html="<p>hi</p>") is None  # resets
    assert det.observe("a.test", U.format(4), 403) is None
    assert det.observe("a.test", U.format(5), 404) is None  # neither counts nor resets
    assert det.observe("a.test", U.format(6), 500) is None
    assert det.observe("a.test", U.format(7), 403) is None
    assert det.observe("a.test", U.format(8), 403).reason == "auth-refusals"
    assert det.observe("b.test", U.format(8), 403) is None  # per site


def test_captcha_pages():
    det = BlockDetector(challenge_urls=2)
    captcha = '<html><div class="g-recaptcha" data-sitekey="x"></div></html>'
    assert det.observe("a.test", U.format(1), 200, html=captcha) is None
    v = det.observe("a.test", U.format(2), 429, html="<title>Just a moment...</title>")
    assert v.reason == "challenge-pages" and v.urls == 2


@pytest.mark.parametrize(
    "requested, final, body, signal",
    [
        (U.format(1), U.format(1), "<title>News</title><p>text</p>", None),
        (U.format(1), U.format(1), '<script src="/cdn-cgi/challenge-platform/x.js">', "captcha"),
        (U.format(1), U.format(1), "<title>Are you a robot?</title>", "captcha"),
        (U.format(1), "https://a.test/accounts/login?next=/p/1", "<form>", "login-wall"),
        (U.format(1), U.format(1), '<title>Sign in</title><input type="password" name="pw">', "login-wall"),
        # a site-wide login box on a normal page is not a wall
        (U.format(1), U.format(1), '<title>Article</title><input type=password>', None),
        # we asked for the login page: content, not a wall
        ("https://a.test/login", "https://a.test/login", '<title>Log in</title><input type="password">', None),
    ],
)
def test_page_signal(requested, final, body, signal):
    assert page_signal(requested, final, body) == signal


def test_settings_defaults_and_errors():
    s = StopsSettings.from_settings({})
    assert s == StopsSettings()
    assert (s.purpose, s.max_retry_after, s.throttle_stop_after, s.block_auth_urls,
            s.block_challenge_urls, s.poll_interval, s.tdmrep_max_bytes) == (
        Purpose.RESEARCH, 86400.0, 3, 5, 2, 0.5, 524288)
    s = StopsSettings.from_settings({"POLITECRAWL_PURPOSE": "search", "POLITECRAWL_MAX_RETRY_AFTER": "600"})
    assert s.purpose is Purpose.SEARCH and s.max_retry_after == 600.0
    for name, value, msg in [
        ("POLITECRAWL_MAX_RETRY_AFTER", "-1", r"POLITECRAWL_MAX_RETRY_AFTER \('-1'\) must be a number > 0"),
        ("POLITECRAWL_MAX_RETRY_AFTER", "soon", "must be a number"),
        ("POLITECRAWL_STOPS_POLL_INTERVAL", 2, "within 1 s"),
        ("POLITECRAWL_THROTTLE_STOP_AFTER", 0, r"\(0\) must be a whole number >= 1"),
        ("POLITECRAWL_BLOCK_AUTH_URLS", "x", "whole number"),
        ("POLITECRAWL_THROTTLE_BACKOFF_MAX", 0.5, "POLITECRAWL_THROTTLE_BACKOFF_MIN"),
        ("POLITECRAWL_PURPOSE", "ads", "must be one of"),
    ]:
        with pytest.raises(ValueError, match=msg):
            StopsSettings.from_settings({name: value})


def test_every_captcha_marker_holds_an_anchor() -> None:
    # page_signal looks for the markers only in pages that hold one of the anchors: each marker must hold one.
    from politecrawl.stops.blocks import _MARKER_ANCHORS, _MARKERS, page_signal

    for marker in _MARKERS:
        assert any(anchor in marker for anchor in _MARKER_ANCHORS), marker
        assert page_signal("http://a.test/x", "http://a.test/x", f"<html><div class='{marker.upper()}'></div>") == "captcha"
