"""politecrawl.search: scope, clean URLs, content types, sitemaps, admission and settings (pure)."""

from __future__ import annotations

import datetime as dt

import pytest

from politecrawl.search import (
    Admission,
    ParamFilter,
    Scope,
    ScopeError,
    SearchConfig,
    canonical_hint,
    clean_url,
    is_kept,
    lastmod_hint,
    media_type,
    parse_lastmod,
    priority,
    sitemaps_for,
    skipped_extensions,
)
from politecrawl.config import ConfigError

KEEP = frozenset({"text/html", "application/xhtml+xml"})


# -- clean URLs ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("url", "clean"),
    [
        ("http://Shop-A.com/p/1?utm_source=x&utm_medium=y", "http://shop-a.com/p/1"),
        ("http://shop-a.com/p/1?b=2&gclid=9&a=1", "http://shop-a.com/p/1?a=1&b=2"),
        ("http://shop-a.com/p/1;jsessionid=ABC?x=1", "http://shop-a.com/p/1?x=1"),
        ("http://shop-a.com/p/1;JSESSIONID=ABC", "http://shop-a.com/p/1"),
        ("http://shop-a.com/p/1?PHPSESSID=abc", "http://shop-a.com/p/1"),
        ("http://shop-a.com/p/1?UTM_Campaign=q&page=2#top", "http://shop-a.com/p/1?page=2"),
        ("http://shop-a.com/a%7eb?q=a b", "http://shop-a.com/a~b?q=a+b"),
        ("http://shop-a.com/p;v=1/x", "http://shop-a.com/p;v=1/x"),  # other path parameters stay
    ],
)
def test_clean_url(url: str, clean: str) -> None:
    assert clean_url(url) == clean


def test_param_list_extends_and_shrinks() -> None:
    params = ParamFilter.build(drop=["ref", "trk_*"], keep=["sid"])
    assert clean_url("http://a.com/?ref=1&trk_x=2&sid=3&utm_id=4", params) == "http://a.com/?sid=3"
    assert clean_url("http://a.com/?ref=1&sid=3") == "http://a.com/?ref=1"


def test_canonical_hint_same_site_only() -> None:
    page = "http://shop-a.com/a/7?utm_source=x"
    assert canonical_hint(page, "/p/7") == "http://shop-a.com/p/7"
    assert canonical_hint(page, "http://www.shop-a.com/p/7") == "http://www.shop-a.com/p/7"
    assert canonical_hint(page, "http://other.org/p/7") is None
    assert canonical_hint(page, "/a/7") is None  # itself, once clean
    assert canonical_hint(page, "") is None and canonical_hint(page, None) is None
    assert canonical_hint(page, "mailto:x@shop-a.com") is None


# -- scope --------------------------------------------------------------------
def test_domain_scope_is_the_registered_domain() -> None:
    scope = Scope.build("domain", ["http://blog.example.co.uk/"])
    assert scope.allows("http://shop.example.co.uk/x")
    assert not scope.allows("http://example.com/")
    assert not scope.allows("ftp://blog.example.co.uk/")


def test_host_scope_is_the_host_exactly() -> None:
    scope = Scope.build("host", ["http://blog.example.com/start"])
    assert scope.allows("http://blog.example.com/x") and scope.allows("https://blog.example.com:8443/y")
    assert not scope.allows("http://www.example.com/")
    assert not scope.allows("http://sub.blog.example.com/")


def test_prefix_scope_is_the_seed_up_to_its_last_slash() -> None:
    scope = Scope.build("prefix", ["http://a.com/docs/index.html", "http://a.com/api/"])
    assert scope.allows("http://a.com/docs/x") and scope.allows("http://a.com/api/v1")
    assert not scope.allows("http://a.com/docsx") and not scope.allows("http://a.com/")
    assert not scope.allows("https://a.com/docs/x")  # another scheme is another prefix


def test_allow_and_deny_patterns() -> None:
    scope = Scope.build("domain", ["http://a.com/"], allow=[r"/p/"], deny=[r"/p/9"])
    assert scope.allows("http://a.com/p/1")
    assert not scope.allows("http://a.com/q/1")
    assert not scope.allows("http://a.com/p/9")
    args = scope.extractor_args(["pdf"])
    assert args["allow"] == ("/p/",) and args["deny"] == ("/p/9",)
    assert args["allow_domains"] == ("a.com",) and args["deny_extensions"] == ["pdf"]


def test_bad_scope_values() -> None:
    with pytest.raises(ScopeError, match="POLITECRAWL_SCOPE"):
        Scope.build("galaxy", ["http://a.com/"])
    with pytest.raises(ScopeError, match="POLITECRAWL_DENY"):
        Scope.build("domain", ["http://a.com/"], deny=["("])


# -- content types and extensions -----------------------------------------------
def test_content_types() -> None:
    assert media_type(b"Text/HTML; charset=utf-8") == "text/html"
    assert is_kept(b"text/html; charset=utf-8", KEEP)
    assert is_kept("application/xhtml+xml", KEEP)
    assert not is_kept(b"application/pdf", KEEP)
    assert not is_kept(b"image/png", KEEP)
    assert is_kept(None, KEEP) and is_kept(b"", KEEP)  # no type named: the body decides


def test_skipped_extensions() -> None:
    skipped = skipped_extensions(["pdf", "jpg"], ["foo"], ["pdf", ".CSV"])
    assert "pdf" not in skipped and "csv" not in skipped
    assert {"jpg", "foo", "json", "epub"} <= set(skipped)


# -- sitemaps -------------------------------------------------------------------
def test_sitemaps_named_in_robots_or_the_default() -> None:
    origin = "http://shop-a.com:80"
    assert sitemaps_for(origin, []) == ["http://shop-a.com/sitemap.xml"]
    assert sitemaps_for("https://a.com:8443", []) == ["https://a.com:8443/sitemap.xml"]
    named = ["http://shop-a.com/m.xml", "/rel.xml", "http://other.org/s.xml", "http://shop-a.com/m.xml",
             "ftp://shop-a.com/x.xml"]
    assert sitemaps_for(origin, named) == ["http://shop-a.com/m.xml", "http://shop-a.com/rel.xml"]
    # only another site's sitemap named: ours is the default one
    assert sitemaps_for(origin, ["http://other.org/s.xml"]) == ["http://shop-a.com/sitemap.xml"]


def test_lastmod() -> None:
    now = dt.datetime(2026, 12, 1, 12, tzinfo=dt.timezone.utc).timestamp()
    assert parse_lastmod("2026-12-01T10:00:00Z") == dt.datetime(2026, 12, 1, 10, tzinfo=dt.timezone.utc)
    assert parse_lastmod("2026-11-30") is not None and parse_lastmod("last week") is None
    assert lastmod_hint("2026-12-01", now) == 5
    assert lastmod_hint("2026-11-27", now) == 4
    assert lastmod_hint("2026-11-05", now) == 3
    assert lastmod_hint("2026-07-01", now) == 2
    assert lastmod_hint("2026-01-01", now) == 1
    assert lastmod_hint("2020-01-01", now) == 0
    assert lastmod_hint("2027-01-01", now) == 0  # the future is not a hint
    assert lastmod_hint(None, now) == 0 and lastmod_hint("junk", now) == 0


# -- admission and order ----------------------------------------------------------
def test_breadth_first_priority_keeps_the_hint_within_a_level() -> None:
    assert priority(0) > priority(1, 5) > priority(2, 5) > priority(2, 0)
    assert priority(3, 2, breadth_first=False) == 2


def test_depth_limit_and_site_quota() -> None:
    admission = Admission(depth_limit=2, page_quota=2)
    assert admission.decide("http://a.com/1", "a.com", 1) is None
    assert admission.decide("http://a.com/deep", "a.com", 3) == "depth_limit"
    assert admission.decide("http://a.com/2", "a.com", 2) is None
    assert admission.decide("http://a.com/1", "a.com", 1) is None  # the same page again: no new quota
    assert admission.decide("http://a.com/3", "a.com", 1) == "page_quota"
    assert admission.decide("http://b.com/1", "b.com", 1) is None  # quotas are per site
    assert admission.pages("a.com") == 2


def test_canonical_urls_are_not_admitted_again() -> None:
    admission = Admission()
    assert admission.note_canonical("http://a.com/p/7")
    assert not admission.note_canonical("http://a.com/p/7")
    assert admission.decide("http://a.com/p/7", "a.com", 1) == "canonical_seen"
    assert admission.is_canonical("http://a.com/p/7")
    assert admission.decide("http://a.com/p/8", "a.com", 9) is None  # no limits by default


# -- settings ---------------------------------------------------------------------
def _get(values: dict[str, object]):
    return lambda name, default=None: values.get(name, default)


def test_defaults() -> None:
    config = SearchConfig.from_settings(_get({}))
    assert config.sitemaps and config.breadth_first and config.scope == "domain"
    assert config.keep_types == KEEP
    assert (config.sitemap_max_bytes, config.sitemap_max_urls) == (50 * 1024 * 1024, 50_000)
    assert (config.depth_limit, config.site_page_quota) == (0, 0)


def test_settings_read_from_strings_as_on_the_command_line() -> None:
    config = SearchConfig.from_settings(_get({
        "POLITECRAWL_SITEMAPS": "false", "POLITECRAWL_SCOPE": "Host", "POLITECRAWL_ALLOW": r"/p/\d+ /s/",
        "POLITECRAWL_KEEP_TYPES": "text/html,application/pdf", "POLITECRAWL_DEPTH_LIMIT": "3",
        "POLITECRAWL_SITE_PAGE_QUOTA": "100", "POLITECRAWL_DROP_PARAMS": "ref,trk_*",
        "POLITECRAWL_FOLLOW_EXTENSIONS": ["pdf"],
    }))
    assert not config.sitemaps and config.scope == "host"
    assert config.allow == (r"/p/\d+", "/s/")
    assert config.keep_types == {"text/html", "application/pdf"}
    assert (config.depth_limit, config.site_page_quota) == (3, 100)
    assert config.params.drops("ref") and config.params.drops("trk_a") and config.params.drops("utm_x")
    assert config.follow_extensions == ("pdf",)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("POLITECRAWL_SCOPE", "everything"),
        ("POLITECRAWL_SITEMAPS", "maybe"),
        ("POLITECRAWL_ALLOW", "(unclosed"),
        ("POLITECRAWL_DENY", ["[z-a]"]),
        ("POLITECRAWL_KEEP_TYPES", "html"),
        ("POLITECRAWL_DEPTH_LIMIT", "-1"),
        ("POLITECRAWL_SITE_PAGE_QUOTA", "1.5"),
        ("POLITECRAWL_SITEMAP_MAX_URLS", "60000"),
        ("POLITECRAWL_SITEMAP_MAX_BYTES", "0"),
        ("POLITECRAWL_DROP_PARAMS", 5),
        ("POLITECRAWL_BREADTH_FIRST", "2"),
    ],
)
def test_bad_values_name_the_setting(name: str, value: object) -> None:
    with pytest.raises(ConfigError, match=name):  # SearchConfigError is a ConfigError
        SearchConfig.from_settings(_get({name: value}))
