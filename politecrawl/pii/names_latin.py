"""Person names in Latin script: a first name from gender-guesser's dictionary (Jörg Michael's `nam_dict.txt`,
~40,000 first names of 54 countries), optionally a middle name or initial, then a capitalised surname
(`Anna-Lena Schmidt`, `John F. Smith`, `Marie de la Cruz`); or a title (`Mr`, `Frau`, `Mme` ...) then a capitalised
name.  The titles and the head nouns of places and firms are written here: they are grammar, not data, and no
package lists them across languages.  Used by `names.find_person_names`.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Iterator

from politecrawl.pii.spans import PERSON_NAME, Span

_UP = "A-ZÀ-ÖØ-ÞĀ-Ž"
_LOW = "a-zß-öø-ÿā-ž"
_WORD_TAIL = rf"[{_LOW}]+(?:['’][{_UP}][{_LOW}]+|[{_UP}][{_LOW}]+)?"
_WORD = rf"[{_UP}]{_WORD_TAIL}"  # Anna, O'Brien, McDonald
_FIRST = rf"{_WORD}(?:-{_WORD})?"  # Hans-Jürgen
_PARTICLE = r"(?:(?:van|von|de|der|den|del|della|di|da|du|la|le|zu|ten|ter|dos|das|bin|al)[ ])"
# Both patterns begin with what they consume first, the look-behind that a name does not continue a word coming
# after that first character (`X(?<![...]X)` is `(?<![...])X`): `re` then skips to the positions where a match can
# start instead of trying the look-behind at every position (the Latin scan 3.8 -> 2.5 us a text, titles 4.4 -> 1.3;
# same matches from every position).
_LATIN_RE = re.compile(
    rf"(?P<first>[{_UP}](?<![{_UP}{_LOW}0-9_@][{_UP}]){_WORD_TAIL}(?:-{_WORD})?)(?P<middle>[ ](?:[{_UP}]\.|{_WORD}))?"
    rf"[ ](?P<last>{_PARTICLE}{{0,2}}{_FIRST})(?![{_LOW}0-9_@])"
)
# Titles and forms of address before a name (en, de, fr, es, it, nl).
# One- and two-letter abbreviations that are also other things (a size `M`, `Fr` for Friday or francs, `Hr` for
# hours) count only with their full stop (`M. Dupont`, `Hr. Müller`, `Sr. García`).
_TITLES = (r"Mr", r"Mrs", r"Ms", r"Miss", r"Mx", r"Dr", r"Prof", r"Sir", r"Dame", r"Herr", r"Frau", r"Mme", r"Mlle",
           r"Monsieur", r"Madame", r"Mademoiselle", r"Señor", r"Señora", r"Sig\.ra", r"Dhr", r"Mevr")
_TITLES_WITH_STOP = (r"Hr", r"Fr", r"M", r"Sr", r"Sra", r"Srta", r"Sig")


def _title(word: str, stop: str) -> str:
    return rf"{word[0]}(?<![{_UP}{_LOW}]{word[0]}){word[1:]}{stop}"


_TITLE_RE = re.compile(
    "(?:" + "|".join([_title(t, r"\.?") for t in _TITLES] + [_title(t, r"\.") for t in _TITLES_WITH_STOP]) + ")"
    rf"[ ](?P<name>{_PARTICLE}{{0,2}}{_FIRST}(?:[ ]{_PARTICLE}{{0,2}}{_FIRST})?)(?![{_LOW}0-9_@])"
)


# Head nouns of names of places, buildings, firms, teams and events in en, de, fr (grammar, not data: written here).
# A first name followed by one of these (`Victoria Station`, `Lincoln Center`, `Adele Stadion`) names no person.
_HEAD_NOUNS = frozenset("""
Street Road Avenue Lane Boulevard Drive Way Square Place Plaza Court Row Terrace Highway Bridge Tunnel Station
Airport Terminal Port Harbour Harbor Dock Docks Pier Beach Bay Coast River Lake Creek Falls Springs Valley Hill
Hills Mountain Mountains Mount Island Islands Park Gardens Garden Forest Canyon Hole Desert Point Heights Line
City Town County State Village District Center Centre Mall Market Hall Tower Castle Palace Cathedral Church Chapel
Abbey Temple Mosque Museum Gallery Theatre Theater Opera Stadium Arena Library School College University Academy
Institute Hospital Clinic Hotel Inn Resort Restaurant Cafe Bar Club Bank Group Company Corporation Inc Ltd LLC
GmbH AG Holdings Motor Motors Airlines Airways Energy Tech Technologies Systems Software Labs Media News Post Times
Herald Journal Tribune Press Records Studios Pictures Foundation Trust Fund Council Committee Party Union
Association Society Federation League Cup Bowl Open Championship Festival Awards Prize Award Series Show Magic
Strasse Straße Platz Bahnhof Flughafen Kirche Dom Schloss Brücke Markt Allee Weg Gasse Tor Haus Klinik Schule
Universität Rue Avenue Gare Place Pont Église Musée Lycée Hôpital Quai Boulevard Château Parc
""".split())
# Words that begin place names and are also listed as first names (`Santa Clara`, `Port Louis`, `Mont Blanc`).
_PLACE_PREFIXES = frozenset("San Santa Santo São Saint Sainte St Ste Sankt Port Porto Puerto Fort Mount Mont Monte "
                            "Lake Cape Glen Bad".split())
_NEXT_WORD_RE = re.compile(rf"[ ]([{_UP}][{_LOW}]+)")

# Closed-class words (articles, pronouns, prepositions, conjunctions, auxiliaries) of en, de, fr, es and it: grammar,
# written here.  Some are also first names in the list (Eine, Nur, An, Per, Una, Elle, Mais ...); at the start of
# a sentence, where every word is capitalised, such a word begins no name (`Eine Datei umbenennen`, `Nur Superuser
# können`).  Inside a sentence it still may (`mit Per Andersson`).
_FUNCTION_WORDS = frozenset("""
a an the and or but if of in on at to by for with from as is are was were be been has have had do does did not no
all any some this that these those it its he she we you they my your our his her their who what which when where
how so than then there here also only just very more most such each every other into over under after before
about per via der die das ein eine einer eines einem einen den dem des und oder aber wenn dann auch nur noch schon
sehr mit von zu zum zur bei nach vor aus auf am im um für über unter durch gegen ohne bis seit ist sind war waren
wird werden hat haben kann muss soll darf mag nicht kein keine alle jede jeder dieser diese dieses man es er sie
wir ihr ich du mein dein sein wie als ob da wo was wer le la les un une du de et ou mais si dans sur sous avec sans
pour par en au aux ce cet cette ces il elle ils elles nous vous je tu on est sont était être avoir ont qui que quoi
dont où plus moins très tout tous toute toutes aussi ne pas non oui même entre vers chez el los las una unos unas y
o pero con sin por del al son era ser estar este esta estos estas ese esa lo le su sus muy más todo toda todos
todas también nada cada hacia desde hasta gli uno di da tra fra ma se che chi più molto tutto tutti anche come
dove quando questo questa quello quella sono è essere avere ha hanno
""".split())
# The text before a match ends a sentence or a line (or is empty, or only spaces and marks).
_SENTENCE_START_RE = re.compile(r"(?:^|[.!?:;。！？：；\n|]|\s-)[\s\"'«»“”(\[]*$")

_MIN_FREQ = 2
_HEX = frozenset("0123456789ABCDEFabcdef")


_LATIN_COUNTRIES = 47  # gender_guesser.detector.Detector.COUNTRIES up to "turkey" (checked in the tests)


def _strip_accents(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c))


def _load_first_names() -> frozenset[str]:
    import gender_guesser

    path = os.path.join(os.path.dirname(gender_guesser.__file__), "data", "nam_dict.txt")
    names = set()
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line[:1] in "#=" or len(line) < 4:
                continue
            parts = line.split()
            # Frequencies are one hex digit per country (columns 30-84, 1 rare .. D extremely common); a name
            # of frequency 1 everywhere is left out.  2 and up: names of one country (Polish, Czech, Dutch,
            # Portuguese given names of frequency 2 were most of corpus 3's Latin misses); closed-class words
            # among them ("Mein") are read as such at a sentence's start (`_FUNCTION_WORDS`).
            # Only the countries that write names in Latin script (up to Turkey): the romanised Chinese and Korean
            # columns hold syllables that are German or French words ("Bei", "Man", "Jung").
            freq = max((int(c, 16) for c in line[30 : 30 + _LATIN_COUNTRIES] if c in _HEX), default=0)
            if len(parts) >= 2 and "+" not in parts[1] and len(parts[1]) >= 2 and freq >= _MIN_FREQ:
                names.add(parts[1])
                names.add(_strip_accents(parts[1]))
    return frozenset(names)


class _Latin:
    def __init__(self) -> None:
        self.first = _load_first_names()

    def _first_ok(self, word: str) -> bool:
        return all(part in self.first or _strip_accents(part) in self.first for part in word.split("-"))

    def find(self, text: str) -> Iterator[Span]:
        for m in _TITLE_RE.finditer(text):
            yield Span(m.start(), m.end(), PERSON_NAME, m.group("name"))
        pos = 0
        while (m := _LATIN_RE.search(text, pos)) is not None:
            if (self._first_ok(m.group("first")) and not self._place_or_firm(text, m)
                    and not (m.group("first").lower() in _FUNCTION_WORDS and _SENTENCE_START_RE.search(text, 0, m.start()))
                    and not self._sentence_after_initial(m)):
                yield Span(m.start(), m.end(), PERSON_NAME, m.group())
                pos = m.end()
            else:
                pos = m.end("first")  # "Dear Anna Schmidt": the next word may begin the name

    @staticmethod
    def _sentence_after_initial(m: re.Match[str]) -> bool:
        """`Dan J. Dans le cas`, `Jonas E. Dieser Name`: after an initial's full stop a closed-class word begins
        the next sentence; it is no surname."""
        return (m.group("middle") or "").endswith(".") and m.group("last").lower() in _FUNCTION_WORDS

    @staticmethod
    def _place_or_firm(text: str, m: re.Match[str]) -> bool:
        """`Victoria Station`, `Georgia Tech`, `Santa Clara`: the "surname" (or the word after it) is the head
        noun of a place, building, firm or team name, or the "first name" begins place names."""
        last = m.group("last").rsplit(" ", 1)[-1]
        if m.group("first") in _PLACE_PREFIXES or last in _HEAD_NOUNS or (m.group("middle") or "").strip() in _HEAD_NOUNS:
            return True
        nxt = _NEXT_WORD_RE.match(text, m.end())
        return nxt is not None and nxt.group(1) in _HEAD_NOUNS
