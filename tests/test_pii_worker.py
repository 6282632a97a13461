"""The personal-data filter's worker thread: order kept, hand-offs batched both ways, nothing filtered after close.

A stand-in reactor runs what the worker schedules when the test says so: ``turn()`` ends a turn of the loop (the
``callLater(0)`` calls), ``wake()`` runs one ``callFromThread`` call, waiting for the worker to make it.
"""

from __future__ import annotations

import queue
import threading

from politecrawl.middlewares.items.pii_worker import CANCELLED, Worker


class StandInReactor:
    def __init__(self) -> None:
        self.later: list = []
        self.from_thread: queue.SimpleQueue = queue.SimpleQueue()

    def callLater(self, delay, f):  # noqa: N802 - Twisted's name
        assert delay == 0
        self.later.append(f)

    def callFromThread(self, f):  # noqa: N802 - Twisted's name
        self.from_thread.put(f)

    def turn(self) -> None:
        later, self.later = self.later, []
        for f in later:
            f()

    def wake(self) -> None:
        self.from_thread.get(timeout=30)()


def outcomes(deferreds) -> list:
    got = []
    for d in deferreds:
        d.addCallback(got.append)
    return got


def test_items_of_one_turn_go_in_one_hand_off_and_come_back_in_order_with_one_wake_up():
    reactor = StandInReactor()
    at_last = threading.Event()
    threads = set()

    def run(item):
        threads.add(threading.current_thread().name)
        if item == "last":
            at_last.set()  # "a", "b" and "c" are done and their outcomes wait for the reactor
        return item.upper()

    worker = Worker(run, reactor)
    got = outcomes([worker.submit(x) for x in ("a", "b", "c", "last")])
    assert got == [] and worker.batches == 0  # nothing handed over before the turn ends
    reactor.turn()
    assert worker.batches == 1
    assert at_last.wait(30)
    assert worker.wakes == 1  # three outcomes ready, one wake-up on its way
    reactor.wake()
    assert got[:3] == ["A", "B", "C"]
    while len(got) < 4:
        reactor.wake()
    assert got == ["A", "B", "C", "LAST"]
    assert threads == {"politecrawl-pii"}
    worker.close()


def test_an_outcome_comes_back_when_its_item_is_done_not_when_its_batch_is():
    reactor = StandInReactor()
    gate = threading.Event()

    def run(item):
        if item == "slow":
            assert gate.wait(30)
        return item

    worker = Worker(run, reactor)
    got = outcomes([worker.submit("fast"), worker.submit("slow")])
    reactor.turn()
    reactor.wake()  # made after "fast", while "slow" waits
    assert got == ["fast"]
    gate.set()
    reactor.wake()
    assert got == ["fast", "slow"]
    worker.close()


def test_later_turns_make_later_batches_in_order():
    reactor = StandInReactor()
    worker = Worker(lambda item: item, reactor)
    got = outcomes([worker.submit(1), worker.submit(2)])
    reactor.turn()
    got2 = outcomes([worker.submit(3)])
    reactor.turn()
    assert worker.batches == 2
    while len(got) + len(got2) < 3:
        reactor.wake()
    assert got + got2 == [1, 2, 3]
    worker.close()


def test_close_cancels_what_was_not_filtered_and_lets_the_current_item_finish():
    reactor = StandInReactor()
    started, gate = threading.Event(), threading.Event()
    filtered = []

    def run(item):
        if item == "first":
            started.set()
            assert gate.wait(30)
        filtered.append(item)
        return item

    worker = Worker(run, reactor)
    sent = outcomes([worker.submit("first"), worker.submit("second")])
    reactor.turn()
    assert started.wait(30)
    unsent = outcomes([worker.submit("third")])  # handed over this turn, not yet sent
    worker.close()
    assert unsent == [CANCELLED]
    assert outcomes([worker.submit("fourth")]) == [CANCELLED]
    gate.set()
    while len(sent) < 2:
        reactor.wake()
    assert sent == ["first", CANCELLED]
    assert filtered == ["first"]
    worker._thread.join(30)
    assert not worker._thread.is_alive()
    reactor.turn()  # the scheduled hand-off of "third" sends nothing
    assert worker.batches == 1
