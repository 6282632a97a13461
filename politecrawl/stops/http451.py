"""451 Unavailable For Legal Reasons (RFC 7725).

The server "is denying access to the resource as a consequence of a legal
demand" and SHOULD name the blocking entity in
``Link: <https://blocker.example>; rel="blocked-by"`` (RFC 7725 §4). The URL
is never retried; it is recorded with that value.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["blocked_by"]

_LINK = re.compile(r"<([^>]*)>((?:\s*;\s*[^;,<]*)*)")
_REL = re.compile(r"""rel\s*=\s*(?:"([^"]*)"|([^\s;,"]+))""", re.IGNORECASE)
_MAX_CHARS = 2000


def blocked_by(link_values: Iterable[str]) -> str | None:
    """The URI of the first ``rel="blocked-by"`` link among Link header values."""
    for value in link_values:
        for m in _LINK.finditer(value[:_MAX_CHARS * 4]):
            for rel in _REL.finditer(m.group(2)):
                rels = (rel.group(1) or rel.group(2) or "").lower().split()
                if "blocked-by" in rels:
                    return m.group(1).strip()[:_MAX_CHARS]
    return None
