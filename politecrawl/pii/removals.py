"""What a researcher is told about removals: one line at the first removal of each field, one per field at the end.

Counts are kept per field path (dotted field names, list positions left out) and type; a line names the field,
the count, the type and how to keep the field knowingly.  Field names are the spider's own keys, never values; a
dict key that is itself personal data is reported as `[pii-key]`.  At most MAX_FIELDS paths are kept apart; the
rest are counted under `other`.
"""

from __future__ import annotations

import json
from collections import Counter

MAX_FIELDS = 256
OTHER = "other"
ITEM = "[item]"

_WHY = {
    "field_name": "personal by its name",
    "declared": "declared personal (pii=...)",
    "too_long": "a string longer than POLITECRAWL_PII_MAX_CHARS, removed whole",
    "unscannable": "a string that needed more than the detectors' work budget, removed whole",
    "too_deep": "nested deeper than POLITECRAWL_PII_MAX_DEPTH, removed whole",
    "over_budget": "an item over its work budget (POLITECRAWL_PII_ITEM_MAX_SECONDS, POLITECRAWL_PII_ITEM_MAX_CHARS), "
                   "removed whole",
}


def describe(type_: str) -> str:
    """How a type of removal reads in a line."""
    return _WHY.get(type_, f"{type_} found in its text, replaced by [{type_.upper()}]")


def how_to_keep(path: str, types: list[str]) -> str:
    """How to keep the field knowingly (or why it cannot be)."""
    if path == ITEM:
        return "an item over its budget cannot be kept; raise the bound if such items are known to be clean"
    if path == OTHER:
        return f"fields past the first {MAX_FIELDS} are counted together here"
    if "[pii-key]" in path:
        return "a dict key that is itself personal data goes with its value"
    leaf = path.rsplit(".", 1)[-1]
    allow = f"POLITECRAWL_PII_ALLOW = {json.dumps([path], ensure_ascii=False)}"
    if path == leaf:
        return f"to keep it knowingly: {allow}, or declare it {leaf} = scrapy.Field(pii=False)"
    return f"to keep it knowingly: {allow}, or declare {leaf} with scrapy.Field(pii=False) in its item class"


class Removals:
    """Counts per (field path, type); `add` says which fields are new (for the first-removal line)."""

    def __init__(self) -> None:
        self.counts: Counter[tuple[str, str]] = Counter()
        self._paths: set[str] = set()

    def add(self, removed: Counter[tuple[str, str]]) -> tuple[list[str], Counter[tuple[str, str]]]:
        """Fold one item's removals in; return the first-removal lines of the fields seen for the first time, and
        the item's counts with paths past MAX_FIELDS under `other` (what may be recorded)."""
        lines = []
        bounded: Counter[tuple[str, str]] = Counter()
        for (path, type_), n in removed.items():
            if path not in self._paths:
                if len(self._paths) >= MAX_FIELDS:
                    path = OTHER
                else:
                    self._paths.add(path)
                    lines.append(
                        f"politecrawl: personal data removed from items: field {path!r} ({describe(type_)}); "
                        f"counted under politecrawl/pii/found/{type_}; {how_to_keep(path, [type_])}"
                    )
            self.counts[path, type_] += n
            bounded[path, type_] += n
        return lines, bounded

    def by_path(self) -> dict[str, Counter[str]]:
        out: dict[str, Counter[str]] = {}
        for (path, type_), n in self.counts.items():
            out.setdefault(path, Counter())[type_] += n
        return out

    def summary(self) -> list[str]:
        """One line per field, most removed first."""
        lines = []
        for path, types in sorted(self.by_path().items(), key=lambda kv: (-sum(kv[1].values()), kv[0])):
            total = sum(types.values())
            kinds = ", ".join(f"{t} {n}" for t, n in types.most_common())
            lines.append(
                f"politecrawl: removed over the crawl from field {path!r}: {total} ({kinds}); "
                f"{how_to_keep(path, list(types))}"
            )
        return lines
