"""Would a multi-pattern engine, as a pre-scan that decides which detectors a text needs, speed the detector up?

    pip install -e ".[bench]"
    taskset -c 0 python bench/pii_prescan.py --texts 3000

On corpus 1 (bench/pii_bench.py, seed 1) and corpus 3 (bench/pii_dev.py, seed 21), folded as the detectors see them:
- each cue regex of the account and name finders under Python's `re` and under google-re2;
- as a gate for `find_accounts` (and the IP, e-mail, URL and IBAN finders): one `re2.Set` pass over every pattern
  those finders scan whole texts with, each widened to what RE2 reads (look-arounds and anchors dropped, classes by
  Unicode category, only the head up to its first long repetition: a superset, so a text the set does not match
  is one the finder finds nothing in), one pass on the text and one on its lower-cased form; and one pyahocorasick
  pass over literals every match of those patterns must hold (derived from the parsed patterns);
- for each gate: its cost a text, how many texts it lets through, the texts `find_accounts` finds something in,
  and what `find_accounts` costs.  A gate pays when (texts kept out) x (finder's cost) exceeds its own cost.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from re import _constants as C  # noqa: N812
from re import _parser

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import ahocorasick  # noqa: E402
import re2  # noqa: E402
from pii_bench import Corpus  # noqa: E402
from pii_dev import DevCorpus  # noqa: E402

from politecrawl.pii import accounts, context, emails, names, network  # noqa: E402
from politecrawl.pii.normalize import fold  # noqa: E402

# Patterns `find_accounts` scans whole texts with (True: on the lower-cased text), and the other finders' own.
ACCOUNT_PATTERNS = [
    (accounts._PROFILE_TAIL_RE, False), (accounts._PROFILE_QUERY_RE, True), (accounts._AT_PATH_RE, False),
    (accounts._HANDLE_RE, False), (accounts._REPLY_WORD_RE, False), (accounts._BY_CUE_RE, True),
    (accounts._BARE_ID_RE, True), (accounts._BRACKET_ID_RE, False), (accounts._DEFAULT_NICK_RE, False),
    (accounts._ID_CUE_RE, True), (accounts._NICK_CUE_RE, True), (accounts._NICK_CUE_SPACE_RE, True),
]
OTHER_PATTERNS = [(network._IPV4_RE, False), (network._IPV6_RE, False), (emails._EMAIL_RE, False),
                  (context._URL_RE, False), (network._IBAN_RE, False)]

# ---------------------------------------------------------------- Python pattern -> wider RE2 pattern

_SPACE = r"\t\n\x{b}\f\r\x{1c}-\x{20}\x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}"
_CATEGORY = {C.CATEGORY_DIGIT: r"\p{Nd}", C.CATEGORY_NOT_DIGIT: r"\P{Nd}", C.CATEGORY_SPACE: _SPACE,
             C.CATEGORY_WORD: r"\p{L}\p{N}_"}
_HEAD_REPEAT = 4


class Untranslatable(Exception):
    pass


def _char(c: int) -> str:
    return chr(c) if chr(c).isascii() and chr(c).isalnum() else r"\x{%x}" % c


def _class(items) -> str:
    parts, negate = [], False
    for op, av in items:
        if op is C.NEGATE:
            negate = True
        elif op is C.LITERAL:
            parts.append(_char(av))
        elif op is C.RANGE:
            parts.append(f"{_char(av[0])}-{_char(av[1])}")
        elif op is C.CATEGORY and av in _CATEGORY and not (negate and av == C.CATEGORY_WORD):
            parts.append(_CATEGORY[av])
        else:
            raise Untranslatable(op)
    return ("[^" if negate else "[") + "".join(parts) + "]"


def _seq(items, head: bool) -> str:
    out = []
    for op, av in items:
        if op is C.LITERAL:
            out.append(_char(av))
        elif op is C.NOT_LITERAL:
            out.append("[^" + _char(av) + "]")
        elif op is C.ANY:
            out.append("(?s:.)")
        elif op is C.IN:
            out.append(_class(av))
        elif op is C.CATEGORY:
            out.append(_class([(op, av)]))
        elif op is C.BRANCH:
            out.append("(?:" + "|".join(_seq(alt, False) for alt in av[1]) + ")")
        elif op is C.SUBPATTERN:
            if av[1] & ~(re.IGNORECASE | re.ASCII | re.UNICODE):
                raise Untranslatable("flags")
            out.append("(?:" + _seq(av[3], False) + ")")
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT):
            lo, hi, sub = av
            body = "(?:" + _seq(sub, False) + ")"
            if head and (hi is C.MAXREPEAT or hi > _HEAD_REPEAT):
                out.append(body + "{%d}" % lo if lo else "")
                break
            out.append(body + ("{%d,}" % lo if hi is C.MAXREPEAT or hi > 1000 else "{%d,%d}" % (lo, hi)))
        elif op in (C.ASSERT, C.ASSERT_NOT, C.AT):
            continue  # always true: wider
        else:
            raise Untranslatable(op)
    return "".join(out)


def widen(pattern: re.Pattern[str]) -> str:
    """RE2 syntax for the head of `pattern` without its look-arounds: it matches wherever `pattern` does."""
    tree = _parser.parse(pattern.pattern, pattern.flags)
    return ("(?i)" if pattern.flags & re.IGNORECASE else "") + _seq(tree, True)


# ---------------------------------------------------------------- Python pattern -> literals a match must hold

def _literals_seq(items) -> set[str] | None:
    options, run = [], []
    for op, av in [*items, (None, None)]:
        if op is C.LITERAL:
            run.append(chr(av))
            continue
        if run:
            options.append({"".join(run)})
            run = []
        if op is not None and (found := _literals_item(op, av)):
            options.append(found)
    # The most selective: the longest shortest literal, then the fewest.
    return max(options, key=lambda s: (min(map(len, s)), -len(s)), default=None)


def _literals_item(op, av) -> set[str] | None:
    if op is C.BRANCH:
        out: set[str] = set()
        for alt in av[1]:
            found = _literals_seq(alt)
            if not found:
                return None
            out |= found
        return out
    if op is C.SUBPATTERN:
        return _literals_seq(av[3])
    if op in (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT) and av[0] >= 1:
        return _literals_seq(av[2])
    if op is C.IN and all(o is C.LITERAL for o, _ in av) and len(av) <= 8:
        return {chr(a) for _, a in av}
    return None


def literals(pattern: re.Pattern[str]) -> set[str] | None:
    if pattern.flags & re.IGNORECASE:
        return None
    return _literals_seq(_parser.parse(pattern.pattern, pattern.flags))


# ---------------------------------------------------------------- gates

class RE2Gate:
    def __init__(self, pats) -> None:
        self.sets = []
        for want_lower in (False, True):
            s = re2.Set.SearchSet(re2.Options())
            for p, lower in pats:
                if lower == want_lower:
                    s.Add(widen(p))
            s.Compile()
            self.sets.append(s._set)  # the binding's own object, fed UTF-8 bytes (its wrapper encodes slowly)

    def __call__(self, text: str) -> bool:
        return bool(self.sets[0].Match(text.encode())) or bool(self.sets[1].Match(text.lower().encode()))


class ACGate:
    def __init__(self, pats) -> None:
        self.autos = []
        for want_lower in (False, True):
            a = ahocorasick.Automaton()
            for p, lower in pats:
                if lower == want_lower:
                    for word in literals(p) or ():
                        a.add_word(word, word)
            a.make_automaton()
            self.autos.append(a)

    def __call__(self, text: str) -> bool:
        return (next(self.autos[0].iter(text), None) is not None
                or next(self.autos[1].iter(text.lower()), None) is not None)


def per_text(fn, texts: list[str], reps: int = 3) -> float:
    best = float("inf")
    for _ in range(reps):
        t0 = time.process_time()
        for t in texts:
            fn(t)
        best = min(best, time.process_time() - t0)
    return best * 1e6 / len(texts)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--texts", type=int, default=3000)
    args = ap.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f}\n")
    for label, corpus in (("corpus 1, seed 1", Corpus(1)), ("corpus 3, seed 21", DevCorpus(21))):
        texts = [fold(t.text) for t in corpus.make(args.texts)]
        low = [t.lower() for t in texts]
        print(f"### {label}\n\n| cue scan | re us/text | google-re2 us/text |\n|---|---|---|")
        for name, p in (("user-ID cues", accounts._ID_CUE_RE), ("nickname cues", accounts._NICK_CUE_RE),
                        ("name cues before", names._CUE_BEFORE_RE), ("name cues after", names._CUE_AFTER_RE)):
            r2 = re2.compile(widen(p))
            print(f"| {name} | {per_text(lambda t, p=p: sum(1 for _ in p.finditer(t)), low):.1f} | "
                  f"{per_text(lambda t, r2=r2: sum(1 for _ in r2.finditer(t)), low):.1f} |")
        finds = sum(1 for t in texts if next(iter(accounts.find_accounts(t)), None) is not None)
        cost = per_text(lambda t: list(accounts.find_accounts(t)), texts)
        print(f"\nfind_accounts: {cost:.1f} us a text; it finds something in {finds} of {len(texts)} texts\n")
        print("| gate | us a text | texts let through | of them, with nothing the finder finds | break-even |")
        print("|---|---|---|---|---|")
        for gname, pats in (("accounts", ACCOUNT_PATTERNS), ("accounts, IP, e-mail, URL, IBAN",
                                                              ACCOUNT_PATTERNS + OTHER_PATTERNS)):
            for engine in (RE2Gate, ACGate):
                gate = engine(pats)
                through = [t for t in texts if gate(t)]
                missed = sum(1 for t in texts if not gate(t) and next(iter(accounts.find_accounts(t)), None))
                assert missed == 0, f"{engine.__name__} kept out {missed} texts the finder finds something in"
                g = per_text(gate, texts)
                saved = (1 - len(through) / len(texts)) * cost
                print(f"| {engine.__name__} over {gname} | {g:.1f} | {len(through)} | {len(through) - finds} | "
                      f"saves {saved:.1f} us of find_accounts alone for {g:.1f} |")
        print()
    print(f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
