"""Refresh: the stored copy, another process's fetch, or ours (the robots.txt gate's fetch/lease/poll steps)."""

from __future__ import annotations

from politecrawl.robots import FetchOutcome, RobotsConfig, record_from_fetch
from politecrawl.robots.refresh import CLAIM, FETCH, POLL, USE_STORED, Refresh

ORIGIN = "http://a.test:80"
CFG = RobotsConfig()


def _record(at: float, status: int = 200):
    return record_from_fetch(ORIGIN, FetchOutcome.from_pairs(at, status, b"User-agent: *\nDisallow: /x\n"), CFG)


def test_a_fresh_stored_copy_is_used_without_a_fetch():
    stored = _record(0.0)
    plan = Refresh(None)
    assert plan.start(stored, 10.0) == USE_STORED and plan.stored is stored


def test_no_or_an_expired_copy_claims_the_lease_and_a_taken_lease_fetches():
    assert Refresh(None).start(None, 0.0) == CLAIM
    old = _record(0.0)
    plan = Refresh(None)
    assert plan.start(old, old.expires_at) == CLAIM
    assert plan.claimed(True, old.expires_at) == FETCH
    assert plan.previous is old  # its last good copy and failures carry over


def test_another_process_s_fetch_is_awaited_up_to_the_lease():
    plan = Refresh(None, lease=60.0, poll_interval=0.2)
    assert plan.start(None, 100.0) == CLAIM
    assert plan.claimed(False, 100.0) == POLL
    assert plan.polled(None, 100.2) == POLL
    assert plan.polled(None, 159.9) == POLL
    fresh = _record(159.95)
    assert plan.polled(fresh, 160.0) == USE_STORED and plan.stored is fresh


def test_when_the_lease_runs_out_we_fetch_ourselves():
    plan = Refresh(None, lease=60.0)
    plan.start(None, 100.0)
    plan.claimed(False, 100.0)
    assert plan.polled(None, 160.0) == FETCH


def test_the_record_a_fetch_replaces_is_the_stored_one_else_the_one_in_force():
    current = _record(0.0)
    plan = Refresh(current)
    plan.start(None, 90_000.0)
    assert plan.previous is current
    stored = _record(1.0, status=503)
    plan = Refresh(current)
    plan.start(stored, stored.expires_at)
    assert plan.previous is stored
