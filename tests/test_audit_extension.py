"""AuditExtension in process: what it records from Scrapy's signals and the runtime's tallies."""

from __future__ import annotations

from scrapy import Request, Spider
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from politecrawl.audit import build_report, find_crawl, records
from politecrawl.middlewares.extensions.audit import AuditExtension, item_site, recorded_settings
from politecrawl.middlewares.runtime import Runtime


def crawler_with(**settings):
    base = {"POLITECRAWL_CONTACT": "https://example.org/bot", "POLITECRAWL_STATE": "memory://",
            "POLITECRAWL_PII_KEY": "0123456789abcdef0123", **settings}
    return get_crawler(Spider, settings_dict=base)


def crawl_once(crawler):
    ext = AuditExtension.from_crawler(crawler)
    runtime = Runtime.of(crawler)
    spider = Spider("t")
    ext.spider_opened(spider)
    for i, url in enumerate(["https://www.a.com/x?email=someone@example.com", "https://b.org/"]):
        request = Request(url, meta={"download_latency": 0.25,
                                     "politecrawl_robots": {"origin": "o", "version": "v", "rule": "allow:/"}})
        ext.response_downloaded(HtmlResponse(url, status=200 + i * 104, body=b"x" * (10 + i)), request)
        ext.request_left_downloader(request)
    runtime.tallies.add("a.com", "refused:robots:disallowed", 3)
    runtime.tallies.add("a.com", "requests", 99)  # the identity tally is not the audit's source
    ext.spider_closed(spider, "finished")
    entry = find_crawl(runtime.store)
    return runtime, build_report(entry, records(runtime.store, entry.crawl_id))


def test_requests_bytes_and_tallies_per_site():
    runtime, report = crawl_once(crawler_with())
    sites = {s["site"]: s for s in report["sites"]}
    assert {k: (v["requests"], v["bytes"], v["statuses"]) for k, v in sites.items()} == {
        "a.com": (1, 10, {"2xx": 1}), "b.org": (1, 11, {"3xx": 1})}
    assert sites["a.com"]["refusals"] == {"robots:disallowed": 3}
    assert report["crawl"]["end_reason"] == "finished" and report["crawl"]["user_agent"].startswith("politecrawl/")
    assert report["crawl"]["settings"]["POLITECRAWL_PII_KEY"] == "(set, not shown)"
    assert report["crawl"]["settings"]["POLITECRAWL_STATE"] == "memory://"
    assert report["crawl"]["per_request_records"] == 0


def test_per_request_records_leave_out_the_query():
    runtime, report = crawl_once(crawler_with(POLITECRAWL_AUDIT_PER_REQUEST=True))
    reqs = [r for r in records(runtime.store, runtime.crawl_id) if r.kind == "request"]
    assert [(r.site, r.data["url"], r.data["status"], r.data["bytes"]) for r in reqs] == [
        ("a.com", "https://www.a.com/x", 200, 10), ("b.org", "https://b.org/", 304, 11)]
    assert reqs[0].data["robots"] == {"origin": "o", "version": "v", "rule": "allow:/"}
    assert "someone@example.com" not in repr(list(records(runtime.store, runtime.crawl_id)))


def test_item_site_and_recorded_settings():
    assert item_site({"url": "https://shop.example.co.uk/p/1"}) == "example.co.uk"
    assert item_site({"title": "no url"}) == "(unknown)"
    assert item_site(object()) == "(unknown)"
    settings = get_crawler(Spider, settings_dict={"POLITECRAWL_REDIS_PASSWORD": "hunter2",
                                                  "POLITECRAWL_SITE_TRAFFIC": {"a.com": 5}}).settings
    out = recorded_settings(settings, "sqlite:///x.db")
    assert out["POLITECRAWL_REDIS_PASSWORD"] == "(set, not shown)"
    assert out["POLITECRAWL_SITE_TRAFFIC"] == {"a.com": 5}
    assert "hunter2" not in repr(out)


def test_per_request_records_keep_the_path_shape_without_personal_data():
    crawler = crawler_with(POLITECRAWL_AUDIT_PER_REQUEST=True)
    ext = AuditExtension.from_crawler(crawler)
    runtime = Runtime.of(crawler)
    spider = Spider("t")
    ext.spider_opened(spider)
    url = "https://www.a.com/u/zhang.wei%40example.cn/profile/13800138000?tel=%2B8613900139000"
    request = Request(url, meta={"download_latency": 0.1})
    ext.response_downloaded(HtmlResponse(url, status=200, body=b"x"), request)
    ext.request_left_downloader(request)
    ext.spider_closed(spider, "finished")
    (req,) = [r for r in records(runtime.store, runtime.crawl_id) if r.kind == "request"]
    # the shape stays; what the value was is the detectors' call (a number after /profile/ reads as a user ID)
    assert req.data["url"].startswith("https://www.a.com/u/%5B") and "/profile/%5B" in req.data["url"]
    dumped = repr(list(records(runtime.store, runtime.crawl_id)))
    assert "zhang.wei" not in dumped and "13800138000" not in dumped and "8613900139000" not in dumped
