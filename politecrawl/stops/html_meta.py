"""``<meta name=... content=...>`` tags of an HTML page (stdlib parser, head only)."""

from __future__ import annotations

from html.parser import HTMLParser

__all__ = ["MAX_SCAN_CHARS", "meta_tags", "meta_values"]

#: Only the start of a page is scanned; meta tags belong in <head>.
MAX_SCAN_CHARS = 256 * 1024


class _Done(Exception):
    pass


class _MetaCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: dict[str, list[str]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body":
            raise _Done
        if tag != "meta":
            return
        values = {k.lower(): (v or "") for k, v in attrs}
        name = values.get("name")
        if name and "content" in values:
            self.tags.setdefault(name.strip().lower(), []).append(values["content"])

    handle_startendtag = handle_starttag


def meta_tags(html: str | bytes) -> dict[str, list[str]]:
    """Meta tags by lower-cased name, contents in document order."""
    if isinstance(html, bytes):
        html = html[: MAX_SCAN_CHARS * 4].decode("utf-8", "replace")
    parser = _MetaCollector()
    try:
        parser.feed(html[:MAX_SCAN_CHARS])
        parser.close()
    except _Done:
        pass
    return parser.tags


def meta_values(html: str | bytes, name: str) -> list[str]:
    return meta_tags(html).get(name.lower(), [])
