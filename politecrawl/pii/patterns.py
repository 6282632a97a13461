"""Value detectors with a checksum or a fixed structure: CN resident ID, other national IDs, payment cards; and
ISBNs and printed EAN-13s, claimed as not personal.  E-mail is in `emails`, IBAN and IP in `network`, the
reference context (order words, version words, numbers in URLs) in `context`.

Every pattern runs on text folded by `normalize.fold` (same offsets) and is written so that the regex engine
never backtracks more than a small constant per start position: repetitions are bounded ({m,n}) or each
iteration begins with a character the previous one cannot end with.  Python's `\\b` is not used: it sees no
boundary between a digit and a Chinese character, so boundaries are spelled out as look-arounds on [0-9] or
[A-Za-z0-9].  Library validators (python-stdnum) are wrapped: a validator that raises counts as "not valid".
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterator

from politecrawl.pii.context import URL_ID, after_reference_word
from politecrawl.pii.normalize import fold_words
from politecrawl.pii.spans import CN_RESIDENT_ID, NATIONAL_ID, PAYMENT_CARD, Span

# ---------------------------------------------------------------- helpers


def validates(validator: Callable[[str], bool], value: str) -> bool:
    try:
        return bool(validator(value))
    except Exception:  # noqa: BLE001 - a validator that raises (stdnum.cn.ric raises KeyError) means "not valid"
        return False


_NON_DIGIT_RE = re.compile(r"[^0-9]+")


def _digits(s: str) -> str:
    return _NON_DIGIT_RE.sub("", s)


# Luhn's doubled digit, digit sum taken (2 * 7 = 14 -> 5), as a character.
_LUHN_DOUBLE = str.maketrans("0123456789", "0246813579")


def luhn_valid(digits: str) -> bool:
    """Luhn's check over ASCII digits.  The sums are taken over the digits' bytes (`sum(bytes)`, one C loop; each
    byte is the digit + 48): a third of the time of a loop over characters."""
    if not digits.isascii():
        return False
    odd = digits[-1::-2].encode()
    doubled = digits[-2::-2].translate(_LUHN_DOUBLE).encode()
    return (sum(odd) + sum(doubled) - 48 * len(digits)) % 10 == 0


def ean13_valid(digits: str) -> bool:
    if len(digits) != 13 or not digits.isascii():
        return False
    b = digits.encode()
    s = sum(b[0:12:2]) + 3 * sum(b[1:12:2]) - 48 * (6 + 3 * 6)
    return (10 - s % 10) % 10 == b[12] - 48


# ---------------------------------------------------------------- CN resident identity card (GB 11643-1999)

# The patterns that scan whole strings begin with the character they consume first and test the character before
# it after it (`X(?<![0-9]X)` for `(?<![0-9])X`): `re` then skips to where a match can start instead of trying a
# leading look-behind at every position.  Same matches from every position as the plain forms, which
# tests/test_pii_scan_patterns.py keeps.
_CN_RIC_RE = re.compile(
    r"([1-9](?<![0-9][1-9])[0-9]{5})[ \-]?((?:18|19|20)[0-9]{2})((?:0[1-9]|1[0-2]))((?:0[1-9]|[12][0-9]|3[01]))"
    r"[ \-]?([0-9]{3}[0-9Xx])(?![0-9])",
    re.ASCII,
)
_RIC_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_RIC_CHECK = "10X98765432"


def cn_ric_valid(number: str) -> bool:
    """ISO 7064 MOD 11-2 check character and a real birth date.

    Hand-written because stdnum.cn.ric.is_valid() also checks the county code against a table by birth year and
    rejects about two thirds of real, checksum-valid numbers (and can raise KeyError).
    """
    if len(number) != 18 or not number[:17].isdigit():
        return False
    total = sum((ord(c) - 48) * w for c, w in zip(number[:17], _RIC_WEIGHTS))
    if _RIC_CHECK[total % 11] != number[17].upper():
        return False
    try:
        datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    return True


# Gates: a pattern over the string's shape (`_stdnum_validators` says how), which any match of the pattern over the
# text implies; one scan for a literal start instead of a look-behind tried at every position.
_CN_RIC_GATE = re.compile(rb"000000[ \-]?00000000[ \-]?000[0Ax]")


def find_cn_resident_ids(text: str, shape: bytes | None = None) -> Iterator[Span]:
    if shape is not None and _CN_RIC_GATE.search(shape) is None:
        return
    for m in _CN_RIC_RE.finditer(text):
        number = "".join(m.groups()).upper()
        if cn_ric_valid(number):
            yield Span(m.start(), m.end(), CN_RESIDENT_ID, number)


# ---------------------------------------------------------------- other national IDs (python-stdnum validates)


_Gated = tuple[re.Pattern[str], "re.Pattern[bytes]", list[Callable[[str], bool]]]


def _stdnum_validators() -> list[_Gated]:
    out: list[_Gated] = []

    def add(pattern: str, gate: bytes, *modules: str) -> None:
        validators = []
        for module in modules:
            try:
                validators.append(__import__(f"stdnum.{module}", fromlist=["is_valid"]).is_valid)
            except Exception:  # noqa: BLE001 - an older stdnum without the module: that ID type is not detected
                continue
        if validators:
            out.append((re.compile(pattern, re.ASCII), re.compile(gate), validators))

    # Each pattern with its gate: the same pattern over the string's shape (`detect`: an ASCII digit is "0", a
    # capital "A", the separators " -.()/" themselves, anything else "x"), without look-arounds.  A string whose
    # shape has no match has no match of the pattern; the gate is one scan for a literal, the pattern's look-behind
    # is tried at every position.
    # US SSN, dashed form only (9 bare digits are too common).
    add(r"[0-9](?<![0-9\-][0-9])[0-9]{2}-[0-9]{2}-[0-9]{4}(?![0-9\-])", rb"000-00-0000", "us.ssn")
    # Korean resident registration number, YYMMDD-GNNNNNC (13 bare digits would collide with EAN-13).
    add(r"[0-9](?<![0-9][0-9])[0-9]{5}-[1-8][0-9]{6}(?![0-9])", rb"000000-0000000", "kr.rrn")
    # French NIR (15 digits incl. the key, spaces allowed; Corsica 2A/2B).
    add(
        r"[12](?<![0-9][12]) ?[0-9]{2} ?(?:0[1-9]|1[0-2]|[2-9][0-9]) ?(?:[0-9]{2}|2[ABab]) ?[0-9]{3} ?[0-9]{3} ?[0-9]{2}"
        r"(?![0-9])",
        rb"0 ?00 ?00 ?0[0Ax] ?000 ?000 ?00",
        "fr.nir",
    )
    # Aadhaar (IN) and My Number (JP), in the printed 4-4-4 grouping only: 12 bare digits pass a single check
    # digit one time in ten, which would flag order numbers.  One scan, both validators.
    add(r"[0-9](?<![0-9][0-9])[0-9]{3}[ \-][0-9]{4}[ \-][0-9]{4}(?![0-9])", rb"0000[ \-]0000[ \-]0000", "in_.aadhaar",
        "jp.in_")
    return out


_NATIONAL_ID = _stdnum_validators()
NATIONAL_ID_MIN_DIGITS = 9  # the shortest above: SSN


# A US SSN bare or spaced is only one right after its name ("social security number 123456789", "SSN: 123 45 6789"):
# nine digits alone are too common.  The cue is written here (English words; no library lists them).
_SSN_CUE_RE = re.compile(
    r"(?:social[ \-]security(?:[ ](?:number|no\.?|#))?|(?<![a-z])ssn|soc\.[ ]?sec\.(?:[ ]?no\.?)?)s?"
    r"[ ]?(?:is|was|:|#|=)?[ ]{0,2}(?P<v>[0-9]{3}[ ]?[0-9]{2}[ ]?[0-9]{4})(?![0-9])",
    re.IGNORECASE,
)


def ssn_cue_hint(text: str) -> bool:
    """What `_SSN_CUE_RE` needs: "ss" (ssn) or "soc" in any case."""
    low = text.lower()
    return "ss" in low or "soc" in low


_SSN_CUE_GATE = re.compile(rb"000 ?00 ?0000")  # the cued SSN's digits, over the shape


def find_national_ids(text: str, shape: bytes | None = None) -> Iterator[Span]:
    """National IDs in `text`; with `shape` (the string's shape, see `_stdnum_validators`) the patterns whose
    gate finds nothing in it are not run."""
    if (shape is None or _SSN_CUE_GATE.search(shape) is not None) and ssn_cue_hint(text):
        from stdnum.us import ssn

        for m in _SSN_CUE_RE.finditer(text):
            digits = _digits(m.group("v"))
            if validates(ssn.is_valid, digits):
                yield Span(m.start("v"), m.end("v"), NATIONAL_ID, digits)
    for pattern, gate, validators in _NATIONAL_ID:
        if shape is not None and gate.search(shape) is None:
            continue
        for m in pattern.finditer(text):
            for is_valid in validators:
                if validates(is_valid, m.group()):
                    yield Span(m.start(), m.end(), NATIONAL_ID, _digits(m.group()).upper())
                    break


# ---------------------------------------------------------------- payment cards

# A run of digits joined by single spaces or dashes.  Each iteration consumes one digit: no ambiguity.
_DIGIT_RUN_RE = re.compile(r"[0-9](?<![0-9][0-9])(?:[ \-]?[0-9]){11,}(?![0-9])", re.ASCII)
_GROUP_RE = re.compile(r"[0-9]+", re.ASCII)


def card_issuer_ok(d: str) -> bool:
    """Issuer identification number ranges and lengths of the major networks (ISO/IEC 7812 IIN ranges as
    published by the networks): Visa, Mastercard, Amex, Discover, JCB, UnionPay, Diners, Maestro, Mir."""
    n = len(d)
    if d[0] == "4":
        return n in (13, 16, 19)  # Visa (before the prefixes are read as numbers: most cards are Visa)
    p2, p3, p4, p6 = int(d[:2]), int(d[:3]), int(d[:4]), int(d[:6])
    if 51 <= p2 <= 55 or 2221 <= p4 <= 2720:
        return n == 16  # Mastercard
    if p2 in (34, 37):
        return n == 15  # Amex
    if p4 == 6011 or 644 <= p3 <= 649 or p2 == 65 or 622126 <= p6 <= 622925:
        return 16 <= n <= 19  # Discover
    if p2 == 35:
        return 16 <= n <= 19  # JCB (3528-3589 assigned; the whole 35 range is taken, test generators use it)
    if p4 in (2131, 1800):
        return n == 15  # JCB, older 15-digit range
    if p2 == 62 or p2 == 81:
        return 16 <= n <= 19  # UnionPay
    if 300 <= p3 <= 305 or p2 in (36, 38, 39) or p4 == 3095:
        return 14 <= n <= 19  # Diners Club
    # Maestro.  0604 is in no network's current table (ISO/IEC 7812 major industry identifier 0 is not
    # banking); it is accepted because the Maestro row of the public IIN table that card validators and
    # test-card generators copy (English Wikipedia, "Payment card number", 2010s: "5018, 5020, 5038, 5612, 5893,
    # 6304, 6759, 6761, 6762, 6763, 0604, 6390") lists it.  A false positive needs those four digits and a
    # valid Luhn digit: about 1 in 100,000 random numbers.
    if p4 in (5018, 5020, 5038, 5893, 6304, 6390, 6759, 6761, 6762, 6763) or p2 in (50, 56, 57, 58, 67):
        return 12 <= n <= 19
    if d.startswith("0604"):
        return 12 <= n <= 19  # Maestro, legacy table entry (above)
    if 2200 <= p4 <= 2204:
        return 16 <= n <= 19  # Mir
    return False


NOT_A_CARD, CARD, CARD_OR_BARCODE = 0, 1, 2


def card_number_kind(d: str) -> int:
    """CARD: issuer range, length and Luhn fit a card and nothing else.  CARD_OR_BARCODE: all that, and the
    13 digits are also a valid EAN-13 (GS1 prefixes 40-44 are Germany's, so about one German barcode in ten is
    also a Luhn-valid "Visa" number): the value alone cannot tell, the context decides (`card_context`).
    NOT_A_CARD otherwise, including ISBN-13 and 18-digit numbers shaped like a resident ID (a birth date in
    digits 7-14: an ID with a bad check character)."""
    if not 12 <= len(d) <= 19 or not card_issuer_ok(d) or not luhn_valid(d):
        return NOT_A_CARD
    if len(d) == 18 and _looks_like_ric(d):
        return NOT_A_CARD
    if ean13_valid(d):
        return NOT_A_CARD if d.startswith(("978", "979")) else CARD_OR_BARCODE
    return CARD


def card_number_valid(d: str) -> bool:
    """A card number by value alone (CARD_OR_BARCODE numbers need context: not valid here)."""
    return card_number_kind(d) == CARD


def _looks_like_ric(d: str) -> bool:
    try:
        datetime.date(int(d[6:10]), int(d[10:12]), int(d[12:14]))
    except ValueError:
        return False
    return 1900 <= int(d[6:10]) <= 2099


# Words that say "this is a card number" or "this is a barcode", looked for just before the number (and barcode
# words also just after).  Short Latin words need a word boundary ("ean" is inside "ocean").
_CARD_WORD_RE = re.compile(
    r"card|visa|maestro|mastercard|credit|debit|karte|carte|tarjeta|carta|卡号|信用卡|银行卡|借记卡|储蓄卡|"
    r"カード|카드"
)
_BARCODE_WORD_RE = re.compile(fold_words(
    r"(?<![a-z])(?:ean|gtin|upc|jan|isbn|issn)(?![a-z])|barcode|bar code|strichcode|code-barres|code barre|"
    r"条码|条形码|商品码|バーコード|바코드"
))


def card_grouping(sizes: list[int]) -> bool:
    """Digits printed the way cards are (4-4-4-1, 4-3-3-3, 4-4-4-4 ...), not the way barcodes are (1-6-6, or
    no separators at all)."""
    return len(sizes) >= 3 and sizes[0] == 4 and all(3 <= s <= 4 for s in sizes[1:-1]) and 1 <= sizes[-1] <= 4


def card_context(text: str, start: int, end: int, sizes: list[int]) -> bool:
    """Does the context make a CARD_OR_BARCODE number a card?  A barcode word nearby says no; card-style
    grouping or a card word just before says yes; a bare number with neither stays a barcode."""
    before = text[max(0, start - 20) : start].lower()
    if _BARCODE_WORD_RE.search(before) or _BARCODE_WORD_RE.search(text[end : end + 12].lower()):
        return False
    return card_grouping(sizes) or _CARD_WORD_RE.search(before) is not None


def _group_sizes(run: str) -> list[int]:
    return [g.end() - g.start() for g in _GROUP_RE.finditer(run)]


_CARD_GATE = re.compile(rb"0(?:[ \-]?0){11}")  # `_DIGIT_RUN_RE` over the shape


def find_payment_cards(text: str, spend: Callable[[int], None], shape: bytes | None = None) -> Iterator[Span]:
    if shape is not None and _CARD_GATE.search(shape) is None:
        return
    for m in _DIGIT_RUN_RE.finditer(text):
        run = m.group()
        digits = ""
        if len(run) <= 37:
            digits = run.replace(" ", "").replace("-", "")  # the run holds digits, spaces and dashes only
            if len(digits) <= 19:
                spend(1)
                if len(digits) == len(run) or ean13_valid(digits):
                    if _is_card(text, m.start(), m.end(), digits, run):
                        yield Span(m.start(), m.end(), PAYMENT_CARD, digits)
                    continue  # one bare number, or an EAN-13 barcode (no card inside it)
                # Several groups: one card, or a card next to another number written one space away
                # ("卡 4111 1111 1111 1111 58.33…", "$10.12 6011…"): the group windows below decide.
        else:
            # Longer runs are paid for by length first, so that a megabyte of grouped digits exhausts the budget
            # before any per-group work.
            spend(len(run) // 20)
        groups = [(g.start(), g.end()) for g in _GROUP_RE.finditer(run)]
        if len(groups) == 1:
            continue  # one 20+ digit number: an order number or a token, not a card
        # Group-aligned windows of 12-19 digits.  From each start, the longest valid window wins (a valid shorter
        # prefix would leave the card's last group in the text).  The whole run of a short run is taken as it is
        # written; any other window only when it is written like a card, so that it does not run on into the next
        # number ("6763-1783-2167 0141 496 0369", "630439231964 063-…", "070-5094-2050 11081875419").
        whole = (0, len(groups) - 1) if len(run) <= 37 and len(digits) <= 19 else None
        i = 0
        while i < len(groups):
            best = None
            total = 0
            for j in range(i, len(groups)):
                total += groups[j][1] - groups[j][0]
                if total > 19:
                    break
                if total >= 12:
                    spend(1)
                    piece = run[groups[i][0] : groups[j][1]]
                    d = piece.replace(" ", "").replace("-", "")
                    if (whole == (i, j) or card_shaped(piece)) and _is_card(
                        text, m.start() + groups[i][0], m.start() + groups[j][1], d, piece
                    ):
                        best = (j, d)
            if best is None:
                i += 1
                continue
            j, d = best
            yield Span(m.start() + groups[i][0], m.start() + groups[j][1], PAYMENT_CARD, d)
            i = j + 1


def card_shaped(written: str) -> bool:
    """One group of digits, or groups of 4-6 digits (the last 1-6) joined by one kind of separator: how card
    numbers are written (4-4-4-4, 4-6-5, 4-4-4-4-3, 4-4-4-1)."""
    sizes = _group_sizes(written)
    if len(sizes) == 1:
        return True
    return ("-" not in written or " " not in written) and all(4 <= s <= 6 for s in sizes[:-1]) and sizes[-1] <= 6


def _is_card(text: str, start: int, end: int, digits: str, written: str) -> bool:
    kind = card_number_kind(digits)
    if kind == NOT_A_CARD or (start and text[start - 1] == "+") or after_reference_word(text, start):
        # "+49 15005660183": a "+" begins an international phone number, never a card
        return False
    return kind == CARD or card_context(text, start, end, _group_sizes(written))


# ---------------------------------------------------------------- ISBN and printed EAN-13 (not personal: claimed)


_ISBN_RE = re.compile(  # (?<![0-9\-])(?:97[89][ \-]?)?[0-9]{1,5}[ \-]…|(?<![0-9])97[89][0-9]{10}(?![0-9]), first digit first
    r"[0-9](?:(?<![0-9\-][0-9])(?:(?<=9)7[89][ \-]?[0-9]{1,5}|[0-9]{0,4})[ \-][0-9]{1,7}[ \-][0-9]{1,7}[ \-][0-9Xx]"
    r"(?![0-9\-])|(?<=9)(?<![0-9]9)7[89][0-9]{10}(?![0-9]))",
    re.ASCII,
)
# An EAN-13 as printed under the bars: 1-6-6 ("4 006381 333931"), not next to another group of digits.
_EAN_PRINTED_RE = re.compile(r"[0-9](?<![0-9][0-9])(?<![0-9][ \-][0-9]) [0-9]{6} [0-9]{6}(?![0-9])(?![ \-][0-9])",
                             re.ASCII)
ISBN = "isbn"
BARCODE = "barcode"
CLAIMED = frozenset({ISBN, BARCODE, URL_ID})  # span types that keep other detectors off and are not reported


_ISBN_GATE = re.compile(rb"0[ \-]0{1,7}[ \-]0{1,7}[ \-][0Ax]|0{13}")  # `_ISBN_RE` over the shape
_EAN_PRINTED_GATE = b"0 000000 000000"


def find_isbns(text: str, spend: Callable[[int], None], shape: bytes | None = None) -> Iterator[Span]:
    """Hyphenated ISBN-10/13 and bare ISBN-13 with a valid check digit, and EAN-13 barcodes printed 1-6-6 with a
    valid check digit.  Returned as spans of type "isbn" / "barcode" that the detector uses to keep phone and
    card detection off them (phonenumbers reads a 6-digit group of "4 958342 336539" as a German number); they
    are not reported as personal data.  Each ISBN candidate costs one unit of the work budget (stdnum's check
    is ~10 us)."""
    if shape is None or _ISBN_GATE.search(shape) is not None:
        for m in _ISBN_RE.finditer(text):
            from stdnum import isbn  # imported when a candidate is found (an import statement costs ~1 us a call)

            spend(1)
            if validates(isbn.is_valid, m.group()):
                yield Span(m.start(), m.end(), ISBN, "")
    if shape is not None and _EAN_PRINTED_GATE not in shape:
        return
    for m in _EAN_PRINTED_RE.finditer(text):
        spend(1)
        if ean13_valid(_digits(m.group())):
            yield Span(m.start(), m.end(), BARCODE, "")
