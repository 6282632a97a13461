"""Each class of miss and false positive fixed on the development corpus's real text (bench/pii_dev.py with
bench/pii_realtext.py: message catalogs and ISO 3166 place names in en, de, fr, zh, ja, ko), one test per class.
Values are made up for the test."""

from __future__ import annotations

import pytest

from politecrawl.pii import Detector

D = Detector()


def kinds(text: str) -> list[tuple[str, str]]:
    return [(text[s.start : s.end], s.type) for s in D.find(text)]


def typed(text: str, typ: str) -> list[str]:
    return [v for v, t in kinds(text) if t == typ]


@pytest.mark.parametrize("text", [
    "해결이 불가능한 패키지의 밀린 트리거:", "메인 공유 메모리 영역용 huge 페이지 개수를 보여줌", "마셜 제도 공화국까지 배송이 사흘 걸렸어요.",
])
def test_korean_prose_words_the_dictionary_tags_as_names_are_no_names(text: str) -> None:
    assert typed(text, "person_name") == []


@pytest.mark.parametrize("text, name", [
    ("김민준 님이 작성한 글", "김민준"), ("작성자: 이서연", "이서연"), ("권영철 씨가 말했다", "권영철"),
    ("Dear 최서연,", "최서연"), ("Ansprechpartner: 박현우", "박현우"),
])
def test_korean_names_with_a_cue_or_standing_alone(text: str, name: str) -> None:
    assert typed(text, "person_name") == [name]


@pytest.mark.parametrize("text", ["上个月去了米尼克共和国。", "发往阿扎尔的快递延误了。", "库拉索的天气很好。", "上个月去了伊斯帕尔塔。"])
def test_transliterated_place_names_are_no_chinese_names(text: str) -> None:
    assert typed(text, "person_name") == []


@pytest.mark.parametrize("text, name", [
    ("Contact person: 高涛", "高涛"), ("Interview mit 张军", "张军"), ("尹琳表示，这次活动很成功。", "尹琳"),
    ("主讲人：陆俊", "陆俊"), ("刘凯翔说", "刘凯翔"),
])
def test_chinese_names_after_role_words_of_other_languages(text: str, name: str) -> None:
    assert name in "".join(typed(text, "person_name"))
