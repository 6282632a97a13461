"""bench/pii_score.py's confusion breakdown, on a hand-made corpus whose every count is worked out by hand."""

from __future__ import annotations

import os
import sys
from collections import Counter

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "bench"))

from pii_score import Text, confusion, confusion_lines, score, script_of  # noqa: E402


class _Fixed:
    """A tool that returns the detections it was given, text by text."""

    name = "fixed"

    def __init__(self, found: list[list[tuple[int, int, str]]]) -> None:
        self.found = iter(found)

    def detect(self, text: str) -> list[tuple[int, int, str]]:
        return next(self.found)


# Text 0 (en): a nickname read as a name, a name found exactly, a user ID found by nothing.
# Text 1 (de): a name half-found as a name, a phone inside a hard negative, a name just beside a name label, a
#   detection far from everything.
# Text 2 (no language): a nickname found as a nickname, with wider bounds.
CORPUS = [
    Text("nick: bigfish  by Ann Lee  uid 12345", lang="en",
         labels=[(6, 13, "nickname"), (18, 25, "person_name"), (31, 36, "user_id")]),
    Text("Karl Heinz Maier, order 1234567 ... xx Otto here", lang="de",
         labels=[(0, 16, "person_name"), (39, 43, "person_name")], negatives=[(24, 31, "order")]),
    Text("昵称：大鱼儿", labels=[(3, 6, "nickname")]),
]
FOUND = [
    [(6, 13, "person_name"), (18, 25, "person_name")],
    [(0, 10, "person_name"), (24, 31, "phone"), (44, 48, "person_name"), (32, 35, "person_name")],
    [(2, 6, "nickname")],
]


def test_each_detection_and_label_falls_in_one_class() -> None:
    c = confusion(CORPUS, FOUND)
    names = c["dets"]["person_name"]
    # (6,13) on the nickname; (18,25) and (0,10) on names; (44,48) one character after "Otto" (39,43); (32,35)
    # beside the hard negative but four characters from "Otto": nothing (only labels make "beside").
    assert names == Counter({"total": 5, "same": 2, "exact": 1, "label:nickname": 1, "beside:person_name": 1,
                             "nothing": 1})
    assert c["dets"]["phone"] == Counter({"total": 1, "negative:order": 1})
    assert c["dets"]["nickname"] == Counter({"total": 1, "same": 1})
    assert c["labels"]["nickname"] == Counter({"total": 2, "by:person_name": 1, "same": 1})
    assert c["labels"]["person_name"] == Counter({"total": 3, "same": 2, "exact": 1, "missed": 1})
    assert c["labels"]["user_id"] == Counter({"total": 1, "missed": 1})
    assert c["removed"] == Counter({"labels": 6, "labels_removed": 4, "dets": 7, "dets_on_label": 4})


def test_by_language_only_for_texts_that_record_one() -> None:
    c = confusion(CORPUS, FOUND)
    assert set(c["by_lang"]) == {"en", "de"}
    assert c["by_lang"]["en"] == Counter({"texts": 1, "dets": 2, "dets_same": 1, "dets_other_type": 1, "labels": 3,
                                  "labels_same": 1, "labels_other_type": 1, "labels_missed": 1})
    assert c["by_lang"]["de"] == Counter({"texts": 1, "dets": 4, "dets_same": 1, "dets_negative": 1, "dets_beside": 1,
                                  "dets_nothing": 1, "labels": 2, "labels_same": 1, "labels_missed": 1})


def test_the_breakdown_agrees_with_score() -> None:
    s = score(_Fixed(FOUND), CORPUS)
    c = confusion(CORPUS, FOUND)
    for typ, cnt in c["dets"].items():
        assert (cnt["total"], cnt["same"]) == (s["dets"][typ], s["good"][typ])
    for typ, cnt in c["labels"].items():
        assert (cnt["total"], cnt["same"]) == (s["labels"][typ], s["hits"][typ])


def test_printed_lines_hold_counts_and_no_text() -> None:
    text = "\n".join(confusion_lines(confusion(CORPUS, FOUND)))
    assert "- person_name: 5 detections: same 2 (exact 1), beside:person_name 1, label:nickname 1, nothing 1" in text
    assert "- nickname: 2 labels: same 1 (exact 0), by:person_name 1, missed 0" in text
    assert "recall 0.667 (4/6 labels), precision 0.571 (4/7 detections)" in text
    assert "- de: 1 texts; 2 labels 1 / 0 / 1; 4 detections 1 / 0 / 1 / 1 / 1" in text
    for t in CORPUS:
        for s, e, _ in t.labels + t.negatives:
            assert t.text[s:e] not in text


def test_detections_overlapping_nothing_by_script() -> None:
    assert confusion(CORPUS, FOUND)["nothing_script"] == {"person_name": Counter({"none": 1})}  # "..."
    corpus = [Text("李雷 and Zoë Kraus, 山田花子, 김민수, ヤマダ", labels=[(0, 2, "person_name")])]
    found = [[(0, 2, "person_name"), (7, 16, "person_name"), (18, 22, "person_name"), (24, 27, "person_name"),
              (29, 32, "person_name")]]
    assert confusion(corpus, found)["nothing_script"] == {
        "person_name": Counter({"latin": 1, "han": 1, "hangul": 1, "kana": 1})}
    assert "person_name: han 1, hangul 1, kana 1, latin 1" in "\n".join(confusion_lines(confusion(corpus, found)))
    assert [script_of(x) for x in ("Ωmega", "Ω", "12-3", "Łódź")] == ["latin", "other", "none", "latin"]
