"""Does `StrictMatcher` (politecrawl/pii/phone_match.py) answer as phonenumbers' own `PhoneNumberMatcher`?

    pip install -e ".[bench]"
    python bench/pii_phone_equiv.py --texts 5000

Every window the phone finder examines, without its pre-checks (`PhoneFinder(prefilter=False)`: every group-aligned
window of every digit run, not only those the region patterns let through), in the texts of corpus 1
(bench/pii_bench.py, seeds 1 and 2) and corpus 3 (bench/pii_dev.py, seeds 21 and 22), is handed to both matchers
for each of the default regions, at STRICT_GROUPING and at VALID (the finder's second reading): the matches
(start, end, E.164 number) must be the same.  Prints the number of comparisons, of windows both accept, and of
disagreements (each disagreement's window and region too: these are generated texts).  The held-out corpus is
not read.
"""

from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import phonenumbers  # noqa: E402
from phonenumbers import Leniency, PhoneNumberFormat, PhoneNumberMatcher  # noqa: E402
from pii_bench import Corpus  # noqa: E402
from pii_dev import DevCorpus  # noqa: E402

from politecrawl.pii.normalize import fold  # noqa: E402
from politecrawl.pii.phone_match import StrictMatcher  # noqa: E402
from politecrawl.pii.phones import DEFAULT_REGIONS, WINDOW_CHARS, PhoneFinder  # noqa: E402


def matches(cls, text: str, region: str, leniency) -> list[tuple[int, int, str]]:
    return [(m.start, m.end, phonenumbers.format_number(m.number, PhoneNumberFormat.E164))
            for m in cls(text, region, leniency=leniency, max_tries=WINDOW_CHARS)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--texts", type=int, default=5000)
    args = ap.parse_args()
    seen: set[str] = set()
    compared = 0
    accepted = {Leniency.STRICT_GROUPING: 0, Leniency.VALID: 0}
    disagreements: list[tuple[str, str, str]] = []

    finder = PhoneFinder(prefilter=False)

    def record(text: str, lo: int, hi: int, region: str, leniency) -> list:
        nonlocal compared
        window = text[lo:hi]
        if window not in seen:
            seen.add(window)
            for r in DEFAULT_REGIONS:
                for len_ in (Leniency.STRICT_GROUPING, Leniency.VALID):
                    ours, theirs = matches(StrictMatcher, window, r, len_), matches(PhoneNumberMatcher, window, r, len_)
                    compared += 1
                    accepted[len_] += bool(theirs)
                    if ours != theirs:
                        disagreements.append((window, r, str(len_)))
        return []  # no match: the finder goes on to every shorter window

    finder._match = record  # type: ignore[method-assign]
    for name, corpus in (("corpus 1 seed 1", Corpus(1)), ("corpus 1 seed 2", Corpus(2)),
                         ("corpus 3 seed 21", DevCorpus(21)), ("corpus 3 seed 22", DevCorpus(22))):
        before = compared
        for t in corpus.make(args.texts):
            list(finder.find(fold(t.text), lambda units: None))
        print(f"{name}: {compared - before:,} comparisons")
    print(f"distinct windows {len(seen):,} x {len(DEFAULT_REGIONS)} regions x 2 leniencies: {compared:,} comparisons, "
          f"with a match: {accepted[Leniency.STRICT_GROUPING]:,} at STRICT_GROUPING, {accepted[Leniency.VALID]:,} at VALID; "
          f"{len(disagreements)} disagreements")
    for window, region, leniency in disagreements[:50]:
        print(f"  {window!r} {region} {leniency}")


if __name__ == "__main__":
    main()
