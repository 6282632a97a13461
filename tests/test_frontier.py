"""PacedPriorityQueue in process: what it hands the engine and when."""

from __future__ import annotations

import pytest
from scrapy import Request, Spider
from scrapy.squeues import FifoMemoryQueue
from scrapy.utils.test import get_crawler

from politecrawl.clock import FakeClock
from politecrawl.middlewares.frontier import queue as frontier_module
from politecrawl.middlewares.frontier.queue import PacedPriorityQueue
from politecrawl.middlewares.runtime import Runtime


class _TinyWaitBudget:
    """A bucket a rounding error short of a token: it always asks for 1e-10 s more."""

    def __init__(self):
        self.asked = 0

    def acquire(self, site, now):
        self.asked += 1
        if self.asked > 1_000:
            raise AssertionError("the frontier keeps asking within one pop(): it would spin for ever")
        return 1e-10

    def ready_at(self, site, now):
        return now


@pytest.fixture
def frontier(monkeypatch):
    crawler = get_crawler(Spider, settings_dict={
        "POLITECRAWL_CONTACT": "https://example.org/bot", "POLITECRAWL_STATE": "memory://",
    })
    runtime = Runtime.of(crawler)
    runtime.clock = FakeClock(1_800_000_000.0)  # where 1e-10 s does not move a float
    wakes = []
    monkeypatch.setattr(frontier_module, "call_later", lambda delay, func: wakes.append(delay))
    queue = PacedPriorityQueue(crawler, FifoMemoryQueue, "")
    return queue, runtime, wakes


def test_a_wait_too_small_to_move_the_clock_does_not_spin_pop(frontier):
    queue, runtime, wakes = frontier
    gate = runtime.pacer.budget = _TinyWaitBudget()
    queue.push(Request("http://site.com/1"))
    assert queue.pop() is None  # returns, asking the budget once
    assert gate.asked == 1 and len(wakes) == 1
    runtime.clock.advance(1e-6)
    runtime.pacer.budget = None  # the token is there now
    assert queue.pop().url == "http://site.com/1"


def test_ready_sites_go_while_others_wait(frontier):
    queue, runtime, _ = frontier

    class OneSiteWaits:
        def acquire(self, site, now):
            return 30.0 if site == "slow.com" else 0.0

        def ready_at(self, site, now):
            return now

    runtime.pacer.budget = OneSiteWaits()
    for i in range(3):
        queue.push(Request(f"http://slow.com/{i}"))
        queue.push(Request(f"http://fast.com/{i}"))
    got = [queue.pop() for _ in range(4)]
    assert [r.url for r in got if r is not None] == [f"http://fast.com/{i}" for i in range(3)]
    assert got[3] is None and len(queue) == 3  # slow.com's three wait, none lost
