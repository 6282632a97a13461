"""All value detectors over one string: spans of personal data, or `Unscannable` when the work budget runs out."""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Sequence

from politecrawl.pii import context, emails, network, patterns
from politecrawl.pii.accounts import find_accounts, find_record_fields
from politecrawl.pii.loading import scan_clock
from politecrawl.pii.names import find_person_names
from politecrawl.pii.normalize import fold
from politecrawl.pii.phones import DEFAULT_REGIONS, MIN_DIGITS, PhoneFinder
from politecrawl.pii.spans import Span, Unscannable

# Work units one string may use (a phone window ~1, a phone-matcher call ~10, a card window 1).  Ordinary text uses a
# few units per text; 2,000 review-like texts joined (172 KB) use 19,600.  A string that needs more is dropped whole
# by the filter (fail closed).
DEFAULT_WORK_BUDGET = 20_000
# Units do not weigh every kind of text alike (a megabyte of dense digit groups spent its 20,000 units in 0.9 s of
# CPU, prose in 0.45 s; a CI run saw the dense megabyte take 1.1 s with a 0.5 s cap): whatever the units say, one
# string gets at most this much CPU time in the budgeted detectors.  Checked every _CLOCK_EVERY spends.  Prose up
# to ~100 KB ends well before (86 KB: 0.22 s), so its answer does not depend on the machine's speed; longer text
# may be dropped whole (counted as unscannable).
MAX_CPU_SECONDS = 0.3
_CLOCK_EVERY = 64


# Shapes that detectors' patterns cannot match without (`Detector.find` gates them on these).  The gates read a
# "shape" of the string, one byte per character: each ASCII digit "0", each capital A-Z "A", the separators
# " -.()/" as they are, anything else "x" (a non-ASCII character is first "?").  On it the gates are substring
# tests and one regex that starts with a literal, which the engine finds quickly; the same gates as regexes over
# the text (a character class first) cost ~5 ns a character, the detectors' own patterns (look-behinds first)
# ~30-130 ns a character even where nothing can match.
#   [0-9]+ runs: the digit-only shape split;  [0-9][ \-][0-9]: "0 0" or "0-0";  [0-9]\.[0-9]: "0.0";
#   [A-Z]{2}[0-9]{2} (an IBAN's start, `network._IBAN_RE`): "AA00";  [0-9][ \-.()/]+[0-9]: _PHONE_JOIN.
_DIGITS_ONLY = bytes(c if 0x30 <= c <= 0x39 else 0x20 for c in range(256))
_SHAPE = bytes(
    0x30 if 0x30 <= c <= 0x39 else 0x41 if 0x41 <= c <= 0x5A else c if c in b" -.()/" else 0x78 for c in range(256)
)
_PHONE_JOIN = re.compile(rb"0[ \-.()/]+0")
_COLONS_RE = re.compile(r":[0-9A-Fa-f]{0,4}:")  # begins with a literal: quick on the text itself
# Only the ISBN (9 digits), card (12) and phone (MIN_DIGITS) detectors spend the work budget: a string with fewer
# digits needs none, and no reading of the CPU clock (a system call, ~0.6 us).  A string this long reads it before
# the digit scan, as every string did: the 0.3 s backstop then also counts that scan.
_BUDGETED_MIN_DIGITS = min(MIN_DIGITS, 9, 12)
_EARLY_CLOCK_CHARS = 4096


class _SpanSet:
    """Non-overlapping spans kept sorted by start; O(log n) overlap test."""

    __slots__ = ("ends", "spans", "starts")

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.spans: list[Span] = []

    def add_all(self, found: Iterable[Span]) -> None:
        for sp in found:
            i = bisect.bisect_left(self.starts, sp.start)
            if i > 0 and self.ends[i - 1] > sp.start:
                continue
            if i < len(self.starts) and self.starts[i] < sp.end:
                continue
            self.starts.insert(i, sp.start)
            self.ends.insert(i, sp.end)
            self.spans.insert(i, sp)


class _Budget:
    """Work units and a CPU-time cap for one string. The clock is the calling thread's CPU time: the filter
    runs in a worker thread beside the reactor, whose CPU must not count against an item's scan; nor does the
    loading of a dictionary on first use (`loading.scan_clock`)."""

    __slots__ = ("calls", "clock", "deadline", "left")

    def __init__(self, units: int, max_seconds: float = MAX_CPU_SECONDS,
                 clock: Callable[[], float] = scan_clock) -> None:
        self.left = units
        self.calls = 0
        self.clock = clock
        self.deadline = clock() + max_seconds

    def spend(self, units: int) -> None:
        self.left -= units
        if self.left < 0:
            raise Unscannable
        self.calls += 1
        if self.calls % _CLOCK_EVERY == 0 and self.clock() > self.deadline:
            raise Unscannable


class Detector:
    """Find personal data by value in one string.  Stateless after construction; safe to share."""

    def __init__(
        self,
        regions: Sequence[str] = DEFAULT_REGIONS,
        leniency: str = "strict_grouping",
        work_budget: int = DEFAULT_WORK_BUDGET,
        shape_gates: bool = True,
        names: bool = True,
    ) -> None:
        self.phones = PhoneFinder(regions, leniency)
        self.work_budget = work_budget
        # `shape_gates=False` runs every detector its digit count allows (the tests compare both ways).
        self.shape_gates = shape_gates
        # `names=False` leaves person names to field names and declarations (no jieba, no name list loaded).
        self.names = names

    def find(self, text: str) -> list[Span]:
        """Non-overlapping spans sorted by start.  Raises `Unscannable`."""
        folded = fold(text)
        budget = _Budget(self.work_budget) if len(folded) >= _EARLY_CLOCK_CHARS else None
        spans = _SpanSet()
        # Each detector needs a minimum number of ASCII digits in the string (a resident ID 17, a card 12, an ISBN or
        # a national ID 9, a phone 7), and most need digit groups joined by a space or a dash, or one long run of
        # digits: one cheap scan of the digit runs and one of a joined pair rule out the costly regex passes on
        # short and mostly-text strings.  Each gate below is implied by its detector's pattern (the tests check
        # the gated and ungated results are the same on random strings).
        octets = folded.encode("ascii", "replace")  # one byte per character
        n_digits = len(octets) - len(octets.translate(None, b"0123456789"))
        # The longest run of digits matters only beside 7 digits or more (every test of it below is).
        longest = max(map(len, octets.translate(_DIGITS_ONLY).split())) if n_digits >= 7 else 0
        if budget is None and n_digits >= _BUDGETED_MIN_DIGITS:
            budget = _Budget(self.work_budget)  # before any detector's pass
        gated = self.shape_gates
        shape = octets.translate(_SHAPE) if gated and n_digits >= 2 else b""  # every gate below needs 2 digits
        # "1 2", "1-2": a pattern whose digit groups may be joined by a space or a dash needs this or one long run.
        grouped = not gated or b"0 0" in shape or b"0-0" in shape
        # Checksummed and structured types first, so that a card or an ID is not also read as a phone.
        if n_digits >= 17 and (grouped or longest >= 17):
            spans.add_all(patterns.find_cn_resident_ids(folded, shape if gated else None))
        if n_digits >= 9 and (grouped or longest >= 13):  # hyphenated / printed 1-6-6, or a bare ISBN-13
            spans.add_all(patterns.find_isbns(folded, budget.spend, shape if gated else None))
        # IP addresses before the account cues: after "from", "von", "回复" or before "wrote:" an address that
        # begins with letters ("fe80::1", "fd12:…") or digits and dots is no handle.
        if n_digits and (
            not gated or b"0.0" in shape or _COLONS_RE.search(folded) is not None
        ):
            spans.add_all(network.find_ips(folded))
        # Profile URLs and cued user IDs before any other number type reads them; other numbers in URLs are
        # product or page IDs (claimed).
        spans.add_all(find_accounts(folded))
        if n_digits >= 6 and "/" in folded:
            spans.add_all(context.find_url_ids(folded))
        if n_digits >= 2 and (not gated or b"AA00" in shape):
            spans.add_all(network.find_ibans(folded))
        if n_digits >= 12 and (grouped or longest >= 12):
            spans.add_all(patterns.find_payment_cards(folded, budget.spend, shape if gated else None))
        if n_digits >= patterns.NATIONAL_ID_MIN_DIGITS and (
            grouped or longest >= 15 or patterns.ssn_cue_hint(folded)  # bare: a French NIR, an SSN after its cue
        ):
            spans.add_all(patterns.find_national_ids(folded, shape if gated else None))
        if not gated or emails.email_hint(folded):
            spans.add_all(emails.find_emails(folded))
        # A phone run is 7+ digits, joined by nothing or by separators.  The phone finder reads the masked text,
        # where a masked span can join digits it kept apart: with any span found, no gate.
        if n_digits >= MIN_DIGITS and (
            not gated or spans.spans or longest >= MIN_DIGITS or _PHONE_JOIN.search(shape) is not None
        ):
            masked = folded
            if spans.spans:
                parts = []
                pos = 0
                for sp in spans.spans:
                    parts.append(folded[pos : sp.start])
                    parts.append(" " * (sp.end - sp.start))
                    pos = sp.end
                parts.append(folded[pos:])
                masked = "".join(parts)
            spans.add_all(
                sp for sp in self.phones.find(masked, budget.spend)
                if not context.after_reference_word(folded, sp.start)
            )
        # The other fields of an account row holding one of these values.
        if spans.spans and ("," in text or "|" in text or "\t" in text or "/" in text or ";" in text):
            spans.add_all(list(find_record_fields(text, spans.spans)))
        # Names last: a name-shaped piece of an e-mail, handle or URL is already covered.
        if self.names:
            spans.add_all(find_person_names(folded, budget.spend if budget is not None else None))
        return [sp for sp in spans.spans if sp.type not in patterns.CLAIMED]
