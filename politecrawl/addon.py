"""``ADDONS = {"politecrawl.Addon": 100}``: one line turns the whole stack on."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from scrapy.utils.misc import load_object

from ._scrapy_compat import make_cookie_domain_splitter_offline
from .config import PolitecrawlConfig

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

logger = logging.getLogger("politecrawl")

#: (component priority dict setting, class path, priority). One table, so the
#: log line at start lists exactly what is active.
COMPONENTS: list[tuple[str, str, int]] = [
    ("EXTENSIONS", "politecrawl.middlewares.core.PolitecrawlCore", 0),
    ("DOWNLOADER_MIDDLEWARES", "politecrawl.middlewares.core.IdentityMiddleware", 990),
    ("DOWNLOADER_MIDDLEWARES", "politecrawl.middlewares.budget.BudgetMiddleware", 980),
    # stops (docs/stops.md): registry poller; stopped sites (before robots.txt, 100);
    # reservations (after robots.txt); 429/503/451/blocks (responses before Retry, 550)
    ("EXTENSIONS", "politecrawl.middlewares.stops.StopsWatcher", 0),
    ("DOWNLOADER_MIDDLEWARES", "politecrawl.middlewares.stops.StopGate", 60),
    ("DOWNLOADER_MIDDLEWARES", "politecrawl.middlewares.stops.ReservationGate", 110),
    ("DOWNLOADER_MIDDLEWARES", "politecrawl.middlewares.stops.SiteSignals", 560),
    ("SPIDER_MIDDLEWARES", "politecrawl.middlewares.stops.ReservedItems", 800),
    ("DOWNLOADER_MIDDLEWARES", "politecrawl.middlewares.robots.RobotsTxtMiddleware", 100),
    ("SPIDER_MIDDLEWARES", "politecrawl.middlewares.robots.RobotsPageMiddleware", 950),
]

#: Scrapy components politecrawl replaces: (setting, class path).
REPLACED: list[tuple[str, str]] = [
    ("DOWNLOADER_MIDDLEWARES", "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware"),
]

#: Plain settings the add-on sets at "addon" priority (a project may override).
SETTINGS = {
    "SCHEDULER_PRIORITY_QUEUE": "politecrawl.middlewares.frontier.PacedPriorityQueue",
    # Open doors a compliance tool keeps shut unless asked.
    "TELNETCONSOLE_ENABLED": False,
    "REMOTE_CONTROL_ENABLED": False,
    # politecrawl's RobotsTxtMiddleware replaces Scrapy's (which fails open).
    "ROBOTSTXT_OBEY": False,
    # Personal data is removed from every item after all spider middlewares, before any pipeline or feed.
    "ITEM_PROCESSOR": "politecrawl.middlewares.pii.PIIItemProcessor",
}


class Addon:
    """Turns politecrawl on: its components, its scheduler queue, its identity."""

    def update_settings(self, settings: BaseSettings) -> None:
        config = PolitecrawlConfig.from_settings(settings)  # fails early on a missing contact
        make_cookie_domain_splitter_offline()
        settings.set("USER_AGENT", config.user_agent, "addon")
        settings.set("ROBOTSTXT_USER_AGENT", config.bot_name, "addon")
        for name, value in SETTINGS.items():
            settings.set(name, value, "addon")
        for setting, path in REPLACED:
            settings.set_in_component_priority_dict(setting, load_object(path), None)
        for setting, path, priority in COMPONENTS:
            settings.set_in_component_priority_dict(setting, load_object(path), priority)
        from politecrawl.middlewares.pii import check_processor, pii_config  # noqa: PLC0415

        pii_config(settings)  # fails early on bad POLITECRAWL_PII_* values or pseudonymize without a key
        check_processor(settings)  # a project's own ITEM_PROCESSOR must not bypass the filter
        logger.info(
            "politecrawl %s active as %r: %s",
            _version(),
            config.user_agent,
            ", ".join(path.rsplit(".", 1)[-1] for _, path, _ in COMPONENTS),
        )


def _version() -> str:
    from ._version import __version__  # noqa: PLC0415

    return __version__
