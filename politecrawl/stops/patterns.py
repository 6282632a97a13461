"""Robots-style path patterns (RFC 9309 §2.2.3): ``*`` matches any run of
characters, a final ``$`` anchors the end, everything else matches itself,
case-sensitively, from the start of the path (with its query).

Used by the TDMRep file's ``location`` rules and the path-scoped robots.txt
lines (``Content-Usage``, ``DisallowAITraining``). Hand-written because
protego keeps its matcher private and parses none of those lines.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..sites import path_and_query

__all__ = ["compile_pattern", "path_of", "pattern_matches"]


@lru_cache(maxsize=4096)
def compile_pattern(pattern: str) -> re.Pattern[str]:
    anchored = pattern.endswith("$")
    body = pattern[:-1] if anchored else pattern
    regex = ".*".join(re.escape(part) for part in body.split("*"))
    return re.compile(regex + ("$" if anchored else ""), re.DOTALL)


def pattern_matches(pattern: str, path: str) -> bool:
    """Whether robots-style *pattern* matches *path* (which starts with ``/``)."""
    return compile_pattern(pattern).match(path) is not None


def path_of(url: str) -> str:
    """The path and query of *url* (``/`` for an empty path)."""
    path, query = path_and_query(url)
    path = path or "/"
    return f"{path}?{query}" if query else path
