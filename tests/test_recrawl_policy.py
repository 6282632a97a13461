"""The recrawl policies: fetch history, conditional headers, verdicts and the revisit schedule."""

from __future__ import annotations

import pytest

from politecrawl.clock import FakeClock
from politecrawl.config import ConfigError
from politecrawl.recrawl import (
    CHANGED, NEW, NOT_MODIFIED, UNCHANGED, FetchHistory, FetchRecord, HistorySettings, ScheduleSettings,
    conditional_headers, first_interval, fingerprint, is_due, next_interval, payload_digest, verdict,
)
from politecrawl.recrawl.settings import RecrawlSettings
from politecrawl.state import MemoryStateStore

URL = "http://shop-a.com/p/1"
SCHEDULE = ScheduleSettings(min_interval=100, max_interval=10_000, initial_interval=1000)


def history(max_urls: int = 100) -> FetchHistory:
    return FetchHistory(MemoryStateStore(FakeClock()), HistorySettings(max_urls=max_urls, schedule=SCHEDULE))


# -- validators -----------------------------------------------------------------
def test_conditional_headers_from_the_validators_a_page_had():
    assert conditional_headers('"v1"', "Sat, 05 Dec 2026 06:00:00 GMT") == {
        "If-None-Match": '"v1"', "If-Modified-Since": "Sat, 05 Dec 2026 06:00:00 GMT"}
    assert conditional_headers("", "") == {}
    assert conditional_headers('"a"\r\nX-Evil: 1', "") == {}  # never a header injection
    assert conditional_headers("x" * 600, "") == {}


def test_payload_digest_is_warc_sha1_base32():
    assert payload_digest(b"") == "sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ"


@pytest.mark.parametrize("status,digest,previous,known,expected", [
    (304, None, "sha1:A", True, NOT_MODIFIED),
    (200, "sha1:A", None, False, NEW),
    (200, "sha1:A", "sha1:A", True, UNCHANGED),
    (200, "sha1:B", "sha1:A", True, CHANGED),
])
def test_verdict(status, digest, previous, known, expected):
    assert verdict(status, digest, previous, known) == expected


# -- schedule -------------------------------------------------------------------
def test_interval_grows_when_unchanged_shrinks_when_changed_within_bounds():
    assert next_interval(SCHEDULE, 1000, changed=False) == pytest.approx(1400)
    assert next_interval(SCHEDULE, 1000, changed=True) == pytest.approx(800)
    assert next_interval(SCHEDULE, 1000, changed=True, observed=300) == 300  # the page's own pace
    assert next_interval(SCHEDULE, 9000, changed=False) == 10_000  # bounded above
    assert next_interval(SCHEDULE, 110, changed=True) == 100  # and below


def test_sitemap_hints():
    assert first_interval(SCHEDULE) == 1000
    assert first_interval(SCHEDULE, "hourly") == 3600
    assert first_interval(SCHEDULE, "always") == 100  # the bounds still hold
    assert first_interval(SCHEDULE, "never") == 10_000
    assert first_interval(SCHEDULE, "fortnightly") == 1000  # unknown: the default
    assert is_due(next_due=2000, fetched_at=1000, now=1500, lastmod=1200)  # changed since the fetch
    assert not is_due(next_due=2000, fetched_at=1000, now=1500, lastmod=900)
    assert is_due(next_due=2000, fetched_at=1000, now=2000)


# -- history --------------------------------------------------------------------
def test_first_visit_then_304_then_digest_compare():
    h = history()
    v = h.visit(URL, 1000.0, status=200, etag='"v1"', last_modified="LM1", digest="sha1:A")
    assert v.verdict == NEW and v.before is None
    assert v.after == FetchRecord(URL, '"v1"', "LM1", "sha1:A", 1000.0, 200, 1000.0, 2000.0, 1000.0, None, 1, 0)
    assert h.get(URL) == v.after
    # a 304: not modified, validators kept, visited less often
    v = h.visit(URL, 2000.0, status=304)
    assert v.verdict == NOT_MODIFIED
    assert (v.after.etag, v.after.digest, v.after.status, v.after.interval) == ('"v1"', "sha1:A", 200, 1400.0)
    # a 200 with the same body (a server that ignored the validators): unchanged
    v = h.visit(URL, 3400.0, status=200, etag='"v1"', digest="sha1:A")
    assert v.verdict == UNCHANGED and v.after.interval == pytest.approx(1960.0)
    # a changed body: changed, visited more often, the observed change interval kept
    v = h.visit(URL, 5000.0, status=200, etag='"v2"', digest="sha1:B")
    assert v.verdict == CHANGED
    assert v.after.changes == 1 and v.after.change_interval == 4000.0 and v.after.changed_at == 5000.0
    assert v.after.interval == pytest.approx(1568.0) and v.after.etag == '"v2"' and v.after.visits == 4


def test_statuses_that_say_nothing_keep_the_history_and_gone_pages_are_forgotten():
    h = history()
    assert h.visit(URL, 1.0, status=304) is None  # no history to compare with
    h.visit(URL, 1.0, status=200, digest="sha1:A")
    before = h.get(URL)
    for status in (301, 403, 500, 503):
        assert h.visit(URL, 2.0, status=status) is None
    assert h.get(URL) == before
    h.keep_item(URL, {"url": URL})
    assert h.visit(URL, 3.0, status=404) is None
    assert h.get(URL) is None and h.item(URL) is None
    assert h.due("shop-a.com", 10**9) == ([], 0)
    assert h.store.get("recrawl:size") == "0.0"


def test_due_lists_most_overdue_first_and_counts_the_rest():
    h = history()
    for i, at in enumerate((300.0, 100.0, 200.0, 5000.0)):
        h.visit(f"http://shop-a.com/p/{i}", at, status=200, digest="sha1:A")
    h.visit("http://other.org/", 0.0, status=200, digest="sha1:A")
    due, waiting = h.due("shop-a.com", now=1250.0)
    assert due == ["http://shop-a.com/p/1", "http://shop-a.com/p/2"] and waiting == 2
    assert h.is_due("http://shop-a.com/p/3", 1250.0, lastmod=5001.0)
    assert not h.is_due("http://shop-a.com/p/3", 1250.0)
    assert h.is_due("http://shop-a.com/never-seen", 0.0)


def test_the_history_is_bounded_and_evicts_the_urls_fetched_least_recently_in_batches():
    h = history(max_urls=200)  # batch: 1 % of 200 = 2
    for i in range(200):
        h.visit(f"http://{('shop-a.com', 'other.org')[i % 2]}/p/{i}", float(i), status=200, digest="sha1:A")
    h.keep_item("http://other.org/p/1", {"url": "http://other.org/p/1"})
    h.visit("http://shop-a.com/p/0", 300.0, status=304)  # fetched again: now the most recent
    v = h.visit("http://new.net/a", 301.0, status=200, digest="sha1:B")
    assert v.verdict == NEW and v.after is not None and v.evicted == 2 and not h.full
    # /p/1 and /p/2 (fetched at 1 and 2) went, with their item and their due-index entries
    assert h.get("http://other.org/p/1") is None and h.get("http://shop-a.com/p/2") is None
    assert h.item("http://other.org/p/1") is None
    assert h.get("http://shop-a.com/p/0") is not None and h.get("http://other.org/p/3") is not None
    assert len(h.due("other.org", 1e9)[0]) == 99 and len(h.due("shop-a.com", 1e9)[0]) == 99
    assert float(h.store.get("recrawl:size")) == 199 == len(h.store.keys("recrawl:url:"))
    # the batch left room: the next new URL evicts nothing, the one after evicts the next two
    assert h.visit("http://new.net/b", 302.0, status=200, digest="sha1:B").evicted == 0
    assert h.visit("http://new.net/c", 303.0, status=200, digest="sha1:B").evicted == 2
    assert h.get("http://other.org/p/3") is None and h.get("http://shop-a.com/p/4") is None
    assert float(h.store.get("recrawl:size")) == 199
    # known URLs are updated as usual
    assert h.visit("http://shop-a.com/p/10", 304.0, status=304).evicted == 0


def test_a_full_history_that_cannot_evict_fetches_new_urls_without_recording_them():
    h = history(max_urls=0)
    v = h.visit(URL, 1.0, status=200, digest="sha1:A")
    assert v.verdict == NEW and v.after is None and v.evicted == 0 and h.full and h.get(URL) is None
    h = history(max_urls=2)
    for i in range(2):
        h.visit(f"http://shop-a.com/p/{i}", 1.0, status=200, digest="sha1:A")
    h.store.set_if_absent("recrawl:evicting", "1")  # another process is evicting
    v = h.visit("http://shop-a.com/p/2", 2.0, status=200, digest="sha1:A")
    assert v.after is None and h.full and len(h.store.keys("recrawl:url:")) == 2
    h.store.delete("recrawl:evicting")
    assert h.visit("http://shop-a.com/p/3", 3.0, status=200, digest="sha1:A").evicted == 1


def test_items_kept_compressed_and_damaged_entries_not_trusted():
    h = history()
    item = {"url": URL, "title": "Ein Titel", "text": "x" * 10_000}
    assert h.keep_item(URL, item)
    assert h.item(URL) == item
    assert len(h.store.get(f"recrawl:item:{fingerprint(URL)}")) < 500
    h.store.set(f"recrawl:url:{fingerprint(URL)}", "{not json")
    assert h.get(URL) is None
    h.store.set(f"recrawl:item:{fingerprint(URL)}", "!!")
    assert h.item(URL) is None


def test_fingerprint_ignores_the_fragment():
    assert fingerprint(URL + "#top") == fingerprint(URL) != fingerprint(URL + "?a=1")


def test_settings():
    s = RecrawlSettings.from_settings({}.get)
    assert s.enabled and s.history.max_urls == 1_000_000
    s = RecrawlSettings.from_settings({"POLITECRAWL_RECRAWL": "off", "POLITECRAWL_RECRAWL_MIN_INTERVAL": "0",
                                       "POLITECRAWL_RECRAWL_INITIAL_INTERVAL": "0"}.get)
    assert not s.enabled and s.history.schedule.min_interval == 0
    with pytest.raises(ConfigError, match="POLITECRAWL_RECRAWL_MAX_INTERVAL"):
        RecrawlSettings.from_settings({"POLITECRAWL_RECRAWL_MIN_INTERVAL": "100",
                                       "POLITECRAWL_RECRAWL_MAX_INTERVAL": "10"}.get)
    with pytest.raises(ConfigError, match="POLITECRAWL_RECRAWL_MAX_URLS"):
        RecrawlSettings.from_settings({"POLITECRAWL_RECRAWL_MAX_URLS": "-1"}.get)


# -- the same history in every store ---------------------------------------------
@pytest.fixture(params=["sqlite", pytest.param("redis", marks=pytest.mark.redis)])
def shared_store(request, tmp_path):
    from politecrawl.state import open_store  # noqa: PLC0415

    url = f"sqlite:///{tmp_path / 'state.db'}" if request.param == "sqlite" else request.getfixturevalue("redis_url")
    store = open_store(url)
    yield store
    store.close()


def test_history_in_sqlite_and_redis(shared_store):
    h = FetchHistory(shared_store, HistorySettings(max_urls=10, schedule=SCHEDULE))
    h.visit(URL, 1000.0, status=200, etag='"v1"', last_modified="LM1", digest="sha1:A")
    assert h.visit(URL, 2000.0, status=304).verdict == NOT_MODIFIED
    assert h.get(URL).interval == 1400.0
    assert h.due("shop-a.com", 3400.0) == ([URL], 0)
    assert h.due("shop-a.com", 3399.0) == ([], 1)
    h.keep_item(URL, {"url": URL, "title": "中文"})
    assert h.item(URL)["title"] == "中文"
    assert float(shared_store.get("recrawl:size")) == 1
    # full at 10: a new URL evicts the one fetched least recently (batch 1), in this store too
    for i in range(2, 11):
        h.visit(f"http://other.org/p/{i}", 1500.0 + i, status=200, digest="sha1:B")
    assert h.visit("http://other.org/new", 4000.0, status=200, digest="sha1:B").evicted == 1
    assert h.get("http://other.org/p/2") is None and h.get(URL) is not None
    assert float(shared_store.get("recrawl:size")) == 10 and shared_store.get("recrawl:evicting") is None


def test_two_nodes_share_one_history(shared_store):
    """Two processes of a crawl (nodes of a cluster on Redis, or crawls on one SQLite file) see each
    other's fetches: what one fetched, the other asks for with its validators, and the bound is shared."""
    from politecrawl.state import open_store  # noqa: PLC0415

    other = open_store(shared_store.url)  # a second connection, as a second node has
    try:
        a = FetchHistory(shared_store, HistorySettings(max_urls=3, schedule=SCHEDULE))
        b = FetchHistory(other, HistorySettings(max_urls=3, schedule=SCHEDULE))
        a.visit(URL, 1000.0, status=200, etag='"v1"', last_modified="LM1", digest="sha1:A")
        assert b.get(URL).etag == '"v1"' and b.due("shop-a.com", 2000.0) == ([URL], 0)
        assert b.visit(URL, 2000.0, status=304).verdict == NOT_MODIFIED
        assert a.get(URL).visits == 2 and a.get(URL).interval == 1400.0
        b.visit("http://shop-a.com/p/2", 2001.0, status=200, digest="sha1:B")
        a.visit("http://shop-a.com/p/3", 2002.0, status=200, digest="sha1:C")
        # the fourth URL, on node b, makes room by evicting the URL fetched least recently by either node
        assert b.visit("http://shop-a.com/p/4", 2003.0, status=200, digest="sha1:D").evicted == 1
        assert a.get(URL) is None and b.get("http://shop-a.com/p/2") is not None
        assert float(other.get("recrawl:size")) == 3 == len(shared_store.keys("recrawl:url:"))
    finally:
        other.close()


def test_report_lines_on_revalidations_and_the_archive():
    from politecrawl.audit.recrawl import recrawl_lines  # noqa: PLC0415

    report = {"crawl": {"warc": "/data/crawl.warc.gz"},
              "sites": [{"recrawl": {"not-modified": 90, "changed": 10}}, {"recrawl": {"unchanged": 1}}]}
    assert recrawl_lines(report) == [
        "90 pages were revalidated (the site answered 304 Not Modified, no body); 1 page came back unchanged "
        "in full (same digest), 10 pages changed, 0 pages were new.",
        "An archive of the pages as served (WARC), personal data included, was written to /data/crawl.warc.gz.",
    ]
    assert recrawl_lines({"crawl": {}, "sites": [{"recrawl": {}}]}) == []


def test_a_record_is_encoded_as_its_fields_in_order():
    """`FetchRecord.encode` reads the fields with vars() (issue 21): the JSON asdict() gave, field for field."""
    import json
    from dataclasses import asdict

    record = FetchRecord(url="http://a.example/p/1", etag='"x"', last_modified="Thu, 01 Jan 2026 00:00:00 GMT",
                         digest="sha1:AB", fetched_at=1.5e9, status=200, interval=60.0, next_due=1.5e9 + 60,
                         change_interval=None, visits=2, changes=1)
    assert record.encode() == json.dumps(asdict(record), separators=(",", ":"), ensure_ascii=False)
    assert FetchRecord.decode(record.encode()) == record


# -- write-behind (a networked store) ------------------------------------------------
class CountingStore(MemoryStateStore):
    """A memory store that counts the store steps (what would each be a round trip to Redis)."""

    def __init__(self) -> None:
        super().__init__(FakeClock())
        self.steps: list[str] = []

    def get(self, key):
        self.steps.append("get")
        return super().get(key)

    def set(self, key, value, *, ttl=None):
        self.steps.append("set")
        super().set(key, value, ttl=ttl)

    def set_indexed_many(self, writes):
        self.steps.append(f"set_indexed_many:{len(writes)}")
        before, self.steps = self.steps, []  # the default's plain operations are this one step
        try:
            return super().set_indexed_many(writes)
        finally:
            self.steps = before


def behind(max_urls: int = 100) -> FetchHistory:
    store = CountingStore()
    return FetchHistory(store, HistorySettings(max_urls=max_urls, schedule=SCHEDULE), write_behind=True,
                        clock=store.clock)


def test_write_behind_writes_records_and_items_together_in_one_step_a_batch():
    from politecrawl.recrawl.history import FLUSH_BATCH, FLUSH_INTERVAL, ITEM_WAIT  # noqa: PLC0415

    h = behind()
    store = h.store
    for i in range(3):
        url = f"http://shop-a.com/p/{i}"
        h.visit(url, 10.0, status=200, etag=f'"v{i}"', digest="sha1:A", before=None, wait_for_item=True)
        if i < 2:
            h.keep_item(url, {"url": url, "i": i}, now=10.1)
    assert store.steps == []  # nothing written yet, nothing read (before= given)
    assert h.get("http://shop-a.com/p/1").etag == '"v1"' and h.item("http://shop-a.com/p/1")["i"] == 1
    assert store.steps == []  # this process reads what it holds from memory
    assert h.flush(10.0 + FLUSH_INTERVAL - 0.01).written == 0  # not due yet
    flushed = h.flush(10.0 + FLUSH_INTERVAL)
    # p/0 and p/1 with their items, in one step; p/2 waits for its item
    assert flushed.written == 2 and store.steps == ["set_indexed_many:2"]
    assert len(store.keys("recrawl:url:")) == 2 == len(store.keys("recrawl:item:"))
    assert float(MemoryStateStore.get(store, "recrawl:size")) == 2  # (read past the count of steps)
    assert h.holds("http://shop-a.com/p/2") and not h.holds("http://shop-a.com/p/1")
    assert h.flush(10.0 + ITEM_WAIT - 0.01).written == 0
    assert h.flush(10.0 + ITEM_WAIT).written == 1  # no item came: the record goes alone
    assert float(MemoryStateStore.get(store, "recrawl:size")) == 3 and not h.held
    # a batch of FLUSH_BATCH ready records is written at once, whatever its age
    store.steps.clear()
    for i in range(FLUSH_BATCH):
        h.visit(f"http://other.org/p/{i}", 20.0, status=200, digest="sha1:B", before=None)
    assert h.flush(20.0).written == FLUSH_BATCH and store.steps == [f"set_indexed_many:{FLUSH_BATCH}"]


def test_write_behind_flushes_at_most_once_an_interval_and_only_validated_records_wait():
    """A steady stream of answers whose items never come (a record with a validator, its item dropped
    by a pipeline) costs one store step a FLUSH_INTERVAL, not one a look (the 0.25 s tick): before,
    each record that ran out of ITEM_WAIT made its own flush. A record without a validator gets no
    item kept (no 304 can ask for it), so it does not wait for one."""
    from politecrawl.recrawl.history import FLUSH_INTERVAL, ITEM_WAIT  # noqa: PLC0415

    h = behind(max_urls=10_000)
    store = h.store
    h.visit("http://shop-a.com/plain", 0.0, status=200, digest="sha1:A", before=None, wait_for_item=True)
    assert not h.held[fingerprint("http://shop-a.com/plain")].waiting
    assert h.flush(FLUSH_INTERVAL).written == 1  # written without waiting ITEM_WAIT for an item
    store.steps.clear()
    t, i = FLUSH_INTERVAL, 0
    while t < 30.0:  # 4 answers a second, each with an ETag, no item ever kept; a look every 0.25 s
        h.visit(f"http://shop-a.com/p/{i}", t, status=200, etag=f'"{i}"', digest="sha1:A", before=None,
                wait_for_item=True)
        h.flush(t)
        t, i = t + 0.25, i + 1
    seconds = 30.0 - FLUSH_INTERVAL - ITEM_WAIT  # flushing starts when the first record ran out of its wait
    assert 0 < len(store.steps) <= seconds / FLUSH_INTERVAL + 1, store.steps


def test_write_behind_keeps_the_bound_evicts_at_the_flush_and_forgets_what_it_never_wrote():
    h = behind(max_urls=200)  # batch: 1 % of 200 = 2
    for i in range(200):
        h.visit(f"http://shop-a.com/p/{i}", float(i), status=200, digest="sha1:A", before=None)
    assert h.flush(1000.0).written == 200
    h.visit("http://new.net/a", 1001.0, status=200, digest="sha1:B", before=None)
    h.keep_item("http://new.net/a", {"url": "a"})
    flushed = h.flush(1001.0, force=True)
    assert (flushed.written, flushed.evicted, flushed.not_recorded) == (1, 2, 0)
    assert h.get("http://shop-a.com/p/0") is None and h.item("http://new.net/a") == {"url": "a"}
    assert float(h.store.get("recrawl:size")) == 199
    # a new URL held, then gone (404): nothing written, nothing counted
    h.visit("http://new.net/b", 1002.0, status=200, digest="sha1:B", before=None)
    h.visit("http://new.net/b", 1003.0, status=404)
    assert not h.held and h.get("http://new.net/b") is None and float(h.store.get("recrawl:size")) == 199
    # full, and another process evicting: the new URL is not recorded, nor its item
    full = behind(max_urls=1)
    full.visit(URL, 1.0, status=200, digest="sha1:A", before=None)
    full.flush(1.0, force=True)
    full.store.set_if_absent("recrawl:evicting", "1")
    full.visit("http://shop-a.com/p/2", 2.0, status=200, digest="sha1:A", before=None)
    full.keep_item("http://shop-a.com/p/2", {"url": "2"})
    assert full.flush(2.0, force=True).not_recorded == 1 and full.full
    assert full.store.get(f"recrawl:item:{fingerprint('http://shop-a.com/p/2')}") is None


def test_write_behind_on_redis_one_script_a_batch(redis_url):
    from politecrawl.state import open_store  # noqa: PLC0415

    store = open_store(redis_url)
    other = open_store(redis_url)
    try:
        h = FetchHistory(store, HistorySettings(max_urls=10, schedule=SCHEDULE), write_behind=True)
        h.visit(URL, 1000.0, status=200, etag='"v1"', digest="sha1:A", before=None, wait_for_item=True)
        h.keep_item(URL, {"url": URL, "title": "中文"})
        assert other.get(f"recrawl:url:{fingerprint(URL)}") is None  # held: not written yet
        assert h.flush(force=True).written == 1
        seen = FetchHistory(other, HistorySettings(max_urls=10, schedule=SCHEDULE))
        assert seen.get(URL).etag == '"v1"' and seen.item(URL)["title"] == "中文"
        assert seen.due("shop-a.com", 1e9) == ([URL], 0) and float(other.get("recrawl:size")) == 1
    finally:
        store.close()
        other.close()
