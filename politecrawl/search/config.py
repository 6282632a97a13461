"""The search-crawl settings, read and checked once (``POLITECRAWL_SCOPE`` ...)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..config import ConfigError, bool_setting, number_setting
from .content import DEFAULT_KEEP_TYPES
from .scope import SCOPES, ScopeError, compile_patterns
from .sitemaps import MAX_BYTES, MAX_URLS
from .urls import ParamFilter

__all__ = ["SearchConfig", "SearchConfigError"]


class SearchConfigError(ConfigError):
    """A search-crawl setting has a value politecrawl cannot use."""


def _words(get: Callable[[str, Any], Any], name: str, *, split_commas: bool = True) -> tuple[str, ...]:
    """A list setting: a list/tuple of strings, or one string (comma or space separated;
    patterns are split on whitespace only, a comma may belong to a pattern)."""
    raw = get(name, None)
    if raw is None or raw == "":
        return ()
    if isinstance(raw, str):
        text = raw.replace(",", " ") if split_commas else raw
        return tuple(text.split())
    if isinstance(raw, (list, tuple)) and all(isinstance(v, str) for v in raw):
        return tuple(v for v in raw if v.strip())
    raise SearchConfigError(f"{name} ({raw!r}) must be a list of strings")


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
        scope = str(get("POLITECRAWL_SCOPE", "domain") or "domain").strip().lower()
        if scope not in SCOPES:
            raise SearchConfigError(f"POLITECRAWL_SCOPE ({scope!r}) must be one of {', '.join(SCOPES)}")
        allow = _words(get, "POLITECRAWL_ALLOW", split_commas=False)
        deny = _words(get, "POLITECRAWL_DENY", split_commas=False)
        try:
            compile_patterns("POLITECRAWL_ALLOW", allow)
            compile_patterns("POLITECRAWL_DENY", deny)
        except ScopeError as exc:
            raise SearchConfigError(str(exc)) from None
        keep = tuple(t.lower() for t in _words(get, "POLITECRAWL_KEEP_TYPES")) or DEFAULT_KEEP_TYPES
        for kind in keep:
            if "/" not in kind or kind.count("/") != 1 or ";" in kind:
                raise SearchConfigError(
                    f"POLITECRAWL_KEEP_TYPES ({kind!r}) must be media types such as text/html"
                )
        drop = _words(get, "POLITECRAWL_DROP_PARAMS")
        keep_params = _words(get, "POLITECRAWL_KEEP_PARAMS")
        return cls(
            sitemaps=bool_setting(get, "POLITECRAWL_SITEMAPS", True),
            sitemap_max_bytes=number_setting(
                get, "POLITECRAWL_SITEMAP_MAX_BYTES", MAX_BYTES,
                f"a whole number of bytes from 1 to {MAX_BYTES} (the protocol's 50 MB)",
                lambda v: 1 <= v <= MAX_BYTES, integer=True, error=SearchConfigError,
            ),
            sitemap_max_urls=number_setting(
                get, "POLITECRAWL_SITEMAP_MAX_URLS", MAX_URLS,
                f"a whole number from 1 to {MAX_URLS} (the protocol's bound)",
                lambda v: 1 <= v <= MAX_URLS, integer=True, error=SearchConfigError,
            ),
            scope=scope,
            allow=allow,
            deny=deny,
            keep_types=frozenset(keep),
            deny_extensions=_words(get, "POLITECRAWL_DENY_EXTENSIONS"),
            follow_extensions=_words(get, "POLITECRAWL_FOLLOW_EXTENSIONS"),
            breadth_first=bool_setting(get, "POLITECRAWL_BREADTH_FIRST", True),
            depth_limit=number_setting(
                get, "POLITECRAWL_DEPTH_LIMIT", 0, "a whole number, 0 or more (0: no limit)",
                lambda v: v >= 0, integer=True, error=SearchConfigError,
            ),
            site_page_quota=number_setting(
                get, "POLITECRAWL_SITE_PAGE_QUOTA", 0, "a whole number, 0 or more (0: no quota)",
                lambda v: v >= 0, integer=True, error=SearchConfigError,
            ),
            drop_params=drop,
            keep_params=keep_params,
            params=ParamFilter.build(drop, keep_params),
        )
