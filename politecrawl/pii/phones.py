"""Phone numbers in free text, found by `phonenumbers` on short windows.

Why windows: `PhoneNumberMatcher` gives up silently after `max_tries` (65,535 by default) failed candidates, so a
number placed after enough digit noise is never reported; and on a megabyte of digits and separators one region
takes seconds.  Here a linear pre-scan finds runs of digits and phone separators; a run is cut at '/' and at
double spaces into pieces, and each piece is examined as group-aligned windows (a window is whole groups of
digits, 7-17 digits, at most 40 characters).  A window goes to `PhoneNumberMatcher` (one character of context on
each side, the configured leniency) only for the regions whose own number pattern (phonenumbers metadata) could
match its digits, which keeps the expensive matcher off the many digit runs that are not phones.

Nothing is left unscanned: every window is examined, and each examination is paid for through `spend`; the caller
stops a string whose budget runs out and drops it whole (fail closed).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence

import phonenumbers
from phonenumbers import Leniency, PhoneMetadata, PhoneNumberFormat, PhoneNumberMatcher

from politecrawl.pii.spans import PHONE, Span

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
COST_MATCHER = 10  # budget units for one PhoneNumberMatcher call (~50-150 us)

_RUN_RE = re.compile(rf"[+(]?[0-9](?:[ \-.()/]*[0-9]){{{MIN_DIGITS - 1},}}", re.ASCII)
_PIECE_SPLIT_RE = re.compile(r"/| {2,}")
_GROUP_RE = re.compile(r"[0-9]+", re.ASCII)


class _Region:
    __slots__ = ("code", "country_code", "lengths", "pattern", "prefix")

    def __init__(self, code: str) -> None:
        meta = PhoneMetadata.metadata_for_region(code)
        if meta is None:
            raise ValueError(f"unknown phone region {code!r}")
        self.code = code
        self.country_code = str(meta.country_code)
        self.lengths = frozenset(meta.general_desc.possible_length)
        self.pattern = re.compile(meta.general_desc.national_number_pattern)
        self.prefix = meta.national_prefix or ""

    def plausible(self, digits: str) -> bool:
        """Could `digits` (a national-format number, maybe with trunk prefix) be a number of this region?"""
        for national in (digits, digits[len(self.prefix) :] if self.prefix and digits.startswith(self.prefix) else ""):
            if national and len(national) in self.lengths and self.pattern.fullmatch(national):
                return True
        return False


class PhoneFinder:
    def __init__(self, regions: Sequence[str] = DEFAULT_REGIONS, leniency: str = "strict_grouping") -> None:
        if not regions:
            raise ValueError("at least one phone region is needed")
        if leniency not in LENIENCIES:
            raise ValueError(f"unknown leniency {leniency!r}; one of {', '.join(LENIENCIES)}")
        self.regions = tuple(_Region(r.upper()) for r in regions)
        self.leniency = LENIENCIES[leniency]

    def _regions_for(self, window: str, digits: str) -> list[str]:
        if window.lstrip("(").startswith("+") or digits.startswith("00"):
            # International format: the region only names the international prefix; try the first region
            # ("00"-style) and US ("011"-style) when configured.
            return [self.regions[0].code]
        return [r.code for r in self.regions if r.plausible(digits)]

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

    def _find_in_piece(self, text: str, base: int, piece: str, spend: Callable[[int], None]) -> Iterator[Span]:
        spend(len(piece) // WINDOW_CHARS)  # long pieces pay by length before any per-group work
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
                spend(COST_WINDOW)
                window = piece[ws:we]
                for region in self._regions_for(window, wdigits):
                    spend(COST_MATCHER)
                    lo = max(0, base + ws - 1)
                    hi = base + we + 1
                    found = [
                        Span(lo + pm.start, lo + pm.end, PHONE, phonenumbers.format_number(pm.number, PhoneNumberFormat.E164))
                        for pm in PhoneNumberMatcher(text[lo:hi], region, leniency=self.leniency, max_tries=WINDOW_CHARS)
                    ]
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
