"""Pieces the personal-data corpora share (bench/pii_bench.py, pii_dev.py, pii_holdout.py)."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence

import phonenumbers

FULLWIDTH = str.maketrans("0123456789+-", "０１２３４５６７８９＋－")


def styled_email(rng: random.Random, addr: str,
                 styles: Sequence[tuple[float, Callable[[str, str], str]]]) -> str:
    """`addr` written in one of `styles`: (upper bound of a uniform draw, writer of local part and domain), the
    bounds rising, the last 1.0."""
    local, domain = addr.split("@")
    draw = rng.random()
    for bound, write in styles:
        if draw < bound:
            return write(local, domain)
    return styles[-1][1](local, domain)


def valid_number(written: str, region: str, also: tuple[str, ...] = ()) -> phonenumbers.PhoneNumber | None:
    """The number `written` if phonenumbers calls it valid in `region` (or one of `also`), else None: a corpus
    labels only numbers that reach someone."""
    try:
        num = phonenumbers.parse(written, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(num):
        return None
    if also and phonenumbers.region_code_for_number(num) not in (region, *also):
        return None
    return num
