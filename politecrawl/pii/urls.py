"""URLs inside strings: where they are, their parts percent-decoded for the scan, and removals written back encoded.

A value like `/u/zhang.wei%40example.cn/profile?tel=%2B8613800138000` hides its personal data behind percent
escapes (and `+` for a space in a query), so detectors must see the decoded text.  The decoded text keeps, for
each of its characters, the offset of the raw character (or escape) it came from: a span found in the decoded
text maps back to a range of the raw URL, and only that range is replaced (by the marker, percent-encoded).
Everything else in the URL stays byte for byte.

Which parts are scanned: the user-info of the authority, the path, the query and the fragment; the host and port
are not (a server's name or address is not a person's).  In a query, `+` is read as a space, and a parameter whose
name is a personal field name (`tel=`, `uid=`, `email=`) loses its whole value.

Hand-written because `urllib.parse.unquote` and `w3lib.url` give the decoded text without the map back to the
raw offsets, which is what writing the removal back needs.
"""

from __future__ import annotations

import codecs
import re
from typing import NamedTuple
from urllib.parse import quote

# An absolute URL ("scheme://..."), or "www." and a dot-name, up to white space or a quote / bracket.
_URL_IN_TEXT = re.compile(r"(?:[A-Za-z][A-Za-z0-9+.\-]{0,30}://|www\.)[^\s<>\"'`\u3000-\u303f\uff08\uff09\uff0c]+")
# A whole value that is a URL or a path with a query: nothing but URL characters.
_WHOLE_URL = re.compile(r"(?:[A-Za-z][A-Za-z0-9+.\-]{0,30}:)?//\S*|/[^\s/]\S*|\?\S*=\S*")
_PARTS = re.compile(
    r"(?:(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*:)?//(?:(?P<userinfo>[^/?#@]*)@)?(?P<host>[^/?#]*))?"
    r"(?P<path>[^?#]*)(?:\?(?P<query>[^#]*))?(?:#(?P<fragment>.*))?",
    re.DOTALL,
)
_HEX = frozenset("0123456789abcdefABCDEF")


class Part(NamedTuple):
    """A piece of a string to scan: raw offsets, and how to decode it."""

    start: int
    end: int
    kind: str  # "text" (scan as is), "path", "userinfo", "fragment" (percent-decoded) or "query" (and + as space)


def parts(text: str) -> list[Part] | None:
    """The pieces of `text` to scan, URL parts apart; None when `text` holds no URL (scan it as it is)."""
    if "://" not in text and "www." not in text and not text.startswith(("/", "?")):
        return None
    if _WHOLE_URL.fullmatch(text):
        return _url_parts(text, 0, len(text))
    out: list[Part] = []
    pos = 0
    for m in _URL_IN_TEXT.finditer(text):
        if m.start() > pos:
            out.append(Part(pos, m.start(), "text"))
        out.extend(_url_parts(text, m.start(), m.end()))
        pos = m.end()
    if not out:
        return None
    if pos < len(text):
        out.append(Part(pos, len(text), "text"))
    return out


def _url_parts(text: str, start: int, end: int) -> list[Part]:
    m = _PARTS.fullmatch(text, start, end)
    if m is None:  # cannot happen: every group is optional and the last one takes the rest
        return [Part(start, end, "text")]
    out = []
    for kind in ("userinfo", "path", "query", "fragment"):
        s, e = m.span(kind)
        if s >= 0 and e > s:
            out.append(Part(s, e, kind))
    return out


def decode(raw: str, plus: bool) -> tuple[str, list[int]]:
    """`raw` percent-decoded (UTF-8; `+` as a space when `plus`) and, for each decoded character, the offset in
    `raw` where it starts; one more offset at the end (len(raw)).  Bad escapes stay as they are."""
    if "%" not in raw and not (plus and "+" in raw):
        return raw, [*range(len(raw) + 1)]
    chars: list[str] = []
    offsets: list[int] = []
    decoder = codecs.getincrementaldecoder("utf-8")("replace")
    pending = -1  # raw offset of the first byte the decoder holds
    i, n = 0, len(raw)
    while i < n:
        c = raw[i]
        if c == "%" and i + 2 < n and raw[i + 1] in _HEX and raw[i + 2] in _HEX:
            if pending < 0:
                pending = i
            out = decoder.decode(bytes((int(raw[i + 1 : i + 3], 16),)))
            for ch in out:
                chars.append(ch)
                offsets.append(pending)
            if out:
                pending = -1
            i += 3
            continue
        if pending >= 0:  # an unfinished UTF-8 sequence before a literal
            for ch in decoder.decode(b"", final=True):
                chars.append(ch)
                offsets.append(pending)
            decoder.reset()
            pending = -1
        chars.append(" " if plus and c == "+" else c)
        offsets.append(i)
        i += 1
    if pending >= 0:
        for ch in decoder.decode(b"", final=True):
            chars.append(ch)
            offsets.append(pending)
    offsets.append(n)
    return "".join(chars), offsets


def query_values(raw: str) -> list[tuple[str, int, int]]:
    """(decoded name, value start, value end) for each `name=value` of a raw query (offsets in `raw`)."""
    out = []
    pos = 0
    for piece in re.split(r"[&;]", raw):
        eq = piece.find("=")
        if eq > 0:
            name, _ = decode(piece[:eq], plus=True)
            out.append((name, pos + eq + 1, pos + len(piece)))
        pos += len(piece) + 1
    return out


def encode(marker: str) -> str:
    """A marker written into a URL: percent-encoded, so that the URL stays a URL."""
    return quote(marker, safe="")
