"""Phone numbers in free text, found by `phonenumbers` on short windows.

Why windows: `PhoneNumberMatcher` gives up silently after `max_tries` (65,535 by default) failed candidates, so a
number placed after enough digit noise is never reported; and on a megabyte of digits and separators one region
takes seconds.  Here a linear pre-scan finds runs of digits and phone separators; a run is cut at '/' and at
double spaces into pieces, and each piece is examined as group-aligned windows (a window is whole groups of
digits, 7-17 digits, at most 40 characters).  A window goes to the matcher (`phone_match.StrictMatcher`:
`PhoneNumberMatcher` with its STRICT_GROUPING check read from tables; one character of context on each side, the
configured leniency) only for the regions whose own number pattern (phonenumbers metadata) could
match its digits, which keeps the expensive matcher off the many digit runs that are not phones.

Nothing is left unscanned: every window is examined, and each examination is paid for through `spend`; the caller
stops a string whose budget runs out and drops it whole (fail closed).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence

import phonenumbers
from phonenumbers import Leniency, PhoneMetadata, PhoneNumberFormat

from politecrawl.pii.phone_match import StrictMatcher
from politecrawl.pii.spans import PHONE, Span, Unscannable

DEFAULT_REGIONS = ("CN", "US", "GB", "DE", "FR", "JP", "KR", "IN")
LENIENCIES = {
    "possible": Leniency.POSSIBLE,
    "valid": Leniency.VALID,
    "strict_grouping": Leniency.STRICT_GROUPING,
    "exact_grouping": Leniency.EXACT_GROUPING,
}
MIN_DIGITS = 7  # shortest national numbers with area code in the default regions (e.g. DE "030 9018")
MAX_DIGITS = 17  # E.164 allows 15 digits; + an international prefix
WINDOW_CHARS = 40
COST_WINDOW = 1  # budget units for a window checked against the region patterns (~10 us)
COST_MATCHER = 10  # budget units for one matcher call (~50-150 us)

# An extension after the number ("430-268-9143x8646", "... ext. 12"): part of the phone, not a letter that blocks it.
_EXT_RE = re.compile(r"(?:[ ]?[xX]|[ ]?(?:ext|Ext|EXT)\.?[ ]?|[ ]extension[ ])[0-9]{1,6}(?![0-9A-Za-z\-.])")
# A national number written with its trunk prefix or in international format, digit groups joined by spaces, dashes
# or brackets: the shape that gets a second reading at leniency VALID when STRICT_GROUPING refuses it (German
# "08712 140194", "(07211) 45871", "+49(0)6217 736106", Japanese "08-8450-3640": groupings the library's format
# tables do not list).  Dates ("01-02-2020") are not retried.
_NATIONAL_SHAPE_RE = re.compile(r"(?:\(?0|\+|\(\+)[0-9()]*[0-9](?:[ \-()]{1,3}[0-9]+)+")
_DATE_SHAPE_RE = re.compile(r"[0-9]{1,2}[\-/][0-9]{1,2}[\-/][0-9]{2,4}|[0-9]{4}[\-/][0-9]{1,2}[\-/][0-9]{1,2}")
# `[+(]?[0-9](?:[ \-.()/]*[0-9]){6,}` with its first character a class (a "+" or "(" then needs a digit): `re` skips
# to where a run can start instead of trying the optional sign at every position.  Same matches
# (tests/test_pii_scan_patterns.py).
_RUN_RE = re.compile(rf"[+(0-9](?:(?<=[+(])[0-9]|(?<=[0-9]))(?:[ \-.()/]*[0-9]){{{MIN_DIGITS - 1},}}", re.ASCII)
_PIECE_SPLIT_RE = re.compile(r"/| {2,}")
_GROUP_RE = re.compile(r"[0-9]+", re.ASCII)


class _Region:
    __slots__ = ("cc", "code", "country_code", "formats", "idd_re", "lengths", "pattern", "prefix", "strip_re",
                 "transform", "valid_by_length")

    def __init__(self, code: str) -> None:
        meta = PhoneMetadata.metadata_for_region(code)
        if meta is None:
            raise ValueError(f"unknown phone region {code!r}")
        self.code = code
        self.cc = meta.country_code
        self.country_code = str(meta.country_code)
        self.lengths = frozenset(meta.general_desc.possible_length)
        self.pattern = re.compile(meta.general_desc.national_number_pattern)
        self.prefix = meta.national_prefix or ""
        self.strip_re = re.compile(meta.national_prefix_for_parsing) if meta.national_prefix_for_parsing else None
        self.transform = meta.national_prefix_transform_rule or None
        self.idd_re = re.compile(meta.international_prefix) if meta.international_prefix else None
        self.valid_by_length = _valid_union(self.cc)  # compiled here, not on the first string
        # The region's number formats, in the library's order: (last leading-digits pattern or None, whole pattern,
        # whether the national form writes the trunk prefix: a rule such as "0\\1", not optional, not the first
        # group alone as "(\\1)").
        self.formats = tuple(
            (re.compile(f.leading_digits_pattern[-1]) if f.leading_digits_pattern else None, re.compile(f.pattern),
             bool(f.national_prefix_formatting_rule) and not f.national_prefix_optional_when_formatting
             and _FIRST_GROUP_ONLY_RE.fullmatch(f.national_prefix_formatting_rule) is None)
            for f in meta.number_format)

    def trunk_prefix_missing(self, digits: str) -> bool:
        """Must PhoneNumberMatcher (leniency VALID or stricter) reject `digits`, written in national format (no
        "+"), for want of the trunk prefix?  Its rule (`_is_national_prefix_present_if_required`): a number read
        in national format whose format (the first of the region's formats whose leading digits and pattern fit
        the national number) writes the national prefix (not optional) must start with a national prefix
        or carrier code that parsing strips.  Answered only where parsing can change nothing: the digits do not
        start with 0, the country code, an international prefix or anything `national_prefix_for_parsing`
        matches; elsewhere False (the matcher decides).  Tested against the library."""
        if (digits.startswith(("0", self.country_code)) or (self.strip_re is not None and self.strip_re.match(digits))
                or (self.idd_re is not None and self.idd_re.match(digits))):
            return False
        for leading, pattern, needs_prefix in self.formats:
            if (leading is None or leading.match(digits)) and pattern.fullmatch(digits):
                return needs_prefix
        return False

    def plausible(self, digits: str) -> bool:
        """Could `digits` (a national-format number, maybe with trunk prefix) be a number of this region?"""
        n, p = len(digits), self.prefix
        if n in self.lengths and self.pattern.fullmatch(digits):
            return True
        return (bool(p) and n - len(p) in self.lengths and digits.startswith(p)
                and self.pattern.fullmatch(digits[len(p) :]) is not None)

    def _nationals(self, digits: str) -> set[str]:
        """Every national significant number `phonenumbers.parse(digits, region)` could arrive at: the digits as
        they are, after the country code, after the national prefix or carrier code (national_prefix_for_parsing,
        with its transform rule), in any combination.  A superset: parse picks one of these."""
        starts = [digits]
        if digits.startswith(self.country_code) and len(digits) > len(self.country_code):
            starts.append(digits[len(self.country_code) :])
        out = set(starts)
        for d in starts:
            if self.prefix and d.startswith(self.prefix):
                out.add(d[len(self.prefix) :])
            m = self.strip_re.match(d) if self.strip_re else None
            if m:
                out.add(d[m.end() :])
                if self.transform:
                    out.add(self.strip_re.sub(self.transform, d, count=1))
        return out

    def valid(self, digits: str) -> bool:
        """Could some reading of `digits` as a national number (see `_nationals`) be a valid number of this
        country code?  `phonenumbers.is_valid_number` accepts a national significant number when it matches the
        pattern and lengths of one number type (fixed line, mobile, toll free ...) of a region sharing the
        country code (CA for US, JE for GB ...); this is the union of those patterns and lengths, from the
        library's metadata, so it never says no when is_valid_number would say yes.  With leniency VALID or
        stricter PhoneNumberMatcher reports nothing else, so a window that fails here is not given to it."""
        if self.idd_re is not None and self.idd_re.match(digits):
            return True  # an international call prefix ("00", "011"): another country's number, the matcher decides
        unions = self.valid_by_length
        pattern = unions.get(len(digits))
        if pattern is not None and pattern.fullmatch(digits):
            return True  # the digits as they are (one of `_nationals`): the other readings need not be built
        for n in self._nationals(digits):
            pattern = unions.get(len(n))
            if pattern is not None and pattern.fullmatch(n):
                return True
        return False


# phonenumbers' metadata holds national-prefix formatting rules with the prefix and first group filled in ("0\\1");
# one that is the first group alone, maybe in brackets, writes no prefix (the library's own test).
_FIRST_GROUP_ONLY_RE = re.compile(r"\(?\\1\)?")

_TYPE_DESCS = ("fixed_line", "mobile", "toll_free", "premium_rate", "shared_cost", "personal_number", "voip",
               "pager", "uan", "voicemail")
_VALID_UNIONS: dict[int, dict[int, re.Pattern[str]]] = {}


def _valid_union(cc: int) -> dict[int, re.Pattern[str]]:
    """For each length of a national number, the union of the patterns of the number types (of every region
    sharing the country code) whose possible lengths hold it.  `is_valid_number` asks for a type whose lengths and
    pattern both fit; one union per length is as permissive and holds a fraction of the patterns (CN's and DE's
    unions of all types took 6-8 us a call)."""
    if cc not in _VALID_UNIONS:
        by_length: dict[int, list[str]] = {}
        any_length: list[str] = []
        for code in phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(cc, ()):
            meta = PhoneMetadata.metadata_for_region(code)
            if meta is None:
                continue
            for name in _TYPE_DESCS:
                desc = getattr(meta, name, None)
                if desc is not None and desc.national_number_pattern:
                    lengths = [n for n in desc.possible_length if n > 0]
                    if not lengths:
                        any_length.append(desc.national_number_pattern)  # no lengths listed: the library checks none
                    for n in lengths:
                        by_length.setdefault(n, []).append(desc.national_number_pattern)
        if not by_length and not any_length:
            any_length.append("[0-9]+")  # no metadata (not for a configured region): the matcher decides
        _VALID_UNIONS[cc] = {
            n: re.compile("|".join(f"(?:{p})" for p in dict.fromkeys(by_length.get(n, []) + any_length)))
            for n in range(1, MAX_DIGITS + 1) if by_length.get(n) or any_length
        }
    return _VALID_UNIONS[cc]


# Characters that make PhoneNumberMatcher (leniency VALID or stricter) reject a candidate they touch: Latin
# letters ("abc8005001234") and invalid punctuation (%, currency symbols).  A subset of the library's own test
# (PhoneNumberMatcher._is_latin_letter / _is_invalid_punctuation_symbol), so nothing it would accept is skipped.
_LEAD_CHARS = "([+"


def _blocks_match(c: str) -> bool:
    return (c.isalpha() and ord(c) < 0x250) or c in "%$€£¥₩₹￥￡￦"


class PhoneFinder:
    def __init__(
        self, regions: Sequence[str] = DEFAULT_REGIONS, leniency: str = "strict_grouping", prefilter: bool = True
    ) -> None:
        if not regions:
            raise ValueError("at least one phone region is needed")
        if leniency not in LENIENCIES:
            raise ValueError(f"unknown leniency {leniency!r}; one of {', '.join(LENIENCIES)}")
        self.regions = tuple(_Region(r.upper()) for r in regions)
        self.leniency = LENIENCIES[leniency]
        # `prefilter=False` gives every plausible window to the matcher (the tests compare both ways).
        self.needs_valid = prefilter and self.leniency >= Leniency.VALID
        self.fallback = Leniency.VALID if self.leniency > Leniency.VALID else None

    def _regions_for(self, window: str, digits: str) -> list[str]:
        if window.lstrip("(").startswith("+") or digits.startswith("00"):
            # International format: the region only names the international prefix; try the first region
            # ("00"-style) and US ("011"-style) when configured.
            return [self.regions[0].code]
        if self.needs_valid:
            # The matcher will report only a valid number: ask phonenumbers' cheaper validity check first
            # (~15 us against ~150-500 us for a matcher call that finds nothing); digits that their format would
            # write with a trunk prefix are refused by the matcher too.  (A number the matcher might find inside
            # the window starts at a later digit group: a window of its own here.)
            return [r.code for r in self.regions
                    if r.plausible(digits) and r.valid(digits) and not r.trunk_prefix_missing(digits)]
        return [r.code for r in self.regions if r.plausible(digits)]

    @staticmethod
    def _touches_blocker(text: str, start: int, end: int, window: str) -> bool:
        """Would the matcher reject this whole window for the character just before or after it?"""
        if start and window[0] not in _LEAD_CHARS and _blocks_match(text[start - 1]):
            return True
        return end < len(text) and _blocks_match(text[end])

    def find(self, text: str, spend: Callable[[int], None]) -> Iterator[Span]:
        """Phones in `text` (already folded, other detectors' spans masked)."""
        for run in _RUN_RE.finditer(text):
            base = run.start()
            piece_start = 0
            s = run.group()
            for cut in [*_PIECE_SPLIT_RE.finditer(s), None]:
                piece_end = cut.start() if cut else len(s)
                yield from self._find_in_piece(text, base + piece_start, s[piece_start:piece_end], spend)
                if cut:
                    piece_start = cut.end()

    def _match(self, text: str, lo: int, hi: int, region: str, leniency: Leniency) -> list[Span]:
        try:
            return [
                Span(lo + pm.start, lo + pm.end, PHONE, phonenumbers.format_number(pm.number, PhoneNumberFormat.E164))
                for pm in StrictMatcher(text[lo:hi], region, leniency=leniency, max_tries=WINDOW_CHARS)
            ]
        except Exception:  # noqa: BLE001 - a library failure: the string goes whole (fail closed)
            raise Unscannable from None  # no chained message: it could quote the text

    def _find_in_piece(self, text: str, base: int, piece: str, spend: Callable[[int], None]) -> Iterator[Span]:
        spend(len(piece) // WINDOW_CHARS)  # long pieces pay by length before any per-group work
        if piece.isdigit() and len(piece) in (10, 13) and piece[0] == "1":
            # Unix time in seconds (2001-2033) or milliseconds: no configured region writes a bare national number
            # of 10 or 13 digits starting with 1 (NANP area codes start 2-9, CN mobiles have 11 digits, other
            # regions' national formats start with the trunk 0).
            return
        groups = [(g.start(), g.end()) for g in _GROUP_RE.finditer(piece)]
        if sum(e - s for s, e in groups) < MIN_DIGITS:
            return
        i = 0
        while i < len(groups):
            ws = groups[i][0]
            if ws and piece[ws - 1] in "+(":
                ws -= 1
                if ws and piece[ws - 1] == "(" and piece[ws] == "+":
                    ws -= 1
            # Ends of windows starting at group i, longest first.
            ends: list[tuple[int, str]] = []
            digits = ""
            for gs, ge in groups[i:]:
                if ge - ws > WINDOW_CHARS or len(digits) + ge - gs > MAX_DIGITS:
                    break
                digits += piece[gs:ge]
                if len(digits) >= MIN_DIGITS:
                    ends.append((ge, digits))
            advanced = False
            for we, wdigits in reversed(ends):
                if (ws and piece[ws - 1] == ".") or (we < len(piece) and piece[we] == "."):
                    continue  # a piece of a dotted chain ("109.0.4366.130"): a version or an address, not a phone
                spend(COST_WINDOW)
                window = piece[ws:we]
                ext = _EXT_RE.match(text, base + we)
                hi = (ext.end() if ext else base + we) + 1
                if self.needs_valid and self._touches_blocker(text, base + ws, hi - 1 if ext else base + we, window):
                    continue
                regions = self._regions_for(window, wdigits)
                # A second reading at VALID for the whole piece written as one national number (not a date).
                retry = bool(regions) and (self.fallback is not None and ws == 0 and we == len(piece)
                                           and _NATIONAL_SHAPE_RE.fullmatch(window) is not None
                                           and _DATE_SHAPE_RE.fullmatch(window) is None)
                for region in regions:
                    spend(COST_MATCHER)
                    lo = max(0, base + ws - 1)
                    found = self._match(text, lo, hi, region, self.leniency)
                    if not found and retry:
                        spend(COST_MATCHER)
                        found = self._match(text, lo, hi, region, self.fallback)
                    if found:
                        yield from found
                        last = max(sp.end for sp in found) - base
                        while i < len(groups) and groups[i][0] < last:
                            i += 1
                        advanced = True
                        break
                if advanced:
                    break
            if not advanced:
                i += 1
