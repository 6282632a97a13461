"""The add-on's request fingerprinter gives Scrapy's fingerprints, byte for byte, for less work."""

from __future__ import annotations

import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scrapy import Request, Spider
from scrapy.utils.request import fingerprint as scrapy_fingerprint
from scrapy.utils.test import get_crawler
from w3lib.url import canonicalize_url

from politecrawl.middlewares.frontier import fingerprint as module
from politecrawl.middlewares.frontier.fingerprint import RequestFingerprinter, canonical_url, fingerprint, hashed
from helpers import addon_settings

PROPS = settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])

#: URLs of the form the fast path takes (and a few it must not: a host label with "--", a dot segment)
fast_form = st.from_regex(module._CANONICAL, fullmatch=True)
#: URLs built from parts canonicalize_url changes: case, ports, quoting, dot segments, unsorted or odd queries,
#: fragments, IDNA and IPv4 hosts, user info
_hosts = st.sampled_from([
    "a.com", "A.com", "a.com.", "www.example.org", "xn--bcher-kva.de", "bücher.de", "127.0.0.1", "0x7f.1", "1.2.3.4.5",
    "a--b.com", "[::1]", "u:p@a.com", "a.com:80", "a.com:8080", "localhost", "a_b.com", "-a.com", "a.com-",
])
_path_text = st.text(string.ascii_letters + string.digits + "/-._~!$&'()*+,;=:@% \"<>^`{|}é", max_size=24)
_query = st.lists(
    st.tuples(st.text("ab+=%;&~ é1", max_size=4), st.text("ab+=%;&~ é1", max_size=4)), max_size=4,
).map(lambda pairs: "&".join(f"{k}={v}" if i % 2 == 0 else k + v for i, (k, v) in enumerate(pairs)))
odd_form = st.builds(
    lambda scheme, host, path, query, fragment: f"{scheme}://{host}/{path}" + (f"?{query}" if query else "")
    + (f"#{fragment}" if fragment else ""),
    st.sampled_from(["http", "https", "HTTP", "ftp"]), _hosts, _path_text, _query | st.just(""),
    st.sampled_from(["", "top", "a b"]),
)


@PROPS
@given(fast_form)
def test_a_url_of_the_fast_form_gives_canonicalize_urls_answer(url):
    assert canonical_url(url) == canonicalize_url(url)


@PROPS
@given(odd_form)
def test_any_other_url_gives_canonicalize_urls_answer(url):
    assert canonical_url(url) == canonicalize_url(url)


@pytest.mark.parametrize(("url", "fast"), [
    ("http://o5.example5.com/p/0", True),
    ("https://www.example.org/a/b.html?page=2&sort=new", True),
    ("http://a.com", False),  # canonicalize_url adds the "/"
    ("http://A.com/", False),
    ("http://a.com/x?b=2&a=1", False),  # sorted by canonicalize_url
    ("http://a.com/x?a", False),  # becomes "a="
    ("http://a.com/a/../b", False),  # the dot segment is removed
    ("http://a.com/a b", False),
    ("http://a.com/%7e", False),
    ("http://a.com/x#top", False),
    ("http://a.com:8080/", False),
    ("http://127.0.0.1/", False),
    ("http://xn--bcher-kva.de/", False),
])
def test_the_fast_path_is_taken_only_for_a_url_that_is_its_own_canonical_form(url, fast, monkeypatch):
    calls = []
    monkeypatch.setattr(module, "canonicalize_url", lambda u: calls.append(u) or canonicalize_url(u))
    assert canonical_url(url) == canonicalize_url(url)
    assert (not calls) is fast


@settings(max_examples=500, deadline=None)
@given(
    fast_form | odd_form.filter(lambda u: not u.startswith("ftp")),
    st.sampled_from(["GET", "POST", "PUT", "get", "DELETE"]),
    st.binary(max_size=8),
    st.sampled_from([None, True, False, 1, ""]),
)
def test_the_fingerprint_is_scrapys(url, method, body, verbatim):
    meta = {} if verbatim is None else {"verbatim_url": verbatim}
    try:
        ours = Request(url, method=method, body=body, meta=dict(meta))
    except ValueError:  # a URL Scrapy refuses is fingerprinted by neither
        return
    theirs = Request(url, method=method, body=body, meta=dict(meta))  # Scrapy caches per request: a twin
    assert fingerprint(ours) == scrapy_fingerprint(theirs)
    twin = Request(url, method=method, body=body, meta=dict(meta))
    fp, hashed_url = hashed(twin)  # the URL it hashed: the disk dupefilter files the fingerprint under its origin
    assert fp == scrapy_fingerprint(theirs)
    assert hashed_url == (twin.url if verbatim else canonicalize_url(twin.url))
    assert hashed(twin) == (fp, hashed_url)  # the same from the cache


def test_a_fingerprint_is_computed_once_per_request(monkeypatch):
    request = Request("http://a.com/x?b=2&a=1")
    first = fingerprint(request)
    monkeypatch.setattr(module, "canonical_url", lambda u: pytest.fail("computed again"))
    assert fingerprint(request) is first


def test_the_add_on_sets_it_and_a_projects_own_fingerprinter_stays():
    settings = addon_settings()
    crawler = get_crawler(Spider, settings_dict={"REQUEST_FINGERPRINTER_CLASS": settings["REQUEST_FINGERPRINTER_CLASS"]})
    assert type(crawler.request_fingerprinter) is RequestFingerprinter
    assert crawler.request_fingerprinter.fingerprint(Request("http://a.com/p")) == scrapy_fingerprint(
        Request("http://a.com/p"))
    own = "scrapy.utils.request.RequestFingerprinter"
    assert addon_settings(REQUEST_FINGERPRINTER_CLASS=own)["REQUEST_FINGERPRINTER_CLASS"] == own


def _scheduler_with_jobdir(tmp_path, **settings):
    from scrapy.core.scheduler import Scheduler

    from politecrawl.middlewares.addon import SETTINGS

    crawler = get_crawler(Spider, settings_dict={
        **SETTINGS, "POLITECRAWL_CONTACT": "https://example.org/bot", "POLITECRAWL_STATE": "memory://",
        "JOBDIR": str(tmp_path / "job"), "LOG_ENABLED": False, **settings})
    spider = Spider("fp")
    crawler.spider = spider
    scheduler = Scheduler.from_crawler(crawler)
    scheduler.open(spider)
    return scheduler


def _filed(tmp_path):
    import sqlite3

    db = sqlite3.connect(tmp_path / "job" / "frontier.sqlite3")
    try:
        return sorted(db.execute(
            "SELECT coalesce(o.origin, '(none)'), s.fp FROM seen_by_origin s LEFT JOIN origins o ON o.id = s.origin"))
    finally:
        db.close()


def test_the_disk_dupefilter_files_a_fingerprint_under_the_origin_of_the_url_it_hashed(tmp_path):
    """With JOBDIR, a fingerprint is kept under its hashed URL's origin (so one origin's land together in the
    file); one fingerprint is one URL, so whatever the spelling a request is seen once."""
    scheduler = _scheduler_with_jobdir(tmp_path)
    seen = scheduler.df.request_seen
    first, other = Request("http://a.com/p?b=1&a=2"), Request("http://b.com/p")
    assert seen(first) is False and seen(other) is False
    assert seen(Request("http://a.com/p?a=2&b=1")) is True  # the same canonical URL, another spelling
    assert seen(Request("http://b.com/p", meta={"verbatim_url": True})) is True
    assert seen(Request("http://a.com/p?a=2&b=1", method="POST")) is False
    data = Request("data:text/plain,x")  # no origin: filed under none
    assert seen(data) is False and seen(Request("data:text/plain,x")) is True
    scheduler.close("finished")
    assert _filed(tmp_path) == sorted([
        ("http://a.com:80", fingerprint(first)), ("http://b.com:80", fingerprint(other)),
        ("http://a.com:80", scrapy_fingerprint(Request("http://a.com/p?a=2&b=1", method="POST"))),
        ("(none)", fingerprint(data)),
    ])
    again = _scheduler_with_jobdir(tmp_path)  # resumed: the same answers from the file
    assert again.df.request_seen(Request("http://a.com/p?a=2&b=1")) is True
    assert again.df.request_seen(Request("http://c.com/")) is False
    again.close("finished")


def test_a_projects_own_fingerprinter_files_its_fingerprints_under_no_origin(tmp_path):
    scheduler = _scheduler_with_jobdir(tmp_path, REQUEST_FINGERPRINTER_CLASS="scrapy.utils.request.RequestFingerprinter")
    request = Request("http://a.com/p")
    assert scheduler.df.request_seen(request) is False and scheduler.df.request_seen(Request("http://a.com/p")) is True
    scheduler.close("finished")
    assert _filed(tmp_path) == [("(none)", scrapy_fingerprint(Request("http://a.com/p")))]
