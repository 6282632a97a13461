"""PacedPriorityQueue in process: what it hands the engine and when."""

from __future__ import annotations

import pytest
from scrapy import Request, Spider
from scrapy.squeues import FifoMemoryQueue, PickleFifoDiskQueue
from scrapy.utils.test import get_crawler

from politecrawl.admission import GO, REFUSED, GateAnswer
from politecrawl.clock import FakeClock
from politecrawl.middlewares.frontier import disk as disk_module
from politecrawl.middlewares.frontier import queue as frontier_module
from politecrawl.middlewares.frontier.queue import PacedPriorityQueue
from politecrawl.middlewares.runtime import ADMISSION, KEYS, Runtime, keys_of


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


@pytest.fixture(params=["memory", "disk"])
def frontier(request, monkeypatch, tmp_path):
    """The paced frontier over the memory store, and over the disk store (JOBDIR)."""
    crawler = get_crawler(Spider, settings_dict={
        "POLITECRAWL_CONTACT": "https://example.org/bot", "POLITECRAWL_STATE": "memory://",
        "JOBDIR": str(tmp_path / "job") if request.param == "disk" else None,
    })
    runtime = Runtime.of(crawler)
    runtime.clock = FakeClock(1_800_000_000.0)  # where 1e-10 s does not move a float
    wakes = []
    monkeypatch.setattr(frontier_module, "call_later", lambda delay, func: wakes.append(delay))
    monkeypatch.setattr(disk_module, "call_later", lambda delay, func: _NoCall())
    if request.param == "disk":
        queue = PacedPriorityQueue(crawler, PickleFifoDiskQueue, str(tmp_path / "job" / "requests.queue"))
    else:
        queue = PacedPriorityQueue(crawler, FifoMemoryQueue, "")
    yield queue, runtime, wakes
    queue.close()


class _NoCall:
    def active(self):
        return False


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


class _CountingBudget:
    """Grants every request and counts the tokens taken."""

    def __init__(self):
        self.taken = 0

    def acquire(self, site, now):
        self.taken += 1
        return 0.0

    def ready_at(self, site, now):
        return now


class _KnownRobots:
    """A gate whose rules are known: /private/ is disallowed."""

    name = "robots"

    def known_answer(self, origin, url, now):
        return GateAnswer(False, "disallowed") if "/private/" in url else GateAnswer(True)


def test_a_request_a_known_gate_answer_refuses_takes_no_token_and_no_turn(frontier):
    queue, runtime, _ = frontier
    budget = runtime.pacer.budget = _CountingBudget()
    runtime.pacer.set_min_interval("http://site.com:80", 10.0, "robots")  # one request per 10 s
    runtime.admission.add_gate(_KnownRobots())
    for path in ("/private/1", "/a", "/private/2", "/b"):
        queue.push(Request(f"http://site.com{path}"))
    first = queue.pop()  # refused at admission: leaves at once, nothing taken
    assert first.url == "http://site.com/private/1"
    assert first.meta[ADMISSION].kind == REFUSED and first.meta[ADMISSION].refused_by == "robots"
    assert budget.taken == 0
    second = queue.pop()  # the pace turn is still there for an allowed page
    assert second.url == "http://site.com/a" and second.meta[ADMISSION].kind == GO
    assert second.meta[ADMISSION].gate("robots") == GateAnswer(True)  # the gate reads it
    assert budget.taken == 1
    assert queue.pop() is None  # the next allowed page waits its 10 s; /private/2 waits behind it
    runtime.clock.advance(10.0)
    third = queue.pop()
    assert third.url == "http://site.com/private/2" and third.meta[ADMISSION].kind == REFUSED
    assert queue.pop().url == "http://site.com/b"  # no turn went to /private/2
    assert budget.taken == 2
    assert runtime.stats.get_value("politecrawl/admission/refused_before_token/robots") == 2


def test_site_and_origin_are_stamped_once_at_entry(frontier):
    queue, runtime, _ = frontier
    request = Request("https://Shop.Example.co.uk:8443/x")
    queue.push(request)
    assert request.meta[KEYS] == (request.url, "example.co.uk", "https://shop.example.co.uk:8443")
    assert keys_of(request) == ("example.co.uk", "https://shop.example.co.uk:8443")
    moved = request.replace(url="https://other.org/")  # a copy with the meta of another URL
    assert keys_of(moved) == ("other.org", "https://other.org:443")


def test_the_disk_store_gives_a_known_origins_site_without_a_suffix_lookup(frontier, monkeypatch):
    queue, _, _ = frontier
    store = "disk" if isinstance(queue.store, disk_module.DiskRequestStore) else "memory"
    from politecrawl.middlewares import runtime as runtime_module  # noqa: PLC0415

    looked_up = []
    real = runtime_module.site_key
    monkeypatch.setattr(runtime_module, "site_key", lambda url: looked_up.append(url) or real(url))
    first, second = Request("https://Shop.Example.co.uk:8443/x"), Request("https://shop.example.co.uk:8443/y")
    queue.push(first)
    queue.push(second)
    keys = ("example.co.uk", "https://shop.example.co.uk:8443")
    assert first.meta[KEYS][1:] == keys and second.meta[KEYS][1:] == keys
    assert looked_up == ([first.url] if store == "disk" else [first.url, second.url])
