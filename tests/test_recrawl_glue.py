"""The recrawl middleware: conditional headers from the history, verdicts, flags, kept items."""

from __future__ import annotations

import pytest
from scrapy import Request, Spider
from scrapy.http import HtmlResponse, Response
from scrapy.utils.test import get_crawler

from politecrawl.middlewares.downloader.recrawl import (
    CONDITIONAL_META, RECRAWL_META, REVALIDATE_META, Recrawl, RecrawlMiddleware,
)
from politecrawl.middlewares.runtime import PROTOCOL_FETCH

URL = "http://shop-a.com/p/1"
BODY = b"<html><title>t</title></html>"


class KeepingSpider(Spider):
    name = "keeping"
    politecrawl_keep_items = True


def _mw(**settings):
    crawler = get_crawler(KeepingSpider, {"POLITECRAWL_CONTACT": "https://example.org/bot",
                                          "POLITECRAWL_STATE": "memory://", **settings})
    return RecrawlMiddleware.from_crawler(crawler), crawler


def _answer(mw, request, status=200, body=BODY, headers=None):
    response = (HtmlResponse if body else Response)(request.url, status=status, body=body, headers=headers or {},
                                                    request=request)
    return mw.process_response(request, response)


def test_first_fetch_then_conditional_request_then_304():
    mw, _ = _mw()
    mw.started = float("inf")  # every answer recorded counts as an earlier crawl's
    first = Request(URL)
    mw.process_request(first)
    assert b"If-None-Match" not in first.headers and CONDITIONAL_META not in first.meta
    response = _answer(mw, first, headers={"ETag": '"v1"', "Last-Modified": "Thu, 01 Jan 2026 00:00:00 GMT"})
    assert response.meta[RECRAWL_META] == "new"
    again = Request(URL)
    mw.process_request(again)
    assert again.headers[b"If-None-Match"] == b'"v1"'
    assert again.headers[b"If-Modified-Since"] == b"Thu, 01 Jan 2026 00:00:00 GMT"
    assert again.meta[CONDITIONAL_META] is True
    response = _answer(mw, again, status=304, body=b"")
    assert response.meta[RECRAWL_META] == "not-modified" and "revalidated" in response.flags
    assert mw.runtime.tallies.get("shop-a.com", "recrawl:not-modified") == 1


def test_same_body_without_validators_is_unchanged():
    mw, _ = _mw()
    _answer(mw, Request(URL))
    request = Request(URL)
    mw.process_request(request)
    assert b"If-None-Match" not in request.headers  # nothing to send: the digest decides
    response = _answer(mw, request)
    assert response.meta[RECRAWL_META] == "unchanged" and "unchanged" in response.flags
    assert _answer(mw, Request(URL), body=BODY + b" ").meta[RECRAWL_META] == "changed"


@pytest.mark.parametrize("request_kwargs", [
    {"meta": {REVALIDATE_META: False}},
    {"meta": {PROTOCOL_FETCH: "robots.txt"}},
    {"method": "POST"},
    {"headers": {"If-None-Match": '"theirs"'}},
])
def test_no_validators_added_where_not_wanted(request_kwargs):
    mw, _ = _mw()
    mw.started = float("inf")
    _answer(mw, Request(URL), headers={"ETag": '"v1"'})
    request = Request(URL, **request_kwargs)
    mw.process_request(request)
    assert request.headers.get(b"If-None-Match") in (None, b'"theirs"')


def test_scrapy_http_cache_revalidates_its_own_entries_and_cached_answers_are_not_judged():
    mw, _ = _mw(HTTPCACHE_ENABLED=True)
    mw.started = float("inf")
    _answer(mw, Request(URL), headers={"ETag": '"v1"'})
    request = Request(URL)
    mw.process_request(request)
    assert b"If-None-Match" not in request.headers
    cached = HtmlResponse(URL, body=BODY, flags=["cached"], request=request)
    assert RECRAWL_META not in mw.process_response(request, cached).meta


def test_recrawl_off():
    from scrapy.exceptions import NotConfigured  # noqa: PLC0415

    with pytest.raises(NotConfigured):
        _mw(POLITECRAWL_RECRAWL=False)


def test_items_of_pages_fetched_in_full_are_kept_for_a_304():
    mw, crawler = _mw()
    spider = KeepingSpider()
    response = _answer(mw, Request(URL), headers={"ETag": '"v1"'})
    mw.item_scraped({"url": URL, "title": "t"}, response, spider)
    assert Recrawl.of(crawler).kept_item(URL) == {"url": URL, "title": "t"}
    mw.item_scraped({"url": URL, "title": "other"}, response, Spider("plain"))  # a spider that did not ask
    assert Recrawl.of(crawler).kept_item(URL)["title"] == "t"


def test_items_of_pages_without_validators_are_not_kept():
    """No validator, no conditional request, so no 304 could ever ask for the item: it is not kept."""
    mw, crawler = _mw()
    response = _answer(mw, Request(URL))
    assert response.meta[RECRAWL_META] == "new"
    mw.item_scraped({"url": URL, "title": "t"}, response, KeepingSpider())
    assert Recrawl.of(crawler).kept_item(URL) is None
    mw.started = float("inf")  # the next request is a later crawl's
    again = Request(URL)
    mw.process_request(again)
    assert b"If-None-Match" not in again.headers and b"If-Modified-Since" not in again.headers


def test_sitemap_changefreq_sets_a_new_pages_first_interval():
    from politecrawl.middlewares.downloader.recrawl import HINT_META  # noqa: PLC0415

    mw, crawler = _mw(POLITECRAWL_RECRAWL_MIN_INTERVAL="0")
    _answer(mw, Request(URL, meta={HINT_META: {"changefreq": "hourly", "lastmod": 1.0}}))
    assert Recrawl.of(crawler).history.get(URL).interval == 3600.0
    _answer(mw, Request(URL + "?other"))
    assert Recrawl.of(crawler).history.get(URL + "?other").interval == 86400.0  # the default first interval


def test_a_changefreq_read_after_or_before_a_link_asked_for_the_page_still_sets_its_interval():
    mw, crawler = _mw(POLITECRAWL_RECRAWL_MIN_INTERVAL="0")
    recrawl = Recrawl.of(crawler)
    # the page answered a link's request (no hint), then its sitemap entry is read
    _answer(mw, Request(URL))
    recrawl.hint(URL, "weekly")
    assert recrawl.history.get(URL).interval == 7 * 86400.0
    assert recrawl.history.get(URL).next_due == recrawl.history.get(URL).fetched_at + 7 * 86400.0
    # the sitemap entry is read first, the link's request (no hint) answers later
    recrawl.hint(URL + "?b", "always")
    _answer(mw, Request(URL + "?b"))
    assert recrawl.history.get(URL + "?b").interval == 0.0 and not recrawl.pending_hints
    # a page with history from an earlier crawl keeps its adaptive interval
    recrawl.started = float("inf")
    recrawl.hint(URL, "hourly")
    assert recrawl.history.get(URL).interval == 7 * 86400.0


def test_a_sitemap_lastmod_after_the_last_fetch_makes_a_page_due():
    mw, crawler = _mw()
    recrawl = Recrawl.of(crawler)
    assert recrawl.is_due(URL, None)  # no history: due
    _answer(mw, Request(URL))
    fetched_at = recrawl.history.get(URL).fetched_at
    assert not recrawl.is_due(URL, None) and not recrawl.is_due(URL, fetched_at - 10)
    assert recrawl.is_due(URL, fetched_at + 10)


def test_a_url_fetched_again_in_the_same_crawl_is_asked_for_in_full():
    mw, _ = _mw()
    _answer(mw, Request(URL), headers={"ETag": '"v1"'})  # this crawl's own answer
    again = Request(URL, dont_filter=True)
    mw.process_request(again)
    assert b"If-None-Match" not in again.headers


def test_a_full_history_makes_room_and_counts_the_urls_evicted():
    mw, crawler = _mw(POLITECRAWL_RECRAWL_MAX_URLS="1")
    _answer(mw, Request(URL))
    response = _answer(mw, Request("http://shop-a.com/p/2"))
    assert response.meta[RECRAWL_META] == "new"
    assert crawler.stats.get_value("politecrawl/recrawl/evicted") == 1
    assert crawler.stats.get_value("politecrawl/recrawl/history_full") is None
    assert mw.history.get(URL) is None and mw.history.get("http://shop-a.com/p/2") is not None


def test_a_crawl_on_existing_state_asks_first_for_what_is_due_most_overdue_first():
    import asyncio  # noqa: PLC0415
    import time  # noqa: PLC0415

    from politecrawl.spiders.generic import GenericSpider  # noqa: PLC0415

    crawler = get_crawler(GenericSpider, {"POLITECRAWL_CONTACT": "https://example.org/bot",
                                          "POLITECRAWL_STATE": "memory://", "POLITECRAWL_RECRAWL_MIN_INTERVAL": "0"})
    spider = GenericSpider.from_crawler(crawler, urls="http://shop-a.com/")
    history = Recrawl.of(crawler).history
    now = time.time()
    for path, ago in (("/p/1", 3 * 86400), ("/p/2", 5 * 86400), ("/p/3", 60), ("/p/4", 2 * 86400)):
        history.visit(f"http://shop-a.com{path}", now - ago, status=200, digest="sha1:A")  # due a day later
    history.visit("http://other.org/p/9", now - 9 * 86400, status=200, digest="sha1:A")  # not a seed site

    async def start():
        return [request.url async for request in spider.start()]

    assert asyncio.run(start()) == ["http://shop-a.com/p/2", "http://shop-a.com/p/1", "http://shop-a.com/p/4",
                                    "http://shop-a.com/"]
    assert crawler.stats.get_value("politecrawl/recrawl/due_at_start") == 3
    assert crawler.stats.get_value("politecrawl/recrawl/not_due_at_start") == 1


def test_the_history_is_read_once_per_request_and_a_redirect_reads_its_own_url():
    mw, _ = _mw()
    mw.started = float("inf")
    _answer(mw, Request(URL), headers={"ETag": '"v1"'})
    store = mw.history.store
    reads: list[str] = []
    plain_get = store.get
    store.get = lambda key: reads.append(key) or plain_get(key)  # type: ignore[method-assign]
    again = Request(URL)
    mw.process_request(again)
    response = _answer(mw, again, status=304, body=b"")
    assert response.meta[RECRAWL_META] == "not-modified"  # judged against the record read at request time
    assert len(reads) == 1
    # a request whose meta carries another URL's read (a redirect copies the meta) reads its own record
    moved = again.replace(url=URL + "?moved")
    reads.clear()
    assert _answer(mw, moved).meta[RECRAWL_META] == "new" and len(reads) == 1


def test_on_sqlite_the_history_is_written_behind_one_transaction_a_batch(tmp_path, monkeypatch):
    """A transaction a page was the largest politecrawl-only cost a page (docs/speed.md): on SQLite the
    answers' records are held and written in batches, and what is held is read back and written at the end."""
    from politecrawl.state.sqlite import SQLiteStateStore

    transactions = []
    batch = SQLiteStateStore.set_indexed_many
    monkeypatch.setattr(SQLiteStateStore, "set_indexed_many",
                        lambda self, writes: transactions.append(len(writes)) or batch(self, writes))
    mw, _ = _mw(POLITECRAWL_STATE=f"sqlite:///{tmp_path / 'state.db'}")
    assert mw.history.write_behind
    mw.clock = mw.runtime.clock = mw.history.clock = lambda: 1000.0  # no answer is a second old
    urls = [f"http://shop-a.com/p/{i}" for i in range(20)]
    for url in urls:
        request = Request(url)
        mw.process_request(request)
        _answer(mw, request)
    assert transactions == []  # held: fewer than a batch, less than a second old
    assert all(mw.history.get(url) is not None for url in urls)  # this process reads what it holds
    mw.spider_closed()
    assert transactions == [20]  # one transaction for the twenty
    assert not mw.history.held
    assert all(mw.history.get(url) is not None for url in urls)
