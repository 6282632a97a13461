"""Page-level robots directives: X-Robots-Tag and <meta name=robots>."""

from __future__ import annotations

import pytest

from politecrawl.robots import page_directives, parse_meta_robots, parse_x_robots_tag

BOT = "politecrawl"


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["noindex"], {"noindex"}),
        (["NoIndex, NOFOLLOW"], {"noindex", "nofollow"}),
        (["none"], {"noindex", "nofollow"}),
        (["noarchive", "noai, noimageai"], {"noarchive", "noai", "noimageai"}),
        (["politecrawl: nofollow"], {"nofollow"}),
        (["googlebot: nofollow"], set()),
        (["googlebot: noindex, politecrawl: noarchive"], {"noarchive"}),
        (["googlebot: noindex", "noai"], {"noai"}),
        (["unavailable_after: 25 Jun 2010 15:00:00 PST, nofollow"], {"nofollow"}),
        (["max-snippet: 20, noindex"], {"noindex"}),
        (["all"], set()),
        (["index, follow"], set()),
        ([""], set()),
        (["PoliteCrawl: none"], {"noindex", "nofollow"}),
    ],
)
def test_x_robots_tag(values, expected):
    assert parse_x_robots_tag(values, BOT) == expected


def test_meta_robots_named_robots_or_us_only():
    metas = [("robots", "noindex"), ("googlebot", "nofollow"), ("PoliteCrawl", "NoAI"), ("description", "none")]
    assert parse_meta_robots(metas, BOT) == {"noindex", "noai"}
    assert parse_meta_robots([("ROBOTS", " none ")], BOT) == {"noindex", "nofollow"}
    assert parse_meta_robots([(None, None), ("robots", None)], BOT) == set()


def test_page_directives_merge_headers_and_meta():
    found = page_directives(["noarchive"], [("robots", "nofollow")], BOT)
    assert found.nofollow and found.noarchive and not found.noindex and not found.noai
    assert found.as_list() == ["noarchive", "nofollow"]
    assert not page_directives([], [], BOT)


def test_meta_tags_are_found_in_any_ascii_case() -> None:
    # The pre-checks search the lower-cased body with lower-case patterns (_scrapy_compat.lowered_body), as a
    # case-insensitive search of the body did: <META NAME=ROBOTS>, a bot name in capitals, single quotes.
    from scrapy import Spider
    from scrapy.http import HtmlResponse
    from scrapy.utils.test import get_crawler

    from politecrawl.middlewares.spider.robots_page import RobotsPageMiddleware

    crawler = get_crawler(Spider, settings_dict={
        "POLITECRAWL_CONTACT": "https://example.org/bot", "POLITECRAWL_STATE": "memory://",
        "POLITECRAWL_BOT_NAME": "MyBot",
    })
    mw = RobotsPageMiddleware(crawler)
    for tag, expected in (
        ('<META NAME="ROBOTS" CONTENT="NOFOLLOW">', True),
        ("<Meta Name='MYBOT' Content='nofollow'>", True),
        ('<meta name="mybot" content="nofollow">', True),
        ('<meta name="otherbot" content="nofollow">', False),
        ('<meta charset=utf-8><p>name=robots</p>', False),
    ):
        body = f"<html><head>{tag}</head><body><a href='/x'>x</a></body></html>".encode()
        found = mw.directives(HtmlResponse("http://site.test/", body=body))
        assert (found is not None and found.nofollow) is expected, tag
