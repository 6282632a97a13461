"""One report for a cluster crawl: nodes that share a crawl id write one audit trail."""

from __future__ import annotations

from lxml import html as lxml_html

from politecrawl.audit.html import render_html
from politecrawl.audit.read import crawls, find_crawl, records
from politecrawl.audit.report import build_report
from politecrawl.audit.table import format_report
from politecrawl.audit.trail import AuditTrail
from politecrawl.audit.words import fmt_bytes, fmt_time
from politecrawl.clock import FakeClock
from politecrawl.state import MemoryStateStore


def node(store, clock, name, crawl_id="c-cluster"):
    trail = AuditTrail(store, "own-id", clock)
    trail.join(crawl_id, name)
    trail.start({"user_agent": "bot/1", "purpose": "research"})
    return trail


def test_two_nodes_write_one_crawl_reported_as_a_whole_and_per_node():
    clock = FakeClock(1_800_000_000.0)
    store = MemoryStateStore(clock)
    a = node(store, clock, "host1:11")
    clock.advance(1)
    b = node(store, clock, "host2:22")
    for _ in range(3):
        a.sent("shop-a.com", clock())
        a.received("shop-a.com", 100, 200)
    b.sent("shop-a.com", clock())
    b.received("shop-a.com", 50, 200)
    b.sent("shop-b.com", clock())
    clock.advance(2)
    a.end("finished")
    b.flush(final=True)  # a running node's counts appear as its buckets end
    (entry,) = crawls(store)
    assert entry.crawl_id == "c-cluster" and entry.ended_at is None  # node b still runs
    assert entry.nodes == ("host1:11", "host2:22")
    report = build_report(entry, records(store, "c-cluster"))
    assert report["crawl"]["running"]
    assert {s["site"]: s["requests"] for s in report["sites"]} == {"shop-a.com": 4, "shop-b.com": 1}
    assert [(n["node"], n["requests"], n["ended_at"] is None) for n in report["nodes"]] == [
        ("host1:11", 3, False), ("host2:22", 2, True)]
    clock.advance(1)
    b.end("finished")
    entry = find_crawl(store)
    assert entry.ended_at == clock()
    report = build_report(entry, records(store, entry.crawl_id))
    assert not report["crawl"]["running"] and report["crawl"]["end_reason"] == "finished"
    text = format_report(report)
    assert "2 nodes (a cluster crawl" in text
    assert "host1:11: started" in text and "3 requests" in text


def single_process_report():
    """The report of a one-request crawl by one process (no node joined a cluster)."""
    clock = FakeClock(1_800_000_000.0)
    store = MemoryStateStore(clock)
    trail = AuditTrail(store, "c1", clock)
    trail.start({})
    trail.sent("shop-a.com", clock())
    trail.end("finished")
    return build_report(find_crawl(store), records(store, "c1"))


def test_a_single_process_crawl_has_no_node_section():
    report = single_process_report()
    assert report["nodes"] == [] and "nodes (a cluster" not in format_report(report)


def test_the_html_report_has_a_row_per_node_with_its_requests_answers_bytes_start_and_end():
    clock = FakeClock(1_800_000_000.0)
    store = MemoryStateStore(clock)
    a = node(store, clock, "host1:11")
    clock.advance(1)
    b = node(store, clock, "host2:<22>")  # a node name is escaped like any other text
    for _ in range(3):
        a.sent("shop-a.com", clock())
        a.received("shop-a.com", 1000, 200)
    b.sent("shop-b.com", clock())
    b.sent("shop-b.com", clock())
    b.received("shop-b.com", 50, 200)
    clock.advance(2)
    a.end("finished")
    b.flush(final=True)
    page = render_html(build_report(find_crawl(store), records(store, "c-cluster")))
    doc = lxml_html.fromstring(page.encode())
    (heading,) = doc.xpath("//h2[starts-with(., 'Nodes')]")
    assert heading.text_content() == "Nodes (2)"
    rows = [[td.text_content() for td in tr.xpath("td")] for tr in heading.xpath("following::table[1]//tr[td]")]
    assert rows == [
        ["host1:11", "3", "3", fmt_bytes(3000), fmt_time(1_800_000_000.0), fmt_time(1_800_000_003.0) + " (finished)"],
        ["host2:<22>", "2", "1", fmt_bytes(50), fmt_time(1_800_000_001.0), "still running"],
    ]
    assert "host2:&lt;22&gt;" in page and "<22>" not in page


def test_a_single_process_crawl_has_no_node_section_in_html():
    page = render_html(single_process_report())
    assert not lxml_html.fromstring(page.encode()).xpath("//h2[starts-with(., 'Nodes')]")
