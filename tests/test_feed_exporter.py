"""The JSON-lines feed written with orjson: the same objects as Scrapy's exporter; the add-on's speed defaults."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from io import BytesIO

import pytest
import scrapy
from helpers import addon_settings
from scrapy.exporters import JsonLinesItemExporter

from politecrawl.middlewares.addon import EXPORTERS
from politecrawl.middlewares.items.feed import OrjsonLinesItemExporter


class Page(scrapy.Item):
    url = scrapy.Field()
    text = scrapy.Field()
    when = scrapy.Field()
    price = scrapy.Field()
    tags = scrapy.Field()


ITEMS = [
    Page(url="https://a.example/", text="Grüße 你好 \u2028 \"q\" \\ \n", when=dt.datetime(2026, 12, 5, 7, 0),
         price=Decimal("1.50"), tags={"x"}),
    {"url": "https://b.example/", "n": 3, "f": 0.1, "none": None, "nested": {"1": [1, 2]}, "d": dt.date(2026, 1, 2)},
    Page(url="https://c.example/", text=""),
]


def _lines(exporter_cls, **kwargs) -> list[bytes]:
    out = BytesIO()
    exporter = exporter_cls(out, **kwargs)
    exporter.start_exporting()
    for item in ITEMS:
        exporter.export_item(item)
    exporter.finish_exporting()
    return out.getvalue().splitlines()


@pytest.mark.parametrize("kwargs", [{}, {"encoding": "utf-8"}, {"fields_to_export": ["url", "text"]},
                                    {"export_empty_fields": True}])
def test_each_line_is_the_object_scrapy_s_exporter_writes(kwargs) -> None:
    ours, scrapys = _lines(OrjsonLinesItemExporter, **kwargs), _lines(JsonLinesItemExporter, **kwargs)
    assert len(ours) == len(scrapys) == len(ITEMS)
    for mine, theirs in zip(ours, scrapys):
        assert json.loads(mine) == json.loads(theirs)
    assert "Grüße 你好".encode() in ours[0]  # UTF-8, not \\u escapes


def test_an_encoding_orjson_cannot_write_falls_back_to_scrapy_s_encoder() -> None:
    kwargs = {"encoding": "utf-16"}
    assert _lines(OrjsonLinesItemExporter, **kwargs) == _lines(JsonLinesItemExporter, **kwargs)
    assert _lines(OrjsonLinesItemExporter, sort_keys=True) == _lines(JsonLinesItemExporter, sort_keys=True)


def test_the_addon_sets_its_speed_defaults_at_addon_priority() -> None:
    settings = addon_settings()
    assert settings.getint("CONCURRENT_ITEMS") == 10
    assert settings.getdict("FEED_EXPORTERS") == EXPORTERS


def test_a_project_s_own_values_win() -> None:
    settings = addon_settings(CONCURRENT_ITEMS=50, FEED_EXPORTERS={"jsonlines": "my.Exporter", "csv": "my.Csv"})
    assert settings.getint("CONCURRENT_ITEMS") == 50
    assert settings.getdict("FEED_EXPORTERS") == {"jsonlines": "my.Exporter", "csv": "my.Csv",
                                                  "jsonl": EXPORTERS["jsonl"], "jl": EXPORTERS["jl"]}
