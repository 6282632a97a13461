"""The errors of the personal-data detector on a corpus one may tune on: its false positives and misses, by type,
each with the text around it.  Never for the held-out corpus (bench/pii_holdout.py), whose texts are not read.

    python bench/pii_errors.py dev --seed 21 --texts 2000 --type person_name
    python bench/pii_errors.py tuned --seed 1 --fp-only
    python bench/pii_errors.py prose --seed 41 --type person_name   # corpus 4 (bench/pii_prose.py)
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import Counter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from pii_score import PoliteTool, overlaps  # noqa: E402


def _corpus(name: str):
    if name == "dev":
        from pii_dev import DevCorpus

        return DevCorpus
    if name == "prose":
        from pii_prose import ProseCorpus

        return ProseCorpus
    if name == "tuned":
        from pii_bench import Corpus

        return Corpus
    raise SystemExit("corpus must be dev, tuned or prose (the held-out corpus is never read)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpus", choices=("dev", "tuned", "prose"))
    ap.add_argument("--seed", type=int, default=21)
    ap.add_argument("--texts", type=int, default=5000)
    ap.add_argument("--type", help="only this type (person_name, nickname, ip ...)")
    ap.add_argument("--fp-only", action="store_true")
    ap.add_argument("--misses-only", action="store_true")
    ap.add_argument("--limit", type=int, default=60, help="examples shown per type and kind of error")
    args = ap.parse_args()
    tool = PoliteTool()
    fps: dict[str, list[str]] = {}
    misses: dict[str, list[str]] = {}
    where = Counter()
    for t in _corpus(args.corpus)(args.seed).make(args.texts):
        det = tool.detect(t.text)
        for d in det:
            if args.type and d[2] != args.type:
                continue
            if not any(d[2] == lab[2] and overlaps(d, lab) for lab in t.labels):
                neg = [n[2] for n in t.negatives if overlaps(d, n)]
                other = [lab[2] for lab in t.labels if overlaps(d, lab)]
                where[(d[2], neg[0] if neg else f"label {other[0]}" if other else "other text")] += 1
                fps.setdefault(d[2], []).append(f"{t.text[d[0]:d[1]]!r} in {t.text[max(0, d[0]-30):d[1]+30]!r}"
                                                + (f" [{neg[0] if neg else 'label ' + other[0] if other else ''}]"))
        for lab in t.labels:
            if args.type and lab[2] != args.type:
                continue
            if not any(d[2] == lab[2] and overlaps(d, lab) for d in det):
                got = [f"{d[2]}:{t.text[d[0]:d[1]]}" for d in det if overlaps(d, lab)]
                misses.setdefault(lab[2], []).append(f"{t.text[lab[0]:lab[1]]!r} in "
                                                     f"{t.text[max(0, lab[0]-30):lab[1]+30]!r} {got}")
    if not args.misses_only:
        print("False positives by type and where:", ", ".join(f"{k[0]}/{k[1]} {v}" for k, v in where.most_common()))
        for typ, lines in fps.items():
            print(f"\n== false positives, {typ}: {len(lines)}")
            print("\n".join(lines[: args.limit]))
    if not args.fp_only:
        for typ, lines in misses.items():
            print(f"\n== misses, {typ}: {len(lines)}")
            print("\n".join(lines[: args.limit]))


if __name__ == "__main__":
    main()
