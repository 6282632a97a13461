"""Classes of false positive of the Chinese name finder on general-register prose (bench/pii_zh_prose.py: product and
hotel reviews, the People's Daily), one test per class, and the names beside them that must stay.  Sentences of
the kind the reviews hold; the names are made up or public figures."""

from __future__ import annotations

import pytest

from politecrawl.pii import Detector

D = Detector()


def names(text: str) -> list[str]:
    return [text[s.start : s.end] for s in D.find(text) if s.type == "person_name"]


@pytest.mark.parametrize("text", [
    "环境太差，服务员素质很差，房间连衣架都没有。",
    "酒店里面不仅地毯是黑的, 连瓷砖地面都是黑的, 离市区太远",
    "设施如马桶、毛巾稍有陈旧，不过还行",
    "宽带倒是免费的，不过晚上有小姐电话骚扰、",
])
def test_an_unknown_word_neither_read_as_a_name_nor_begun_by_a_top_surname_is_none(text: str) -> None:
    # 连 + 衣架, 连 + 瓷砖, 有 + 陈旧: jieba's HMM joins them, its part-of-speech HMM does not read them as nr.
    assert names(text) == []


@pytest.mark.parametrize("text", ["吴晓波一直是我十分喜爱和推崇的作家。", "看了杨继良的报告", "大会由俞晓松主持。"])
def test_names_beside_them_stay(text: str) -> None:
    assert len(names(text)) == 1
