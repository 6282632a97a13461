"""Search crawls: scope, clean URLs, content types, sitemaps, depth and quotas (docs/search.md).

Pure decisions, no Scrapy: the generic spider and its middlewares (``politecrawl.middlewares``)
turn them into link extraction, requests, cut downloads, stats and tallies.
"""

from .admission import Admission, priority
from .config import SearchConfig, SearchConfigError
from .content import DEFAULT_KEEP_TYPES, FILE_EXTENSIONS, SITEMAP_TYPES, is_kept, media_type, skipped_extensions
from .scope import SCOPES, Scope, ScopeError
from .sitemaps import MAX_BYTES, MAX_URLS, lastmod_hint, parse_lastmod, sitemaps_for
from .urls import TRACKING_PARAMS, ParamFilter, canonical_hint, clean_url

__all__ = [
    "DEFAULT_KEEP_TYPES",
    "FILE_EXTENSIONS",
    "MAX_BYTES",
    "MAX_URLS",
    "SCOPES",
    "SITEMAP_TYPES",
    "TRACKING_PARAMS",
    "Admission",
    "ParamFilter",
    "Scope",
    "ScopeError",
    "SearchConfig",
    "SearchConfigError",
    "canonical_hint",
    "clean_url",
    "is_kept",
    "lastmod_hint",
    "media_type",
    "parse_lastmod",
    "priority",
    "sitemaps_for",
    "skipped_extensions",
]
