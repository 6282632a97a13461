"""A found piece of personal data inside a string: where it is and what it is (never logged)."""

from __future__ import annotations

from typing import NamedTuple

# The types a value detector reports.  Bounded: these are the only names that reach stats.
PHONE = "phone"
EMAIL = "email"
CN_RESIDENT_ID = "cn_resident_id"
NATIONAL_ID = "national_id"
PAYMENT_CARD = "payment_card"
IBAN = "iban"
IP = "ip"
PERSON_NAME = "person_name"
NICKNAME = "nickname"
USER_ID = "user_id"

VALUE_TYPES = (PHONE, EMAIL, CN_RESIDENT_ID, NATIONAL_ID, PAYMENT_CARD, IBAN, IP, PERSON_NAME, NICKNAME, USER_ID)


class Span(NamedTuple):
    start: int
    end: int
    type: str
    # A canonical form of the value (E.164 for phones, lower-case for e-mails, bare digits for numbers),
    # used only as the input of a keyed pseudonym so that "138 0013 8000" and "+86 13800138000" link.
    canonical: str


def overlaps(spans: list[Span], start: int, end: int) -> bool:
    return any(s.start < end and start < s.end for s in spans)


class Unscannable(Exception):
    """The string needs more work than the budget allows, or a detection library failed on it; it is treated as
    personal data (fail closed)."""
