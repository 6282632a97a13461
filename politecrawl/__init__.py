"""politecrawl: a polite, law-aware crawler framework on Scrapy."""

from __future__ import annotations

from ._version import __version__
from .addon import Addon
from .config import ConfigError, PolitecrawlConfig
from .sites import InvalidURL, origin_key, site_key
from .state import StateStoreError, open_store

__all__ = [
    "Addon",
    "ConfigError",
    "InvalidURL",
    "PolitecrawlConfig",
    "StateStoreError",
    "__version__",
    "open_store",
    "origin_key",
    "site_key",
]
