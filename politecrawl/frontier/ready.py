"""Origins ordered by the time they may next send: a binary heap of ``(ready time, handle)``.

The paced frontier keeps one entry per origin with requests waiting (and
stale ones it skips), so at 100,000 origins the entries are most of its
memory. A ``(float, int)`` tuple costs ~120 bytes (the tuple, the float, the
int); for a store whose handles are integers below 2**32 (the disk store's
origin ids) each entry is one Python int instead, ~40 bytes: the ready time's
64 bits, mapped so that integers order as the floats do, above the handle's
32. Both read back exactly the float and handle that were pushed. Other
handles (the memory store's origin keys) are kept as tuples.
"""

from __future__ import annotations

import heapq
import struct
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Hashable, Iterable

__all__ = ["ReadyHeap"]

_DOUBLE = struct.Struct("<d")
_BITS = struct.Struct("<Q")
_SIGN = 1 << 63
_LOW64 = (1 << 64) - 1
_HANDLE_BITS = 32
_HANDLE_MASK = (1 << _HANDLE_BITS) - 1


def _order_bits(when: float) -> int:
    """The float's bits, mapped so that integers compare as the floats do (NaN excluded)."""
    (bits,) = _BITS.unpack(_DOUBLE.pack(when + 0.0))  # + 0.0: -0.0 becomes 0.0
    return (~bits & _LOW64) if bits & _SIGN else bits | _SIGN


def _float_of(order: int) -> float:
    bits = order & ~_SIGN if order & _SIGN else ~order & _LOW64
    return _DOUBLE.unpack(_BITS.pack(bits))[0]


class ReadyHeap:
    """A min-heap of ``(ready time, handle)``; with ``int_handles``, each entry is one int."""

    def __init__(self, entries: Iterable[tuple[float, Hashable]] = (), *, int_handles: bool = False) -> None:
        self._compact = int_handles
        self._heap: list[Any] = [self._entry(when, handle) for when, handle in entries]
        heapq.heapify(self._heap)

    def _entry(self, when: float, handle: Any) -> Any:
        if not self._compact:
            return (when, handle)
        if not (type(handle) is int and 0 <= handle <= _HANDLE_MASK) or when != when:  # noqa: PLR0124 - NaN
            raise ValueError(f"ReadyHeap: no compact entry for ({when!r}, {handle!r})")
        return (_order_bits(when) << _HANDLE_BITS) | handle

    def _read(self, entry: Any) -> tuple[float, Any]:
        if not self._compact:
            return entry
        return _float_of(entry >> _HANDLE_BITS), entry & _HANDLE_MASK

    def push(self, when: float, handle: Hashable) -> None:
        heapq.heappush(self._heap, self._entry(when, handle))

    def first(self) -> tuple[float, Any]:
        """The entry with the earliest ready time (the heap must not be empty)."""
        return self._read(self._heap[0])

    def pop(self) -> tuple[float, Any]:
        return self._read(heapq.heappop(self._heap))

    def drop_first(self) -> None:
        """Remove the entry :meth:`first` read (without reading it again)."""
        heapq.heappop(self._heap)

    def clear(self) -> None:
        self._heap.clear()

    def __len__(self) -> int:
        return len(self._heap)
