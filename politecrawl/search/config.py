"""The search-crawl settings, read and checked once (``POLITECRAWL_SCOPE`` ...)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..config import ConfigError
from ..settings_reader import SettingsReader
from .content import DEFAULT_KEEP_TYPES
from .scope import SCOPES, ScopeError, compile_patterns
from .sitemaps import MAX_BYTES, MAX_URLS
from .urls import ParamFilter

__all__ = ["SearchConfig", "SearchConfigError"]


class SearchConfigError(ConfigError):
    """A search-crawl setting has a value politecrawl cannot use."""


@dataclass(frozen=True)
class SearchConfig:
    """Everything the generic crawl's search behaviour needs (docs/search.md)."""

    sitemaps: bool = True
    sitemap_max_bytes: int = MAX_BYTES
    sitemap_max_urls: int = MAX_URLS
    scope: str = "domain"
    allow: tuple[str, ...] = ()
    deny: tuple[str, ...] = ()
    keep_types: frozenset[str] = frozenset(DEFAULT_KEEP_TYPES)
    deny_extensions: tuple[str, ...] = ()
    follow_extensions: tuple[str, ...] = ()
    breadth_first: bool = True
    depth_limit: int = 0
    site_page_quota: int = 0
    drop_params: tuple[str, ...] = ()
    keep_params: tuple[str, ...] = ()
    params: ParamFilter = field(default_factory=ParamFilter.build)

    @classmethod
    def from_settings(cls, get: Callable[..., Any]) -> SearchConfig:
        """Read the settings through *get(name, default)*; a bad value raises
        :class:`SearchConfigError` naming the setting, the value and the rule."""
        read = SettingsReader(get, error=SearchConfigError)
        scope = read.choice("POLITECRAWL_SCOPE", "domain", SCOPES, fold_case=True)
        allow = read.words("POLITECRAWL_ALLOW", split_commas=False)
        deny = read.words("POLITECRAWL_DENY", split_commas=False)
        try:
            compile_patterns("POLITECRAWL_ALLOW", allow)
            compile_patterns("POLITECRAWL_DENY", deny)
        except ScopeError as exc:
            raise SearchConfigError(str(exc)) from None
        keep = tuple(t.lower() for t in read.words("POLITECRAWL_KEEP_TYPES")) or DEFAULT_KEEP_TYPES
        for kind in keep:
            if "/" not in kind or kind.count("/") != 1 or ";" in kind:
                raise SearchConfigError(
                    f"POLITECRAWL_KEEP_TYPES ({kind!r}) must be media types such as text/html"
                )
        drop = read.words("POLITECRAWL_DROP_PARAMS")
        keep_params = read.words("POLITECRAWL_KEEP_PARAMS")
        return cls(
            sitemaps=read.boolean("POLITECRAWL_SITEMAPS", True),
            sitemap_max_bytes=read.number(
                "POLITECRAWL_SITEMAP_MAX_BYTES", MAX_BYTES,
                f"a whole number of bytes from 1 to {MAX_BYTES} (the protocol's 50 MB)",
                lambda v: 1 <= v <= MAX_BYTES, integer=True,
            ),
            sitemap_max_urls=read.number(
                "POLITECRAWL_SITEMAP_MAX_URLS", MAX_URLS,
                f"a whole number from 1 to {MAX_URLS} (the protocol's bound)",
                lambda v: 1 <= v <= MAX_URLS, integer=True,
            ),
            scope=scope,
            allow=allow,
            deny=deny,
            keep_types=frozenset(keep),
            deny_extensions=read.words("POLITECRAWL_DENY_EXTENSIONS"),
            follow_extensions=read.words("POLITECRAWL_FOLLOW_EXTENSIONS"),
            breadth_first=read.boolean("POLITECRAWL_BREADTH_FIRST", True),
            depth_limit=read.number(
                "POLITECRAWL_DEPTH_LIMIT", 0, "a whole number, 0 or more (0: no limit)",
                lambda v: v >= 0, integer=True,
            ),
            site_page_quota=read.number(
                "POLITECRAWL_SITE_PAGE_QUOTA", 0, "a whole number, 0 or more (0: no quota)",
                lambda v: v >= 0, integer=True,
            ),
            drop_params=drop,
            keep_params=keep_params,
            params=ParamFilter.build(drop, keep_params),
        )
