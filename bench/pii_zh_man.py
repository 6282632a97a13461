"""Development set 6: Chinese prose that names nobody, for the Han name finder's precision (`politecrawl.pii.names`).

    apt-get install manpages-zh                      # Debian: the Chinese translations of the man pages
    python bench/pii_zh_man.py --lines 10000          # name fires per 1,000 lines, with the words in context
    python bench/pii_zh_man.py --lines 10000 --script tw

Source: the simplified (`zh_CN`) or traditional (`zh_TW`) man pages of manpages-zh, roff stripped; sections naming
authors and translators left out, and any line with 作者, 译者, 翻译, 维护者.  Unlabelled: technical prose of a kind
the name finders must not fire on (every fire is read by hand: `--show`).  Not a source of corpora 1-5.
"""

from __future__ import annotations

import argparse
import collections
import glob
import gzip
import random
import re

_HAN = re.compile(r"[\u4e00-\u9fff]")
_CREDITS = re.compile(r"AUTHOR|作者|译者|翻译|TRANSLAT|维护|維護|中文版|校对", re.I)


def man_lines(script: str = "cn") -> list[str]:
    out = []
    for path in sorted(glob.glob(f"/usr/share/man/zh_{script.upper()}/man*/*.gz")):
        try:
            text = gzip.open(path).read().decode("utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        skip = False
        for line in text.splitlines():
            if line.startswith((".SH", ".Sh")):
                skip = bool(_CREDITS.search(line))
                continue
            if skip or line.startswith((".", "'")):
                continue
            line = re.sub(r"\\f[BIRP]|\\-|\\\(..|\\&|\\e", "", line).strip()
            if len(_HAN.findall(line)) >= 4 and not _CREDITS.search(line):
                out.append(line)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lines", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=61)
    ap.add_argument("--script", choices=("cn", "tw"), default="cn")
    ap.add_argument("--show", type=int, default=60)
    a = ap.parse_args()
    from politecrawl.pii.names import find_person_names

    lines = man_lines(a.script)
    if not lines:
        raise SystemExit("no zh man pages: apt-get install manpages-zh")
    rows = random.Random(a.seed).sample(lines, min(a.lines, len(lines)))
    fires: collections.Counter[str] = collections.Counter()
    shown = []
    for text in rows:
        for s in find_person_names(text):
            word = text[s.start : s.end]
            if _HAN.search(word):
                fires[word] += 1
                if len(shown) < a.show:
                    shown.append(f"  {text[max(0, s.start - 10):s.start]}⟦{word}⟧{text[s.end:s.end + 10]}")
    n = sum(fires.values())
    print(f"man zh_{a.script.upper()}: {len(lines)} lines, {len(rows)} drawn (seed {a.seed}); Han name fires {n}, "
          f"{1000 * n / max(len(rows), 1):.1f} per 1,000 lines")
    print("  words:", ", ".join(f"{w} {k}" for w, k in fires.most_common(40)))
    print("\n".join(shown))


if __name__ == "__main__":
    main()
