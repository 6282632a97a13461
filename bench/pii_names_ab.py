"""The person-name finder with and without the speed changes of branch pii-names-speed, in one process, interleaved:
the patterns as written before (look-behind first, from tests/test_pii_names_patterns.py) and MeCab asked for every
short kanji run, against the code as it is.  Same spans either way (bench/pii_spans.py).

    nice -n 10 taskset -c 0 .venv/bin/python bench/pii_names_ab.py --corpus 1
    nice -n 10 taskset -c 0 .venv/bin/python bench/pii_names_ab.py --corpus 3
    nice -n 10 taskset -c 0 .venv/bin/python bench/pii_names_ab.py --corpus 1 --whole   # all of Detector.find

Prints µs a text of `find_person_names` (the thread's CPU clock), each pass over the same 3,000 folded texts, the
two alternating; "cold": the run caches (jieba's segmentations, the kanji runs' names) emptied before each pass, as
in a first pass over new text; "warm": kept, as in a bench that times the same texts again.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "tests"))

from pii_bench import Corpus  # noqa: E402
from pii_dev import DevCorpus  # noqa: E402
from test_pii_names_patterns import PLAIN_CUE_AFTER, PLAIN_LATIN, PLAIN_TITLE  # noqa: E402

from politecrawl.pii import names, names_ja_ko, names_latin  # noqa: E402
from politecrawl.pii.detect import Detector, Unscannable, fold  # noqa: E402

CLOCK = time.thread_time_ns
NEW = (names_latin._LATIN_RE, names_latin._TITLE_RE, names._CUE_AFTER_RE, names_ja_ko._kanji_run_names)
OLD = (PLAIN_LATIN, PLAIN_TITLE, PLAIN_CUE_AFTER, names_ja_ko._kanji_run_names.__wrapped__)


def use(parts) -> None:
    names_latin._LATIN_RE, names_latin._TITLE_RE, names._CUE_AFTER_RE, names_ja_ko._kanji_run_names = parts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=int, choices=(1, 3), default=1)
    ap.add_argument("--texts", type=int, default=3000)
    ap.add_argument("--pairs", type=int, default=4)
    ap.add_argument("--whole", action="store_true", help="time Detector.find on the raw texts, not the name finder")
    args = ap.parse_args()
    seed = 1 if args.corpus == 1 else 21
    raw = [t.text for t in (Corpus if args.corpus == 1 else DevCorpus)(seed).make(args.texts)]
    texts = raw if args.whole else [fold(t) for t in raw]
    det = Detector()

    def find(t: str) -> None:
        if args.whole:
            try:
                det.find(t)
            except Unscannable:
                pass
        else:
            list(names.find_person_names(t))

    for t in texts[:300]:
        find(t)
    print(f"{'Detector.find' if args.whole else 'find_person_names'}: corpus {args.corpus}, seed {seed}, {len(texts)} texts, load average {os.getloadavg()[0]:.1f}")
    for cold in (True, False):
        spent: dict[str, list[float]] = {"before": [], "after": []}
        for r in range(args.pairs):
            for which in (("before", "after") if r % 2 else ("after", "before")):
                use(OLD if which == "before" else NEW)
                if cold:
                    names._chinese().candidates.cache_clear()
                    NEW[3].cache_clear()
                t0 = CLOCK()
                for t in texts:
                    find(t)
                spent[which].append((CLOCK() - t0) / len(texts) / 1e3)
        use(NEW)
        ratios = [a / b for a, b in zip(spent["after"], spent["before"])]
        print(f"{'cold' if cold else 'warm'}: before {statistics.median(spent['before']):.1f} us a text, after "
              f"{statistics.median(spent['after']):.1f}, ratio {statistics.median(ratios):.3f} "
              f"(pairs: {', '.join(f'{x:.3f}' for x in ratios)})")
    print(f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
