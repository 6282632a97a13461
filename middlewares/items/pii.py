"""Scrapy glue for the personal-data filter: the item processor every item passes before any item pipeline.

Scrapy 2.19 hands each item a spider (after every spider middleware's process_spider_output) yields to
`Scraper.start_itemproc_async`, which awaits `ITEM_PROCESSOR.process_item_async(item)` and only then sends
`item_scraped` with the processor's output; feed exports write items from `item_scraped`.  So a processor that
filters first and then runs the pipelines puts the filter after every spider middleware and before every item
pipeline and feed export, whatever a project adds.

The item is cleaned in place: Scrapy logs the original item object when a later pipeline drops it or fails,
and that object then holds no value either.

The filter does not run on the reactor thread: every item goes to one worker thread (`pii_worker.Worker`: one
thread, so items leave the filter in the order they came; the items of one reactor turn go in one hand-off, and
outcomes come back several to a wake-up).  Even a small item can cost the detectors much (4,000 characters of
digit groups: ~0.25 s; a page item of 600 characters of prose: ~0.6 ms), and the hand-off costs no more than
the noise shows (bench/pii_handoff_bench.py), so no item is filtered inline.  The worker's work is plain Python, which gives the GIL up every few milliseconds
(`sys.getswitchinterval()`), and no single C call in the detectors runs long (no string over
POLITECRAWL_PII_MAX_CHARS is scanned; each regular expression is linear), so the reactor keeps sending requests
and reading stops meanwhile.  Each item's work is bounded (`politecrawl.pii.itembudget`): one past its budget is
emptied and dropped.
"""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import DropItem
from scrapy.pipelines import ItemPipelineManager
from scrapy.utils.defer import maybe_deferred_to_future

from politecrawl.middlewares._scrapy_compat import stats_incrementer
from politecrawl.config import ConfigError
from politecrawl.middlewares.extensions.audit import item_site
from politecrawl.pii import PIIConfig, PIIFilter, PIIReport
from politecrawl.pii.filter import empty
from politecrawl.pii.removals import Removals
from politecrawl.middlewares.items.pii_worker import Worker
from politecrawl.middlewares.runtime import Runtime

if TYPE_CHECKING:
    from collections import Counter

    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

logger = logging.getLogger("politecrawl.pii")

PROCESSOR_PATH = "politecrawl.middlewares.items.pii.PIIItemProcessor"
# One Latin-script text that wakes the detectors every crawl uses (the first-name list, phones, e-mail).  The
# dictionaries of other scripts (jieba, the MeCab taggers: ~220 MB) load when the first text in that script arrives.
WARM_UP = {"text": "Zhang Wei said hello, tel +86 138 0013 8000, a@b.cn"}
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


class PIIItemProcessor(ItemPipelineManager):
    """ITEM_PROCESSOR: remove personal data from each item, then run the item pipelines (ITEM_PIPELINES)."""

    def __init__(self, *middlewares: Any, crawler: Crawler | None = None) -> None:
        super().__init__(*middlewares, crawler=crawler)
        settings = crawler.settings if crawler is not None else None
        self.config = pii_config(settings) if settings is not None else PIIConfig()
        if settings is not None and self.config.enabled:
            from politecrawl.middlewares.items.pii_log import install  # noqa: PLC0415 - pii_log imports this module

            install(settings)  # Scrapy's URL-printing lines scrubbed, also under a project's own LOG_FORMATTER
        self.filter = PIIFilter(self.config) if self.config.enabled else None
        self.stats = crawler.stats if crawler is not None else None
        # without Scrapy's per-access shim (_scrapy_compat.stats_incrementer)
        self._inc_value = stats_incrementer(self.stats)
        runtime = Runtime.peek(crawler) if crawler is not None else None
        self.audit = runtime.audit if runtime is not None else None  # the audit trail (docs/audit.md)
        self._fields: set[str] = set()
        self._logged: set[str] = set()
        self.removals = Removals()
        self._worker: Worker | None = None
        if self.filter is None:
            logger.warning(
                "politecrawl: POLITECRAWL_PII_ENABLED is False: items reach pipelines and feeds unfiltered; "
                "personal data in them is yours to justify (PIPL Art. 6, GDPR Art. 5(1)(c))."
            )

    async def process_item_async(self, item: Any) -> Any:
        if self.filter is not None:
            item = await self._filter(item)
        return await super().process_item_async(item)

    async def open_spider_async(self) -> None:
        if self.filter is not None:
            # The Latin-script detectors load their data (the first-name list, phone metadata) at their first call:
            # once, in the worker, before the first item.  (No item's budget pays for a load: `pii.loading`.)
            await self._in_worker(WARM_UP)
        await super().open_spider_async()

    async def close_spider_async(self) -> None:
        try:
            await super().close_spider_async()
        finally:
            if self._worker is not None:
                self._worker.close()
            for line in self.removals.summary():
                logger.warning("%s", line)

    async def _filter(self, item: Any) -> Any:
        self._inc("items_scanned")
        site = item_site(item) if self.audit is not None else ""  # before the filter changes it
        return self._settle(item, site, await self._in_worker(item))

    def _run(self, item: Any) -> Any:
        """The filter's result, or the exception's dotted name when the filter itself failed (in any thread)."""
        try:
            return self.filter.filter(item)  # type: ignore[union-attr]
        except Exception as exc:  # noqa: BLE001 - fail closed, and name only the exception type
            empty(item)
            return f"{type(exc).__module__}.{type(exc).__qualname__}"

    async def _in_worker(self, item: Any) -> Any:
        """Run the filter in the worker thread (one: items stay in order) and wait for it on the reactor.
        A warm-up item (a fresh copy of WARM_UP) is filtered without counting."""
        if self._worker is None:
            from twisted.internet import reactor  # noqa: PLC0415 - the installed reactor, at crawl time

            self._worker = Worker(self._run, reactor)
        return await maybe_deferred_to_future(self._worker.submit(dict(item) if item is WARM_UP else item))

    def _settle(self, item: Any, site: str, outcome: Any) -> Any:
        """Stats, log lines and the audit trail for one item's outcome (on the reactor thread)."""
        if isinstance(outcome, str):
            self._inc("items_dropped/filter_error")
            self._log_once(
                f"error:{outcome}", logging.ERROR,
                "politecrawl: the personal-data filter failed (%s); the item was dropped", outcome,
            )
            raise DropItem(f"politecrawl: personal-data filter failed ({outcome}); item dropped")
        report = outcome.report
        if report:
            removed = self._count(report)
            if self.audit is not None:
                self.audit.pii_removed(site, report.by_type, report.by_field, removed)
        if report.over_budget:
            self._inc("items_dropped/over_budget")
            raise DropItem(
                "politecrawl: item over its personal-data filter budget (POLITECRAWL_PII_ITEM_MAX_SECONDS, "
                "POLITECRAWL_PII_ITEM_MAX_CHARS); removed whole"
            )
        if outcome.item is None:
            self._inc("items_dropped/pii")
            raise DropItem(
                "politecrawl: item held personal data and POLITECRAWL_PII_ACTION (or a field override) is drop_item"
            )
        return outcome.item

    def _count(self, report: PIIReport) -> Counter[tuple[str, str]]:
        self._inc("items_with_pii")
        for type_, n in report.by_type.items():
            self._inc(f"found/{type_}", n)
        for field, n in report.by_field.items():
            if field not in self._fields and len(self._fields) >= MAX_FIELD_STATS:
                field = "other"
            else:
                self._fields.add(field)
            self._inc(f"field/{field}", n)
        lines, removed = self.removals.add(report.removed)
        for line in lines:
            logger.warning("%s", line)
        return removed

    def _inc(self, key: str, n: int = 1) -> None:
        if self._inc_value is not None:
            self._inc_value(f"politecrawl/pii/{key}", n)

    def _log_once(self, key: str, level: int, msg: str, *args: Any) -> None:
        if key not in self._logged:
            self._logged.add(key)
            logger.log(level, msg, *args)
