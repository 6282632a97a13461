"""Would a multi-pattern engine speed up the cue scans of the free-text detectors?  One measurement.

    pip install -e ".[bench]"
    taskset -c 0 python bench/pii_prescan.py --texts 5000

On corpus 1's texts (bench/pii_bench.py, seed 1; folded and lower-cased as the detectors see them), the
microseconds per text of each cue regex under Python's `re` and under google-re2 (look-aheads RE2 lacks are
dropped, so RE2 does a little less), and of one Aho-Corasick pass (pyahocorasick) over the cue words that a
pre-scan would gate on.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import ahocorasick  # noqa: E402
import re2  # noqa: E402
from pii_bench import Corpus  # noqa: E402

from politecrawl.pii import accounts, names  # noqa: E402
from politecrawl.pii.normalize import fold  # noqa: E402

PRESCAN_WORDS = ("uid", "user", "member", "customer", "account", "buyer", "用户", "会员", "账号", "买家", "卖家", "客户",
                 "账户", "kunden", "mitglied", "benutzer", "client", "identifiant", "ユーザー", "会員", "회원", "사용자",
                 "유저", "昵称", "网名", "帐号", "nick", "name", "handle", "login", "spitz", "pseudo", "ニックネーム",
                 "ハンドル", "닉네임", "아이디")


def per_text(fn, texts: list[str]) -> float:
    t0 = time.process_time()
    for t in texts:
        fn(t)
    return (time.process_time() - t0) * 1e6 / len(texts)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--texts", type=int, default=5000)
    args = ap.parse_args()
    texts = [fold(t.text).lower() for t in Corpus(1).make(args.texts)]
    patterns = {
        "user-ID cues": accounts._ID_CUE_RE.pattern.replace("(?![0-9])", ""),
        "nickname cues": accounts._NICK_CUE_RE.pattern,
        "name cues before": names._CUE_BEFORE_RE.pattern,
        "name cues after": names._CUE_AFTER_RE.pattern.replace("(?![明法服话])", ""),
    }
    print("| scan | re µs/text | google-re2 µs/text |\n|---|---|---|")
    for label, pattern in patterns.items():
        a, b = re.compile(pattern), re2.compile(pattern)
        ra = per_text(lambda t, a=a: sum(1 for _ in a.finditer(t)), texts)
        rb = per_text(lambda t, b=b: sum(1 for _ in b.finditer(t)), texts)
        print(f"| {label} | {ra:.1f} | {rb:.1f} |")
    auto = ahocorasick.Automaton()
    for w in PRESCAN_WORDS:
        auto.add_word(w, w)
    auto.make_automaton()
    hits = sum(1 for t in texts if next(auto.iter(t), None) is not None)
    print(f"\nAho-Corasick pre-scan over {len(PRESCAN_WORDS)} cue words: "
          f"{per_text(lambda t: next(auto.iter(t), None), texts):.1f} µs/text; {hits} of {len(texts)} texts hold one")


if __name__ == "__main__":
    main()
