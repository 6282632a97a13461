"""The spans `Detector.find` gives on the tuned and development corpora, written one text a line, to check that a
speed change changes no answer (compare two trees' files with `cmp`).  Not run on the held-out corpus.

    mkdir /tmp/main_tree && git archive main politecrawl | tar -x -C /tmp/main_tree
    nice -n 10 .venv/bin/python bench/run_tree.py /tmp/main_tree bench/pii_spans.py --out /tmp/spans_main.txt
    nice -n 10 .venv/bin/python bench/pii_spans.py --out /tmp/spans_branch.txt
    cmp /tmp/spans_main.txt /tmp/spans_branch.txt

Default: corpus 1 seeds 1 and 2, corpus 3 seeds 21 and 22, corpus 4 seeds 41 and 42, 5,000 texts each, and
development set 5's People's Daily and review lines (5,000 each, seed 51): 40,000 texts.  `--corpus` picks some
(repeatable: 1, 3, 4, 5, 6; 6 is development set 6, bench/pii_zh_man.py's simplified and traditional man-page
lines, 5,000 each, seed 61, when manpages-zh is installed).  The file holds each text's position and its spans (offsets, type, canonical value), not
the texts.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from politecrawl.pii.detect import Detector  # noqa: E402


def corpora(which: list[int], n: int):
    """(name, seed, texts) of each corpus asked for."""
    if 1 in which:
        from pii_bench import Corpus

        for seed in (1, 2):
            yield "corpus1", seed, [t.text for t in Corpus(seed).make(n)]
    if 3 in which:
        from pii_dev import DevCorpus

        for seed in (21, 22):
            yield "corpus3", seed, [t.text for t in DevCorpus(seed).make(n)]
    if 4 in which:
        from pii_prose import ProseCorpus

        for seed in (41, 42):
            yield "corpus4", seed, [t.text for t in ProseCorpus(seed).make(n)]
    if 5 in which:
        from pii_zh_prose import news_lines, review_lines

        rows = [t for t, _ in news_lines()]
        yield "corpus5news", 51, random.Random(51).sample(rows, min(n, len(rows)))
        rows = review_lines()
        yield "corpus5reviews", 51, random.Random(51).sample(rows, min(n, len(rows)))
    if 6 in which:
        from pii_zh_man import man_lines

        for script in ("cn", "tw"):
            rows = man_lines(script)
            yield f"corpus6{script}", 61, random.Random(61).sample(rows, min(n, len(rows)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--texts", type=int, default=5000)
    ap.add_argument("--corpus", type=int, action="append", choices=(1, 3, 4, 5, 6))
    args = ap.parse_args()
    det = Detector()
    digest = hashlib.sha256()
    with open(args.out, "w", encoding="utf-8") as f:
        for name, seed, texts in corpora(args.corpus or [1, 3, 4, 5], args.texts):
            for i, text in enumerate(texts):
                try:
                    spans = [tuple(s) for s in det.find(text)]
                except Exception as e:  # noqa: BLE001 - an unscannable text is an answer too
                    spans = [type(e).__name__]
                line = f"{name} {seed} {i} {spans!r}\n"
                f.write(line)
                digest.update(line.encode())
    print(f"{args.out}: sha256 {digest.hexdigest()}")


if __name__ == "__main__":
    main()
