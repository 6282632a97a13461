"""Real text without person names for the development corpus (bench/pii_dev.py): sentences and place names in en,
de, fr, zh, ja and ko, read from the machine's GNU gettext message catalogs (/usr/share/locale, Debian's packages).

Sentences: the messages of command-line tools and libraries (apt, dpkg, coreutils, grep, glib, systemd, PostgreSQL
...) as their translators wrote them, and the English originals; one line each, without format directives,
paths, options, URLs, digits or credits.  Real prose of a technical register: capitalised product names (`GNU`,
`PostgreSQL`, `Debian`), nouns a tagger may read as names (Japanese and Korean ones included), Chinese words that
begin with a surname character.  Place names: countries and their subdivisions (ISO 3166-1 and 3166-2, from
Debian's iso-codes), as each language writes them (`San José`, `Saint George`, `鹿児島`, `경기도`, `阿南布拉州`).
Neither is a source of the held-out corpus (bench/pii_holdout.py: mimesis), nor of the tuned one (Faker).

The catalogs are those of the Debian image the project's machines use; the same image gives the same lists.  A
line that names a person (a few credits and examples) is left out by the words in `_PERSON_LINES`.
"""

from __future__ import annotations

import functools
import gettext
import os
import re

LOCALE_DIR = "/usr/share/locale"
# (language in the corpus, catalog directory)
LANGS = (("ja", "ja"), ("ko", "ko"), ("zh", "zh_CN"), ("de", "de"), ("fr", "fr"))
DOMAINS = ("apt", "libapt-pkg6.0", "dpkg", "coreutils", "findutils", "grep", "sed", "tar", "wget", "bash", "gawk",
           "make", "glib20", "gtk20", "systemd", "shadow", "adduser", "man-db", "PackageKit", "software-properties",
           "appstream", "avahi", "gstreamer-1.0", "gettext-tools", "gettext-runtime", "libc", "Linux-PAM",
           "psql-15", "postgres-15", "initdb-15", "pg_dump-15", "python-apt", "xkeyboard-config", "shared-mime-info")
PLACE_DOMAINS = ("iso_3166-1", "iso_3166-2")
# Lines with these are left out: format directives, markup, paths, options, addresses, credits, digits.
_SKIP_RE = re.compile(r"[%@<>{}\\=`$|_\[\]/#*0-9０-９]|://|^\s*-|--|\.\.\.|…|\t")
_PERSON_LINES = re.compile(r"written by|copyright|translat|übersetz|traduct|翻[译訳]|번역|packaged|maintainer|"
                           r"stallman|torvalds|drepper|eggert|meyering|mackenzie|brian fox|chet ramey|haertel|"
                           r"pinard|[sš]egan|granlund|brady|peter miller|haible|haerhtel|niels m|세이건|헤이블|밀러", re.I)
_MIN, _MAX = 12, 110


def _catalog(lang_dir: str, domain: str) -> dict[str, str]:
    path = os.path.join(LOCALE_DIR, lang_dir, "LC_MESSAGES", f"{domain}.mo")
    if not os.path.exists(path):
        return {}
    with open(path, "rb") as f:
        cat = gettext.GNUTranslations(f)._catalog  # noqa: SLF001 - the one way to list a catalog's messages
    # A message with a context is keyed "context\x04message": the context is no text of the program's.
    return {k.split("\x04")[-1]: v for k, v in cat.items()
            if isinstance(k, str) and k and isinstance(v, str) and v and v != k}


def _lines(message: str) -> list[str]:
    out = []
    for line in message.split("\n"):
        line = " ".join(line.split())
        if _MIN <= len(line) <= _MAX and not _SKIP_RE.search(line) and not _PERSON_LINES.search(line) and sum(
                c.isalpha() for c in line) >= 0.6 * len(line):
            out.append(line)
    return out


@functools.lru_cache(maxsize=None)
def sentences() -> dict[str, tuple[str, ...]]:
    """Lines of prose per language ("en", "de", "fr", "zh", "ja", "ko"), sorted, without repeats."""
    out: dict[str, set[str]] = {lang: set() for lang, _ in LANGS}
    out["en"] = set()
    for domain in DOMAINS:
        for lang, lang_dir in LANGS:
            for msgid, msgstr in _catalog(lang_dir, domain).items():
                out[lang].update(_lines(msgstr))
                if lang == "de":  # the English originals, once
                    out["en"].update(_lines(msgid))
    missing = [lang for lang, lines in out.items() if len(lines) < 200]
    if missing:
        raise SystemExit(f"bench/pii_realtext.py: too few catalog lines for {missing} in {LOCALE_DIR} "
                         "(Debian's message catalogs and iso-codes are needed)")
    return {lang: tuple(sorted(lines)) for lang, lines in out.items()}


@functools.lru_cache(maxsize=None)
def places() -> dict[str, tuple[str, ...]]:
    """Country and subdivision names per language, as that language's catalog writes them (en: the originals)."""
    out: dict[str, set[str]] = {lang: set() for lang, _ in LANGS}
    out["en"] = set()
    for domain in PLACE_DOMAINS:
        for lang, lang_dir in LANGS:
            for msgid, msgstr in _catalog(lang_dir, domain).items():
                for name, into in ((msgstr, lang), (msgid, "en")):
                    if 2 <= len(name) <= 30 and not _SKIP_RE.search(name) and "," not in name and "(" not in name:
                        out[into].add(name)
    return {lang: tuple(sorted(names)) for lang, names in out.items()}
