"""Which URLs a generic crawl may follow: its scope.

``POLITECRAWL_SCOPE`` is ``domain`` (the seeds' registered domains, their
sites: the default), ``host`` (the seeds' host names exactly) or ``prefix``
(URLs that start with a seed's URL up to the last ``/`` of its path). On top,
``POLITECRAWL_ALLOW`` (a URL must match one of them, if any) and
``POLITECRAWL_DENY`` (a URL that matches one is out) are regular expressions
searched in the URL, as Scrapy's ``LinkExtractor`` reads its ``allow`` and
``deny``. :meth:`Scope.extractor_args` is what a ``LinkExtractor`` is built
with; :meth:`Scope.allows` is the whole rule, for links and sitemap entries.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

from ..sites import InvalidURL, site_key

__all__ = ["SCOPES", "Scope", "ScopeError"]

Kind = Literal["domain", "host", "prefix"]
SCOPES: tuple[str, ...] = ("domain", "host", "prefix")


class ScopeError(ValueError):
    """A scope setting politecrawl cannot use."""


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").rstrip(".")


def _prefix(url: str) -> str:
    parts = urlsplit(url)
    path = parts.path or "/"
    path = path[: path.rfind("/") + 1]
    return f"{parts.scheme}://{(parts.hostname or '').rstrip('.')}{_port(parts.port)}{path}"


def _port(port: int | None) -> str:
    return f":{port}" if port not in (None, 80, 443) else ""


def compile_patterns(name: str, patterns: Iterable[str]) -> tuple[re.Pattern[str], ...]:
    compiled = []
    for pattern in patterns:
        try:
            compiled.append(re.compile(pattern))
        except re.error as exc:
            raise ScopeError(f"{name} ({pattern!r}) must be a regular expression: {exc}") from None
    return tuple(compiled)


@dataclass(frozen=True)
class Scope:
    """The scope of a crawl from its seeds."""

    kind: Kind
    sites: frozenset[str]
    hosts: frozenset[str]
    prefixes: tuple[str, ...]
    allow: tuple[re.Pattern[str], ...] = ()
    deny: tuple[re.Pattern[str], ...] = ()

    @classmethod
    def build(
        cls, kind: str, seeds: Sequence[str], allow: Iterable[str] = (), deny: Iterable[str] = ()
    ) -> Scope:
        if kind not in SCOPES:
            raise ScopeError(f"POLITECRAWL_SCOPE ({kind!r}) must be one of {', '.join(SCOPES)}")
        sites, hosts, prefixes = set(), set(), []
        for seed in seeds:
            try:
                sites.add(site_key(seed))
            except InvalidURL:
                continue
            hosts.add(_host(seed))
            prefixes.append(_prefix(seed))
        return cls(
            kind=kind,  # type: ignore[arg-type]
            sites=frozenset(sites),
            hosts=frozenset(hosts),
            prefixes=tuple(sorted(set(prefixes))),
            allow=compile_patterns("POLITECRAWL_ALLOW", allow),
            deny=compile_patterns("POLITECRAWL_DENY", deny),
        )

    def allows(self, url: str) -> bool:
        """Whether *url* is in scope (kind, then allow and deny patterns)."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            return False
        try:
            if site_key(url) not in self.sites:
                return False
        except InvalidURL:
            return False
        if self.kind == "host" and (parts.hostname or "").rstrip(".") not in self.hosts:
            return False
        if self.kind == "prefix" and not _prefix_of(url, self.prefixes):
            return False
        if self.allow and not any(p.search(url) for p in self.allow):
            return False
        return not any(p.search(url) for p in self.deny)

    def extractor_args(self, deny_extensions: Iterable[str]) -> dict[str, Any]:
        """Keyword arguments of Scrapy's ``LinkExtractor`` for this scope.

        The extractor narrows links to the seeds' domains (or hosts) with
        ``allow_domains`` and applies the patterns and the extensions; a host or
        prefix scope is then checked exactly with :meth:`allows` (the extractor's
        domain test also lets subdomains in).
        """
        domains = self.sites if self.kind == "domain" else self.hosts
        return {
            "allow": tuple(p.pattern for p in self.allow),
            "deny": tuple(p.pattern for p in self.deny),
            "allow_domains": tuple(sorted(domains)),
            "deny_extensions": list(deny_extensions),
            "unique": True,
        }


def _prefix_of(url: str, prefixes: tuple[str, ...]) -> bool:
    parts = urlsplit(url)
    normal = f"{parts.scheme}://{(parts.hostname or '').rstrip('.')}{_port(parts.port)}{parts.path or '/'}"
    return normal.startswith(prefixes)
