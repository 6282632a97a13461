import json

import pytest

from politecrawl.stops.aipref import (
    combine_usage,
    parse_content_signal,
    parse_content_usage,
    usage_reservation,
)
from politecrawl.stops.html_meta import meta_tags
from politecrawl.stops.http451 import blocked_by
from politecrawl.stops.purposes import Purpose, parse_purpose, reservations_for
from politecrawl.stops.robots_signals import parse_robots_signals
from politecrawl.stops.tdmrep import (
    TDMRepRule,
    effective_tdm_reservation,
    parse_tdm_value,
    parse_tdmrep_file,
    tdm_meta_reservation,
)
from politecrawl.stops.xrobots import ai_reservations, robots_directives

S, R, A = Purpose.SEARCH, Purpose.RESEARCH, Purpose.AI_TRAINING


# -- purposes --------------------------------------------------------------
def test_parse_purpose():
    assert parse_purpose(None) is R
    assert parse_purpose("AI-Training") is A
    with pytest.raises(ValueError, match=r"POLITECRAWL_PURPOSE \('ads'\) must be one of: search, research, ai-training"):
        parse_purpose("ads")


# -- TDMRep ------------------------------------------------------------------
RULES = [
    {"location": "/public/*", "tdm-reservation": 0},
    {"location": "/books/*.pdf$", "tdm-reservation": 1, "tdm-policy": "https://x.test/p.json"},
    {"location": "/", "tdm-reservation": 1},
]


def test_tdmrep_first_match_wins_and_case_sensitive():
    f = parse_tdmrep_file(200, json.dumps(RULES).encode())
    assert f.status == "ok" and len(f.rules) == 3
    assert f.lookup("/public/a.html").reservation == 0   # first rule, although "/" matches too
    assert f.reservation("/public/a.html") is None
    r = f.reservation("/books/x.pdf")
    assert r.purposes == frozenset({R, A}) and r.source == "tdmrep.json"
    assert "tdm-policy=https://x.test/p.json" in r.detail
    assert f.lookup("/books/x.pdf?page=2").location == "/"  # "$" anchors
    assert f.lookup("/Public/a.html").location == "/"  # case-sensitive
    assert parse_tdmrep_file(200, b'[{"location": "/only/", "tdm-reservation": 1}]').reservation("/x") is None


@pytest.mark.parametrize(
    "status, body, kind",
    [
        (404, b"not found", "absent"),
        (500, b"oops", "unreachable"),  # fail closed until a later fetch answers (tests/test_tdmrep_outage.py)
        (None, None, "unreachable"),
        (200, b"{not json", "malformed"),
        (200, b'{"location": "/"}', "malformed"),  # an object, not an array
        (200, b"\xff\xfe\x00garbage", "malformed"),
        (200, b"[" * 100000 + b"]" * 100000, "malformed"),  # deep nesting: RecursionError
    ],
)
def test_tdmrep_fetch_results(status, body, kind):
    f = parse_tdmrep_file(status, body, max_bytes=10**6)
    assert f.status == kind
    reserved = f.reservation("/anything")
    if kind == "absent":
        assert reserved is None
    else:  # fail closed for TDM purposes
        assert reserved.purposes == frozenset({R, A}) and kind in reserved.detail


def test_tdmrep_two_megabytes_is_too_large():
    body = json.dumps([{"location": f"/p{i}/", "tdm-reservation": 0} for i in range(60000)]).encode()
    assert len(body) > 2 * 10**6
    f = parse_tdmrep_file(200, body)
    assert f.status == "too-large" and f.rules == ()
    assert f.reservation("/p1/").detail == "file too-large: reserved by default"
    assert parse_tdmrep_file(200, body, max_bytes=4 * 10**6).status == "ok"


def test_tdmrep_odd_entries():
    body = json.dumps([
        "text", {"tdm-reservation": 1}, {"location": 5},
        {"location": "/a", "tdm-reservation": "1"},
        {"location": "/b", "tdm-reservation": 2},
        {"location": "/c", "tdm-reservation": True},
        {"location": "/", "tdm-reservation": 1},
    ]).encode()
    f = parse_tdmrep_file(200, body)
    assert f.skipped == 3
    assert [r.reservation for r in f.rules] == [1, None, None, 1]
    assert f.reservation("/b") is None  # first match is a protocol error: unset
    assert f.reservation("/a") is not None


def test_tdm_values_and_precedence():
    assert [parse_tdm_value(v) for v in ("1", " 0 ", "yes", 1, 0, 2, True, None, b"1")] == [
        1, 0, None, 1, 0, None, None, None, 1]
    rule = TDMRepRule("/", 1, None)
    assert effective_tdm_reservation(rule, None, None) == (1, "tdmrep.json")
    assert effective_tdm_reservation(rule, 0, None) == (0, "tdm-reservation-header")
    assert effective_tdm_reservation(rule, 0, 1) == (1, "tdm-reservation-meta")
    assert effective_tdm_reservation(None, None, None) == (None, "")
    html = '<html><head><META Name="TDM-Reservation" content="1"></head><body>'
    assert tdm_meta_reservation(html) == 1
    assert tdm_meta_reservation('<body><meta name="tdm-reservation" content="1">') is None


def test_meta_tags_stop_at_body():
    tags = meta_tags(b'<head><meta name="robots" content="noai"><meta name="x"></head>'
                     b'<body><meta name="robots" content="noindex"></body>')
    assert tags == {"robots": ["noai"]}


# -- aipref Content-Usage ----------------------------------------------------
def test_content_usage_vocabulary():
    assert parse_content_usage("train-ai=n, search=y") == {"train-ai": "n", "search": "y"}
    # unknown keys and unknown values ignored; duplicate: last wins
    assert parse_content_usage('foo=n, train-ai="n", search, bots=?0, train-ai=y, train-ai=n') == {
        "foo": "n", "train-ai": "n"}
    assert parse_content_usage("train-ai=n;x=1") == {"train-ai": "n"}
    # case-sensitive: an upper-case key is a parse failure, so everything is unknown
    assert parse_content_usage("Train-AI=n, search=n") == {}
    assert parse_content_usage("train-ai=N") == {}
    assert parse_content_usage("train-ai=n,,") == {}
    assert parse_content_usage(b"\xff\xfe") == {}


def test_content_usage_reservations_and_legacy_labels():
    def purposes(value):
        r = usage_reservation(parse_content_usage(value), "content-usage-header", value)
        return r.purposes if r else frozenset()

    assert purposes("train-ai=n") == {A}
    assert purposes("search=n") == {S}
    assert purposes("train-ai=y, search=y") == set()
    assert purposes("ai=n") == {A}
    assert purposes("genai=n") == {A}
    assert purposes("train-genai=n") == {A}
    assert purposes("tdm=n") == {R, A}
    assert purposes("all=n") == {S, R, A}
    assert purposes("bots=n") == {S, R, A}
    assert purposes("ai-use=n, inference=n, ai-output=n") == set()
    assert purposes("frobnicate=n, train-ai=n") == {A}


def test_combine_most_restrictive():
    assert combine_usage([{"train-ai": "y"}, {"train-ai": "n"}, {"train-ai": "y", "search": "y"}]) == {
        "train-ai": "n", "search": "y"}


def test_content_signal():
    assert parse_content_signal("search=yes, ai-train=no, ai-input=no") == {
        "search": "yes", "ai-train": "no", "ai-input": "no"}
    assert parse_content_signal("Search=YES,bogus,ai-train=maybe") == {"search": "yes"}


# -- robots.txt lines ----------------------------------------------------------
ROBOTS = """\
Content-Signal: search=yes, ai-train=no   # before any group: applies to all

User-Agent: *
Allow: /
Disallow: /never/
Content-Usage: train-ai=n
Content-Usage: /ai-ok/ train-ai=y
Content-Usage: /mixed/ train-ai=y
Content-Usage: /mixed/ train-ai=n, search=y
Content-Usage: /unknown/ frobnicate=n, Train-AI=n
DisallowAITraining: /private/
AllowAITraining: /private/open/

User-agent: OtherBot
Content-Usage: search=n
"""


def _sources(signals, path, purpose):
    return sorted(r.source for r in reservations_for(purpose, signals.reservations(path)))


def test_robots_content_usage_path_scoped():
    sig = parse_robots_signals(ROBOTS, "politecrawl")
    # "/" rule (no path) + global Content-Signal ai-train=no
    assert _sources(sig, "/page", A) == ["content-signal-robots", "content-usage-robots"]
    # longer path rule says y: the no-path n does not apply; Content-Signal still does
    assert _sources(sig, "/ai-ok/x", A) == ["content-signal-robots"]
    # same path, y and n: restrictive
    assert _sources(sig, "/mixed/x", A) == ["content-signal-robots", "content-usage-robots"]
    # unknown keys / parse failure on the longest rule: no preference there
    assert _sources(sig, "/unknown/x", A) == ["content-signal-robots"]
    assert _sources(sig, "/page", S) == []  # OtherBot's search=n does not bind us
    assert _sources(sig, "/page", R) == []


def test_robots_ai_training_lines():
    sig = parse_robots_signals(ROBOTS, "politecrawl")
    assert "disallow-ai-training" in _sources(sig, "/private/a", A)
    assert "disallow-ai-training" not in _sources(sig, "/private/open/a", A)
    assert "disallow-ai-training" not in _sources(sig, "/public", A)


def test_robots_our_own_group_wins_over_star():
    sig = parse_robots_signals(ROBOTS, "OtherBot")
    assert _sources(sig, "/page", S) == ["content-usage-robots"]
    assert _sources(sig, "/page", A) == ["content-signal-robots"]  # global line only


def test_robots_garbage_does_not_crash():
    sig = parse_robots_signals("\x00\xff:::\nContent-Usage:\nContent-Usage: /x\nUser-agent:\n", "bot")
    assert sig.reservations("/x") == []


# -- X-Robots-Tag / meta robots ---------------------------------------------
def test_robots_directives():
    assert robots_directives(["noindex, NoAI", "otherbot: noimageai", "politecrawl: nofollow",
                              "unavailable_after: 25 Jun 2030 15:00:00 PST"], "politecrawl") == {
        "noindex", "noai", "nofollow", "unavailable_after"}


def test_ai_reservations():
    rs = ai_reservations(["noai"], {}, "politecrawl", is_image=False)
    assert [(r.source, r.purposes) for r in rs] == [("x-robots-tag", frozenset({A}))]
    assert ai_reservations(["noimageai"], {}, "politecrawl", is_image=False) == []
    assert [r.detail for r in ai_reservations(["noimageai"], {}, "politecrawl", is_image=True)] == ["noimageai"]
    rs = ai_reservations([], {"politecrawl": ["noai"]}, "PoliteCrawl", is_image=False)
    assert [r.source for r in rs] == ["meta-robots"]


# -- 451 -------------------------------------------------------------------
def test_blocked_by():
    assert blocked_by(['<https://blocker.example/x>; rel="blocked-by"']) == "https://blocker.example/x"
    assert blocked_by(['<https://a.test/>; rel="next", <https://b.test/>; rel=blocked-by']) == "https://b.test/"
    assert blocked_by(['<https://a.test/>; rel="alternate blocked-by"']) == "https://a.test/"
    assert blocked_by(['<https://a.test/>; rel="next"', "garbage <<<"]) is None
    assert blocked_by([]) is None


# -- what a page's own headers and meta tags reserve (page_reservations) ------
def test_page_reservations_from_headers_and_meta():
    from politecrawl.stops.page_reservations import page_reservations

    def found(**given):
        base = dict(tdmrep_rule=None, tdm_header=None, content_usage=[], x_robots_tag=[], content_type="text/html",
                    meta={}, bot_name="politecrawl")
        return [(r.source, r.detail) for r in page_reservations(**{**base, **given})]

    assert found() == []
    assert found(tdm_header=b"1") == [("tdm-reservation-header", "tdm-reservation=1")]
    assert found(meta={"tdm-reservation": ["1"]}) == [("tdm-reservation-meta", "tdm-reservation=1")]
    assert found(x_robots_tag=["otherbot: noindex, politecrawl: noai"]) == [("x-robots-tag", "noai")]
    assert found(x_robots_tag=["noimageai"]) == []
    assert found(x_robots_tag=["noimageai"], content_type="Image/PNG") == [("x-robots-tag", "noimageai")]
    assert found(meta={"robots": ["noai"]}) == [("meta-robots", "noai")]
    assert [s for s, _ in found(content_usage=["train-ai=n"])] == ["content-usage-header"]
