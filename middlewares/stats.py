"""Scrapy's stats collector, its methods called directly (``STATS_CLASS``, set by the add-on).

Scrapy's ``StatsCollector`` answers every attribute read through a Python
``__getattribute__`` that wraps ``inc_value`` and nine other methods in a check
for a deprecated ``spider`` argument: each ``inc_value`` runs three Python calls
besides its own (~1.5 us). Scrapy's scheduler makes two per request it queues,
a third of the time a push to the disk frontier spent outside politecrawl's
code after its fingerprint (docs/frontier.md), and its engine and middlewares
more per page. :class:`StatsCollector` is Scrapy's ``MemoryStatsCollector``
with Python's own attribute lookup: the same stats, kept the same way; a
``spider`` argument is still accepted, and ignored, without the warning.

A project that sets its own ``STATS_CLASS`` keeps it.
"""

from __future__ import annotations

from scrapy.statscollectors import MemoryStatsCollector

__all__ = ["StatsCollector"]


class StatsCollector(MemoryStatsCollector):
    """``MemoryStatsCollector`` without the per-lookup wrapper (see the module doc)."""

    __getattribute__ = object.__getattribute__
