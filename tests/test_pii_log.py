"""Scrapy's URL-printing log lines under the add-on's LOG_FORMATTER and logger filters: scrubbed when written, at
every level; nothing done for a line below the level."""

from __future__ import annotations

import logging

from scrapy import Request, Spider
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from politecrawl.middlewares.items import pii_log
from politecrawl.middlewares.items.pii_log import ScrubbingLogFormatter, Scrubber, ScrubbingFilter
from politecrawl.pii import PIIConfig

URL = "https://shop.example.cn/u/zhang.wei%40example.cn/profile?tel=%2B8613800138000&q=call+138+0013+8000"
REFERER = "https://shop.example.cn/search?email=li.na%40example.cn"
SECRETS = ("zhang.wei", "8613800138000", "138+0013", "li.na")


def written(result: dict) -> str:
    return result["msg"] % result["args"]


def formatter_and_page() -> tuple[ScrubbingLogFormatter, Spider, Request, HtmlResponse]:
    """The add-on's formatter, a spider and a page of URL (linked from REFERER)."""
    crawler = get_crawler(Spider, settings_dict={})
    spider = Spider("t")
    spider.crawler = crawler
    request = Request(URL, headers={"Referer": REFERER})
    return ScrubbingLogFormatter.from_crawler(crawler), spider, request, HtmlResponse(URL, body=b"x", request=request)


def test_crawled_scraped_dropped_and_errors_are_scrubbed(caplog) -> None:
    caplog.set_level(logging.DEBUG)  # the per-page lines are built only when DEBUG is written
    fmt, spider, request, response = formatter_and_page()
    line = written(fmt.crawled(request, response, spider))
    assert line.startswith("Crawled (200) <GET https://shop.example.cn/u/%5B")
    assert "/profile?tel=%5BREMOVED%5D&q=call+%5BPHONE%5D> " in line
    assert "(referer: https://shop.example.cn/search?email=%5BREMOVED%5D)" in line
    lines = [line, written(fmt.scraped({"a": 1}, response, spider)),
             written(fmt.download_error(Exception("boom"), request, spider, "Error downloading " + URL))]
    for line in lines:
        assert not any(s in line for s in SECRETS), line


def test_filter_scrubs_redirect_lines_at_every_level(caplog) -> None:
    filt = ScrubbingFilter(Scrubber(PIIConfig()))
    logger = logging.getLogger("test.pii_log.redirect")
    logger.addFilter(filt)
    try:
        with caplog.at_level(logging.DEBUG, logger="test.pii_log.redirect"):
            logger.debug("Redirecting (%(reason)s) to %(redirected)s from %(request)s",
                         {"reason": 301, "redirected": Request(URL), "request": Request(REFERER)})
            logger.warning("Retrying %s (failed %d times)", Request(URL), 2)
            logger.error("Gave up on " + URL)
    finally:
        logger.removeFilter(filt)
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "Redirecting (301) to <GET https://shop.example.cn/u/%5B" in text and "/profile?tel=%5BREMOVED%5D" in text
    assert "Retrying <GET https://shop.example.cn/u/%5B" in text and "(failed 2 times)" in text
    assert not any(s in text for s in SECRETS), text


def test_a_line_below_the_level_is_not_scrubbed(monkeypatch) -> None:
    calls = []
    scrub = Scrubber(PIIConfig())
    monkeypatch.setattr(scrub, "filter", type("F", (), {"clean_text": lambda self, t: calls.append(t) or t})())
    logger = logging.getLogger("test.pii_log.quiet")
    logger.setLevel(logging.INFO)
    filt = ScrubbingFilter(scrub)
    logger.addFilter(filt)
    try:
        logger.debug("Crawled %s", Request(URL))
    finally:
        logger.removeFilter(filt)
    assert calls == []


def test_install_puts_one_filter_on_scrapys_url_loggers() -> None:
    crawler = get_crawler(Spider, settings_dict={})
    pii_log.install(crawler.settings)
    pii_log.install(crawler.settings)
    for name in pii_log.URL_LOGGERS:
        filters = [f for f in logging.getLogger(name).filters if isinstance(f, ScrubbingFilter)]
        assert len(filters) == 1, name


def test_the_per_page_lines_are_not_built_below_debug(caplog, monkeypatch) -> None:
    """Scrapy logs "Crawled" and "Scraped from" at DEBUG and skips a line the formatter answers None for."""
    caplog.set_level(logging.INFO)
    fmt, spider, request, response = formatter_and_page()
    built = []
    monkeypatch.setattr(pii_log, "_wrap", lambda args, scrub: built.append(args) or args)
    assert fmt.crawled(request, response, spider) is None
    assert fmt.scraped({"a": 1}, response, spider) is None
    assert fmt.download_error(Exception("boom"), request, spider, "Error downloading") is not None  # ERROR: built
    assert len(built) == 1
    caplog.set_level(logging.DEBUG, logger="scrapy.core.engine")
    assert written(fmt.crawled(request, response, spider)).startswith("Crawled (200)")
