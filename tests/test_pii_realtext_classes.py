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


@pytest.mark.parametrize("text", ["上个月去了米尼克共和国。", "发往阿扎尔的快递延误了。", "库拉索的天气很好。", "上个月去了伊斯帕尔塔。",
                                  "宫城县的天气很好。", "上个月去了罗兹省。"])
def test_transliterated_place_names_are_no_chinese_names(text: str) -> None:
    assert typed(text, "person_name") == []


@pytest.mark.parametrize("text, name", [
    ("Contact person: 高涛", "高涛"), ("Interview mit 张军", "张军"), ("尹琳表示，这次活动很成功。", "尹琳"),
    ("主讲人：陆俊", "陆俊"), ("刘凯翔说", "刘凯翔"),
])
def test_chinese_names_after_role_words_of_other_languages(text: str, name: str) -> None:
    assert name in "".join(typed(text, "person_name"))


@pytest.mark.parametrize("text", ["Eine Datei umbenennen", "Nur Superuser können Tablespaces anlegen.",
                                  "Fehler. Per Voreinstellung aus"])
def test_a_function_word_starting_a_sentence_begins_no_name(text: str) -> None:
    assert typed(text, "person_name") == []


def test_a_function_word_inside_a_sentence_may_begin_a_name() -> None:
    assert typed("Dank an Per Andersson", "person_name") == ["Per Andersson"]


@pytest.mark.parametrize("text", [
    "ORDER BY 表現を伴なう集約は引数リストの中に現れなければなりません", "FROM 子句中仅支持关系名称", "GROUP BY 절이 있는 뷰",
    "from non-seekable file", "Provided by third-party software developers", "von Shell-Variablen anzeigen",
    "It was provided by third-party.",
    "사용자 이름 또는 전자메일 주소", "用户名 端口 最后登录时间", "与 user 连接参数相同",
    "Das wurde umgeschrieben.", "rien à redire. 回复 你好", "délimiteur inattendu\n回复 我",
])
def test_prose_after_a_by_or_reply_word_is_no_nickname(text: str) -> None:
    assert typed(text, "nickname") == []


@pytest.mark.parametrize("text, nick", [
    ("by happy-tiger", "happy-tiger"), ("Publié par tiger-rocket", "tiger-rocket"), ("lucky 回复 你好", "lucky"),
    ("닉네임 爱吃鱼的猫 update", "爱吃鱼的猫"), ("zhang88 回复", "zhang88"),
])
def test_handles_at_the_end_or_head_of_their_field_stay_nicknames(text: str, nick: str) -> None:
    assert typed(text, "nickname") == [nick]


def test_a_japanese_name_after_a_by_word_is_left_to_the_name_finder() -> None:
    assert typed("Written by 加藤亮介", "nickname") == []
    assert typed("Written by 加藤亮介", "person_name")


def test_korean_words_beside_latin_text_in_one_line_are_not_alone() -> None:
    assert typed("매킨토시 BinHex 인코딩된 압축 파일", "person_name") == []


@pytest.mark.parametrize("text, name", [
    ("佐藤翔太さんのレビュー", "佐藤翔太"), ("担当：山田太郎", "山田太郎"), ("Signed, 松本翔太\nとても使いやすいです。", "松本翔太"),
])
def test_japanese_names_with_a_cue_or_standing_alone(text: str, name: str) -> None:
    assert typed(text, "person_name") == [name]


def test_a_japanese_name_inside_prose_without_a_cue_is_left() -> None:
    # IPADIC's person-name tags also fire on place names and words in prose: precision first.
    assert typed("鈴木太郎は東京に住んでいます。", "person_name") == []


@pytest.mark.parametrize("text", ["将输入当作预格式化的 man 页面来解析", "它在永久性对过时字符集编写的页面进行转码时很有用"])
def test_chinese_technical_words_are_no_names(text: str) -> None:
    assert typed(text, "person_name") == []


def test_chinese_names_ending_otherwise_stay() -> None:
    assert typed("王国华说", "person_name") == ["王国华"]


@pytest.mark.parametrize("text", ["If the length of the username is greater than the length", "no login is possible for the"])
def test_a_sentence_after_a_cue_and_is_is_no_nickname(text: str) -> None:
    assert typed(text, "nickname") == []


@pytest.mark.parametrize("text, nick", [("my username is zhang88 and more", "zhang88"),
                                        ("my nickname is sunnyday.", "sunnyday"),
                                        ("Mein Benutzername ist hans88 und", "hans88")])
def test_a_value_after_a_cue_and_is_that_looks_like_one_stays(text: str, nick: str) -> None:
    assert typed(text, "nickname") == [nick]
