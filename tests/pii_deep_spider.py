"""For the PII depth test: a spider that yields an item holding a list nested 5,000 deep, with a phone number at
the bottom (run in the crawl subprocess)."""

from __future__ import annotations

from typing import Any

import scrapy


class DeepSpider(scrapy.Spider):
    name = "pii_deep"

    def __init__(self, url: str = "", *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.start_urls = [url]

    def parse(self, response: Any) -> Any:
        deep = ["13800138000"]
        for _ in range(5000):
            deep = [deep]
        yield {"url": response.url, "title": "ok", "deep": deep}
