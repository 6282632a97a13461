"""Corpus 4, development: real prose in en, de, fr, zh, ja and ko from Debian's documentation packages on this
machine, with person names where the prose names people; and a sweep of what the name finders fire on in it.

    apt-get install debian-handbook debian-reference-en debian-reference-de debian-reference-fr \
        debian-reference-ja debian-reference-zh-cn debian-faq-de debian-faq-fr debian-faq-ja debian-faq-ko \
        debian-faq-zh-cn fortunes fortunes-de fortunes-zh
    taskset -c 0 python bench/pii_prose.py --seed 41 --seed 42 --texts 5000 --no-presidio   # corpus 4 scores
    python bench/pii_prose.py --sweep                        # fires per 1,000 lines by language, words fired on
    python bench/pii_prose.py --sweep --lang ja --show 80    # one language, 80 fires with their context
    python bench/pii_errors.py prose --seed 41 --type person_name

Sources: the Debian Administrator's Handbook (the same book in every one of the six languages, with the project's
history and its people), the Debian Reference and the Debian FAQ (translated prose of a technical register, with
their authors and translators named); the sweep also reads the fortune cookie files (quotations with their
speakers, anecdotes, poems; en, de, and classical Chinese with its poets), which name too many people to be
labelled by hand and are not in the corpus.  The people the documentation's fires named, read off the sweep by
hand, are in `PEOPLE`: the corpus labels them; everything else a finder fires on counts as a false positive.
None of it is a source of the held-out corpus (bench/pii_holdout.py: mimesis) nor of the tuned one (Faker); the
names swapped in come from bench/pii_dev.py's sources.  Scoring: bench/pii_score.py (only names are labelled
here: the other types' columns count only what fires on prose).
"""

from __future__ import annotations

import argparse
import functools
import glob
import gzip
import os
import random
import re
import sys
from collections import Counter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

HANDBOOK = "/usr/share/doc/debian-handbook/html"
REFERENCE = "/usr/share/debian-reference"
FAQ = "/usr/share/doc/debian/FAQ"
FORTUNES = "/usr/share/games/fortunes"
LANGS = ("en", "de", "fr", "zh", "ja", "ko")
_HANDBOOK_DIRS = {"en": "en-US", "de": "de-DE", "fr": "fr-FR", "zh": "zh-CN", "ja": "ja-JP", "ko": "ko-KR"}
_REFERENCE_SUFFIX = {"en": "en", "de": "de", "fr": "fr", "zh": "zh-cn", "ja": "ja"}
_FAQ_DIRS = {"de": "de", "fr": "fr", "ja": "ja", "ko": "ko", "zh": "zh-cn"}
# Blocks that hold no prose: program text, commands, file names, tables of options.
_DROP = ("pre", "code", "script", "style", "kbd", "tt", "screen", "programlisting", "literal", "filename",
         "command", "option", "replaceable", "userinput", "computeroutput", "varname", "systemitem", "uri")
_BLOCKS = "//p|//li|//dd|//dt|//h1|//h2|//h3|//h4|//td|//blockquote"
_SENTENCE_RE = re.compile(r"(?<=[.!?])\s+(?=[A-ZÀ-Þ\"«“(])|(?<=[。！？])")
_URLISH = re.compile(r"://|www\.|@|\$|[{}<>\\]|[a-z]/[a-z]|_[a-z]")
_MIN, _MAX = 12, 240

# People the sweep's fires named, as read off its lists by hand (the book's authors and the project's history,
# the quoted speakers of fortunes): a fire on one of these is right.  Written as the texts write them.
PEOPLE = frozenset("""
Raphaël Hertzog|Roland Mas|Ian Murdock|Bruce Perens|Ian Jackson|Josip Rodin|Santiago Vila|Sven Rudolph|
Javier Fernandez-Sanguino|Javier Fernández-Sanguino|Richard Stallman|Linus Torvalds|Leslie Lamport|Donald Knuth|
Bram Moolenaar|Wietse Venema|Petter Reinholdtsen|Ben Armstrong|Andreas Tille|Tom Lord|Thomas Hood|Jens Seidel|
Oliver Elphick|Ole Tetlie|James Treacy|Craig Sawyer|Neil Turton|Miquel van Smoorenburg|Loïc Minier|Ari Pollak|
Larry Greenfield|John Goerzen|Didier Raboud|David Sewell|Brian Nelson|Bo Peep|Philip Ye|Lou Letian|Anthony Fok|
John Zhang Liang|Nico Golde|Martin Horoba|Markus Hiereth|Holger Wansing|Helge Kreutzmann|Guillaume Erbs|
Franziska Schröder|Claas Felix Beyersdorf|Christian Britz|Benjamin Eckenfels|Andre Appel|角田 慎一|角田|肖盛文|吴昊昱|
Mark Twain|Albert Einstein|Oscar Wilde|Dave Barry|William Shakespeare|Jean Paul|Johann Wolfgang von Goethe|
Friedrich Nietzsche|Immanuel Kant|Heinrich Heine|Kurt Tucholsky|Douglas Adams|Bill Gates|Dorothy Parker|
""".replace("\n", "").strip("|").split("|"))


def _text(el) -> str:
    return " ".join(el.text_content().split())


def _html_lines(path: str) -> list[str]:
    import lxml.html

    with open(path, "rb") as f:
        raw = f.read()
    if path.endswith(".gz"):
        raw = gzip.decompress(raw)
    try:
        doc = lxml.html.fromstring(raw)
    except Exception:  # noqa: BLE001 - an unreadable page is left out
        return []
    for tag in _DROP:
        for el in doc.xpath(f"//{tag}|//*[@class='{tag}']"):
            el.drop_tree()
    out = []
    for el in doc.xpath(_BLOCKS):
        if el.xpath(".//p|.//li|.//dd|.//td|.//blockquote"):
            continue  # the innermost block only
        out.extend(_SENTENCE_RE.split(_text(el)))
    return out


def _fortune_lines(path: str) -> list[str]:
    with open(path, encoding="utf-8", errors="replace") as f:
        entries = f.read().split("\n%\n")
    out = []
    for e in entries:
        out.extend(_SENTENCE_RE.split(" ".join(e.split())))
    return out


def _keep(line: str) -> bool:
    return _MIN <= len(line) <= _MAX and not _URLISH.search(line) and sum(c.isalpha() for c in line) >= 0.6 * len(line)


def _doc_paths(lang: str) -> list[str]:
    paths = sorted(glob.glob(os.path.join(HANDBOOK, _HANDBOOK_DIRS[lang], "*.html")))
    if lang in _REFERENCE_SUFFIX:
        paths += sorted(glob.glob(os.path.join(REFERENCE, f"*.{_REFERENCE_SUFFIX[lang]}.html")))
    if lang in _FAQ_DIRS:
        paths += sorted(glob.glob(os.path.join(FAQ, _FAQ_DIRS[lang], "*.html")))
    return paths


@functools.lru_cache(maxsize=None)
def doc_lines() -> dict[str, tuple[str, ...]]:
    """Prose lines of the handbook, the reference and the FAQ per language, in a fixed order, without repeats."""
    out: dict[str, dict[str, None]] = {lang: {} for lang in LANGS}
    for lang in LANGS:
        for p in _doc_paths(lang):
            for line in _html_lines(p):
                if _keep(line):
                    out[lang][line] = None
    short = [lang for lang, ls in out.items() if len(ls) < 500]
    if short:
        raise SystemExit(f"bench/pii_prose.py: too few prose lines for {short} (install the packages in the "
                         "docstring)")
    return {lang: tuple(ls) for lang, ls in out.items()}


@functools.lru_cache(maxsize=None)
def lines() -> dict[str, tuple[str, ...]]:
    """The documentation's lines and the fortune files' (en, de, zh), per language: what the sweep reads."""
    out = {lang: dict.fromkeys(ls) for lang, ls in doc_lines().items()}
    fortunes = {"en": sorted(p for p in glob.glob(os.path.join(FORTUNES, "*")) if "." not in os.path.basename(p)
                             and os.path.isfile(p) and os.path.basename(p) not in ("chinese", "tang300", "song100")),
                "de": sorted(p for p in glob.glob(os.path.join(FORTUNES, "de", "*")) if "." not in os.path.basename(p)),
                "zh": [os.path.join(FORTUNES, n) for n in ("chinese", "tang300", "song100")]}
    for lang, paths in fortunes.items():
        for p in paths:
            if os.path.isfile(p):
                for line in _fortune_lines(p):
                    if _keep(line):
                        out[lang][line] = None
    return {lang: tuple(ls) for lang, ls in out.items()}


def person_fires(text: str) -> list[tuple[int, int, str]]:
    from politecrawl.pii.names import find_person_names
    from politecrawl.pii.normalize import fold

    folded = fold(text)
    return [(s.start, s.end, folded[s.start:s.end]) for s in find_person_names(folded)]


def is_person(word: str) -> bool:
    return word in PEOPLE or any(p in word for p in PEOPLE if len(p) > 4)


_PEOPLE_RE = re.compile("|".join(re.escape(p) for p in sorted(PEOPLE, key=len, reverse=True)))


# ---------------------------------------------------------------- corpus 4

class ProseCorpus:
    """Corpus 4: texts of one to three lines of the documentation's real prose (one language a text, as a page
    is), names labelled where the lines name people (`PEOPLE`), and in half of the lines that name someone the
    name replaced by one drawn from bench/pii_dev.py's sources (US Census, Faker's nl/pl/pt/sv/cs/es_MX lists,
    its CJK lists; in zh/ja/ko lines a name in the line's script half the time), so that unseen names stand
    where real text puts names.  A line naming nobody is a hard negative as a whole (`prose_<lang>`).  Names
    the documentation holds that no finder fired on when `PEOPLE` was written are not labelled (none was seen
    in the lines' fires; a few are in its lists of translators): a rule that finds them counts them as false
    positives here."""

    def __init__(self, seed: int) -> None:
        from pii_dev import DevCorpus

        self.rng = random.Random(f"prose-{seed}")
        self.names = DevCorpus(seed + 1000)
        docs = doc_lines()
        self.named = {lang: [ln for ln in ls if _PEOPLE_RE.search(ln)] for lang, ls in docs.items()}
        self.plain = {lang: [ln for ln in ls if not _PEOPLE_RE.search(ln)] for lang, ls in docs.items()}

    def _name(self, lang: str) -> str:
        for _ in range(100):
            name, script = self.names.person_name()
            if script == "latin" or (lang in ("zh", "ja", "ko") and script == lang):
                return name
        return name

    def _named_line(self, lang: str) -> tuple[str, list[tuple[int, int, str]]]:
        line = self.rng.choice(self.named[lang])
        swap = self.rng.random() < 0.5
        out, labels, pos = "", [], 0
        for m in _PEOPLE_RE.finditer(line):
            name = self._name(lang) if swap else m.group()
            out += line[pos : m.start()]
            labels.append((len(out), len(out) + len(name), "person_name"))
            out += name
            pos = m.end()
        return out + line[pos:], labels

    def make(self, n: int):
        from pii_score import Text

        out = []
        for _ in range(n):
            lang = self.rng.choice(LANGS)
            t = Text("", lang=lang)
            for _ in range(self.rng.randint(1, 3)):
                if self.rng.random() < 0.3 and self.named[lang]:
                    line, labels = self._named_line(lang)
                    negatives = []
                else:
                    line = self.rng.choice(self.plain[lang])
                    labels, negatives = [], [(0, len(line), f"prose_{lang}")]
                t.append(self.rng.choice((" ", "\n")) if t.text else "", line, labels, negatives)
            out.append(t)
        return out


def sweep() -> None:
    ap = argparse.ArgumentParser(description="what the name finders fire on in the documentation and fortunes")
    ap.add_argument("--sweep", action="store_true")
    ap.add_argument("--lang", action="append", choices=LANGS)
    ap.add_argument("--show", type=int, default=0, help="fires shown per language, with context")
    ap.add_argument("--top", type=int, default=40, help="most frequent fired words shown per language")
    args = ap.parse_args()
    all_lines = lines()
    for lang in args.lang or LANGS:
        ls = all_lines[lang]
        words: Counter[str] = Counter()
        shown = []
        n_fires = n_right = 0
        for line in ls:
            for s, e, w in person_fires(line):
                n_fires += 1
                if is_person(w):
                    n_right += 1
                    continue
                words[w] += 1
                if len(shown) < args.show:
                    shown.append(f"  {w!r} in {line[max(0, s - 40):e + 40]!r}")
        wrong = n_fires - n_right
        print(f"{lang}: {len(ls)} lines, {n_fires} name fires, {n_right} on listed people, {wrong} other "
              f"({1000 * wrong / len(ls):.1f} per 1,000 lines)")
        if args.top:
            print("  " + ", ".join(f"{w} {k}" for w, k in words.most_common(args.top)))
        print("\n".join(shown))


if __name__ == "__main__":
    if "--sweep" in sys.argv:
        sweep()
    else:
        from pii_score import main

        main(ProseCorpus, [41, 42], __doc__)
