"""Page-level robots directives: ``X-Robots-Tag`` headers and robots ``<meta>`` tags.

Syntax as Google documents it (developers.google.com/search/docs/crawling-indexing/
robots-meta-tag): the header may repeat; each value is a comma-separated list
of directives, optionally led by ``<botname>:`` which addresses the directives
after it (until the next ``<botname>:``) to that bot only. Meta tags named
``robots`` address every bot, a tag named after a bot addresses that bot.
Names and values are case-insensitive. ``none`` means ``noindex, nofollow``.
``noai`` / ``noimageai`` are DeviantArt's AI-use reservations (Nov 2022).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["PageDirectives", "directives_for", "page_directives", "parse_meta_robots", "parse_x_robots_tag"]

#: Directives that carry their own ``name: value`` and so are not bot prefixes.
_VALUED = frozenset(
    {"unavailable_after", "max-snippet", "max-image-preview", "max-video-preview"}
)
#: What politecrawl acts on or records; other directives are ignored.
KNOWN = frozenset({"noindex", "nofollow", "noarchive", "noai", "noimageai", "none", "all", "index", "follow"})


@dataclass(frozen=True)
class PageDirectives:
    """The directives of one page addressed to us."""

    names: frozenset[str] = frozenset()

    @property
    def nofollow(self) -> bool:
        return "nofollow" in self.names

    @property
    def noindex(self) -> bool:
        return "noindex" in self.names

    @property
    def noarchive(self) -> bool:
        return "noarchive" in self.names

    @property
    def noai(self) -> bool:
        return "noai" in self.names

    @property
    def noimageai(self) -> bool:
        return "noimageai" in self.names

    def __bool__(self) -> bool:
        return bool(self.names)

    def as_list(self) -> list[str]:
        """Sorted names (``none`` already expanded), e.g. for an item field."""
        return sorted(self.names)


def _expand(names: Iterable[str]) -> set[str]:
    out: set[str] = set()
    for name in names:
        if name == "none":
            out.update(("noindex", "nofollow"))
        elif name in KNOWN and name not in ("all", "index", "follow"):
            out.add(name)
    return out


def _split_directives(content: str) -> list[str]:
    return [part.strip().lower() for part in content.split(",") if part.strip()]


def parse_x_robots_tag(values: Iterable[str], bot_name: str) -> set[str]:
    """The directives politecrawl knows in ``X-Robots-Tag`` header *values* that address all bots
    or *bot_name* (``none`` expanded)."""
    return _expand(directives_for(values, bot_name))


def directives_for(values: Iterable[str], bot_name: str) -> set[str]:
    """Every directive name (lower case) in ``X-Robots-Tag`` *values* that addresses all bots or
    *bot_name*: the one reading of the header's syntax (``<botname>:`` addresses what follows it)."""
    me = bot_name.strip().lower()
    found: list[str] = []
    for value in values:
        target = ""  # "" = every bot
        for token in _split_directives(value):
            head, sep, rest = token.partition(":")
            head = head.strip()
            if sep and head not in _VALUED and " " not in head:
                target, token = head, rest.strip()
                if not token:
                    continue
            elif sep:
                token = head  # e.g. unavailable_after: <date>
            if target in ("", me):
                found.append(token)
    return set(found)


def parse_meta_robots(metas: Iterable[tuple[str, str]], bot_name: str) -> set[str]:
    """Directives in ``<meta name content>`` pairs named ``robots`` or *bot_name*."""
    me = bot_name.strip().lower()
    found: list[str] = []
    for name, content in metas:
        if (name or "").strip().lower() in ("robots", me):
            found.extend(_split_directives(content or ""))
    return _expand(found)


def page_directives(
    header_values: Iterable[str], metas: Iterable[tuple[str, str]], bot_name: str
) -> PageDirectives:
    """All page-level directives for *bot_name* from headers and meta tags together."""
    return PageDirectives(
        frozenset(parse_x_robots_tag(header_values, bot_name) | parse_meta_robots(metas, bot_name))
    )
