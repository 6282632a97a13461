"""Search-crawl glue: sitemap reading (Scrapy's parser and gunzip), the content-type cut,
the spider middleware (clean URLs, depth, quota, order) and the robots record's sitemaps."""

from __future__ import annotations

import gzip

import pytest
from scrapy import Request
from scrapy.exceptions import StopDownload
from scrapy.http import Headers, HtmlResponse
from scrapy.utils.test import get_crawler

from politecrawl.middlewares.downloader.canonical import CanonicalGate
from politecrawl.middlewares.extensions.content_type import ContentTypeGate
from politecrawl.middlewares.spider.search import (
    CANONICAL_META,
    ENTRY_META,
    NOT_KEPT_META,
    SITEMAP_META,
    SearchSpiderMiddleware,
)
from politecrawl.middlewares.spider.sitemaps import read_sitemap
from politecrawl.robots import FetchOutcome, RobotsConfig, RobotsRecord, record_from_fetch
from politecrawl.spiders.generic import GenericSpider

NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'


def _urlset(n: int) -> bytes:
    urls = "".join(f"<url><loc>http://a.com/p/{i}</loc><lastmod>2026-11-0{i % 9 + 1}</lastmod></url>"
                   for i in range(n))
    return f'<?xml version="1.0"?><urlset {NS}>{urls}</urlset>'.encode()


# -- sitemaps ------------------------------------------------------------------
def test_reads_a_urlset_plain_and_gzipped() -> None:
    for body in (_urlset(3), gzip.compress(_urlset(3))):
        read = read_sitemap(body, max_bytes=10**6, max_urls=100)
        assert read.kind == "urlset" and not read.error
        assert [e["loc"] for e in read.entries] == [f"http://a.com/p/{i}" for i in range(3)]
        assert read.entries[0]["lastmod"] == "2026-11-01"


def test_reads_an_index() -> None:
    body = f'<sitemapindex {NS}><sitemap><loc>http://a.com/s1.xml.gz</loc></sitemap></sitemapindex>'
    read = read_sitemap(body.encode(), max_bytes=10**6, max_urls=100)
    assert read.kind == "sitemapindex" and read.entries == [
        {"loc": "http://a.com/s1.xml.gz", "lastmod": None, "changefreq": None}]


def test_url_bound_keeps_the_first_and_counts_the_rest() -> None:
    read = read_sitemap(_urlset(30), max_bytes=10**6, max_urls=10)
    assert len(read.entries) == 10 and read.left_out == 20


def test_size_bound_for_plain_and_gzipped() -> None:
    big = _urlset(2000)
    assert read_sitemap(big, max_bytes=len(big) - 1, max_urls=10**5).error == "too_large"
    bomb = gzip.compress(b"<urlset>" + b" " * 5_000_000 + b"</urlset>")
    assert len(bomb) < 10_000
    read = read_sitemap(bomb, max_bytes=1_000_000, max_urls=10)
    assert read.error == "too_large" and not read.entries


@pytest.mark.parametrize(("body", "error"), [
    (b"", "empty"), (b"\x1f\x8bnot gzip", "bad_gzip"), (b"<html><body>hi</body></html>", "not_a_sitemap"),
])
def test_what_is_not_a_sitemap(body: bytes, error: str) -> None:
    assert read_sitemap(body, max_bytes=10**6, max_urls=10).error == error


def test_robots_record_keeps_sitemap_lines_across_storage() -> None:
    text = b"User-agent: *\nDisallow: /x\nSitemap: http://a.com/m.xml\nSitemap: /rel.xml\n"
    outcome = FetchOutcome(status=200, body=text, headers={}, fetched_at=100.0)
    record = record_from_fetch("http://a.com:80", outcome, RobotsConfig())
    assert record.sitemaps == ("http://a.com/m.xml", "/rel.xml")
    again = RobotsRecord.from_json(record.to_json())
    assert again == record
    # a record stored before sitemaps were kept still reads (no sitemaps)
    old = record.to_json().replace(',"sitemaps":["http://a.com/m.xml","/rel.xml"]', "")
    assert "sitemaps" not in old and RobotsRecord.from_json(old).sitemaps == ()


# -- the crawler-side pieces ---------------------------------------------------------
def _crawler(**settings: object):
    return get_crawler(GenericSpider, {
        "POLITECRAWL_CONTACT": "https://example.org/c", "POLITECRAWL_STATE": "memory://", **settings,
    })


def test_content_type_gate_cuts_what_is_not_kept() -> None:
    crawler = _crawler()
    gate = ContentTypeGate.from_crawler(crawler)
    page = Request("http://a.com/p")
    gate.headers_received(Headers({"Content-Type": "text/html; charset=utf-8"}), 10, page)
    assert NOT_KEPT_META not in page.meta
    big = Request("http://a.com/f")
    with pytest.raises(StopDownload) as stop:
        gate.headers_received(Headers({"Content-Type": "application/pdf"}), 10**7, big)
    assert stop.value.fail is False and big.meta[NOT_KEPT_META]
    unknown = Request("http://a.com/chunked")
    with pytest.raises(StopDownload):
        gate.headers_received(Headers({"Content-Type": "image/png"}), -1, unknown)
    small = Request("http://a.com/small.json")  # read whole (it came with its headers), marked
    gate.headers_received(Headers({"Content-Type": "application/json"}), 1000, small)
    assert small.meta[NOT_KEPT_META]
    # a sitemap may be XML or gzip, not a PDF
    sitemap = Request("http://a.com/s.xml.gz", meta={SITEMAP_META: 0})
    gate.headers_received(Headers({"Content-Type": "application/gzip"}), 10**6, sitemap)
    with pytest.raises(StopDownload):
        gate.headers_received(Headers({"Content-Type": "application/pdf"}), 10**6, sitemap)
    assert crawler.stats.get_value("politecrawl/search/not_kept/cut") == 3
    assert crawler.stats.get_value("politecrawl/search/not_kept/small") == 1


def _response(url: str, **meta: object) -> HtmlResponse:
    request = Request(url, meta={"depth": 0, **meta})
    return HtmlResponse(url, body=b"<html></html>", request=request)


def test_spider_middleware_cleans_limits_and_orders() -> None:
    crawler = _crawler(POLITECRAWL_DEPTH_LIMIT=2, POLITECRAWL_SITE_PAGE_QUOTA=3)
    mw = SearchSpiderMiddleware(crawler)
    home = _response("http://a.com/")
    out = mw.get_processed_request(Request("http://a.com/p/1?utm_source=x", meta={"depth": 1}), home)
    assert out.url == "http://a.com/p/1" and out.priority == -10
    assert mw.get_processed_request(Request("http://a.com/p/9", meta={"depth": 3}), home) is None
    listed = mw.get_processed_request(Request("http://a.com/s/1", meta={"depth": 2, ENTRY_META: 4}), home)
    assert listed.meta["depth"] == 1 and listed.priority == -6  # a sitemap entry: depth 1, its bonus
    assert mw.get_processed_request(Request("http://a.com/p/2", meta={"depth": 1}), home) is not None
    assert mw.get_processed_request(Request("http://a.com/p/3", meta={"depth": 1}), home) is None  # quota 3
    sitemap = Request("http://a.com/sitemap.xml", meta={"depth": 1, SITEMAP_META: 0})
    assert mw.get_processed_request(sitemap, home) is sitemap  # not a page: no quota
    stats = crawler.stats
    assert stats.get_value("politecrawl/search/dropped/depth_limit") == 1
    assert stats.get_value("politecrawl/search/dropped/page_quota") == 1


def test_without_breadth_first_only_the_sitemap_hint_moves_a_request() -> None:
    mw = SearchSpiderMiddleware(_crawler(POLITECRAWL_BREADTH_FIRST=False))
    home = _response("http://a.com/")
    assert mw.get_processed_request(Request("http://a.com/p/1", meta={"depth": 3}), home).priority == 0
    listed = Request("http://a.com/s/1", priority=2, meta={"depth": 1, ENTRY_META: 4})
    assert mw.get_processed_request(listed, home).priority == 6


def test_a_canonical_url_is_recorded_and_not_fetched_again() -> None:
    crawler = _crawler()
    mw = SearchSpiderMiddleware(crawler)
    alias = _response("http://a.com/a/7", **{CANONICAL_META: "http://a.com/p/7"})
    mw.get_processed_item({"url": "http://a.com/p/7"}, alias)
    assert mw.get_processed_request(Request("http://a.com/p/7?utm_medium=x", meta={"depth": 2}), alias) is None
    gate = CanonicalGate.from_crawler(crawler)
    with pytest.raises(Exception, match="canonical_queued"):
        gate.process_request(Request("http://a.com/p/7"))
    assert gate.process_request(Request("http://a.com/p/8")) is None


def test_spider_follows_in_scope_links_without_file_extensions() -> None:
    crawler = _crawler(POLITECRAWL_SCOPE="host", POLITECRAWL_SITEMAPS=False)
    spider = GenericSpider.from_crawler(crawler, urls="http://www.a.com/")
    body = (b'<html><head><title>T</title><link rel="canonical" href="/home"></head><body>'
            b'<a href="/p/1">1</a><a href="/f.pdf">pdf</a><a href="/d.json">json</a>'
            b'<a href="http://blog.a.com/x">other host</a><a href="http://b.org/">b</a></body></html>')
    response = HtmlResponse("http://www.a.com/", body=body, request=Request("http://www.a.com/"))
    out = list(spider.parse(response))
    item = out[0]
    assert (item["url"], item["fetched_url"]) == ("http://www.a.com/home", "http://www.a.com/")
    assert response.meta[CANONICAL_META] == "http://www.a.com/home"
    assert [r.url for r in out[1:]] == ["http://www.a.com/p/1"]
    again = list(spider.parse(response))  # the same page again: its links, no second item
    assert [r.url for r in again] == ["http://www.a.com/p/1"] and isinstance(again[0], Request)
    assert crawler.stats.get_value("politecrawl/search/duplicate_pages") == 1
