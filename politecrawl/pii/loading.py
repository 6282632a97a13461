"""Dictionaries the detectors load on first use, and the scan clock that leaves their loading out.

jieba's dictionary, the MeCab taggers and the first-name list take 0.1-1 s of CPU and tens of megabytes each; each
is loaded by the first text whose script needs it (`names`, `names_ja_ko`).  That load happens inside some string's
scan, so the work budgets (`detect._Budget`, `itembudget.ItemBudget`) read `scan_clock`: the calling thread's CPU
time less what it spent in `loading()`.  A load that fails raises out of the filter like any other error: the item
is emptied and dropped (`items_dropped/filter_error`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager


class _Spent(threading.local):
    seconds = 0.0  # CPU time this thread spent loading dictionaries (a class default: no AttributeError to catch)


_spent = _Spent()


@contextmanager
def loading() -> Iterator[None]:
    """Leave the CPU time of the block out of `scan_clock` (this thread's)."""
    start = time.thread_time()
    try:
        yield
    finally:
        _spent.seconds += time.thread_time() - start


def scan_clock() -> float:
    """This thread's CPU time, less the time it spent loading dictionaries."""
    return time.thread_time() - _spent.seconds
