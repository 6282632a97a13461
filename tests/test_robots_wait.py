"""While robots.txt is unreachable the origin's requests wait; when the crawl gives up on it."""

from __future__ import annotations

import pytest

from politecrawl.clock import FakeClock
from politecrawl.pacing import Pacer
from politecrawl.robots import (
    ENDED_UNREACHABLE,
    FetchOutcome,
    RobotsConfig,
    all_ended_unreachable,
    record_from_fetch,
    retry_at,
)

ORIGIN = "http://a.test:80"
CFG = RobotsConfig()


def _fail(at: float, status: int | None = 503, retry_after: str | None = None):
    headers = [("Retry-After", retry_after)] if retry_after else []
    return FetchOutcome.from_pairs(at, status, b"", headers, error=None if status else "twisted.x.Error")


def test_the_wait_doubles_from_30_s_and_the_origin_ends_past_the_max_wait():
    record, at, tries = None, 0.0, []
    while True:
        record = record_from_fetch(ORIGIN, _fail(at), CFG, record)
        assert record.since == 0.0
        when = retry_at(record, max_wait=3600)
        if when is None:
            break
        tries.append(when)
        at = when
    assert tries == [30, 90, 210, 450, 930, 1890]  # the next (3810) is past an hour


def test_retry_after_is_honoured_and_a_deadline_ends_the_wait_sooner():
    record = record_from_fetch(ORIGIN, _fail(100.0, 429, "120"), CFG)
    assert retry_at(record, max_wait=3600) == 220
    assert retry_at(record, max_wait=3600, deadline=220.5) == 220
    assert retry_at(record, max_wait=3600, deadline=200) is None  # the crawl ends first
    assert retry_at(record, max_wait=0) is None


def test_a_network_error_waits_like_a_5xx_and_an_answer_ends_the_run():
    record = record_from_fetch(ORIGIN, _fail(0.0, None), CFG)
    assert record.kind == "unreachable" and retry_at(record, max_wait=3600) == 30
    ok = record_from_fetch(ORIGIN, FetchOutcome.from_pairs(30.0, 200, b"User-agent: *\n"), CFG, record)
    assert ok.kind == "parsed"
    with pytest.raises(ValueError):
        retry_at(ok, max_wait=3600)
    again = record_from_fetch(ORIGIN, _fail(40.0), CFG, ok)
    assert again.since == 40.0 and again.failures == 1


def test_a_stored_record_without_since_starts_its_wait_at_its_fetch():
    record = record_from_fetch(ORIGIN, _fail(50.0), CFG)
    old = type(record).from_json(record.to_json().replace(',"since":50.0', ''))
    assert old is not None and retry_at(old, max_wait=60) == 80


def test_the_crawl_failed_only_if_every_seed_site_ended_unreachable():
    down = {ENDED_UNREACHABLE: 1, "requests": 3}
    assert all_ended_unreachable(["a.test", "b.test"], {"a.test": down, "b.test": down})
    assert not all_ended_unreachable(["a.test", "b.test"], {"a.test": down, "b.test": {"status:2xx": 4}})
    assert not all_ended_unreachable(["a.test"], {"a.test": {**down, "status:2xx": 1}})
    assert not all_ended_unreachable([], {})


def test_an_origin_pause_holds_that_origin_only():
    clock = FakeClock(1000.0)
    pacer = Pacer()
    changed = []
    pacer.subscribe(changed.append)
    pacer.pause_origin("a.test", ORIGIN, 1030.0, "robots")
    assert changed == ["a.test"]
    assert pacer.ready_at("a.test", ORIGIN, clock()) == 1030.0
    assert pacer.ready_at("a.test", "https://a.test:443", clock()) == 1000.0
    assert pacer.acquire("a.test", ORIGIN, clock()) == 30.0
    pacer.pause_origin("a.test", ORIGIN, 1010.0, "robots")  # never shortened
    assert pacer.ready_at("a.test", ORIGIN, clock()) == 1030.0
    assert pacer.acquire("a.test", ORIGIN, 1030.0) == 0.0


@pytest.mark.parametrize("value", ["¹", "²0", "١٢", " 7x", ""])
def test_a_retry_after_of_non_ascii_digits_is_not_a_number_of_seconds(value):
    from politecrawl.retry_after import retry_after_seconds  # noqa: PLC0415

    # str.isdigit() holds for superscripts; float() refuses them (found by the property test)
    assert retry_after_seconds([value], now=0.0) is None
    assert retry_after_seconds([value, "30"], now=0.0) == 30.0
