"""politecrawl: a polite, law-aware crawler framework on Scrapy."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from ._version import __version__
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


def __getattr__(name: str) -> Any:
    """``politecrawl.Addon`` (``ADDONS = {"politecrawl.Addon": 100}``), loaded when first asked for.

    The add-on is Scrapy glue (``politecrawl.middlewares.addon``); the policies in
    this package never import glue, so the name is looked up by ``import_module``
    (an import the layer contract in pyproject.toml does not count) on first use.
    """
    if name == "Addon":
        return import_module("politecrawl.middlewares.addon").Addon
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
