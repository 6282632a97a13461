"""An unreachable tdmrep.json: fail closed for the purposes TDM binds, tried again on robots.txt's schedule."""

from __future__ import annotations

import pytest

from politecrawl.robots.outage import backoff, next_try
from politecrawl.stops.purposes import TDM, Purpose
from politecrawl.stops.tdmrep import UNREACHABLE, outage_after, parse_tdmrep_file


@pytest.mark.parametrize("status", [None, 429, 500, 502, 503, 504, 599, 600])
def test_a_network_error_429_or_5xx_is_unreachable_and_reserves_every_path(status):
    parsed = parse_tdmrep_file(status, b"oops" if status else None)
    assert parsed.status == UNREACHABLE and parsed.fail_closed
    reserved = parsed.reservation("/any/path?q=1")
    assert reserved is not None and reserved.purposes == TDM
    assert Purpose.SEARCH not in reserved.purposes
    assert "unreachable" in reserved.detail


@pytest.mark.parametrize("status", [301, 400, 401, 403, 404, 410])
def test_an_answer_that_serves_no_file_is_absent(status):
    parsed = parse_tdmrep_file(status, b"")
    assert parsed.status == "absent" and not parsed.fail_closed and parsed.reservation("/x") is None


def test_the_outage_schedule_is_robots_txt_s():
    outage, now, tries = None, 0.0, []
    while True:
        outage = outage_after(outage, now, "HTTP 503", None, base=30, cap=3600)
        assert outage.since == 0.0 and outage.why == "HTTP 503"
        when = next_try(outage.since, outage.retry_at, max_wait=3600)
        if when is None:
            break
        tries.append(when)
        now = when
    assert tries == [30, 90, 210, 450, 930, 1890]  # as robots.txt (tests/test_robots_wait.py)
    assert outage.failures == 7


def test_retry_after_wins_up_to_the_cap_and_a_deadline_ends_the_wait():
    outage = outage_after(None, 100.0, "HTTP 429", 120.0, base=30, cap=3600)
    assert outage.retry_at == 220 and outage.failures == 1
    assert next_try(outage.since, outage.retry_at, max_wait=3600, deadline=200) is None
    assert outage_after(None, 0.0, "HTTP 503", 10**9, base=30, cap=3600).retry_at == 3600
    assert outage_after(None, 0.0, "HTTP 503", 5.0, base=30, cap=3600).retry_at == 30  # the back-off wins


def test_backoff_doubles_to_the_cap():
    assert [backoff(n, None, base=1, cap=10) for n in (1, 2, 3, 4, 5)] == [1, 2, 4, 8, 10]
    assert backoff(0, None, base=30, cap=3600) == 30
