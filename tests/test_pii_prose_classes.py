"""Each class of false positive fixed on long-form real prose (corpus 4, bench/pii_prose.py: Debian's handbook,
reference and FAQ in en, de, fr, zh, ja, ko), one test per class; and the names beside them that must stay.
Values are made up for the test, or are sentences of the kind the documentation holds."""

from __future__ import annotations

import pytest

from politecrawl.pii import Detector

D = Detector()


def names(text: str) -> list[str]:
    return [text[s.start : s.end] for s in D.find(text) if s.type == "person_name"]


@pytest.mark.parametrize("text", ["pipx 在隔离的环境中安装 python 应用程序", "如果用户在没有安装 的情况下尝试安装"])
def test_a_piece_of_a_longer_kanji_run_is_no_japanese_name(text: str) -> None:
    # The Japanese finder read 3-6 kanji out of a longer Chinese run: 有安 (a Japanese surname) + 装.
    assert names(text) == []


def test_a_whole_run_of_kanji_may_still_be_a_japanese_name() -> None:
    assert names("Merci 鈴木太郎 pour") == ["鈴木太郎"]


def test_kanji_joined_to_kana_are_japanese_not_chinese() -> None:
    assert names("国際化に対応したソフト") == []


def test_a_chinese_sentence_a_space_after_a_japanese_one_is_read_as_chinese() -> None:
    assert names("エントリが重複しています 感谢熊华红老师的指导") == ["熊华红"]


def test_a_chinese_name_in_its_own_line_beside_japanese_stays() -> None:
    assert names("とても使いやすいです。\n收件人：王建军") == ["王建军"]
    assert names("とても使いやすいです。\n感谢王伟") == ["王伟"]


@pytest.mark.parametrize("text", ["对于输入法来说，是一个好的选择。", "对文件来说，每个对应权限允许下列动作。"])
def test_lai_shuo_is_no_verb_of_saying(text: str) -> None:
    assert names(text) == []


def test_a_name_before_shuo_stays() -> None:
    assert names("李明说很好用") == ["李明"]


@pytest.mark.parametrize("text", ["使用加密签名来验证顶层的文件", "在 mipsel64（小端序模式的 64 位 MIPS）上"])
def test_a_character_that_is_mostly_a_word_begins_no_name_before_a_word(text: str) -> None:
    assert names(text) == []


@pytest.mark.parametrize("text", ["另外由于它的鲁棒性，它也是首选", "安装上游相应的沙盒化二进制软件包", "加载到目标设备易失性存储器上的数据"])
def test_abstract_nouns_ending_in_xing_or_hua_are_no_names(text: str) -> None:
    assert names(text) == []


@pytest.mark.parametrize("text", ["D'autres paquets de Dan J. Dans le cas où", "Janice Alvarez, Jonas E. Dieser Name ist"])
def test_a_function_word_after_an_initial_is_no_surname(text: str) -> None:
    assert all("Dans" not in n and "Dieser" not in n for n in names(text))


def test_a_first_name_an_initial_and_a_surname_stay() -> None:
    assert names("Written by John F. Smith") == ["John F. Smith"]


@pytest.mark.parametrize("text", ["Größe M Schwarz, Baumwolle", "Öffnungszeiten Fr Abend geschlossen"])
def test_one_and_two_letter_titles_need_their_full_stop(text: str) -> None:
    assert names(text) == []


@pytest.mark.parametrize("text, name", [("M. Dupont a écrit", "M. Dupont"), ("Hr. Müller", "Hr. Müller"),
                                        ("Sig.ra Rossi", "Sig.ra Rossi"), ("Mr Smith said", "Mr Smith")])
def test_titles_with_their_full_stop_or_spelled_out_stay(text: str, name: str) -> None:
    assert names(text) == [name]


@pytest.mark.parametrize("text, name", [("今天曾素琴来了", "曾素琴"), ("记者 许一涵 报道", "许一涵"), ("感谢何静老师", "何静"),
                                        ("于俊宇（1972年生），中国作家。", "于俊宇")])
def test_common_surnames_the_dictionary_tags_as_function_words_begin_names(text: str, name: str) -> None:
    assert names(text) == [name]


@pytest.mark.parametrize("text", ["于是我们走了", "许多人说好", "曾经有人说过", "任何人都可以", "余下的钱"])
def test_those_characters_as_function_words_begin_no_name(text: str) -> None:
    assert names(text) == []
