"""URL-shaped values: percent-decoded (and '+' as space in queries) for the scan, removals written back encoded;
the item budget, the depth bound."""

from __future__ import annotations

from urllib.parse import unquote_plus

from politecrawl.pii import PIIConfig, PIIFilter
from politecrawl.pii.itembudget import ItemBudget, OverBudget
from politecrawl.pii.urls import decode, parts, query_values

KEY = b"k" * 32


def clean(value: str) -> str:
    return PIIFilter().filter({"u": value}).item["u"]


def test_decode_keeps_raw_offsets() -> None:
    text, offsets = decode("a%40b+c%E5%BC%A0d", plus=True)
    assert text == "a@b c张d"
    assert offsets == [0, 1, 4, 5, 6, 7, 16, 17]
    assert decode("100%", plus=False) == ("100%", [0, 1, 2, 3, 4])  # a bad escape stays
    assert decode("%E5%BCx", plus=False)[0] == "\ufffdx"  # a cut UTF-8 sequence


def test_parts_of_urls_in_values_and_text() -> None:
    assert [p.kind for p in parts("https://u:p@h.example/a/b?x=1#f")] == ["userinfo", "path", "query", "fragment"]
    assert [p.kind for p in parts("/u/x%40y.cn/profile")] == ["path"]
    assert [p.kind for p in parts("see https://h.example/a?q=1 now")] == ["text", "path", "query", "text"]
    assert parts("plain text") is None
    assert query_values("a=1&tel=%2B86&&b") == [("a", 2, 3), ("tel", 8, 13)]


def test_percent_encoded_values_in_urls_are_removed_and_written_back_encoded() -> None:
    url = ("https://shop.example.cn/u/zhang.wei%40example.cn/profile?tel=%2B8613800138000&q=call+138+0013+8000"
           "&page=2#contact-13900139000")
    out = clean(url)
    # the path's value is marked (as an e-mail, or its name part as a profile's nickname: the detectors' call)
    assert out.startswith(("https://shop.example.cn/u/%5BEMAIL%5D/profile?",
                           "https://shop.example.cn/u/%5BNICKNAME%5D%40example.cn/profile?"))
    assert out.endswith("/profile?tel=%5BREMOVED%5D&q=call+%5BPHONE%5D&page=2#contact-%5BPHONE%5D")
    for leaked in ("zhang.wei", "8613800138000", "0013", "13900139000"):
        assert leaked not in unquote_plus(out)


def test_query_names_and_values_and_the_host_is_kept() -> None:
    out = clean("http://203.0.113.7:8080/search?email=zhang.wei%40example.cn&uid=90817263&lang=zh")
    assert out == "http://203.0.113.7:8080/search?email=%5BREMOVED%5D&uid=%5BREMOVED%5D&lang=zh"
    assert clean("https://example.com/p/1?a=b") == "https://example.com/p/1?a=b"  # untouched, byte for byte
    assert clean("https://example.com/%E5%95%86%E5%93%81?x=%7E") == "https://example.com/%E5%95%86%E5%93%81?x=%7E"


def test_url_inside_text_and_plain_text_around_it() -> None:
    out = clean("联系 13800138000 或 https://m.example.cn/u?mobile=13900139000&id=7 谢谢")
    assert out == "联系 [PHONE] 或 https://m.example.cn/u?mobile=%5BREMOVED%5D&id=7 谢谢"


def test_url_pseudonymized() -> None:
    f = PIIFilter(PIIConfig(action="pseudonymize", key=KEY))
    out = f.filter({"u": "https://x.example/?email=a%40b.cn&q=tel+13800138000"}).item["u"]
    assert "a%40b.cn" not in out and "13800138000" not in out
    assert out.startswith("https://x.example/?email=") and "&q=tel+%5BPHONE%3A" in out


def test_allow_keeps_a_query_parameter() -> None:
    f = PIIFilter(PIIConfig(allow=frozenset({"u.user"})))
    assert f.filter({"u": "/a?user=shop-1"}).item["u"] == "/a?user=shop-1"


# ----------------------------------------------------------------- bounds per item


def test_deep_nesting_is_removed_whole_without_recursion_error() -> None:
    deep: list = ["13800138000"]
    for _ in range(5000):
        deep = [deep]
    item = {"title": "ok", "deep": deep, "d": {"a": {"b": [1, {"c": "x"}]}}}
    result = PIIFilter().filter(item)
    assert result.item["title"] == "ok" and result.item["d"] == {"a": {"b": [1, {"c": "x"}]}}
    assert result.report.by_type == {"too_deep": 1}
    # what is past the bound is gone: the levels above it are left, empty
    level, n = result.item["deep"], 1
    while level:
        level, n = level[0], n + 1
    assert level == [] and n == 99


def test_depth_bound_is_a_setting() -> None:
    item = {"a": {"b": {"c": "x"}}}
    assert PIIFilter(PIIConfig(max_depth=2)).filter(item).item == {"a": {}}


def test_self_referencing_list_ends_at_the_depth_bound() -> None:
    loop: list = ["a"]
    loop.append(loop)
    loop.append(loop)
    item = {"loop": loop, "title": "t"}
    result = PIIFilter().filter(item)
    assert result.item == {"loop": ["a"], "title": "t"} and result.report.by_type == {"too_deep": 2}


def test_values_visited_are_bounded() -> None:
    item = {"wide": [None] * 1_100_000}
    result = PIIFilter(PIIConfig(item_max_seconds=60)).filter(item)
    assert result.item is None and result.report.over_budget


def test_item_over_its_budget_is_removed_whole_and_counted() -> None:
    # 2,000 different strings (a string repeated in one item is scanned once: tests/test_pii_filter_repeats.py)
    noise = {"t": ["4" * 40 + " 1380013800" + f"{i:04d}" + "1" * 445 for i in range(2000)], "keep": "x"}
    result = PIIFilter(PIIConfig(item_max_seconds=0.2)).filter(noise)
    assert result.item is None and result.report.over_budget and noise == {}
    assert result.report.by_type == {"over_budget": 1} and result.report.by_field == {"[item]": 1}
    # the same item under a character budget, before any scan
    chars = {"t": ["x" * 500] * 10}
    assert PIIFilter(PIIConfig(item_max_chars=4000)).filter(chars).item is None


def test_item_budget_counts_characters_values_and_cpu_time() -> None:
    now = [0.0]
    b = ItemBudget(max_seconds=1.0, max_chars=10_000, clock=lambda: now[0])
    b.scan(300)
    now[0] = 0.9
    b.scan(300)
    now[0] = 1.1
    try:
        b.scan(300)
    except OverBudget:
        pass
    else:
        raise AssertionError("no OverBudget past the CPU bound")
    b2 = ItemBudget(max_seconds=100, max_chars=1000, clock=lambda: 0.0)
    b2.scan(999)
    try:
        b2.scan(2)
    except OverBudget:
        pass
    else:
        raise AssertionError("no OverBudget past the character bound")


def test_allowed_query_parameter_is_not_scanned_by_value_either() -> None:
    # As an allowed field: its value is kept whole and nothing is counted for it; other parameters still are.
    f = PIIFilter(PIIConfig(allow=frozenset({"u.user"})))
    result = f.filter({"u": "/a?user=zhang_88&note=tel+13800138000"})
    assert result.item["u"] == "/a?user=zhang_88&note=tel+%5BPHONE%5D"
    assert sum(result.report.by_type.values()) == 1
