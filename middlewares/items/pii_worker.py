"""The personal-data filter's one worker thread, with its hand-offs batched (issue 21).

Items go to the thread in the order they came and come back in that order (one thread, first in first out).
What a hand-off costs is a wake-up: the thread blocked on its queue, or the reactor asleep in its poll, is woken
by the other side (a lock or a pipe, a context switch, the GIL handed over).  So neither side wakes the other
once per item:

- **to the worker:** the items the reactor hands over in one turn of its loop go in one batch, put on the
  worker's queue by a call scheduled for the end of that turn (``callLater(0)``);
- **back to the reactor:** each item's outcome is appended as soon as it is known, and the reactor is woken
  (``callFromThread``) only if no wake-up is already on its way; that one call delivers every outcome
  waiting by then.

Nothing else changes: each item is still filtered on its own, with its own budget (`politecrawl.pii.itembudget`:
the worker thread's CPU time), and an item's outcome is delivered when that item is done, not when its batch is.
The reactor thread never filters, so stops and pacing are read while the worker is busy.  After ``close()``,
items not yet filtered come back as ``CANCELLED`` (the caller drops them, as it drops an item the filter
failed on).
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from queue import SimpleQueue
from typing import Any

from twisted.internet.defer import Deferred

__all__ = ["CANCELLED", "Worker"]

#: The outcome of an item the worker never filtered because the crawl closed first.
CANCELLED = "concurrent.futures.CancelledError"


class Worker:
    """Run ``run(item)`` for each item in one thread, in order; the outcome comes back on the reactor thread."""

    def __init__(self, run: Callable[[Any], Any], reactor: Any, name: str = "politecrawl-pii") -> None:
        self._run = run
        self._reactor = reactor
        self._name = name
        self._inbox: SimpleQueue[list[tuple[Any, Deferred[Any]]] | None] = SimpleQueue()
        self._outbox: deque[tuple[Deferred[Any], Any]] = deque()  # appended by the worker, emptied by the reactor
        self._batch: list[tuple[Any, Deferred[Any]]] = []  # reactor side: handed over this turn, not yet sent
        self._wake_pending = False  # a deliver() call is on its way to the reactor
        self._closed = False
        self._thread: threading.Thread | None = None
        self.batches = 0  # hand-offs to the worker (each of one or more items)
        self.wakes = 0  # hand-offs back to the reactor

    def submit(self, item: Any) -> Deferred[Any]:
        """The item's outcome, a Deferred that fires on the reactor thread (``CANCELLED`` after ``close()``)."""
        d: Deferred[Any] = Deferred()
        if self._closed:
            d.callback(CANCELLED)
            return d
        if not self._batch:
            self._reactor.callLater(0, self._send)
        self._batch.append((item, d))
        return d

    def close(self) -> None:
        """Filter nothing more: the item being filtered finishes, the rest come back ``CANCELLED``."""
        if self._closed:
            return
        self._closed = True
        batch, self._batch = self._batch, []
        for _, d in batch:
            d.callback(CANCELLED)
        self._inbox.put(None)

    # -- reactor thread ----------------------------------------------------------------------------------
    def _send(self) -> None:
        batch, self._batch = self._batch, []
        if not batch or self._closed:
            return
        if self._thread is None:
            self._thread = threading.Thread(target=self._work, name=self._name, daemon=True)
            self._thread.start()
        self.batches += 1
        self._inbox.put(batch)

    def _deliver(self) -> None:
        self._wake_pending = False  # before emptying: an outcome appended from now on brings its own wake-up
        while self._outbox:
            d, outcome = self._outbox.popleft()
            d.callback(outcome)

    # -- worker thread -----------------------------------------------------------------------------------
    def _work(self) -> None:
        while (batch := self._inbox.get()) is not None:
            for item, d in batch:
                self._outbox.append((d, CANCELLED if self._closed else self._run(item)))
                if not self._wake_pending:
                    self._wake_pending = True
                    self.wakes += 1
                    self._reactor.callFromThread(self._deliver)
