"""The disk frontier's request codec: every request reads back as it was written, or is refused."""

from __future__ import annotations

import pickle

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scrapy import FormRequest, Request, Spider
from scrapy.http.request import NO_CALLBACK
from scrapy.utils.request import request_from_dict

from politecrawl.middlewares.frontier.codec import decode, encode

FIELDS = ("url", "method", "headers", "body", "cookies", "meta", "encoding", "priority", "dont_filter", "flags",
          "cb_kwargs")


class _Spider(Spider):
    name = "codec"

    def parse_page(self, response):
        pass

    def failed(self, failure):
        pass

    alias = parse_page  # a method stored under a second name


class _Other:
    def parse_page(self, response):
        pass


def _same(a: Request, b: Request) -> None:
    assert type(a) is type(b)
    for field in FIELDS:
        left, right = getattr(a, field), getattr(b, field)
        assert (dict(left) if field == "headers" else left) == (dict(right) if field == "headers" else right), field
    for field in ("callback", "errback"):
        left, right = getattr(a, field), getattr(b, field)
        assert left == right, field  # bound methods of the same spider compare equal


@pytest.mark.parametrize("make", [
    lambda s: Request("http://a.com/p?q=1"),
    lambda s: Request("http://a.com/ä b", callback=s.parse_page, errback=s.failed, priority=-3, dont_filter=True),
    lambda s: Request("http://a.com/", method="POST", body=b"x=1", headers={"Referer": "http://b.com/"},
                      cookies={"c": "1"}, meta={"depth": 2, "k": [1, 2]}, encoding="latin-1", flags=["f"],
                      cb_kwargs={"n": 1}),
    lambda s: Request("http://a.com/a b", meta={"verbatim_url": True}),  # kept as given, unquoted
    lambda s: Request("http://a.com/", meta={"verbatim_url": False}),
    lambda s: Request("http://a.com/", callback=s.alias),
    lambda s: FormRequest("http://a.com/f", formdata={"a": "1"}, callback=s.parse_page),  # another class: to_dict
])
def test_a_request_reads_back_as_written(make):
    spider = _Spider()
    request = make(spider)
    _same(decode(encode(request, spider, "omitted"), spider, request.url), request)  # the store keeps the URL beside


def test_the_omitted_meta_key_is_not_stored_and_the_request_is_untouched():
    spider = _Spider()
    request = Request("http://a.com/", meta={"politecrawl_keys": ("u", "s", "o"), "depth": 1})
    back = decode(encode(request, spider, "politecrawl_keys"), spider, request.url)
    assert back.meta == {"depth": 1}
    assert request.meta == {"politecrawl_keys": ("u", "s", "o"), "depth": 1}


@pytest.mark.parametrize("make", [
    lambda s: Request("http://a.com/", callback=lambda response: None),  # not a spider method
    lambda s: Request("http://a.com/", callback=NO_CALLBACK),
    lambda s: Request("http://a.com/", callback=_Other().parse_page),  # a method of another object
    lambda s: Request("http://a.com/", meta={"f": lambda: None}),  # pickle refuses it
])
def test_a_request_that_cannot_be_kept_is_refused_with_value_error(make):
    spider = _Spider()
    with pytest.raises(ValueError):  # noqa: PT011 - Scrapy's scheduler catches exactly this
        encode(make(spider), spider, "omitted")


def test_files_written_as_scrapy_writes_requests_are_read():
    spider = _Spider()
    request = Request("http://a.com/x", callback=spider.parse_page, meta={"depth": 3}, priority=2)
    _same(decode(pickle.dumps(request.to_dict(spider=spider), protocol=4), spider), request)


def test_a_plain_get_is_stored_as_nothing_and_reads_back_from_its_url():
    spider = _Spider()
    request = Request("http://a.com/ä b?q=1", meta={"omitted": ("u", "s", "o")})
    assert encode(request, spider, "omitted") == b""
    back = decode(b"", spider, request.url)
    assert back.url == request.url == "http://a.com/%C3%A4%20b?q=1"  # not quoted again
    assert back.to_dict(spider=spider) == Request(request.url).to_dict(spider=spider)
    with pytest.raises(ValueError):  # noqa: PT011 - nothing to read it from
        decode(b"", spider)


_URLS = st.builds(
    lambda host, path, query: f"http://{host}.example/{path}" + (f"?{query}" if query else ""),
    st.from_regex(r"[a-z][a-z0-9-]{0,8}", fullmatch=True), st.from_regex(r"[a-zA-Z0-9/._~ %ä-]{0,12}", fullmatch=True),
    st.from_regex(r"[a-z0-9=&]{0,8}", fullmatch=True),
)
_TEXT = st.text("abcXYZ 09-_äé", max_size=6)  # text every drawn encoding can write
_HEADER = st.from_regex(r"[A-Z][a-z]{1,8}", fullmatch=True)


@st.composite
def _requests(draw):
    """Requests of Scrapy's own classes with each field at its default or not (the default is drawn often)."""
    spider = _Spider()
    maybe = lambda strategy: draw(st.one_of(st.none(), strategy))  # noqa: E731 - local shorthand
    kwargs = {
        "callback": maybe(st.sampled_from([spider.parse_page, spider.alias])),
        "errback": maybe(st.just(spider.failed)),
        "method": maybe(st.sampled_from(["POST", "HEAD", "PUT"])),
        "headers": maybe(st.dictionaries(_HEADER, _TEXT, min_size=1, max_size=2)),
        "body": maybe(st.binary(min_size=1, max_size=8)),
        "cookies": maybe(st.dictionaries(st.from_regex(r"[a-z]{1,4}", fullmatch=True), _TEXT, min_size=1, max_size=2)),
        "meta": maybe(st.dictionaries(st.sampled_from(["depth", "k", "omitted", "verbatim_url"]),
                                      st.one_of(st.integers(), _TEXT, st.booleans()), min_size=1, max_size=3)),
        "encoding": maybe(st.sampled_from(["latin-1", "cp1252"])),
        "priority": maybe(st.integers(-5, 5)),
        "dont_filter": maybe(st.just(True)),
        "flags": maybe(st.lists(_TEXT, min_size=1, max_size=2)),
        "cb_kwargs": maybe(st.dictionaries(st.from_regex(r"[a-z]{1,4}", fullmatch=True), st.integers(), min_size=1,
                                           max_size=2)),
    }
    cls = draw(st.sampled_from([Request, Request, Request, FormRequest]))
    return spider, cls(draw(_URLS), **{name: value for name, value in kwargs.items() if value is not None})


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_requests())
def test_every_request_round_trips_as_scrapy_s_to_dict_and_from_dict_would(drawn):
    """The codec (the compact plain GET, the lean tuple, Scrapy's dict) against Scrapy's own round trip:
    ``Request.to_dict`` of what is read back equals ``Request.to_dict`` of ``request_from_dict`` of the request,
    the omitted key left out of the meta."""
    spider, request = drawn
    expected = request.to_dict(spider=spider)
    expected["meta"] = {key: value for key, value in expected["meta"].items() if key != "omitted"}
    expected = request_from_dict(expected, spider=spider).to_dict(spider=spider)
    body = encode(request, spider, "omitted")
    assert (body == b"") == (
        type(request) is Request and not expected["meta"] and expected["method"] == "GET" and not expected["headers"]
        and not expected["body"] and not expected["cookies"] and expected["callback"] is None
        and expected["errback"] is None and expected["priority"] == 0 and not expected["dont_filter"]
        and expected["encoding"] == "utf-8" and not expected["flags"] and not expected["cb_kwargs"]
    )
    back = decode(body, spider, request.url)
    assert type(back) is type(request)
    assert back.to_dict(spider=spider) == expected
