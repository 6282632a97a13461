"""PIIItemProcessor in process: stats, drop_item, failure closed, the ITEM_PROCESSOR guard."""

from __future__ import annotations

import pytest
from scrapy.exceptions import DropItem
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from politecrawl.config import ConfigError
from politecrawl.middlewares.items import pii as glue
from politecrawl.middlewares.items.pii import PIIItemProcessor, check_processor


def processor(**settings) -> PIIItemProcessor:
    crawler = get_crawler(settings_dict=settings)
    crawler.stats.open_spider()
    return PIIItemProcessor(crawler=crawler)


def filt(proc: PIIItemProcessor, item):
    """What the processor does with an item, on the calling thread: the worker's part (`_run`), then the reactor's
    (`_settle`: stats, log lines, DropItem).  The hand-off between them is tested end to end
    (tests/test_e2e_pii_pace.py)."""
    proc._inc("items_scanned")
    return proc._settle(item, "", proc._run(item))


def pii_stats(proc: PIIItemProcessor) -> dict:
    return {k: v for k, v in proc.stats.get_stats().items() if k.startswith("politecrawl/pii/")}


def test_counts_by_type_and_field() -> None:
    proc = processor()
    item = {"title": "tel 13800138000", "nickname": "x", "price": "9.9"}
    assert filt(proc, item) == {"title": "tel [PHONE]", "price": "9.9"}
    filt(proc, {"title": "nothing personal"})
    assert pii_stats(proc) == {
        "politecrawl/pii/items_scanned": 2,
        "politecrawl/pii/items_with_pii": 1,
        "politecrawl/pii/found/phone": 1,
        "politecrawl/pii/found/field_name": 1,
        "politecrawl/pii/field/title": 1,
        "politecrawl/pii/field/nickname": 1,
    }


def test_field_stats_are_bounded(monkeypatch) -> None:
    monkeypatch.setattr(glue, "MAX_FIELD_STATS", 2)
    proc = processor()
    filt(proc, {f"f{i}": "13800138000" for i in range(5)})
    assert {k: v for k, v in pii_stats(proc).items() if "/field/" in k} == {
        "politecrawl/pii/field/f0": 1,
        "politecrawl/pii/field/f1": 1,
        "politecrawl/pii/field/other": 3,
    }


def test_drop_item_raises_dropitem_without_values() -> None:
    proc = processor(POLITECRAWL_PII_ACTION="drop_item")
    item = {"title": "tel 13800138000"}
    with pytest.raises(DropItem) as err:
        filt(proc, item)
    assert "13800138000" not in str(err.value) and item == {"title": "tel [PHONE]"}
    assert pii_stats(proc)["politecrawl/pii/items_dropped/pii"] == 1


def test_filter_failure_drops_and_empties_the_item(monkeypatch) -> None:
    proc = processor()

    def boom(item):
        raise RuntimeError("value 13800138000 inside")

    monkeypatch.setattr(proc.filter, "filter", boom)
    item = {"title": "tel 13800138000", "x": 1}
    with pytest.raises(DropItem) as err:
        filt(proc, item)
    assert "13800138000" not in str(err.value) and "builtins.RuntimeError" in str(err.value)
    assert item == {}
    assert pii_stats(proc)["politecrawl/pii/items_dropped/filter_error"] == 1


def test_disabled_passes_items_through() -> None:
    proc = processor(POLITECRAWL_PII_ENABLED=False)
    assert proc.filter is None


def test_pseudonymize_without_key_refuses_to_build(monkeypatch) -> None:
    monkeypatch.delenv("POLITECRAWL_PII_KEY", raising=False)
    with pytest.raises(ConfigError, match="POLITECRAWL_PII_KEY is not set"):
        processor(POLITECRAWL_PII_ACTION="pseudonymize")
    monkeypatch.setenv("POLITECRAWL_PII_KEY", "k" * 32)
    assert processor(POLITECRAWL_PII_ACTION="pseudonymize").config.key == b"k" * 32


def test_check_processor() -> None:
    check_processor(Settings({"ITEM_PROCESSOR": "politecrawl.middlewares.items.pii.PIIItemProcessor"}))

    class Mine(PIIItemProcessor):
        pass

    check_processor(Settings({"ITEM_PROCESSOR": Mine}))
    with pytest.raises(ConfigError, match=r"ITEM_PROCESSOR \('scrapy.pipelines.ItemPipelineManager'\)"):
        check_processor(Settings({"ITEM_PROCESSOR": "scrapy.pipelines.ItemPipelineManager"}))


def test_first_removal_of_each_field_is_logged_with_how_to_keep_it(caplog) -> None:
    proc = processor()
    with caplog.at_level("INFO", logger="politecrawl.pii"):
        filt(proc, {"author": "Albert Einstein", "text": "tel 13800138000", "tags": ["x"]})
        filt(proc, {"author": "Jane Austen", "text": "tel 13900139000"})
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 2  # one per field, at its first removal
    assert "field 'author' (personal by its name)" in lines[0]
    assert 'POLITECRAWL_PII_ALLOW = ["author"], or declare it author = scrapy.Field(pii=False)' in lines[0]
    assert "field 'text' (phone found in its text, replaced by [PHONE])" in lines[1]
    assert all("Einstein" not in line and "13800138000" not in line for line in lines)
    assert proc.removals.summary() == [
        "politecrawl: removed over the crawl from field 'author': 2 (field_name 2); to keep it knowingly: "
        'POLITECRAWL_PII_ALLOW = ["author"], or declare it author = scrapy.Field(pii=False)',
        "politecrawl: removed over the crawl from field 'text': 2 (phone 2); to keep it knowingly: "
        'POLITECRAWL_PII_ALLOW = ["text"], or declare it text = scrapy.Field(pii=False)',
    ]


def test_nested_field_line_names_the_dotted_path() -> None:
    proc = processor()
    filt(proc, {"reviews": [{"reviewer": "bob", "stars": 5}]})
    (line,) = proc.removals.summary()
    assert "field 'reviews.reviewer': 1 (field_name 1)" in line
    assert 'POLITECRAWL_PII_ALLOW = ["reviews.reviewer"], or declare reviewer with scrapy.Field(pii=False)' in line


def test_over_budget_item_is_dropped_and_counted() -> None:
    proc = processor(POLITECRAWL_PII_ITEM_MAX_CHARS=100)
    item = {"a": "x" * 60, "b": "y" * 60}
    with pytest.raises(DropItem, match="over its personal-data filter budget"):
        filt(proc, item)
    assert item == {}
    stats = pii_stats(proc)
    assert stats["politecrawl/pii/items_dropped/over_budget"] == 1 and stats["politecrawl/pii/found/over_budget"] == 1
