"""For the PII pace test: a spider that crawls one site and yields 1 MB items from another (run in the crawl
subprocess; tests/ is put on PYTHONPATH)."""

from __future__ import annotations

import random
from typing import Any

import scrapy


class PaceSpider(scrapy.Spider):
    """Crawls the pace site (`urls`) and, from each page of the `big` site, yields one item of `strings` strings of
    `length` characters of digit noise (digit groups, seeded) and then five small items numbered in order."""

    name = "pii_pace"

    def __init__(self, urls: str = "", big: str = "", strings: str = "2000", length: str = "500",
                 *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.start_urls = [u for u in (*urls.split(","), big) if u]
        self.big_host = big.split("//", 1)[-1].split("/", 1)[0]
        rng = random.Random(7)
        n, size = int(strings), int(length)
        self.noise = ["".join(rng.choice("0123456789 -") for _ in range(size)) for _ in range(n)]

    def parse(self, response: Any) -> Any:
        if self.big_host and self.big_host in response.url:
            yield {"url": response.url, "noise": list(self.noise)}
            for i in range(5):
                yield {"url": response.url, "seq": i}
        else:
            yield {"url": response.url, "title": response.css("title::text").get()}
        for href in response.css("a::attr(href)").getall():
            yield response.follow(href, callback=self.parse)
