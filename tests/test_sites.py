import importlib
import socket
import urllib.request

import pytest

import politecrawl.sites as sites_module
from politecrawl.sites import InvalidURL, origin_key, site_key

SITE_KEYS = [
    # plain and multi-label public suffixes
    ("http://shop-a.com/", "shop-a.com"),
    ("https://www.shop-a.com/path?q=1", "shop-a.com"),
    ("http://news.example.com.cn/a", "example.com.cn"),
    ("http://example.com.cn", "example.com.cn"),
    ("http://b.example.co.uk/", "example.co.uk"),
    ("http://a.b.c.example.co.uk/", "example.co.uk"),
    ("http://www.gov.uk/", "www.gov.uk"),
    ("http://foo.bar.co.jp/", "bar.co.jp"),
    ("http://x.example.com.au/", "example.com.au"),
    ("http://shop.example.de/", "example.de"),
    # private suffixes: each user is a site
    ("https://alice.github.io/", "alice.github.io"),
    ("https://blog.alice.github.io/post", "alice.github.io"),
    ("https://bob.github.io/", "bob.github.io"),
    ("https://app.herokuapp.com/", "app.herokuapp.com"),
    ("https://my-bucket.s3.amazonaws.com/x", "my-bucket.s3.amazonaws.com"),
    ("https://site.blogspot.com/", "site.blogspot.com"),
    # IDN (unicode and punycode agree)
    ("http://bücher.de/", "xn--bcher-kva.de"),
    ("http://www.xn--bcher-kva.de/", "xn--bcher-kva.de"),
    ("http://例子.中国/", "xn--fsqu00a.xn--fiqs8s"),
    ("http://www.例子.中国/", "xn--fsqu00a.xn--fiqs8s"),
    ("http://пример.рф/", "xn--e1afmkfd.xn--p1ai"),
    # IP literals and localhost are their own site
    ("http://127.0.0.1/", "127.0.0.1"),
    ("http://127.0.0.1:8080/x", "127.0.0.1"),
    ("http://[::1]/", "::1"),
    ("http://[2001:DB8:0:0::1]:8443/", "2001:db8::1"),
    ("http://localhost:6800/", "localhost"),
    # ports never split a site
    ("http://shop-a.com:8080/", "shop-a.com"),
    ("https://shop-a.com:443/", "shop-a.com"),
    # case and trailing dots
    ("HTTP://WWW.Shop-A.COM/Page", "shop-a.com"),
    ("http://www.shop-a.com./", "shop-a.com"),
    ("http://News.Example.COM.CN./", "example.com.cn"),
    # bare hosts, and names with no registered domain
    ("shop-a.com", "shop-a.com"),
    ("sub.shop-a.com:81", "shop-a.com"),
    ("com", "com"),
    ("intranet", "intranet"),
]


@pytest.mark.parametrize(("url", "expected"), SITE_KEYS)
def test_site_key(url, expected):
    assert site_key(url) == expected


def test_table_is_large_enough():
    assert len(SITE_KEYS) >= 30


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://Shop-A.com/x", "http://shop-a.com:80"),
        ("https://shop-a.com/x", "https://shop-a.com:443"),
        ("https://shop-a.com:8443/", "https://shop-a.com:8443"),
        ("http://[::1]:81/", "http://[::1]:81"),
        ("http://bücher.de/", "http://xn--bcher-kva.de:80"),
    ],
)
def test_origin_key(url, expected):
    assert origin_key(url) == expected


@pytest.mark.parametrize("url", ["http:///nohost", "ftp://x.com/", "http://a..b/"])
def test_bad_urls(url):
    with pytest.raises(InvalidURL):
        origin_key(url) if url.startswith("ftp") else site_key(url)


def test_extractor_is_built_without_network(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("politecrawl.sites reached for the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    module = importlib.reload(sites_module)
    try:
        assert module._EXTRACT.suffix_list_urls == ()
        assert module.site_key("https://blog.alice.github.io/") == "alice.github.io"
        assert module.site_key("http://a.example.co.uk/") == "example.co.uk"
    finally:
        importlib.reload(sites_module)


def test_scrapy_cookie_splitter_is_made_offline():
    from scrapy.downloadermiddlewares import cookies

    from politecrawl.middlewares._scrapy_compat import make_cookie_domain_splitter_offline

    make_cookie_domain_splitter_offline()
    assert not cookies._split_domain.suffix_list_urls


_SHAPES = [
    "http://example.com/", "https://Example.COM:8443/a?b#c", "http://example.com", "http://example.com:/x",
    "http://example.com:80/", "https://example.com:443", "http://a.example.co.uk?q", "http://a.example.co.uk#f",
    "http://127.0.0.1:8080/", "http://[::1]:8080/", "http://user:pw@example.com/", "http://example.com:99999/",
    "http://example.com:abc/", "http://exa\tmple.com/", "http://example.com\\a", "HTTP://example.com/",
    " http://example.com/", "http://example.com /", "http://bücher.de/", "http://xn--bcher-kva.de/",
    "http://a..b.com/", "http://-a.com/", "http://.example.com./", "http://:80/", "ftp://example.com/",
    "http://ex%41mple.com/", "https://alice.github.io/x", "http://localhost:3000/", "http://1.2.3.4/",
]


def _reference_site(url: str) -> str:
    from urllib.parse import urlsplit

    from politecrawl.sites import InvalidURL, site_key_of_host

    try:
        host = urlsplit(url if "://" in url else "http://" + url).hostname
    except ValueError:
        return "InvalidURL"
    if not host:
        return "InvalidURL"
    try:
        return site_key_of_host(host)
    except InvalidURL:
        return "InvalidURL"


def _answer(func, url: str) -> str:
    from politecrawl.sites import InvalidURL

    try:
        return func(url)
    except InvalidURL:
        return "InvalidURL"


def test_the_prefix_shortcut_answers_as_a_full_parse() -> None:
    # Common URLs take their host and origin from a cached prefix; every shape, common or not, gets the
    # answer a parse of the whole URL gives.
    from politecrawl.sites import _origin_key, origin_key, site_key

    for url in _SHAPES:
        assert _answer(origin_key, url) == _answer(_origin_key, url), url
        assert _answer(site_key, url) == _reference_site(url), url
        assert _answer(origin_key, url) == _answer(_origin_key, url), url  # the cached answer too


def test_path_and_query_answer_as_urlsplit() -> None:
    from urllib.parse import urlsplit

    from politecrawl.sites import path_and_query

    extra = ["http://a.com/p?q=1#f?g", "http://a.com/p#f?g", "http://a.com?q", "http://a.com#f", "http://a.com",
             "http://a.com/p\t?q", "http://a.com/p?q\n#x", "http://a.com/robots.txt", "/robots.txt", "robots.txt",
             "http://a.com/a b?c d", "http://a.com//x/../y?", "http://a.com/%2F?%3F#"]
    for url in _SHAPES + extra:
        try:
            parts = urlsplit(url)
        except ValueError:
            continue
        assert path_and_query(url) == (parts.path, parts.query), url
