"""The name finders' patterns written for speed match what their plain forms match, from every position."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from politecrawl.pii import names, names_latin
from politecrawl.pii.names_latin import _FIRST, _LOW, _PARTICLE, _UP, _WORD

# The plain forms: the look-behind first (as written before the speed change).
PLAIN_LATIN = re.compile(
    rf"(?<![{_UP}{_LOW}0-9_@])(?P<first>{_FIRST})(?P<middle>[ ](?:[{_UP}]\.|{_WORD}))?"
    rf"[ ](?P<last>{_PARTICLE}{{0,2}}{_FIRST})(?![{_LOW}0-9_@])"
)
PLAIN_TITLE = re.compile(
    rf"(?<![{_UP}{_LOW}])(?:(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Dame|Herr|Frau|Mme|Mlle|Monsieur|Madame|"
    rf"Mademoiselle|Señor|Señora|Sig\.ra|Dhr|Mevr)\.?|(?:Hr|Fr|M|Sr|Sra|Srta|Sig)\.)[ ](?P<name>{_PARTICLE}{{0,2}}"
    rf"{_FIRST}(?:[ ]{_PARTICLE}{{0,2}}{_FIRST})?)(?![{_LOW}0-9_@])"
)
PLAIN_CUE_AFTER = re.compile(
    r"(?:先生|女士|小姐|老师|同学|经理|医生|教授|律师|师傅|阿姨|叔叔|表示|(?<!来)说(?![明法服话])|写道|回复|[ ]?wrote|[ ]?said|"
    r"[ ]?schrieb|[ ]?a écrit)"
)
PAIRS = [(PLAIN_LATIN, names_latin._LATIN_RE), (PLAIN_TITLE, names_latin._TITLE_RE),
         (PLAIN_CUE_AFTER, names._CUE_AFTER_RE)]

# Letters the patterns care about, and their neighbours.
ALPHABET = "MrsDhFPSaeiouMmeñlgvdn .-'’éÀÖZzx0@_Bwtcé来说明写道先生 "
TEXTS = ["Mr. Anna Schmidt", "xMr Anna Smith", "M. Dupont et Mme Durand", "Sig.ra Rossi", "ÀMme Durand",
         "Hr. Müller-Lüdenscheidt", "Dear Anna Maria de la Cruz", "O'Brien McDonald wrote", "来说明 李明说 Anna said",
         "AnnaSchmidt Anna Schmidt", "_Anna Schmidt @Anna Schmidt 9Anna Schmidt", "Srta. Ana García"]


def same_everywhere(text: str) -> None:
    for plain, fast in PAIRS:
        for pos in range(len(text) + 1):
            a, b = plain.search(text, pos), fast.search(text, pos)
            assert (a and (a.span(), a.groupdict())) == (b and (b.span(), b.groupdict())), (text, pos, plain.pattern)


def test_same_matches_on_examples() -> None:
    for text in TEXTS:
        same_everywhere(text)
        same_everywhere(text.lower())


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=40))
def test_same_matches_on_random_strings(text: str) -> None:
    same_everywhere(text)
