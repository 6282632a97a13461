"""Each class of miss and false positive seen on a held-out corpus, one test per class."""

from __future__ import annotations

import pytest

from politecrawl.pii import Detector

D = Detector()


def kinds(text: str) -> list[tuple[str, str]]:
    return [(text[s.start : s.end], s.type) for s in D.find(text)]


@pytest.mark.parametrize(
    "text, found",
    [
        # US phones with an extension: the letter after the number no longer hides it.
        ("call 430-268-9143x8646 today", "430-268-9143x8646"),
        ("Tel 430-268-9143 ext. 12", "430-268-9143 ext. 12"),
        # German, Japanese and French groupings that STRICT_GROUPING refuses: read again at VALID.
        ("Tel. 08712 140194", "08712 140194"),
        ("Ruf an: (07211) 45871", "(07211) 45871"),
        ("erreichbar +49(0)6217 736106", "+49(0)6217 736106"),
        ("電話 08-8450-3640 まで", "08-8450-3640"),
        ("appelez le 0123 456789", "0123 456789"),
    ],
)
def test_phone_misses_found(text: str, found: str) -> None:
    assert kinds(text) == [(found, "phone")]


@pytest.mark.parametrize(
    "text, found",
    [
        ("my social security number is 123456789.", "123456789"),
        ("SSN: 123 45 6789", "123 45 6789"),
        ("Soc. Sec. No. 123-45-6789", "123-45-6789"),
    ],
)
def test_ssn_after_its_cue(text: str, found: str) -> None:
    assert kinds(text) == [(found, "national_id")]


def test_bare_nine_digits_without_cue_are_no_ssn() -> None:
    assert kinds("batch 123456789 shipped") == []


@pytest.mark.parametrize("text", ["Server 52.14.201.7 down", "moved over 52.14.201.7", "whatever 52.14.201.7"])
def test_ip_after_words_containing_ver(text: str) -> None:
    assert kinds(text) == [("52.14.201.7", "ip")]


@pytest.mark.parametrize(
    "text, found",
    [
        ("write to zhang.wei at example dot com", "zhang.wei at example dot com"),
        ("mail: li88 AT qq DOT com", "li88 AT qq DOT com"),
    ],
)
def test_email_spelled_at_and_dot(text: str, found: str) -> None:
    assert kinds(text) == [(found, "email")]


@pytest.mark.parametrize("text", ["look at example.com for details", "meet at home dot"])
def test_spelled_at_needs_spelled_dot(text: str) -> None:
    assert kinds(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "created 1700000000 updated",  # Unix time, seconds: once read as an Indian landline
        "ts=1712345678901",  # milliseconds
        "Chrome/109.0.4366.130 Safari/537.36",  # a piece of a version chain was handed to the matcher
        "Mozilla/5.0 (Windows NT 10.0) Chrome 120.0.6099.109",
        "update to 8.6.8.0 now",  # four small parts: a version, not an address
        "v3.14.0.2",
        "release 1.2.3.4-beta",
        "https://item.jd.com/100012345678.html",  # product-URL IDs
        "www.amazon.com/dp/13800138000/ref=sr_1",
        "https://shop.example.de/artikel?id=4111111111111111",
        "NO.4240384340056068",  # a Luhn-valid order number glued to its abbreviation
        "Transaktion: Auftrag 4111111111111111",
        "Rechnung 5500005555555559",
        "交易号 4111111111111111",
        "commande n° 4111111111111111",
    ],
)
def test_hard_negatives_untouched(text: str) -> None:
    assert kinds(text) == []


def test_phone_in_url_query_with_personal_key_is_found() -> None:
    assert kinds("m.example.cn/p?tel=13800138000") == [("13800138000", "phone")]


def test_labelled_phone_after_no_is_found() -> None:
    assert kinds("Tel. No. 13800138000") == [("13800138000", "phone")]


def test_small_dotted_quad_after_an_address_word_is_an_ip() -> None:
    assert kinds("login from 1.28.3.30") == [("1.28.3.30", "ip")]
    assert kinds("installed 1.28.3.30 today") == []
