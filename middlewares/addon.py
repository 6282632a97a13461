"""``ADDONS = {"politecrawl.Addon": 100}``: one line turns the whole stack on."""

from __future__ import annotations

import asyncio
import logging
import sys
from typing import TYPE_CHECKING

from scrapy.settings import SETTINGS_PRIORITIES
from scrapy.utils.misc import load_object

from ._scrapy_compat import make_cookie_domain_splitter_offline
from politecrawl.config import ConfigError, PolitecrawlConfig
from politecrawl.identity import replaced_user_agent_reason
from politecrawl.preflight import check_settings

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

logger = logging.getLogger("politecrawl")

#: (component priority dict setting, class path, priority). One table, so the
#: log line at start lists exactly what is active. Adjacent downloader
#: middlewares run as one Scrapy layer (middlewares/downloader/chain.py), and the two page
#: rules as one spider middleware (middlewares/spider/page.py): each Scrapy layer costs
#: every request or item a few microseconds.
COMPONENTS: list[tuple[str, str, int]] = [
    ("EXTENSIONS", "politecrawl.middlewares.extensions.lifecycle.CrawlLifecycle", 0),
    # StopGate (stopped sites, 60), RobotsTxtMiddleware (robots.txt, 100), ReservationGate (reservations, 110)
    ("DOWNLOADER_MIDDLEWARES", "politecrawl.middlewares.downloader.chain.RequestGates", 100),
    # SendGate, BudgetMiddleware (980), IdentityMiddleware (990): after every Scrapy downloader middleware
    ("DOWNLOADER_MIDDLEWARES", "politecrawl.middlewares.downloader.chain.BeforeSend", 980),
    # stops (docs/stops.md): registry poller; 429/503/451/blocks (responses before Retry, 550)
    ("EXTENSIONS", "politecrawl.middlewares.extensions.stops.StopsExtension", 0),
    ("DOWNLOADER_MIDDLEWARES", "politecrawl.middlewares.downloader.site_answers.SiteAnswers", 560),
    # conditional requests from the fetch history, verdicts recorded (after Scrapy's HTTP cache, 900)
    ("DOWNLOADER_MIDDLEWARES", "politecrawl.middlewares.downloader.recrawl.RecrawlMiddleware", 950),
    # the WARC archive, when POLITECRAWL_WARC names a file: answers as served, after the verdict
    ("DOWNLOADER_MIDDLEWARES", "politecrawl.middlewares.downloader.warc.WarcMiddleware", 940),
    # RobotsPageMiddleware (page robots directives), then ReservedItems (reserved pages' items), next to the spider
    ("SPIDER_MIDDLEWARES", "politecrawl.middlewares.spider.page.PageMiddleware", 950),
    # audit trail (docs/audit.md): start/end, per-site requests and bytes, flushes
    ("EXTENSIONS", "politecrawl.middlewares.extensions.audit.AuditExtension", 0),
    # progress lines (log and terminal), where things are at the end
    ("EXTENSIONS", "politecrawl.middlewares.extensions.progress.ProgressExtension", 0),
]

#: Scrapy components politecrawl replaces: (setting, class path).
REPLACED: list[tuple[str, str]] = [
    ("DOWNLOADER_MIDDLEWARES", "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware"),
]

#: Plain settings the add-on sets at "addon" priority (a project may override).
SETTINGS = {
    "SCHEDULER_PRIORITY_QUEUE": "politecrawl.middlewares.frontier.queue.PacedPriorityQueue",
    # With JOBDIR: fingerprints in the frontier's SQLite file, none in memory (Scrapy's otherwise).
    "DUPEFILTER_CLASS": "politecrawl.middlewares.frontier.disk.DiskDupeFilter",
    # Scrapy's fingerprints (the same bytes), without canonicalize_url for a URL already canonical.
    "REQUEST_FINGERPRINTER_CLASS": "politecrawl.middlewares.frontier.fingerprint.RequestFingerprinter",
    # Scrapy's MemoryStatsCollector without the wrapper every method lookup goes through (~1.5 us a call).
    "STATS_CLASS": "politecrawl.middlewares.stats.StatsCollector",
    # Open doors a compliance tool keeps shut unless asked.
    "TELNETCONSOLE_ENABLED": False,
    "REMOTE_CONTROL_ENABLED": False,
    # politecrawl's RobotsTxtMiddleware replaces Scrapy's (which fails open).
    "ROBOTSTXT_OBEY": False,
    # Personal data is removed from every item after all spider middlewares, before any pipeline or feed.
    "ITEM_PROCESSOR": "politecrawl.middlewares.items.pii.PIIItemProcessor",
    # Scrapy's own lines that print URLs ("Crawled", "Scraped from", referers, errors) are scrubbed as written.
    "LOG_FORMATTER": "politecrawl.middlewares.items.pii_log.ScrubbingLogFormatter",
    # A polite HTML crawl's page limit (Scrapy's default is 1 GiB); it also bounds a page's
    # decompressed size (HttpCompressionMiddleware), so a gzip bomb stops at 10 MiB.
    "DOWNLOAD_MAXSIZE": 10 * 1024 * 1024,
    # Scrapy starts this many asyncio tasks for every response's output, however few items and
    # requests it yields: 100 (Scrapy's default) cost ~1.4x the CPU per page of 10 (docs/benchmarks.md).
    "CONCURRENT_ITEMS": 10,
}

#: Feed exporters for formats a project has not given its own (FEED_EXPORTERS).
EXPORTERS = {
    "jsonlines": "politecrawl.middlewares.items.feed.OrjsonLinesItemExporter",
    "jsonl": "politecrawl.middlewares.items.feed.OrjsonLinesItemExporter",
    "jl": "politecrawl.middlewares.items.feed.OrjsonLinesItemExporter",
}

#: Download handlers for schemes a project has not given its own: every request the
#: site receives is one Scrapy sent (no resend by Twisted's connection pool).
HANDLERS = {
    "http": "politecrawl.middlewares.downloader.handler.CountedHTTPDownloadHandler",
    "https": "politecrawl.middlewares.downloader.handler.CountedHTTPDownloadHandler",
}


class Addon:
    """Turns politecrawl on: its components, its scheduler queue, its identity."""

    def update_settings(self, settings: BaseSettings) -> None:
        problems = check_settings(settings.get, list(settings))  # every setting, before any request
        try:
            if problems:
                raise ConfigError("; ".join(problems))
            self._update_settings(settings)
        except ConfigError as exc:
            refuse(problems or [str(exc)])
            raise

    def _update_settings(self, settings: BaseSettings) -> None:
        config = PolitecrawlConfig.from_settings(settings)
        make_cookie_domain_splitter_offline()
        _set_user_agent(settings, config)
        settings.set("ROBOTSTXT_USER_AGENT", config.bot_name, "addon")
        for name, value in SETTINGS.items():
            settings.set(name, value, "addon")
        _set_handlers(settings)
        _set_exporters(settings)
        for setting, path in REPLACED:
            settings.set_in_component_priority_dict(setting, load_object(path), None)
        for setting, path, priority in COMPONENTS:
            settings.set_in_component_priority_dict(setting, load_object(path), priority)
        from politecrawl.middlewares.items.pii import check_processor, pii_config  # noqa: PLC0415

        pii_config(settings)  # fails early on bad POLITECRAWL_PII_* values or pseudonymize without a key
        check_processor(settings)  # a project's own ITEM_PROCESSOR must not bypass the filter
        logger.info(
            "politecrawl %s active as %r: %s",
            _version(),
            config.user_agent,
            ", ".join(_names(path) for _, path, _ in COMPONENTS),
        )


def _set_handlers(settings: BaseSettings) -> None:
    """Our HTTP(S) handler for each scheme the project left to Scrapy's default."""
    _fill_in(settings, "DOWNLOAD_HANDLERS", HANDLERS)


def _set_exporters(settings: BaseSettings) -> None:
    """Our JSON-lines exporter (orjson) for each format name the project left to Scrapy's default."""
    _fill_in(settings, "FEED_EXPORTERS", EXPORTERS)


def _fill_in(settings: BaseSettings, name: str, ours: dict[str, str]) -> None:
    """Add to the dict setting *name* each of *ours*' keys the project did not set itself,
    at add-on priority (or the project's, if higher, so its own entries stay)."""
    theirs = dict(settings.getdict(name))
    missing = {key: path for key, path in ours.items() if key not in theirs}
    if missing:
        priority = max(settings.getpriority(name) or 0, SETTINGS_PRIORITIES["addon"])
        settings.set(name, {**theirs, **missing}, priority)


def _set_user_agent(settings: BaseSettings, config: PolitecrawlConfig) -> None:
    """USER_AGENT is politecrawl's; a project's own is replaced, with one line that says why."""
    priority = settings.getpriority("USER_AGENT") or 0
    theirs = settings.get("USER_AGENT")
    if priority > SETTINGS_PRIORITIES["addon"] and theirs and theirs != config.user_agent:
        logger.warning(
            "politecrawl: the project's USER_AGENT %r is replaced by %r: %s",
            theirs, config.user_agent, replaced_user_agent_reason(str(theirs), config.bot_name),
        )
    settings.set("USER_AGENT", config.user_agent, max(priority, SETTINGS_PRIORITIES["addon"]))


def _quiet_task() -> None:
    """Keep asyncio from printing a settings mistake again with a traceback.

    A crawl runs in an asyncio task that re-raises (the crawl fails); asyncio
    would log that task's exception as "Task exception was never retrieved"
    with a traceback. Reading the exception when the task ends marks it retrieved.
    """
    try:
        task = asyncio.current_task()
    except RuntimeError:  # no running event loop (a Twisted-only run): nothing to quiet
        return
    if task is not None:
        task.add_done_callback(lambda t: t.cancelled() or t.exception())


def refuse(problems: list[str]) -> None:
    """A settings mistake stops the crawl before any request: one log line per bad setting.

    Under Scrapy's command line (``scrapy crawl``) the process exits with code
    2, the settings-error code of ``politecrawl``. Anywhere else (a script, a
    test) the caller re-raises the ``ConfigError``; the crawl's asyncio task is
    kept from printing it again with a traceback.
    """
    for line in problems:
        logger.error("politecrawl: error: %s", line)
    if _scrapy_command_line():
        raise SystemExit(2)
    _quiet_task()


def _scrapy_command_line() -> bool:
    """Whether this process is Scrapy's command line (``scrapy ...`` or ``python -m scrapy``)."""
    from scrapy.cmdline import execute  # noqa: PLC0415

    return getattr(sys.modules.get("__main__"), "execute", None) is execute


def _names(path: str) -> str:
    """A component's class name; a chain's parts' names."""
    parts = getattr(load_object(path), "PARTS", None)
    return ", ".join(_names(p) for p in parts) if parts else path.rsplit(".", 1)[-1]


def _version() -> str:
    from politecrawl._version import __version__  # noqa: PLC0415

    return __version__
