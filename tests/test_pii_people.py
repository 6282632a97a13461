"""Person names, nicknames, handles and user IDs found in free text."""

from __future__ import annotations

import pytest

from politecrawl.pii import Detector
from politecrawl.pii.names_latin import _LATIN_COUNTRIES

D = Detector()


def kinds(text: str) -> list[tuple[str, str]]:
    return [(text[s.start : s.end], s.type) for s in D.find(text)]


@pytest.mark.parametrize(
    "text, found",
    [
        ("郭志强说很好用", "郭志强"),  # jieba: surname alone, then a given name tagged as a name
        ("联系人：王红霞，谢谢", "王红霞"),  # unknown to the dictionary: joined by the HMM
        ("感谢张丹的推荐", "张丹"),
        ("Thanks to John Smith for the help", "John Smith"),
        ("Anna-Lena Schmidt hat geschrieben", "Anna-Lena Schmidt"),
        ("écrit par Amélie Dupont hier", "Amélie Dupont"),
        ("Reviewed by Marie de la Cruz", "Marie de la Cruz"),
        ("Frau Müller sagte", "Frau Müller"),  # a title, then a capitalised name
        ("感谢Isaiah Velez的推荐", "Isaiah Velez"),  # glued to Chinese characters
    ],
)
def test_person_names_found(text: str, found: str) -> None:
    assert kinds(text) == [(found, "person_name")]


@pytest.mark.parametrize(
    "text",
    [
        "谢谢你的帮助，产品质量很好",  # 谢谢 is tagged nr in jieba's dictionary, but common
        "很多产品都不错",  # 多 is a numeral alone: not a surname
        "the quick brown fox. May is warm",  # one capitalised word only
        "動物反射拡張特徴を見る",  # Japanese: kanji between kana are not read as Chinese names
        "New York City Hall",  # capitalised words that are no first name
    ],
)
def test_person_names_not_found(text: str) -> None:
    assert [k for k in kinds(text) if k[1] == "person_name"] == []


def test_latin_name_list_reads_latin_script_countries() -> None:
    from gender_guesser.detector import Detector as GenderDetector

    assert GenderDetector.COUNTRIES.index("turkey") + 1 == _LATIN_COUNTRIES


@pytest.mark.parametrize(
    "text, found, typ",
    [
        ("昵称：小明同学，评价很好", "小明同学", "nickname"),
        ("nickname is coolguy99.", "coolguy99", "nickname"),
        ("username: duli用户ID：12506478657", "duli", "nickname"),  # a Latin nickname ends at another script
        ("@kitty_cat 你好", "@kitty_cat", "nickname"),
        ("谢谢.@ogsun69 好", "@ogsun69", "nickname"),
        ("用户12345678 评论", "用户12345678", "nickname"),  # platform default nicknames
        ("jd_4f8a9b2c1 说", "jd_4f8a9b2c1", "nickname"),
        ("tb123456789_88 好评", "tb123456789_88", "nickname"),
        ("zhang_88 回复 楼主", "zhang_88", "nickname"),
        ("uid 123456789 来过", "123456789", "user_id"),
        ("用户ID:88776655", "88776655", "user_id"),
        ("05490605885会员号 25832845527", "25832845527", "user_id"),
        ("Kundennummer 4455667", "4455667", "user_id"),
        ("weibo.com/u/1234567890，专业", "1234567890", "user_id"),  # profile URL, digits: a user ID
        ("https://www.zhihu.com/people/zhang-wei-88/answers", "zhang-wei-88", "nickname"),
        ("https://example.com/user/alice_w?tab=1", "alice_w", "nickname"),
    ],
)
def test_accounts_found(text: str, found: str, typ: str) -> None:
    assert (found, typ) in kinds(text)


@pytest.mark.parametrize("text", ["handle it later", "login failed twice", "用户反馈很好", "email me@example.com"])
def test_accounts_not_found(text: str) -> None:
    assert [k for k in kinds(text) if k[1] in ("nickname", "user_id")] == []


def test_names_can_be_left_to_fields() -> None:
    assert Detector(names=False).find("Thanks to John Smith") == []


def test_new_types_become_markers() -> None:
    from politecrawl.pii import PIIFilter

    item = {"text": "感谢郭志强的推荐，uid 123456789，昵称：小明同学。"}
    PIIFilter().filter(item)
    assert item["text"] == "感谢[PERSON_NAME]的推荐，uid [USER_ID]，昵称：[NICKNAME]。"


def test_chinese_names_spend_the_work_budget() -> None:
    # Han text is handed to jieba in pieces, each paid for: a long run stops at the budget (fail closed).
    from politecrawl.pii import Unscannable

    text = "张三说很好用" * 2000  # 12,000 characters, no digits: only the name finder spends
    with pytest.raises(Unscannable):
        Detector(work_budget=100).find(text)
    assert ("张三", "person_name") in kinds(text)[:1]


def test_long_han_run_names_found_across_pieces() -> None:
    text = "很" * 254 + "感谢王红霞的推荐"  # the name straddles the first piece's end
    assert ("王红霞", "person_name") in kinds(text)
