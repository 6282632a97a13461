"""The reference generic spider's item, as the personal-data filter sees it."""

from __future__ import annotations

from scrapy.http import HtmlResponse, Request

from politecrawl.pii import PIIConfig, PIIFilter
from politecrawl.spiders.generic import GenericSpider, PageItem

PHONE = "13800138000"
EMAIL = "zhang.san@example.com"


def test_every_field_is_scanned_but_the_crawlers_own_timestamp() -> None:
    item = PageItem(
        url="http://shop-a.com/p/1",
        title=f"call {PHONE}",
        text=f"mail {EMAIL}",
        fetched_at=PHONE,  # never data from the page; even a phone-shaped value is left alone
    )
    result = PIIFilter(PIIConfig()).filter(item)
    assert result.item["fetched_at"] == PHONE
    assert PHONE not in result.item["title"] and EMAIL not in result.item["text"]
    assert dict(result.report.by_field) == {"title": 1, "text": 1}


def test_parse_yields_a_page_item_that_takes_the_robots_field() -> None:
    spider = GenericSpider(urls="http://shop-a.com/")
    body = b"<html><head><title>T</title></head><body><p>hello</p><a href='/p/1'>1</a></body></html>"
    response = HtmlResponse("http://shop-a.com/", body=body, request=Request("http://shop-a.com/"))
    item, follow = list(spider.parse(response))
    assert isinstance(item, PageItem)
    assert (item["url"], item["title"], item["text"]) == ("http://shop-a.com/", "T", "hello 1")
    assert item["fetched_at"]
    item["politecrawl_robots"] = ["noai"]  # what RobotsPageMiddleware sets on pages with directives
    assert follow.url == "http://shop-a.com/p/1"


def test_title_text_and_canonical_read_from_the_tree_are_what_parsel_selectors_read() -> None:
    from politecrawl.spiders import generic  # noqa: PLC0415

    body = (
        "<html><head><title>\n Prix &amp; Grüße </title><title>second</title>"
        "<link rel='alternate  Canonical canonical' href='/c?a=1'><style>h1{}</style></head>"
        "<body> lead <p>un <b>deux</b> trois<!-- note --> <script>var x = '<p>'</script>tail</p>"
        "<![CDATA[cdata]]><noscript>ns</noscript>\n\t<div> </div>fin &lt;ok&gt;<style>p{}</style></body></html>"
    ).encode()
    response = HtmlResponse("https://a.example/p", body=body, request=Request("https://a.example/p"))
    tree = response.selector.root
    assert generic._first(generic._TITLE, tree) == response.css("title::text").get()
    assert generic._first(generic._CANONICAL, tree) == response.css('link[rel~="canonical"]::attr(href)').get()
    assert generic._TEXT(tree) == response.xpath(generic._TEXT_XPATH).getall()
    item = next(x for x in GenericSpider(urls="https://a.example/").parse(response) if isinstance(x, PageItem))
    assert item["title"] == "Prix & Grüße"
    assert item["text"] == " ".join(t.strip() for t in response.xpath(generic._TEXT_XPATH).getall() if t.strip())
