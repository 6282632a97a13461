"""The work one item may cost the filter, whatever its strings: characters scanned, values visited, CPU time.

The detector bounds each string on its own (`detect.MAX_CPU_SECONDS`, a work budget in units); an item of 2,000
strings of 500 digits each stays under every string's bound and still takes 20 s.  `ItemBudget` bounds the item:
a filter that would go past it stops, and the item is removed whole (fail closed, counted `over_budget`), as a
string over its own bound is.  The clock is the calling thread's CPU time (`time.thread_time`): the filter runs in
a worker thread, and other threads' work must not count against the item; nor does loading a dictionary on first
use (`loading.scan_clock`).
"""

from __future__ import annotations

from collections.abc import Callable

from politecrawl.pii.loading import scan_clock

DEFAULT_ITEM_MAX_SECONDS = 1.0
DEFAULT_ITEM_MAX_CHARS = 2_000_000
DEFAULT_MAX_DEPTH = 100
# Values visited (dict entries, list elements) per item: an item that refers to itself (a list inside itself)
# would otherwise be walked until the CPU bound.
MAX_NODES = 1_000_000
# Read the CPU clock (~0.5 us) before a string of 256+ characters, or once 2,048 characters were scanned since the
# last reading (a string of dense digit groups costs up to ~20 us per 1,000 characters).
_CLOCK_EVERY_CHARS = 2048
_CLOCK_EVERY_NODES = 4096


class OverBudget(Exception):
    """The item needs more work than its budget allows; it is removed whole."""


class ItemBudget:
    __slots__ = ("_chars_at_check", "_clock", "_deadline", "_nodes_at_check", "chars", "max_chars", "nodes")

    def __init__(self, max_seconds: float = DEFAULT_ITEM_MAX_SECONDS, max_chars: int = DEFAULT_ITEM_MAX_CHARS,
                 clock: Callable[[], float] = scan_clock) -> None:
        self.max_chars = max_chars
        self.chars = 0
        self.nodes = 0
        self._clock = clock
        self._deadline = clock() + max_seconds
        self._chars_at_check = 0
        self._nodes_at_check = 0

    def scan(self, n: int) -> None:
        """Charge a string of `n` characters, before it is scanned."""
        self.chars += n
        if self.chars > self.max_chars:
            raise OverBudget
        if self.chars - self._chars_at_check >= _CLOCK_EVERY_CHARS or n >= 256:
            self._chars_at_check = self.chars
            self._check_clock()

    def visit(self) -> None:
        """Charge one value visited."""
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise OverBudget
        if self.nodes - self._nodes_at_check >= _CLOCK_EVERY_NODES:
            self._nodes_at_check = self.nodes
            self._check_clock()

    def _check_clock(self) -> None:
        if self._clock() > self._deadline:
            raise OverBudget

