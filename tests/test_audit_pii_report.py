"""The compliance report tells a researcher, per field, what personal data was removed and how to keep the field
knowingly: in the JSON, the summary text and the HTML page (never a value)."""

from __future__ import annotations

from collections import Counter

from politecrawl.audit import AuditTrail, build_report, find_crawl, records
from politecrawl.audit.html import render_html
from politecrawl.clock import FakeClock
from politecrawl.state import MemoryStateStore

T0 = 1_780_000_000.0


def test_removals_per_field_in_json_text_and_html() -> None:
    clock = FakeClock(T0)
    store = MemoryStateStore(clock)
    trail = AuditTrail(store, "c1", clock, flush_interval=5.0, bucket=60, per_request=False)
    trail.start({"spider": "quotes"})
    for _ in range(3):
        trail.pii_removed("quotes.example.com", {"field_name": 1, "phone": 1}, {"author": 1, "text": 1},
                          Counter({("author", "field_name"): 1, ("text", "phone"): 1}))
    trail.pii_removed("b.example.org", {"field_name": 2}, {"reviews": 2},
                      Counter({("reviews.reviewer", "field_name"): 2}))
    trail.end("finished")
    trail.flush(final=True)
    entry = find_crawl(store)
    report = build_report(entry, records(store, entry.crawl_id))
    site = next(s for s in report["sites"] if s["site"] == "quotes.example.com")
    assert sorted((r["field"], r["type"], r["count"]) for r in site["pii"]["removals"]) == [
        ("author", "field_name", 3), ("text", "phone", 3)]
    assert site["pii"]["removals"][0]["keep"].startswith("to keep it knowingly: POLITECRAWL_PII_ALLOW = [")
    text = "\n".join(report["summary"]["text"])
    assert ("Removed from field 'author': 3 (field_name 3); to keep it knowingly: POLITECRAWL_PII_ALLOW = "
            '["author"], or declare it author = scrapy.Field(pii=False).') in text
    assert ("Removed from field 'reviews.reviewer': 2 (field_name 2); to keep it knowingly: POLITECRAWL_PII_ALLOW = "
            '["reviews.reviewer"], or declare reviewer with scrapy.Field(pii=False) in its item class.') in text
    html = render_html(report)
    assert "<th>to keep it knowingly</th>" in html and "<td>author</td><td>field_name</td>" in html
