"""StrictMatcher answers as phonenumbers' own PhoneNumberMatcher (phone_match.py restates its STRICT_GROUPING
check over tables compiled once per country code)."""

from __future__ import annotations

import phonenumbers
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from phonenumbers import Leniency, PhoneNumberFormat, PhoneNumberMatcher, PhoneNumberType

from politecrawl.pii.phone_match import StrictMatcher

# The finder's default regions, and regions whose metadata takes the other branches: alternate formats (DE, IT, AU),
# Italian leading zeros (IT), carrier codes (BR, CO), national prefixes with a transform rule (AR, MX), a country
# code shared by many regions (US/CA/JM), one without a national prefix (ES), non-geographic numbers (+800).
REGIONS = ("CN", "US", "GB", "DE", "FR", "JP", "KR", "IN", "IT", "AU", "BR", "CO", "AR", "MX", "CA", "JM", "ES", "RU")
TYPES = (PhoneNumberType.FIXED_LINE, PhoneNumberType.MOBILE, PhoneNumberType.TOLL_FREE,
         PhoneNumberType.PREMIUM_RATE, PhoneNumberType.VOIP, PhoneNumberType.UAN)
PROPS = settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def found(cls, text: str, region: str, leniency=Leniency.STRICT_GROUPING) -> list[tuple[int, int, str]]:
    return [(m.start, m.end, phonenumbers.format_number(m.number, PhoneNumberFormat.E164))
            for m in cls(text, region, leniency=leniency, max_tries=40)]


def same(text: str, region: str) -> None:
    for leniency in (Leniency.STRICT_GROUPING, Leniency.VALID):
        assert found(StrictMatcher, text, region, leniency) == found(PhoneNumberMatcher, text, region, leniency), (
            text, region, leniency)


def _examples() -> list[str]:
    out = []
    for region in REGIONS:
        for typ in TYPES:
            num = phonenumbers.example_number_for_type(region, typ)
            if num is None:
                continue
            for fmt in (PhoneNumberFormat.NATIONAL, PhoneNumberFormat.INTERNATIONAL, PhoneNumberFormat.E164):
                out.append(phonenumbers.format_number(num, fmt))
            out.append(phonenumbers.national_significant_number(num))
    out.append("+800 1234 5678")  # non-geographic (International Freephone)
    return out


EXAMPLES = _examples()
SEPARATORS = ("", "", " ", "-", ".", "  ", " - ", "/", "(", ")", ") ", "x", " ext. ")


@st.composite
def regrouped(draw: st.DrawFn) -> str:
    """A valid number as a formatter writes it, then with its separators moved, dropped, added or swapped, and
    maybe a prefix, an extension or a letter around it."""
    written = draw(st.sampled_from(EXAMPLES))
    digits = [c for c in written if c.isdigit() or c == "+"]
    out = []
    for c in digits:
        out.append(c)
        if c != "+" and draw(st.integers(0, 3)) == 0:
            out.append(draw(st.sampled_from(SEPARATORS)))
    body = "".join(out) if draw(st.booleans()) else written
    before = draw(st.sampled_from(("", " ", "(", "0", "+", "Tel ", "a", "电话", "$")))
    after = draw(st.sampled_from(("", " ", ")", " x12", "x3", "/5", "a", "，", " 2020-01-02 08", ":30")))
    return before + body + after


@PROPS
@given(regrouped(), st.sampled_from(REGIONS))
def test_same_matches_as_phonenumbers_on_regrouped_valid_numbers(text: str, region: str) -> None:
    same(text, region)


@PROPS
@given(st.text(alphabet="0123456789 -+()x/.", min_size=7, max_size=24), st.sampled_from(REGIONS))
def test_same_matches_as_phonenumbers_on_random_digit_strings(text: str, region: str) -> None:
    same(text, region)


@pytest.mark.parametrize("text, region", [
    (" 138 0013 8000 ", "CN"),        # accepted: CN mobile as formatted
    (" 1380 013 8000 ", "CN"),        # refused: a group broken
    (" (030) 12345678 ", "DE"),       # accepted
    (" 030 1234 5678 ", "DE"),        # DE alternate formats
    (" 7946 0018 ", "GB"),            # no trunk prefix where the format needs one
    (" 020 7946 0018 ", "GB"),
    (" 02079460018 ", "GB"),          # no formatting at all: accepted
    (" 020 79460018 ", "GB"),         # a symbol after the first group only
    (" +1 650-253-0000 ", "CN"),      # country code written: grouping after it
    (" 0086 138 0013 8000 ", "CN"),   # international prefix
    (" 06 12 34 56 78 ", "FR"),
    (" 03-1234-5678 ", "JP"),
    (" 010-1234-5678 ", "KR"),
    (" 98765 43210 ", "IN"),
    (" 02 1234 5678 ", "IT"),         # Italian leading zero
    (" 650-253-0000 x123 ", "US"),    # extension after "x": the library's own x-character check
    (" 0 15 11 2345 6789 ", "AR"),    # national prefix transform
    (" +800 1234 5678 ", "US"),       # non-geographic
    (" 12/34/5678 ", "US"),           # a slash-separated date
])
def test_same_matches_as_phonenumbers_on_known_shapes(text: str, region: str) -> None:
    same(text, region)
