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


# -- the rebuild without Request.__init__ (middlewares/_scrapy_compat.rebuild_request) ------------------------------
def _state(request: Request) -> dict:
    """Every field of *request* as its users see it, headers as Scrapy keeps them (raw names and value lists)."""
    headers = request.headers
    return {
        "type": type(request), "url": request.url, "method": request.method, "headers_type": type(headers),
        "headers_encoding": headers.encoding, "headers": {key: list(values) for key, values in dict.items(headers)},
        "body": request.body, "cookies": request.cookies, "meta": request.meta, "encoding": request.encoding,
        "priority": request.priority, "dont_filter": request.dont_filter, "flags": request.flags,
        "cb_kwargs": request.cb_kwargs, "callback": request.callback, "errback": request.errback,
    }


_EDGE_CASES = [
    lambda s: Request("http://a.com/", headers={"Referer": "http://a.com/ä", "X-Name": "Zoë".encode("latin-1")}),
    lambda s: Request("http://a.com/", headers=[("Accept", "text/html"), ("accept", "*/*"), ("X-Two", ["a", "b"])]),
    lambda s: Request("http://a.com/", headers={"X-Empty": None, "X-Int": 3}),  # [] and b"3", as Headers keep them
    lambda s: Request("http://a.com/", method="post", body=bytes(range(256)), encoding="latin-1",
                      headers={"Content-Type": "application/octet-stream"}),
    lambda s: Request("http://a.com/ü?q=ä", body="é", encoding="cp1252", headers={"X": "é"}),
    lambda s: Request("http://a.com/", callback=s.parse_page, errback=s.failed, cb_kwargs={"n": [1]}, flags=["f", "g"]),
    lambda s: Request("http://a.com/", callback=s.alias, priority=-7, dont_filter=True),
    lambda s: Request("http://a.com/", cookies=[{"name": "c", "value": "1", "domain": "a.com"}], meta={"depth": 4}),
    lambda s: Request("http://a.com/", cookies={"c": "ü"}, meta={"verbatim_url": False, "depth": 0}),
    lambda s: Request("http://a.com/a b", meta={"verbatim_url": True, "omitted": 1}),
]


@pytest.fixture(params=[True, False], ids=["slots", "init"])
def rebuild_path(request, monkeypatch):
    """Both ways ``rebuild_request`` makes a request: the slots filled directly, and ``Request(...)`` (a Scrapy
    whose Request has other slots)."""
    from politecrawl.middlewares import _scrapy_compat  # noqa: PLC0415

    monkeypatch.setattr(_scrapy_compat, "_REBUILD", request.param and _scrapy_compat._REBUILD)
    return request.param


@pytest.mark.parametrize("make", _EDGE_CASES)
def test_a_rebuilt_request_equals_the_original_in_every_field(make, rebuild_path):
    spider = _Spider()
    request = make(spider)
    expected = _state(request)
    expected["meta"] = {key: value for key, value in request.meta.items() if key != "omitted"}
    back = decode(encode(request, spider, "omitted"), spider, request.url)
    assert _state(back) == expected
    assert back.to_dict(spider=spider) == request_from_dict(
        {**request.to_dict(spider=spider), "meta": expected["meta"]}, spider=spider).to_dict(spider=spider)


def test_the_slots_scrapy_s_request_has_are_those_the_rebuild_fills():
    """A Scrapy whose Request has other slots is rebuilt through ``Request(...)``: this says when that happens."""
    from politecrawl.middlewares import _scrapy_compat  # noqa: PLC0415

    assert _scrapy_compat._REBUILD, sorted(set(Request.__slots__) ^ _scrapy_compat._REQUEST_SLOTS)


def test_a_rebuilt_request_is_made_as_request_init_makes_it(rebuild_path):
    """Slot by slot what ``Request(...)`` makes of the same values, its headers a working ``Headers``, and it is
    tracked as Scrapy tracks requests (``trackref``)."""
    from scrapy.http.headers import Headers  # noqa: PLC0415
    from scrapy.utils.trackref import live_refs  # noqa: PLC0415

    from politecrawl.middlewares._scrapy_compat import rebuild_request  # noqa: PLC0415

    spider = _Spider()
    made = Request("http://a.com/p", callback=spider.parse_page, method="PUT", headers={"Referer": "http://a.com/"},
                   body=b"\x00\xff", cookies={"c": "1"}, meta={"depth": 2}, encoding="latin-1", priority=3,
                   dont_filter=True, errback=spider.failed, flags=["f"], cb_kwargs={"k": 1})
    back = rebuild_request("http://a.com/p", spider.parse_page, spider.failed, "PUT", {b"Referer": [b"http://a.com/"]},
                           b"\x00\xff", {"c": "1"}, {"depth": 2}, "latin-1", 3, True, ["f"], {"k": 1})
    slots = [slot for slot in Request.__slots__ if slot != "__weakref__"]
    if not rebuild_path:  # Request(...) with verbatim_url set and taken out again: the fields, not the slots
        slots = ["url", "callback", "errback", "method", "headers", "body", "cookies", "meta", "encoding", "priority",
                 "dont_filter", "flags", "cb_kwargs"]
    assert {slot: getattr(back, slot) for slot in slots} == {slot: getattr(made, slot) for slot in slots}
    assert type(back.headers) is Headers and back.headers.encoding == "latin-1"
    assert back.headers["referer"] == b"http://a.com/" and back.headers.getlist("REFERER") == [b"http://a.com/"]
    back.headers.setdefault("Accept", "ü")
    assert back.headers["Accept"] == "ü".encode("latin-1")
    assert back in live_refs[Request]
    plain = rebuild_request("http://a.com/", None, None, "GET", None, None, None, None, "utf-8", 0, False, None, None)
    assert {slot: getattr(plain, slot) for slot in slots} == {slot: getattr(Request("http://a.com/"), slot)
                                                               for slot in slots}


def test_a_tuple_written_with_its_url_is_read_and_one_without_needs_it():
    """Files written before hold the URL in the tuple; the tuple now leaves it to the row beside it."""
    spider = _Spider()
    request = Request("http://a.com/x", callback=spider.parse_page, headers={"Referer": "http://a.com/"})
    body = encode(request, spider, "omitted")
    assert b"http://a.com/x" not in body
    old = pickle.loads(body)  # noqa: S301 - written just above
    old = pickle.dumps((request.url, *old[1:]), protocol=4)
    _same(decode(old, spider), request)
    _same(decode(body, spider, request.url), request)
    with pytest.raises(ValueError):  # noqa: PT011 - nothing to read it from
        decode(body, spider)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_requests())
def test_every_rebuilt_request_equals_the_original_in_every_field(drawn):
    spider, request = drawn
    expected = _state(request)
    expected["meta"] = {key: value for key, value in request.meta.items() if key != "omitted"}
    assert _state(decode(encode(request, spider, "omitted"), spider, request.url)) == expected
