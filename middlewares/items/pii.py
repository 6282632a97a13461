"""Scrapy glue for the personal-data filter: the item processor every item passes before any item pipeline.

Scrapy 2.19 hands each item a spider (after every spider middleware's process_spider_output) yields to
`Scraper.start_itemproc_async`, which awaits `ITEM_PROCESSOR.process_item_async(item)` and only then sends
`item_scraped` with the processor's output; feed exports write items from `item_scraped`.  So a processor that
filters first and then runs the pipelines puts the filter after every spider middleware and before every item
pipeline and feed export, whatever a project adds.

The item is cleaned in place: Scrapy logs the original item object when a later pipeline drops it or fails,
and that object then holds no value either.
"""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem
from scrapy.pipelines import ItemPipelineManager

from politecrawl.middlewares._scrapy_compat import stats_incrementer
from politecrawl.config import ConfigError
from politecrawl.middlewares.extensions.audit import item_site
from politecrawl.pii import PIIConfig, PIIFilter, PIIReport
from politecrawl.middlewares.runtime import Runtime

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

logger = logging.getLogger("politecrawl.pii")

PROCESSOR_PATH = "politecrawl.middlewares.items.pii.PIIItemProcessor"
MAX_FIELD_STATS = 64  # distinct field names with their own stats key; the rest count under "other"


def pii_config(settings: BaseSettings) -> PIIConfig:
    """Read and check every POLITECRAWL_PII_* setting (the key may come from the environment)."""
    return PIIConfig.from_settings(settings.get, environ=os.environ)


def check_processor(settings: BaseSettings) -> None:
    """Refuse a crawl whose ITEM_PROCESSOR would bypass the filter (a project set its own)."""
    from scrapy.utils.misc import load_object  # noqa: PLC0415

    path = settings.get("ITEM_PROCESSOR")
    cls = load_object(path) if isinstance(path, str) else path
    if not (isinstance(cls, type) and issubclass(cls, PIIItemProcessor)):
        raise ConfigError(
            f"ITEM_PROCESSOR ({path!r}) would let items reach pipelines without politecrawl's personal-data "
            f"filter: remove the setting, or subclass {PROCESSOR_PATH}."
        )


def _scrub_all(item: Any) -> None:
    """Empty an item in place (used when the filter itself failed: fail closed)."""
    try:
        adapter = ItemAdapter(item)
        for key in list(adapter.keys()):
            if isinstance(item, dict) or hasattr(item, "__delitem__"):
                del adapter[key]
            else:
                adapter[key] = None
    except Exception:  # noqa: BLE001 - nothing more can be done; the item is dropped anyway
        pass


class PIIItemProcessor(ItemPipelineManager):
    """ITEM_PROCESSOR: remove personal data from each item, then run the item pipelines (ITEM_PIPELINES)."""

    def __init__(self, *middlewares: Any, crawler: Crawler | None = None) -> None:
        super().__init__(*middlewares, crawler=crawler)
        settings = crawler.settings if crawler is not None else None
        self.config = pii_config(settings) if settings is not None else PIIConfig()
        self.filter = PIIFilter(self.config) if self.config.enabled else None
        self.stats = crawler.stats if crawler is not None else None
        # without Scrapy's per-access shim (_scrapy_compat.stats_incrementer)
        self._inc_value = stats_incrementer(self.stats)
        runtime = Runtime.peek(crawler) if crawler is not None else None
        self.audit = runtime.audit if runtime is not None else None  # the audit trail (docs/audit.md)
        self._fields: set[str] = set()
        self._logged: set[str] = set()
        if self.filter is None:
            logger.warning(
                "politecrawl: POLITECRAWL_PII_ENABLED is False: items reach pipelines and feeds unfiltered; "
                "personal data in them is yours to justify (PIPL Art. 6, GDPR Art. 5(1)(c))."
            )

    async def process_item_async(self, item: Any) -> Any:
        if self.filter is not None:
            item = self._filter(item)
        return await super().process_item_async(item)

    def _filter(self, item: Any) -> Any:
        self._inc("items_scanned")
        site = item_site(item) if self.audit is not None else ""  # before the filter changes it
        try:
            result = self.filter.filter(item)  # type: ignore[union-attr]
        except Exception as exc:  # noqa: BLE001 - fail closed, and name only the exception type
            _scrub_all(item)
            self._inc("items_dropped/filter_error")
            name = f"{type(exc).__module__}.{type(exc).__qualname__}"
            self._log_once(
                f"error:{name}", logging.ERROR,
                "politecrawl: the personal-data filter failed (%s); the item was dropped", name,
            )
            raise DropItem(f"politecrawl: personal-data filter failed ({name}); item dropped") from None
        report = result.report
        if report:
            self._count(report)
            if self.audit is not None:
                self.audit.pii_removed(site, report.by_type, report.by_field)
        if result.item is None:
            self._inc("items_dropped/pii")
            raise DropItem(
                "politecrawl: item held personal data and POLITECRAWL_PII_ACTION (or a field override) is drop_item"
            )
        return result.item

    def _count(self, report: PIIReport) -> None:
        self._inc("items_with_pii")
        for type_, n in report.by_type.items():
            self._inc(f"found/{type_}", n)
            self._log_once(
                f"type:{type_}", logging.INFO,
                "politecrawl: personal data of type %s removed from items (counted in politecrawl/pii/found/%s)",
                type_, type_,
            )
        for field, n in report.by_field.items():
            if field not in self._fields and len(self._fields) >= MAX_FIELD_STATS:
                field = "other"
            else:
                self._fields.add(field)
            self._inc(f"field/{field}", n)

    def _inc(self, key: str, n: int = 1) -> None:
        if self._inc_value is not None:
            self._inc_value(f"politecrawl/pii/{key}", n)

    def _log_once(self, key: str, level: int, msg: str, *args: Any) -> None:
        if key not in self._logged:
            self._logged.add(key)
            logger.log(level, msg, *args)
