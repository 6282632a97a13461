"""The memory frontier keeps the requests it queues beyond PACK_FROM packed (middlewares/frontier/memory.py)."""

from __future__ import annotations

import pytest
from scrapy import FormRequest, Request, Spider
from scrapy.squeues import FifoMemoryQueue, LifoMemoryQueue
from scrapy.utils.test import get_crawler

from politecrawl.middlewares.frontier import memory
from politecrawl.middlewares.frontier.memory import MemoryRequestStore
from politecrawl.middlewares.runtime import KEYS

FIELDS = ("url", "method", "headers", "body", "cookies", "meta", "encoding", "priority", "dont_filter", "flags",
          "cb_kwargs", "callback", "errback")
SITE, ORIGIN = "a.com", "http://a.com:80"


class _Spider(Spider):
    name = "pack"

    def parse_page(self, response):
        pass

    def failed(self, failure):
        pass


def _store(queue_cls=FifoMemoryQueue):
    crawler = get_crawler(_Spider)
    crawler.spider = _Spider()
    return MemoryRequestStore(crawler, queue_cls, None), crawler.spider


def _fields(request):
    return {f: (dict(getattr(request, f)) if f == "headers" else getattr(request, f)) for f in FIELDS}


def _requests(spider, n):
    out = []
    for i in range(n):
        request = Request(f"http://a.com/p{i}", callback=spider.parse_page, errback=spider.failed if i % 2 else None,
                          headers={"Referer": "http://a.com/"}, meta={"depth": i % 3, "download_slot": "a.com"},
                          priority=-10 * (i % 3))
        request.meta[KEYS] = (request.url, SITE, ORIGIN)
        out.append(request)
    return out


def _stored(store):
    queue = store.queues[ORIGIN]
    return [item for q in queue.queues.values() for item in q.inner.q]


@pytest.mark.parametrize("queue_cls", [FifoMemoryQueue, LifoMemoryQueue])
def test_requests_beyond_pack_from_are_packed_and_pop_as_written_in_the_same_order(monkeypatch, queue_cls):
    monkeypatch.setattr(memory, "PACK_FROM", 3)
    packed_store, spider = _store(queue_cls)
    plain_store, _ = _store(queue_cls)
    monkeypatch.setattr(plain_store, "pack", lambda request: request)  # the same store, nothing packed
    for request in _requests(spider, 12):
        packed_store.push(request, SITE, ORIGIN)
    for request in _requests(spider, 12):
        plain_store.push(request, SITE, ORIGIN)
    kinds = [type(item) for item in _stored(packed_store)]
    assert kinds.count(memory._Packed) == 9 and kinds.count(Request) == 3
    got = [packed_store.pop(ORIGIN) for _ in range(12)]
    want = [plain_store.pop(ORIGIN) for _ in range(12)]
    assert [_fields(g) for g in got] == [_fields(w) for w in want]
    assert all(g.meta[KEYS] == (g.url, SITE, ORIGIN) for g in got)
    assert len(packed_store) == 0 and packed_store.pop(ORIGIN) is None


def test_head_and_pop_give_the_same_unpacked_request(monkeypatch):
    monkeypatch.setattr(memory, "PACK_FROM", 0)
    store, spider = _store()
    for request in _requests(spider, 3):
        store.push(request, SITE, ORIGIN)
    head = store.head(ORIGIN)
    assert head.url == store.head_url(ORIGIN) == "http://a.com/p0"
    assert store.head(ORIGIN) is head
    assert store.pop(ORIGIN) is head
    assert store.head(ORIGIN).url == "http://a.com/p1"


@pytest.mark.parametrize("make", [
    lambda s: Request("http://a.com/x", callback=s.parse_page, meta={"list": [1]}),  # a mutable meta value
    lambda s: Request("http://a.com/x", meta={"obj": object()}),
    lambda s: Request("http://a.com/x", meta={"nested": (1, [2])}),
    lambda s: Request("http://a.com/x", cookies={"c": "1"}),
    lambda s: Request("http://a.com/x", callback=s.parse_page, cb_kwargs={"n": 1}),
    lambda s: Request("http://a.com/x", callback=lambda response: None),  # not a spider method
    lambda s: FormRequest("http://a.com/x", formdata={"a": "1"}),  # another class
])
def test_a_request_whose_copy_could_differ_stays_the_same_object(monkeypatch, make):
    monkeypatch.setattr(memory, "PACK_FROM", 0)
    store, spider = _store()
    request = make(spider)
    store.push(request, SITE, ORIGIN)
    assert _stored(store) == [request]
    assert store.pop(ORIGIN) is request


def test_drain_unpacks(monkeypatch):
    monkeypatch.setattr(memory, "PACK_FROM", 1)
    store, spider = _store()
    for request in _requests(spider, 4):
        store.push(request, SITE, ORIGIN)
    drained = store.drain()
    assert sorted(r.url for r in drained) == [f"http://a.com/p{i}" for i in range(4)]
    assert all(type(r) is Request for r in drained)
