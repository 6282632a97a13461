"""The number, IBAN, IP and e-mail patterns written for speed (the first character consumed before the look-behind
that says no match continues a word or a number) match what their plain forms match, from every position."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from politecrawl.pii import emails, network, patterns, phones

_LOCAL = emails._LOCAL
_OCTET = network._OCTET
# The plain forms: the look-behind first (as written before the speed change).
PLAIN = {
    "cn_ric": re.compile(
        r"(?<![0-9])([1-9][0-9]{5})[ \-]?((?:18|19|20)[0-9]{2})((?:0[1-9]|1[0-2]))((?:0[1-9]|[12][0-9]|3[01]))"
        r"[ \-]?([0-9]{3}[0-9Xx])(?![0-9])", re.ASCII),
    "digit_run": re.compile(r"(?<![0-9])[0-9](?:[ \-]?[0-9]){11,}(?![0-9])", re.ASCII),
    "isbn": re.compile(
        r"(?<![0-9\-])(?:97[89][ \-]?)?[0-9]{1,5}[ \-][0-9]{1,7}[ \-][0-9]{1,7}[ \-][0-9Xx](?![0-9\-])"
        r"|(?<![0-9])97[89][0-9]{10}(?![0-9])", re.ASCII),
    "ean_printed": re.compile(r"(?<![0-9])(?<![0-9][ \-])[0-9] [0-9]{6} [0-9]{6}(?![0-9])(?![ \-][0-9])", re.ASCII),
    "ssn": re.compile(r"(?<![0-9\-])[0-9]{3}-[0-9]{2}-[0-9]{4}(?![0-9\-])", re.ASCII),
    "rrn": re.compile(r"(?<![0-9])[0-9]{6}-[1-8][0-9]{6}(?![0-9])", re.ASCII),
    "nir": re.compile(r"(?<![0-9])[12] ?[0-9]{2} ?(?:0[1-9]|1[0-2]|[2-9][0-9]) ?(?:[0-9]{2}|2[ABab]) ?[0-9]{3} ?"
                      r"[0-9]{3} ?[0-9]{2}(?![0-9])", re.ASCII),
    "four_four_four": re.compile(r"(?<![0-9])[0-9]{4}[ \-][0-9]{4}[ \-][0-9]{4}(?![0-9])", re.ASCII),
    "iban": re.compile(r"(?<![A-Za-z0-9])[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]){11,30}(?![A-Za-z0-9])", re.ASCII),
    "ipv4": re.compile(rf"(?<![0-9.])(?:{_OCTET}\.){{3}}{_OCTET}(?![0-9]|\.[0-9])", re.ASCII),
    "phone_run": re.compile(r"[+(]?[0-9](?:[ \-.()/]*[0-9]){6,}", re.ASCII),
    "email": re.compile(
        rf"(?<!{_LOCAL})(?P<local>{_LOCAL}{{1,64}})(?P<at>{emails._AT})"
        rf"(?P<domain>{emails._LABEL}(?:{emails._DOT}{emails._LABEL}){{1,7}})(?![A-Za-z0-9\-])", re.ASCII),
}
_IDS = {p.pattern: p for p, _gate, _validators in patterns._NATIONAL_ID}
FAST = {
    "cn_ric": patterns._CN_RIC_RE, "digit_run": patterns._DIGIT_RUN_RE, "isbn": patterns._ISBN_RE,
    "ean_printed": patterns._EAN_PRINTED_RE, "iban": network._IBAN_RE, "ipv4": network._IPV4_RE,
    "email": emails._EMAIL_RE, "phone_run": phones._RUN_RE,
    **{k: pattern for k, pattern in zip(("ssn", "rrn", "nir", "four_four_four"), _IDS.values())},
}

DIGITS = "0123456789 -.9791278X+()/"
TEXTS = ["978-3-16-148410-0", "9783161484100", "x9783161484100 1-2-3-4", "4 006381 333931", "1 4 006381 333931",
         "110105199003071234", "1101051990030712345", "4111 1111 1111 1111", "4111-1111-1111-1111-58",
         "123-45-6789", "-123-45-6789", "900101-1234567", "1 85 05 78 006 084 36", "2 85 05 2A 006 084 36",
         "1234 5678 9012", "DE89 3704 0044 0532 0130 00", "xDE89370400440532013000", "192.168.0.1", "1.192.168.0.1",
         "255.255.255.255", "256.1.1.1", "09.1.1.1", "a.b@example.com", "x@y.cn", "zhang.wei (at) qq (dot) com",
         "12345#qq.com", ".a%b+c-d@ex-ample.co.uk",
         "+86 138 0013 8000", "(+49) 30 1234567", "((0)30/123 4567", "+(1234567", "++1234567"]


def same_everywhere(text: str, names: list[str] | None = None) -> None:
    for name in names or PLAIN:
        plain, fast = PLAIN[name], FAST[name]
        for pos in range(len(text) + 1):
            a, b = plain.search(text, pos), fast.search(text, pos)
            assert (a and a.span()) == (b and b.span()), (name, text, pos)
            if a is not None and plain.groups:
                assert a.groups() == b.groups(), (name, text, pos)


def test_the_fast_forms_have_a_literal_start() -> None:
    """What the rewrite is for: the plain forms begin with a look-behind, the fast ones with a character."""
    for name, fast in FAST.items():
        assert not fast.pattern.startswith(("(?<", "[+(]?")), name
        assert PLAIN[name].pattern.startswith(("(?<", "[+(]?")), name


def test_same_matches_on_examples() -> None:
    for text in TEXTS:
        same_everywhere(text)
        same_everywhere(" " + text + " ")
        same_everywhere("0" + text + "0")


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=DIGITS + "ABab", max_size=40))
def test_same_matches_on_random_digit_strings(text: str) -> None:
    same_everywhere(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab.@#%-_ 0(at)[dot]点。DEX9", max_size=40))
def test_same_matches_on_random_address_strings(text: str) -> None:
    same_everywhere(text, ["email", "iban", "ipv4"])
