"""The ``<meta name=... content=...>`` tags of a page, read once for the page rules that need them."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scrapy.http import TextResponse

__all__ = ["meta_tags_of"]

#: The last page read: (response, its tags). The page rules of one page ask in turn.
_last: tuple[object, dict[str, list[str]]] = (None, {})


def meta_tags_of(response: TextResponse) -> dict[str, list[str]]:
    """The page's meta tags by lower-cased name, contents in document order (the whole document)."""
    global _last  # noqa: PLW0603 - one entry: the page being processed
    if _last[0] is response:
        return _last[1]
    tags: dict[str, list[str]] = {}
    for meta in response.xpath("//meta[@name]"):
        name = (meta.attrib.get("name") or "").strip().lower()
        if name:
            tags.setdefault(name, []).append(meta.attrib.get("content") or "")
    _last = (response, tags)
    return tags
