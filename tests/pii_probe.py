"""For the PII end-to-end tests: a pipeline that records every item it is given, and a spider with
structured fields.  Run in the crawl subprocess (tests/ is put on PYTHONPATH)."""

from __future__ import annotations

import json
from typing import Any

import scrapy
from itemadapter import ItemAdapter


class ProbePipeline:
    """Writes each item it sees (as JSON) to the file named by the PII_PROBE_PATH setting."""

    def __init__(self, path: str) -> None:
        self.path = path

    @classmethod
    def from_crawler(cls, crawler: Any) -> ProbePipeline:
        return cls(crawler.settings.get("PII_PROBE_PATH"))

    def process_item(self, item: Any) -> Any:
        with open(self.path, "a", encoding="utf-8") as f:
            f.write(json.dumps(ItemAdapter(item).asdict(), ensure_ascii=False, default=str) + "\n")
        return item


class ReviewItem(scrapy.Item):
    url = scrapy.Field()
    title = scrapy.Field()
    contact = scrapy.Field(pii="phone")  # declared personal
    nickname = scrapy.Field()  # personal by name
    author = scrapy.Field()  # nested dict
    reviews = scrapy.Field()  # list of dicts
    sku = scrapy.Field()


class StructuredSpider(scrapy.Spider):
    """Yields one ReviewItem per page from the page's JSON-LD block; follows links within the site."""

    name = "pii_structured"

    def __init__(self, urls: str = "", *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.start_urls = urls.split(",")

    def parse(self, response: Any) -> Any:
        data = json.loads(response.css('script[type="application/ld+json"]::text').get() or "{}")
        yield ReviewItem(
            url=response.url,
            title=response.css("title::text").get(),
            contact=data.get("contact"),
            nickname=data.get("nickname"),
            author=data.get("author"),
            reviews=data.get("reviews"),
            sku=data.get("sku"),
        )
        for href in response.css("a::attr(href)").getall():
            yield response.follow(href, callback=self.parse)

