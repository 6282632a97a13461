"""Account cues of session 9 (branch pii-names), each with a case the code before it missed: platform API keys in
snake case, `用户ID号`, a user's name in a query, `/user/profile/<id>` pages, Steam's `/id/<name>`."""

from __future__ import annotations

import pytest

from politecrawl.pii import Detector

D = Detector()


def found(text: str) -> list[tuple[str, str]]:
    return [(text[s.start : s.end], s.type) for s in D.find(text)]


@pytest.mark.parametrize(("text", "value"), [
    ('{"screen_name": "sunny_day", "lang": "en"}', "sunny_day"),
    ("nick_name=小鱼儿&page=2", "小鱼儿"),
    ('{"display_name": "lucky_ninja"}', "lucky_ninja"),
    ("user-name: happy_tiger", "happy_tiger"),
    ("https://tieba.baidu.com/home/main?un=小鱼儿&fr=home", "小鱼儿"),
    ("https://www.xiaohongshu.com/user/profile/5f3a2b1c000000000101", "5f3a2b1c000000000101"),
    ("https://steamcommunity.com/id/sunnyday88/", "sunnyday88"),
])
def test_a_nickname_in_a_key_or_url(text: str, value: str) -> None:
    assert (value, "nickname") in found(text)


def test_a_user_id_after_yonghu_id_hao() -> None:
    assert found("用户ID号：48213907") == [("48213907", "user_id")]


@pytest.mark.parametrize("text", ["?page=2&sort=new", "https://steamcommunity.com/id/", "screen size: 15 inch"])
def test_none_without_a_value(text: str) -> None:
    assert [v for v in found(text) if v[1] == "nickname"] == []
