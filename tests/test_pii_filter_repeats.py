"""A string repeated in one item is scanned once, with the same outcome as scanning every copy; nothing is kept
from one item to the next."""

from __future__ import annotations

import copy

from politecrawl.pii import PIIConfig, PIIFilter
from politecrawl.pii.detect import Detector
from politecrawl.pii.spans import Unscannable


class CountingDetector(Detector):
    def __init__(self, fail_on: str = "") -> None:
        super().__init__()
        self.calls: list[str] = []
        self.fail_on = fail_on

    def find(self, text: str):
        self.calls.append(text)
        if self.fail_on and self.fail_on in text:
            raise Unscannable
        return super().find(text)


BYLINE = "Verified buyer 张伟, call 13800138000"
ITEM = {
    "reviews": [{"text": BYLINE, "stars": "5"}, {"text": BYLINE, "stars": "4"}, {"text": "great value", "stars": "5"},
                {"text": BYLINE, "stars": "3"}],
    "footer": BYLINE,
}


def _filter(det: Detector, item: dict):
    filt = PIIFilter(PIIConfig())
    filt.detector = det
    return filt, filt.filter(item)


def test_a_repeated_string_is_scanned_once_with_the_same_outcome() -> None:
    plain = PIIFilter(PIIConfig())
    expected = []
    for text in (BYLINE, "great value"):  # each string on its own: what every copy must become
        expected.append(plain.clean_text(text))
    det = CountingDetector()
    filt, result = _filter(det, copy.deepcopy(ITEM))
    assert sorted(det.calls) == sorted(set(det.calls))  # one call per distinct string
    assert det.calls.count(BYLINE) == 1
    reviews = result.item["reviews"]
    assert [r["text"] for r in reviews] == [expected[0], expected[0], expected[1], expected[0]]
    assert result.item["footer"] == expected[0]
    assert "13800138000" not in repr(result.item)
    # Counted once per place it was removed from, as before.
    assert result.report.by_type["phone"] == 4


def test_an_unscannable_repeat_goes_whole_everywhere() -> None:
    det = CountingDetector(fail_on="Verified")
    _, result = _filter(det, copy.deepcopy(ITEM))
    assert det.calls.count(BYLINE) == 1
    assert result.report.by_type["unscannable"] == 4
    assert BYLINE not in repr(result.item)


def test_nothing_is_remembered_across_items() -> None:
    det = CountingDetector()
    filt = PIIFilter(PIIConfig())
    filt.detector = det
    filt.filter({"a": BYLINE})
    filt.filter({"a": BYLINE})
    filt.clean_text(BYLINE)
    assert det.calls.count(BYLINE) == 3
    assert filt._found == {}


def test_repeated_noise_is_scanned_once_and_each_copy_still_goes() -> None:
    """The same 500 characters of digit noise 2,000 times: one scan (it used to run the item past its CPU budget),
    and every copy handled as that one scan says."""
    det = CountingDetector()
    noise = "4" * 40 + " 1380013800" + "1" * 449
    _, result = _filter(det, {"t": [noise] * 2000, "keep": "x"})
    assert det.calls.count(noise) == 1
    assert not result.report.over_budget
    once = PIIFilter(PIIConfig()).filter({"t": [noise], "keep": "x"}).item
    assert result.item == {"t": once["t"] * 2000, "keep": "x"}
