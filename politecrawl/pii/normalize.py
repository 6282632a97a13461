"""One-to-one character folding so that every detector sees ASCII digits and punctuation.

Each character maps to exactly one character, so offsets found in the folded text are offsets in the original.
Full-width forms (U+FF01..U+FF5E) fold to ASCII, the ideographic space to a space, and the common dash and dot
look-alikes to '-' and '.'.  Non-ASCII digits of other scripts are left alone (detectors match [0-9] only).
"""

from __future__ import annotations

import re
from itertools import islice

_TABLE = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_TABLE.update({
    0x3000: 0x20,  # ideographic space
    0x00A0: 0x20,  # no-break space
    0x2007: 0x20,
    0x202F: 0x20,
    0x2010: 0x2D, 0x2011: 0x2D, 0x2012: 0x2D, 0x2013: 0x2D, 0x2014: 0x2D, 0x2015: 0x2D, 0x2212: 0x2D,  # dashes
    0x30FC: 0x2D,  # katakana long sound mark, used as a dash in Japanese phone numbers
    0xFF61: 0x2E,  # halfwidth ideographic full stop
})


# The same mapping as a sequence indexed by code point: str.translate then indexes instead of hashing (2-3x
# faster on mixed Chinese/English text).  Code points past the end raise IndexError, which translate treats as
# "leave unchanged".  About 2 MB, built once.
_SEQ = tuple(_TABLE.get(cp, cp) for cp in range(max(_TABLE) + 1))


# The characters `fold` changes, and each one's folded form.  Most non-ASCII text holds a few of them (Chinese
# punctuation: two a text on corpora 1 and 3): replacing those few is half the time of translating every character
# (1.6 us a text instead of 3.2); many of them (full-width digits), or none, go the other ways.
_FOLDABLE_RE = re.compile("[" + "".join(sorted({re.escape(chr(cp)) for cp in _TABLE})) + "]")
_FOLDED = {chr(cp): chr(to) for cp, to in _TABLE.items()}
_FEW = 8


def _folded(m: re.Match[str]) -> str:
    return _FOLDED[m.group()]


def fold(text: str) -> str:
    """Return `text` with full-width and look-alike characters folded to ASCII, same length."""
    if text.isascii():
        return text
    # Counted up to _FEW + 1 only: a megabyte of full-width digits is not listed first.
    found = sum(1 for _ in islice(_FOLDABLE_RE.finditer(text), _FEW + 1))
    if not found:
        return text
    if found > _FEW:
        return text.translate(_SEQ)
    return _FOLDABLE_RE.sub(_folded, text)


def fold_words(pattern: str) -> str:
    """A regex of cue words written as `fold` leaves text: the katakana long-sound mark folds to '-' (so
    `ユーザー名` in text is `ユ-ザ-名` to the detectors)."""
    return pattern.replace("\u30fc", "-")
