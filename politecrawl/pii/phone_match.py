"""`PhoneNumberMatcher` with its STRICT_GROUPING verification read from tables built once per country code.

For each candidate, phonenumbers' STRICT_GROUPING check formats the parsed number (RFC 3966) to learn its digit
groups, chooses the number's format a second time for the national-prefix rule, and looks every metadata regex up
again (`re_util.re_compile`): more than half of a matcher call that finds a phone.  `StrictMatcher` is a
`PhoneNumberMatcher` that keeps the library's candidate extraction, its date, bracket and letter checks, `parse`
and `is_valid_number`, and answers the national-prefix and grouping questions from per-country-code tables of the
same metadata: the library's rules (`_is_national_prefix_present_if_required`,
`_get_national_number_groups_without_pattern`, `_all_number_groups_remain_grouped`, the alternate formats of
`_check_number_grouping_is_valid`) restated over compiled patterns.  Other leniencies, and candidates holding an
`x` or two slashes, go through the library's own `_verify`.

Same answers as `PhoneNumberMatcher`: tests/test_pii_phone_match.py compares them on random candidates, and
bench/pii_phone_equiv.py on every window the phone finder examines in the tuned and development corpora.
"""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import Leniency, NumberParseException, PhoneMetadata, PhoneNumberMatcher
from phonenumbers import phonenumbermatcher as _pm
from phonenumbers.phonenumberutil import (
    _FIRST_GROUP_ONLY_PREFIX_PATTERN,
    _SEPARATOR_PATTERN,
    CountryCodeSource,
    _maybe_strip_national_prefix_carrier_code,
    normalize_digits_only,
)

# One format: (pattern of the leading digits or None, the whole pattern, the replacement that formats it).
_Format = tuple["re.Pattern[str] | None", "re.Pattern[str]", str]


def _formats(number_formats, leading: int) -> tuple[_Format, ...]:
    return tuple((re.compile(f.leading_digits_pattern[leading]) if f.leading_digits_pattern else None,
                  re.compile(f.pattern), f.format) for f in number_formats)


def _choose(formats, nsn: str):
    """The library's `_choose_formatting_pattern_for_number`: the first format whose last leading-digits pattern
    matches at the start and whose pattern matches the whole number; its index, or None."""
    for i, (leading, pattern, _rule) in enumerate(formats):
        if (leading is None or leading.match(nsn)) and pattern.fullmatch(nsn):
            return i
    return None


def _groups(pattern: re.Pattern[str], rule: str, nsn: str) -> list[str]:
    """`_format_nsn_using_pattern(nsn, format, RFC3966)` split at its dashes: the digit groups as formatted."""
    formatted = pattern.sub(rule, nsn)
    if _SEPARATOR_PATTERN.match(formatted):
        formatted = _SEPARATOR_PATTERN.sub("", formatted, count=1)
    return _SEPARATOR_PATTERN.sub("-", formatted).split("-")


class _CountryTables:
    """What STRICT_GROUPING reads of one country code's metadata, compiled once."""

    __slots__ = ("alternates", "group_formats", "has_ndd", "prefix_formats", "prefix_meta", "prefix_needed")

    def __init__(self, cc: int) -> None:
        region = phonenumbers.region_code_for_country_code(cc)
        # Grouping: format_number(RFC3966) formats with the main region's (or the non-geographic entity's)
        # international formats when it has any, its national formats otherwise.
        meta = PhoneMetadata.metadata_for_region_or_calling_code(cc, region.upper())
        if meta is None:
            raise LookupError(cc)  # the caller falls back to the library
        self.group_formats = _formats(meta.intl_number_format if len(meta.intl_number_format) else meta.number_format,
                                      -1)
        # The national-prefix rule reads the main region's metadata (none for a non-geographic entity: no rule).
        self.prefix_meta = PhoneMetadata.metadata_for_region(region, None)
        self.prefix_formats = _formats(self.prefix_meta.number_format, -1) if self.prefix_meta else ()
        self.prefix_needed = tuple(
            bool(f.national_prefix_formatting_rule) and not f.national_prefix_optional_when_formatting
            and _FIRST_GROUP_ONLY_PREFIX_PATTERN.fullmatch(f.national_prefix_formatting_rule) is None
            for f in (self.prefix_meta.number_format if self.prefix_meta else ()))
        # `ndd_prefix_for_region(region, True) is not None`: the region has a national prefix.
        self.has_ndd = bool(self.prefix_meta is not None and self.prefix_meta.national_prefix)
        # Alternate formats have one leading-digits pattern (the first).
        self.alternates = _formats(_pm._ALT_NUMBER_FORMATS.get(cc, ()), 0)

    def national_prefix_ok(self, numobj, nsn: str) -> bool:
        """`_is_national_prefix_present_if_required`."""
        if numobj.country_code_source != CountryCodeSource.FROM_DEFAULT_COUNTRY or self.prefix_meta is None:
            return True
        i = _choose(self.prefix_formats, nsn)
        if i is None or not self.prefix_needed[i]:
            return True
        return _maybe_strip_national_prefix_carrier_code(normalize_digits_only(numobj.raw_input),
                                                         self.prefix_meta)[2]

    def remain_grouped(self, numobj, nsn: str, normalized: str, groups: list[str]) -> bool:
        """`_all_number_groups_remain_grouped`."""
        from_index = 0
        if numobj.country_code_source != CountryCodeSource.FROM_DEFAULT_COUNTRY:
            cc = str(numobj.country_code)
            from_index = normalized.find(cc) + len(cc)
        for ii, group in enumerate(groups):
            from_index = normalized.find(group, from_index)
            if from_index < 0:
                return False
            from_index += len(group)
            if ii == 0 and from_index < len(normalized) and self.has_ndd and normalized[from_index].isdigit():
                # No formatting symbol after the first group: accepted only when the number has none at all.
                return normalized[from_index - len(group) :].startswith(nsn)
        return normalized[from_index:].find(numobj.extension or "") != -1

    def grouping_ok(self, numobj, nsn: str, candidate: str) -> bool:
        """`_check_number_grouping_is_valid` with `_all_number_groups_remain_grouped`."""
        normalized = candidate if candidate.isascii() else normalize_digits_only(candidate, True)
        i = _choose(self.group_formats, nsn)
        groups = [nsn] if i is None else _groups(self.group_formats[i][1], self.group_formats[i][2], nsn)
        if self.remain_grouped(numobj, nsn, normalized, groups):
            return True
        for leading, pattern, rule in self.alternates:
            if (leading is None or leading.match(nsn)) and self.remain_grouped(
                numobj, nsn, normalized, _groups(pattern, rule, nsn)
            ):
                return True
        return False


_TABLES: dict[int, _CountryTables | None] = {}


def _tables(cc: int) -> _CountryTables | None:
    if cc not in _TABLES:
        try:
            _TABLES[cc] = _CountryTables(cc)
        except Exception:  # noqa: BLE001 - metadata this module does not read: the library's own check decides
            _TABLES[cc] = None
    return _TABLES[cc]


def verify_strict_grouping(numobj, candidate: str, matcher) -> bool:
    """`phonenumbermatcher._verify_strict_grouping`, answered from the per-country-code tables."""
    if not phonenumbers.is_valid_number(numobj):
        return False
    tables = _tables(numobj.country_code)
    body = candidate[:-1]
    if tables is None or "x" in body or "X" in body or candidate.count("/") > 1:
        # Carrier codes, extensions after "x", slashes: rare, and the library's own checks answer.
        return _pm._verify_strict_grouping(numobj, candidate, matcher)
    nsn = phonenumbers.national_significant_number(numobj)
    return tables.national_prefix_ok(numobj, nsn) and tables.grouping_ok(numobj, nsn, candidate)


class StrictMatcher(PhoneNumberMatcher):
    """`PhoneNumberMatcher` whose STRICT_GROUPING verification is `verify_strict_grouping`."""

    def _parse_and_verify(self, candidate, offset):  # the library's, with its `_verify` call replaced
        try:
            if not _pm.fullmatch(_pm._MATCHING_BRACKETS, candidate) or _pm._PUB_PAGES.search(candidate):
                return None
            if self.leniency >= Leniency.VALID:
                if offset > 0 and not _pm._LEAD_PATTERN.match(candidate):
                    previous_char = self.text[offset - 1]
                    if self._is_invalid_punctuation_symbol(previous_char) or self._is_latin_letter(previous_char):
                        return None
                last_char_index = offset + len(candidate)
                if last_char_index < len(self.text):
                    next_char = self.text[last_char_index]
                    if self._is_invalid_punctuation_symbol(next_char) or self._is_latin_letter(next_char):
                        return None
            numobj = phonenumbers.parse(candidate, self.preferred_region, keep_raw_input=True)
            if self.leniency == Leniency.STRICT_GROUPING:
                ok = verify_strict_grouping(numobj, candidate, self)
            else:
                ok = _pm._verify(self.leniency, numobj, candidate, self)
            if ok:
                numobj.country_code_source = CountryCodeSource.UNSPECIFIED
                numobj.raw_input = None
                numobj.preferred_domestic_carrier_code = None
                return _pm.PhoneNumberMatch(offset, candidate, numobj)
        except NumberParseException:
            pass
        return None
