"""CPU time of `Detector.find` a text on the tuned and development corpora, for A/B of two trees in alternating
processes (the ratio against Presidio is bench/pii_bench.py's and bench/pii_dev.py's).

    mkdir /tmp/main_tree && git archive main politecrawl | tar -x -C /tmp/main_tree
    for i in 1 2 3; do
        nice -n 10 taskset -c 0 .venv/bin/python bench/run_tree.py /tmp/main_tree bench/pii_find_time.py
        nice -n 10 taskset -c 0 .venv/bin/python bench/pii_find_time.py
    done

Prints, per corpus (corpus 1 seed 1, corpus 3 seed 21, 3,000 texts each), µs a text of the thread's CPU clock:
the best and the median of `--passes` passes over the texts after one warm-up pass (as the benches time them:
the same texts again, so caches of short runs are warm), and the load average.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from pii_bench import Corpus  # noqa: E402
from pii_dev import DevCorpus  # noqa: E402

from politecrawl.pii.detect import Detector  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--texts", type=int, default=3000)
    ap.add_argument("--passes", type=int, default=5)
    a = ap.parse_args()
    det = Detector()
    out = []
    for name, corpus in (("corpus 1", Corpus(1)), ("corpus 3", DevCorpus(21))):
        texts = [t.text for t in corpus.make(a.texts)]
        for text in texts:
            det.find(text)
        times = []
        for _ in range(a.passes):
            t0 = time.thread_time_ns()
            for text in texts:
                det.find(text)
            times.append((time.thread_time_ns() - t0) / len(texts) / 1000)
        out.append(f"{name}: best {min(times):.1f} median {statistics.median(times):.1f} us a text")
    print(f"{' | '.join(out)} | load {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
