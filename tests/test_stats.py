"""The add-on's stats collector keeps Scrapy's stats as Scrapy's MemoryStatsCollector does."""

from __future__ import annotations

import warnings

from scrapy import Spider
from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.test import get_crawler

from helpers import addon_settings
from politecrawl.middlewares.stats import StatsCollector


def _exercise(stats) -> dict:
    stats.open_spider()
    stats.inc_value("a")
    stats.inc_value("a", 2)
    stats.inc_value("b", start=10)
    stats.max_value("m", 3)
    stats.max_value("m", 1)
    stats.min_value("n", 3)
    stats.min_value("n", 1)
    stats.set_value("s", "x")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Scrapy's warns about the spider argument, ours accepts it silently
        stats.inc_value("a", spider=None)
    assert stats.get_value("a") == 4
    assert stats.get_value("missing", 7) == 7
    return dict(stats.get_stats())


def test_it_keeps_the_stats_scrapys_collector_keeps():
    spider = Spider("s")
    crawlers = [get_crawler(Spider) for _ in range(2)]
    ours, theirs = StatsCollector(crawlers[0]), MemoryStatsCollector(crawlers[1])
    assert _exercise(ours) == _exercise(theirs)
    for crawler, stats in zip(crawlers, (ours, theirs)):
        crawler.spider = spider
        stats.close_spider(reason="finished")
    assert ours.spider_stats == theirs.spider_stats == {"s": _exercise(MemoryStatsCollector(get_crawler(Spider)))}


def test_the_add_on_sets_it_and_a_projects_own_stays():
    assert get_crawler(Spider, settings_dict={"STATS_CLASS": addon_settings()["STATS_CLASS"]}).stats.__class__ is StatsCollector
    own = "scrapy.statscollectors.DummyStatsCollector"
    assert addon_settings(STATS_CLASS=own)["STATS_CLASS"] == own
