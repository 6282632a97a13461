"""The spans `Detector.find` gives on the tuned and development corpora, written one text a line, to check that a
speed change changes no answer (compare two trees' files with `cmp`).  Not run on the held-out corpus.

    mkdir /tmp/main_tree && git archive main politecrawl | tar -x -C /tmp/main_tree
    nice -n 10 .venv/bin/python bench/run_tree.py /tmp/main_tree bench/pii_spans.py --out /tmp/spans_main.txt
    nice -n 10 .venv/bin/python bench/pii_spans.py --out /tmp/spans_branch.txt
    cmp /tmp/spans_main.txt /tmp/spans_branch.txt

Default: corpus 1 seeds 1 and 2, corpus 3 seeds 21 and 22, 5,000 texts each (20,000 texts).  The file holds each
text's position and its spans (offsets, type, canonical value), not the texts.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from pii_bench import Corpus  # noqa: E402
from pii_dev import DevCorpus  # noqa: E402

from politecrawl.pii.detect import Detector  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--texts", type=int, default=5000)
    args = ap.parse_args()
    det = Detector()
    digest = hashlib.sha256()
    with open(args.out, "w", encoding="utf-8") as f:
        for name, cls, seeds in (("corpus1", Corpus, (1, 2)), ("corpus3", DevCorpus, (21, 22))):
            for seed in seeds:
                for i, t in enumerate(cls(seed).make(args.texts)):
                    try:
                        spans = [tuple(s) for s in det.find(t.text)]
                    except Exception as e:  # noqa: BLE001 - an unscannable text is an answer too
                        spans = [type(e).__name__]
                    line = f"{name} {seed} {i} {spans!r}\n"
                    f.write(line)
                    digest.update(line.encode())
    print(f"{args.out}: sha256 {digest.hexdigest()}")


if __name__ == "__main__":
    main()
