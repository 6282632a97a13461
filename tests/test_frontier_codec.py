"""The disk frontier's request codec: every request reads back as it was written, or is refused."""

from __future__ import annotations

import pickle

import pytest
from scrapy import FormRequest, Request, Spider
from scrapy.http.request import NO_CALLBACK

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
    _same(decode(encode(request, spider, "omitted"), spider), request)


def test_the_omitted_meta_key_is_not_stored_and_the_request_is_untouched():
    spider = _Spider()
    request = Request("http://a.com/", meta={"politecrawl_keys": ("u", "s", "o"), "depth": 1})
    back = decode(encode(request, spider, "politecrawl_keys"), spider)
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
