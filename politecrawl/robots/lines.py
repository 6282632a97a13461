"""robots.txt lines made safe for protego's grouping: a thin layer, never failing open.

protego reads robots.txt as RFC 9309 says except in three places where it
would allow what the site (and Google's reference parser) disallows. Each is
fixed here by rewriting the text before protego parses it:

* a line protego does not know (``Invalid-Unknown-Line: x``) ends protego's
  user-agent run, so ``User-agent: FooBot`` / unknown / ``User-agent: *`` /
  ``Disallow: /`` left FooBot with an empty group. RFC 9309 §2.2.4: other
  records must not interfere with the defined ones. Unknown lines are dropped.
* ``User-agent: FOO BAR`` matched no one. A product token ends at the first
  space (RFC 9309 §2.2.1 allows only ``[a-zA-Z_-]``; the reference matches up
  to the first space): the line becomes ``User-agent: FOO``.
* a line longer than 8 × 2083 - 1 bytes (the reference's limit) is cut there:
  a cut ``Disallow`` disallows more, which is safe; a cut ``Allow`` would
  allow more than the site said, so it is dropped instead.

No library does this: protego is the parser politecrawl keeps, and these
are rewrites of its input, not a second parser.
"""

from __future__ import annotations

import re

__all__ = ["MAX_LINE_BYTES", "safe_robots_text"]

#: The longest line the reference parser reads: 8 × the longest URL browsers accept, less
#: the terminating NUL of its buffer.
MAX_LINE_BYTES = 8 * 2083 - 1

#: The record names protego reads (its own spellings and misspellings included).
_USER_AGENT = {"user-agent", "useragent", "user agent"}
_DISALLOW = {"disallow", "dissallow", "dissalow", "disalow", "diasllow", "disallaw"}
_ALLOW = {"allow"}
_KNOWN = _USER_AGENT | _DISALLOW | _ALLOW | {
    "sitemap", "sitemaps", "site-map", "crawl-delay", "crawl delay", "request-rate", "request rate",
    "visit-time", "visit time", "host",
}
_NAME_ONLY = re.compile(r"^\s*([A-Za-z][A-Za-z -]*?)\s+(\S.*)$")  # "disallow /x" (no colon)


def _field(line: str) -> tuple[str | None, str]:
    """``(lower-case record name, value)`` of a comment-free line, or ``(None, "")``."""
    name, colon, value = line.partition(":")
    if colon:
        return name.strip().lower(), value.strip()
    match = _NAME_ONLY.match(line)
    if match is not None and match.group(1).strip().lower() in _KNOWN:
        return match.group(1).strip().lower(), match.group(2).strip()
    return None, ""


def safe_robots_text(text: str) -> str:
    """*text* with unknown lines dropped, user agents cut at a space, long lines cut (see above)."""
    out: list[str] = []
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        name, value = _field(line)
        if name is None or name not in _KNOWN:
            continue  # an unknown record: it must not end a group
        if name in _USER_AGENT:
            value = value.split(None, 1)[0] if value else ""
            line = f"user-agent: {value}"
        elif len(line) * 4 > MAX_LINE_BYTES and len(line.encode("utf-8", "surrogatepass")) > MAX_LINE_BYTES:
            if name in _ALLOW:
                continue  # a cut Allow would allow more than the site said
            line = line.encode("utf-8", "surrogatepass")[:MAX_LINE_BYTES].decode("utf-8", "ignore")
        else:
            line = f"{name}: {value}"
        out.append(line)
    return "\n".join(out) + "\n" if out else ""
