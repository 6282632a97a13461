"""What a researcher is told about removals (politecrawl/pii/removals.py): first-removal lines, bounded paths."""

from __future__ import annotations

from collections import Counter

from politecrawl.pii import removals
from politecrawl.pii.removals import Removals


def test_first_line_once_per_field_and_counts_folded() -> None:
    r = Removals()
    lines, bounded = r.add(Counter({("author", "field_name"): 1, ("text", "phone"): 2}))
    assert len(lines) == 2 and bounded == Counter({("author", "field_name"): 1, ("text", "phone"): 2})
    lines, _ = r.add(Counter({("author", "field_name"): 1, ("text", "email"): 1}))
    assert lines == []  # a field is told once, whatever types come later
    assert r.by_path() == {"author": Counter({"field_name": 2}), "text": Counter({"phone": 2, "email": 1})}
    assert r.summary()[0].startswith("politecrawl: removed over the crawl from field 'text': 3 (phone 2, email 1);")


def test_paths_past_the_bound_are_counted_as_other(monkeypatch) -> None:
    monkeypatch.setattr(removals, "MAX_FIELDS", 2)
    r = Removals()
    lines, bounded = r.add(Counter({(f"f{i}", "field_name"): 1 for i in range(4)}))
    assert len(lines) == 2 and bounded == Counter({("f0", "field_name"): 1, ("f1", "field_name"): 1,
                                                   ("other", "field_name"): 2})
    assert "fields past the first 2 are counted together here" in r.summary()[0]


def test_how_to_keep_names_the_path_and_the_declaration() -> None:
    assert removals.how_to_keep("author", ["field_name"]) == (
        'to keep it knowingly: POLITECRAWL_PII_ALLOW = ["author"], or declare it author = scrapy.Field(pii=False)')
    assert "declare user_id with scrapy.Field(pii=False) in its item class" in removals.how_to_keep(
        "buyer.user_id", ["field_name"])
    assert "cannot be kept" in removals.how_to_keep("[item]", ["over_budget"])
