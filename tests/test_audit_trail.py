"""The audit trail and the report built from it: exact numbers with a FakeClock."""

from __future__ import annotations

import json

import pytest

from politecrawl.audit import (
    CRAWLS_KEY,
    AuditTrail,
    build_report,
    crawls,
    find_crawl,
    format_report,
    log_key,
    records,
    window_peak,
)
from politecrawl.clock import FakeClock
from politecrawl.state import MemoryStateStore, StateStoreError

T0 = 1_700_000_040.0  # a minute boundary


def make(per_request=False, flush_interval=5.0, bucket=60, crawl_id="c1", store=None):
    clock = FakeClock(T0)
    store = store or MemoryStateStore(clock)
    trail = AuditTrail(store, crawl_id, clock, flush_interval=flush_interval, bucket=bucket,
                       per_request=per_request)
    return trail, store, clock


def report_of(store, crawl_id=None, **kw):
    entry = find_crawl(store, crawl_id)
    return build_report(entry, records(store, entry.crawl_id), **kw)


def site_of(report, site):
    return next(s for s in report["sites"] if s["site"] == site)


def test_start_and_end_are_indexed_and_latest_crawl_is_found():
    trail, store, clock = make(crawl_id="c1")
    trail.start({"bot_name": "bot", "purpose": "research"})
    clock.advance(10)
    trail.end("finished")
    trail2 = AuditTrail(store, "c2", clock)
    clock.advance(5)
    trail2.start({})
    entries = crawls(store)
    assert [(e.crawl_id, e.started_at, e.ended_at) for e in entries] == [
        ("c1", T0, T0 + 10), ("c2", T0 + 15, None)]
    assert find_crawl(store).crawl_id == "c2"
    assert find_crawl(store, "c1").ended_at == T0 + 10
    assert find_crawl(store, "c") is None  # ambiguous prefix
    assert find_crawl(store, "nope") is None
    kinds = [r.kind for r in records(store, "c1")]
    assert kinds == ["crawl-start", "crawl-end"]
    start = next(records(store, "c1"))
    assert start.data == {"bot_name": "bot", "purpose": "research", "bucket": 60}


def test_counts_are_kept_until_their_minute_is_over_then_written_once():
    trail, store, clock = make(flush_interval=5)
    trail.start({})
    for i in range(3):
        trail.sent("a.com", T0 + i)
    trail.sent("b.com", T0 + 3)
    trail.received("a.com", 1000, 200)
    clock.advance(30)
    trail.flush_if_due()  # due, but the minute is not over: nothing written
    assert [r.kind for r in records(store, "c1")] == ["crawl-start"]
    clock.advance(30)
    trail.sent("a.com", T0 + 60)  # the next minute; the flush is due and the first minute is over
    counts = [r for r in records(store, "c1") if r.kind == "counts"]
    assert len(counts) == 1 and counts[0].site == "" and counts[0].at == T0
    assert counts[0].data == {"bucket": T0, "sites": {
        "a.com": [["bytes", "", 1000], ["requests", "", 3], ["responses", "", 1], ["status", "2xx", 1]],
        "b.com": [["requests", "", 1]],
    }}
    trail.end("finished")  # the last, unfinished minute is written at the end
    counts = [r for r in records(store, "c1") if r.kind == "counts"]
    assert [c.data["bucket"] for c in counts] == [T0, T0 + 60]
    assert site_of(report_of(store), "a.com")["requests"] == 4


def test_a_late_count_for_a_written_bucket_is_added_up():
    trail, store, clock = make(flush_interval=1)
    trail.start({})
    trail.sent("a.com", T0 + 10)
    clock.advance(61)
    trail.flush()
    trail.sent("a.com", T0 + 59)  # an answer that took long: sent in the first minute
    trail.end("finished")
    report = report_of(store)
    assert site_of(report, "a.com")["series"] == [[T0, 2]]
    assert len([r for r in records(store, "c1") if r.kind == "counts"]) == 2


def test_many_requests_make_one_record_per_minute():
    trail, store, clock = make(flush_interval=1e9)
    trail.start({})
    for i in range(120_000):
        trail.sent(f"s{i % 3}.com", T0 + i * 0.001)  # 120 s over 3 sites
    trail.end("finished")
    counts = [r for r in records(store, "c1") if r.kind == "counts"]
    assert len(counts) == 2  # two minutes
    assert all(len(c.data["sites"]) == 3 for c in counts)
    assert report_of(store)["totals"]["requests"] == 120_000


def test_report_counts_peaks_and_cap_check():
    trail, store, clock = make(bucket=10)
    trail.start({"purpose": "research"})
    trail.budget("a.com", estimate_per_day=86_400, source="test", cap=0.5, burst=2, share=0.5)
    # 0.5 req/s for 120 s: 60 requests; the busiest minute holds 30
    for i in range(60):
        trail.sent("a.com", T0 + i * 2)
    trail.sent("b.com", T0 + 1)
    clock.advance(130)
    trail.end("finished")
    report = report_of(store)
    a = site_of(report, "a.com")
    assert a["requests"] == 60
    assert a["cap"]["per_minute"] == 30 and a["cap"]["per_day"] == 43_200
    # the share is of what the budget allows in the window (steady rate plus burst), so 100 % is the limit
    assert a["peak_minute"] == {"requests": 30, "start": T0, "seconds": 60, "allowance": 32.0,
                                "share": 30 / 32, "share_of_rate": 1.0, "within": True}
    assert a["peak_hour"]["requests"] == 60 and a["peak_hour"]["share"] == pytest.approx(60 / 1802)
    assert a["within_cap"] is True
    assert a["series"][:2] == [[T0, 5], [T0 + 10, 5]]
    b = site_of(report, "b.com")
    assert b["cap"] is None and b["within_cap"] is None
    assert report["summary"]["all_within_cap"] is True
    assert report["summary"]["sites_without_cap"] == ["b.com"]
    assert [s["site"] for s in report["sites"]] == ["a.com", "b.com"]  # busiest first


def test_a_site_over_its_cap_is_named():
    trail, store, clock = make()
    trail.start({})
    trail.budget("a.com", cap=0.1, burst=1)  # 6 per minute + 1
    for i in range(8):
        trail.sent("a.com", T0 + i)
    trail.end("finished")
    report = report_of(store)
    a = site_of(report, "a.com")
    assert a["peak_minute"]["requests"] == 8 and a["peak_minute"]["allowance"] == pytest.approx(7)
    assert a["within_cap"] is False
    assert report["summary"]["all_within_cap"] is False
    assert report["summary"]["sites_over_cap"] == ["a.com"]
    assert any("went over the cap (its steady rate plus the burst): a.com" in line
               for line in report["summary"]["text"])


def test_window_peak_slides_across_bucket_boundaries():
    series = {0: 1, 50: 4, 60: 5, 120: 1, 3700: 9}
    assert window_peak(series, 60) == (9, 50)
    assert window_peak(series, 3600) == (11, 0)
    assert window_peak({}, 60) == (0, None)


def test_stop_time_to_honour_and_requests_sent_around_it():
    trail, store, clock = make()
    trail.start({})
    trail.sent("a.com", T0 + 1)
    trail.sent("a.com", T0 + 3)  # after the owner asked, before the crawl applied the stop
    trail.stop("a.com", source="operator", signal="mail from the owner", received_at=T0 + 2,
               honoured_at=T0 + 4.5, dropped=7, stop_id="stop-1")
    trail.sent("a.com", T0 + 4)  # reported late (in flight), sent before the honour: fine
    trail.sent("b.com", T0 + 6)  # another site
    clock.advance(10)
    trail.end("finished")
    report = report_of(store)
    (stop,) = site_of(report, "a.com")["stops"]
    assert stop["time_to_honour"] == 2.5
    assert stop["sent_between"] == 2 and stop["sent_after"] == 0
    assert stop["honoured"] is True and stop["dropped"] == 7 and stop["before_crawl"] is False
    assert report["summary"]["all_stops_honoured"] is True
    assert any(line.startswith("The stop was honoured: no request was sent") and "2.5 s" in line
               for line in report["summary"]["text"])


def test_a_request_after_the_stop_makes_it_not_honoured():
    trail, store, clock = make()
    trail.start({})
    trail.stop("a.com", source="block", signal="login wall", received_at=T0, honoured_at=T0)
    trail.sent("a.com", T0 + 1)
    trail.end("finished")
    report = report_of(store)
    (stop,) = site_of(report, "a.com")["stops"]
    assert stop["sent_after"] == 1 and stop["honoured"] is False
    assert report["summary"]["all_stops_honoured"] is False
    assert report["summary"]["stops_not_honoured"] == ["a.com (block)"]


def test_stop_issued_before_the_crawl_counts_as_in_force_from_the_start():
    trail, store, clock = make()
    trail.start({})
    trail.stop("a.com", source="operator", signal="letter", received_at=T0 - 86_400, honoured_at=T0)
    trail.end("finished")
    (stop,) = site_of(report_of(store), "a.com")["stops"]
    assert stop["before_crawl"] is True and stop["time_to_honour"] == 0.0 and stop["honoured"] is True


def test_pause_window_is_checked():
    trail, store, clock = make()
    trail.start({})
    trail.pause("a.com", source="retry-after", signal="120", received_at=T0, honoured_at=T0, until=T0 + 120)
    trail.sent("a.com", T0 + 60)  # inside the pause
    trail.sent("a.com", T0 + 121)  # after it
    trail.end("finished")
    (pause,) = site_of(report_of(store), "a.com")["pauses"]
    assert pause["signal"] == "120" and pause["until"] == T0 + 120
    assert pause["sent_after"] == 1 and pause["honoured"] is False


def test_running_crawl_has_no_outcome_yet():
    trail, store, clock = make(flush_interval=0)
    trail.start({})
    trail.stop("a.com", source="operator", signal="x", received_at=T0, honoured_at=T0)
    trail.sent("b.com", T0)
    report = report_of(store)
    assert report["crawl"]["running"] is True
    (stop,) = site_of(report, "a.com")["stops"]
    assert stop["honoured"] is None and stop["outcome"] == "crawl running"
    assert report["summary"]["all_stops_honoured"] is None
    assert "still running" in format_report(report).splitlines()[3]


def test_robots_refusals_pii_and_tallies_are_folded_per_site():
    trail, store, clock = make()
    trail.start({})
    trail.robots_fetch("https://a.com:443", 200, "v1abc")
    trail.robots_refused("https://a.com:443", "Disallow: /private", 3)
    trail.count("a.com", "robots-refused", 1, key="https://a.com:443 Disallow: /tmp")
    trail.count("a.com", "pii-type", 2, key="email")
    trail.count("a.com", "pii-field", 2, key="contact")
    trail.count("a.com", "pii-removal", 2, key="email contact")
    trail.count("a.com", "tally", 4, key="refused:reservations:tdmrep.json")
    trail.count("a.com", "tally", 5, key="dropped:operator")
    trail.count("a.com", "tally", 1, key="items_dropped:x-robots-tag")
    trail.end("finished")
    a = site_of(report_of(store), "a.com")
    assert a["robots"]["fetches"][0]["version"] == "v1abc"
    assert a["robots"]["refusals"] == {"https://a.com:443": {"Disallow: /private": 3, "Disallow: /tmp": 1}}
    assert a["robots"]["refused"] == 4
    assert a["pii"] == {"by_type": {"email": 2}, "by_field": {"contact": 2}, "removed": 2, "removals": [
        {"field": "contact", "type": "email", "count": 2, "keep":
         'to keep it knowingly: POLITECRAWL_PII_ALLOW = ["contact"], or declare it contact = scrapy.Field(pii=False)'},
    ]}
    assert a["reservations"] == {"tdmrep.json": 4}
    assert a["dropped"] == {"operator": 5}
    assert a["items_withheld"] == {"x-robots-tag": 1}


def test_per_request_records_only_when_on():
    for on, expected in ((False, 0), (True, 2)):
        trail, store, clock = make(per_request=on)
        trail.start({})
        trail.request("a.com", {"url": "https://a.com/x", "at": T0, "status": 200})
        trail.request("a.com", {"url": "https://a.com/y", "at": T0, "status": 404})
        trail.end("finished")
        assert [r.kind for r in records(store, "c1")].count("request") == expected
        assert report_of(store)["crawl"]["per_request_records"] == expected


class FlakyStore(MemoryStateStore):
    def __init__(self, clock):
        super().__init__(clock)
        self.down = False

    def append(self, log, record):
        if self.down:
            raise StateStoreError("down")
        return super().append(log, record)


def test_records_survive_a_store_outage_in_order():
    clock = FakeClock(T0)
    store = FlakyStore(clock)
    trail = AuditTrail(store, "c1", clock, flush_interval=1)
    trail.start({})
    store.down = True
    trail.sent("a.com", T0)
    trail.stop("a.com", source="operator", signal="x", received_at=T0, honoured_at=T0)
    clock.advance(2)
    trail.flush()
    assert trail.write_errors >= 1
    store.down = False
    trail.end("finished")
    kinds = [r.kind for r in records(store, "c1")]
    assert kinds == ["crawl-start", "stop", "stop-outcome", "counts", "crawl-end"]
    assert [r["event"] for _, r in store.read_log(CRAWLS_KEY)] == ["start", "end"]


def test_records_hold_no_values_only_names():
    trail, store, clock = make()
    trail.start({})
    trail.count("a.com", "pii-type", 1, key="phone")
    trail.end("finished")
    raw = json.dumps(store.read_log(log_key("c1")))
    assert "phone" in raw and "+86" not in raw


def test_bad_bucket_is_refused():
    with pytest.raises(ValueError, match="bucket"):
        make(bucket=7)


def _round_trip(store):
    clock = FakeClock(T0)
    trail = AuditTrail(store, "c-store", clock, flush_interval=1)
    trail.start({"purpose": "research"})
    trail.budget("a.com", cap=1.0, burst=2)
    for i in range(5):
        clock.advance(1)
        trail.sent("a.com", clock())
    trail.stop("a.com", source="operator", signal="x", received_at=clock() - 0.5, honoured_at=clock() + 0.1)
    trail.end("finished")
    report = report_of(store, "c-store")
    a = site_of(report, "a.com")
    return a["requests"], a["within_cap"], a["stops"][0]["honoured"], report["crawl"]["end_reason"]


def test_sqlite_store_round_trip(tmp_path):
    from politecrawl.state import open_store

    store = open_store(f"sqlite:///{tmp_path / 'audit.db'}")
    assert _round_trip(store) == (5, True, True, "finished")
    store.close()


@pytest.mark.redis
def test_redis_store_round_trip(redis_url):
    from politecrawl.state import open_store

    store = open_store(redis_url)
    assert _round_trip(store) == (5, True, True, "finished")
    store.close()


def test_received_writes_what_its_three_counts_write() -> None:
    # received() adds bytes, responses and the status class under one lookup when no flush is due, and one count
    # at a time when one is: the records are those of three count() calls, late answers and odd statuses included.
    def run(use_received: bool) -> list[tuple[str, str]]:
        trail, store, clock = make(flush_interval=2, bucket=10)
        trail.start({})
        for i, (status, late) in enumerate([(200, 0), (404, 0), (503, 25), (200, 0), (999, 0), (301, 12), (200, 0)]):
            clock.advance(1.5)
            at = clock() - late
            if use_received:
                trail.received("a.com", 100 + i, status, at=at)
            else:
                trail.count("a.com", "bytes", 100 + i, at=at)
                trail.count("a.com", "responses", 1, at=at)
                trail.count("a.com", "status", 1, key=f"{status // 100}xx", at=at)
        trail.end("finished")
        return [(r.kind, json.dumps(r.data, sort_keys=True)) for r in records(store, "c1") if r.kind == "counts"]

    assert run(True) == run(False)
    assert len(run(True)) >= 3


def test_the_verdict_and_the_figures_agree_and_read_as_written():
    """A minute over the steady rate but within the burst is within the cap, and is not shown above 100 %."""
    trail, store, clock = make(bucket=10)
    trail.start({})
    trail.budget("a.com", cap=0.1, burst=2)  # 6 a minute, +2 burst: 8 allowed in any minute
    for i in range(8):
        trail.sent("a.com", T0 + i)
    trail.end("finished")
    report = report_of(store)
    a = site_of(report, "a.com")
    assert a["within_cap"] is True and a["peak_minute"]["share"] == pytest.approx(1.0)
    text = " ".join(report["summary"]["text"])
    assert "8 requests were sent to 1 site." in text
    assert "The site with a traffic cap stayed within it" in text and "used 100% of what the cap allows" in text


def test_one_of_a_kind_is_singular():
    trail, store, clock = make()
    trail.start({})
    trail.sent("a.com", T0)
    trail.robots_refused("https://a.com:443", "disallow:/x")
    trail.end("finished")
    text = " ".join(report_of(store)["summary"]["text"])
    assert "1 request was sent to 1 site." in text
    assert "1 request was not sent because robots.txt disallowed it." in text
    assert "1 requests" not in text and "1 sites" not in text
