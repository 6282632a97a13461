"""Chinese names without a cue (session 10, branch pii-names; development set 7, bench/pii_zh_names.py): a
two-character name jieba's part-of-speech HMM reads as one, a three-character name jieba cut in two, a
three-character name with a less common surname; and the ordinary words those rules must leave alone.  Names are
generated (surname and given-name characters drawn at random), not people's."""

from __future__ import annotations

import pytest

from politecrawl.pii import Detector
from politecrawl.pii.names import find_person_names

D = Detector()


def names(text: str) -> list[str]:
    return [text[s.start : s.end] for s in find_person_names(text)]


@pytest.mark.parametrize(("text", "name"), [
    # two characters, no cue (missed before session 10)
    ("我和郭勇一起去了杭州。", "郭勇"),
    ("王娟，你的快递到了。", "王娟"),
    ("梁盛今年刚满三十岁。", "梁盛"),
    ("这次多亏了黄宣帮忙。", "黄宣"),
    ("本文由庄伟整理。", "庄伟"),
    ("小区保安张允捡到一个钱包。", "张允"),
    ("我朋友蔡乐也买了一个。", "蔡乐"),
    ("潘霄是我们公司的工程师。", "潘霄"),
    ("获奖名单：孔成、李菲。", "孔成"),
    # three characters jieba cut as a two-character word and one character (张亮 + 明; 吴玲 + 淑 before a comma)
    ("张亮明入选了国家队。", "张亮明"),
    ("这位是吴玲淑，我们的新同事。", "吴玲淑"),
    # after a cue: a rare dictionary place as the first two characters (徐国), the copula after `名字叫`
    ("签名：徐国宏", "徐国宏"),
    ("我的名字叫余志", "余志"),
    # three characters with a surname the HMM's `B-nr` ranking puts low (殷, 崔, 俞)
    ("殷刚斌的妈妈是一名护士。", "殷刚斌"),
    ("会议由副局长崔杰琴主持。", "崔杰琴"),
    ("俞丽悦去年考上了研究生。", "俞丽悦"),
])
def test_a_name_without_a_cue(text: str, name: str) -> None:
    assert name in names(text)


@pytest.mark.parametrize("text", [
    "竟有7张碟是读不出来的",      # 张 a measure word after a numeral
    "四百块钱少一分也不行",       # 钱 money after a measure word
    "北约在实施东扩计划前",       # 东 begins more words than names
    "怕白髯上也要挂满长长的冰",   # 白
    "明黄的颜色有点扎眼",         # 明
    "屏幕高亮清晰不刺眼",         # 高
    "金鹰在新街口，逛街方便",     # 金
    "内容华而不实，韩式幽默",     # 式: a noun-making suffix
    "已然横亘眼前，将黄未黄的草地",  # A-not-A
    "我有幸参加了河北唐山赴美考察团",  # 唐山市 is a dictionary place
    "都坦陈自己是看过电视剧《红梦楼》",  # the title of a work
    "关系是两国关系史中一个重要里程碑",  # 中: a function word
    "北京至上海的列车",
    # an unknown three-character word jieba's HMM does not read as one name (no cue): words of reviews
    "满100减50东券要的加我", "窗户关不掉，很吵", "这里的银鳕鱼不错", "双标间比较小", "老破破的样子",
    "价格实惠，服务周到",
])
def test_no_name_in_ordinary_text(text: str) -> None:
    assert names(text) == []


def test_the_detector_reports_a_bare_two_character_name() -> None:
    text = "刚才给刘磊打了电话。"
    assert [(text[s.start : s.end], s.type) for s in D.find(text)] == [("刘磊", "person_name")]
