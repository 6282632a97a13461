"""Runtime helpers: the stats incrementer."""

from __future__ import annotations

from typing import Any

from scrapy.statscollectors import MemoryStatsCollector, StatsCollector
from scrapy.utils.test import get_crawler

from politecrawl.runtime import stats_incrementer


def test_the_incrementer_adds_as_inc_value_does_and_follows_a_replaced_stats_dict() -> None:
    stats = MemoryStatsCollector(get_crawler())
    inc = stats_incrementer(stats)
    assert inc is not None and inc != stats.inc_value  # the direct path
    inc("a")
    inc("a", 2)
    stats.inc_value("a", 3)
    assert stats.get_value("a") == 6
    stats.set_stats({"b": 1})
    inc("b", 4)
    inc("c")
    assert stats.get_stats() == {"b": 5, "c": 1}


def test_a_collector_with_its_own_inc_value_keeps_it() -> None:
    seen: list[tuple[str, int]] = []

    class Remote(StatsCollector):
        def inc_value(self, key: str, count: int = 1, start: int = 0, spider: Any = None) -> None:
            seen.append((key, count))

    stats = Remote(get_crawler())
    inc = stats_incrementer(stats)
    inc("a", 2)
    assert seen == [("a", 2)]
    assert stats.get_value("a") is None
    assert stats_incrementer(None) is None
