"""ReadyHeap: compact int entries pop in the order, and with the values, that (float, handle) tuples do."""

from __future__ import annotations

import math
import random
import sys

import pytest

from politecrawl.frontier.ready import ReadyHeap


def _drain(heap):
    out = []
    while heap:
        out.append(heap.pop())
    return out


def test_compact_entries_order_and_read_back_as_tuples():
    rng = random.Random(7)
    times = [1_800_000_000.0, math.nextafter(1_800_000_000.0, math.inf), 0.0, -0.0, -1.5, 1e-300, -1e300,
             math.inf, -math.inf, 5.0, 5.0] + [rng.uniform(-1e9, 2e9) for _ in range(300)]
    entries = [(when, rng.randrange(0, 2**32)) for when in times] + [(5.0, 3), (5.0, 2)]  # ties go by handle
    compact, plain = ReadyHeap(entries[:100], int_handles=True), ReadyHeap(entries[:100])
    for when, handle in entries[100:]:
        compact.push(when, handle)
        plain.push(when, handle)
    assert compact.first() == plain.first()
    got, want = _drain(compact), _drain(plain)
    assert got == want == sorted(entries)
    assert [math.copysign(1, when) for when, _ in got if when == 0] == [1.0, 1.0]  # -0.0 is kept as 0.0


@pytest.mark.parametrize(("when", "handle"), [(1.0, -1), (1.0, 2**32), (1.0, "http://a.com:80"), (math.nan, 1)])
def test_compact_heap_refuses_what_it_cannot_order(when, handle):
    with pytest.raises(ValueError):  # noqa: PT011
        ReadyHeap(int_handles=True).push(when, handle)


def test_a_compact_entry_is_smaller_than_a_tuple():
    now, handle = 1_800_000_000.123, 99_999
    compact = ReadyHeap([(now, handle)], int_handles=True)._heap[0]
    tuple_bytes = sys.getsizeof((now, handle)) + sys.getsizeof(now) + sys.getsizeof(handle)
    assert sys.getsizeof(compact) <= tuple_bytes / 2
