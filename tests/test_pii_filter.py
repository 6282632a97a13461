"""PIIFilter: every item type, nesting, declarations, names, allow-list, actions, overrides, bounds."""

from __future__ import annotations

import dataclasses
import time

import attrs
import pydantic
import pytest
import scrapy

from politecrawl.pii import PIIConfig, PIIConfigError, PIIFilter, pseudonym

KEY = b"k" * 32
PHONE = "13800138000"
EMAIL = "zhang.san@example.com"
RIC = "11010119900307803X"


def counts(report) -> tuple[dict, dict]:
    return dict(report.by_type), dict(report.by_field)


# ----------------------------------------------------------------- item types


class ReviewItem(scrapy.Item):
    title = scrapy.Field()
    body = scrapy.Field()
    hotline = scrapy.Field(pii="phone")
    shop_id = scrapy.Field()
    nickname = scrapy.Field()


@dataclasses.dataclass
class ReviewDC:
    title: str = ""
    body: str = ""
    hotline: str | None = dataclasses.field(default=None, metadata={"pii": "phone"})
    shop_id: str = ""
    nickname: str | None = None


@attrs.define
class ReviewAttrs:
    title: str = ""
    body: str = ""
    hotline: str | None = attrs.field(default=None, metadata={"pii": True})
    shop_id: str = ""
    nickname: str | None = None


class ReviewModel(pydantic.BaseModel):
    title: str = ""
    body: str = ""
    hotline: str | None = pydantic.Field(default=None, json_schema_extra={"pii": "phone"})
    shop_id: str = ""
    nickname: str | None = None


def make(cls):
    return cls(
        title=f"好评 联系{PHONE}",
        body=f"mail {EMAIL} or ID {RIC}.",
        hotline="+86 139 0013 9000",
        shop_id="SKU-20240506-001",
        nickname="小明",
    )


@pytest.mark.parametrize("cls", [dict, ReviewItem, ReviewDC, ReviewAttrs, ReviewModel])
def test_every_item_type(cls) -> None:
    item = make(cls)
    result = PIIFilter().filter(item)
    assert result.item is item  # changed in place
    from itemadapter import ItemAdapter

    out = ItemAdapter(item).asdict()
    assert out["title"] == "好评 联系[PHONE]"
    assert out["body"] == "mail [EMAIL] or ID [CN_RESIDENT_ID]."
    assert out["shop_id"] == "SKU-20240506-001"
    if cls is dict:  # no declarations on a dict: the value is found by scanning
        assert out["hotline"] == "[PHONE]" and "nickname" not in out
    elif cls is ReviewItem:
        assert "hotline" not in out and "nickname" not in out
    else:
        assert out["hotline"] is None and out["nickname"] is None
    # pii="phone" counts as a phone, pii=True as "declared".
    by_type = {"phone": 2, "email": 1, "cn_resident_id": 1, "field_name": 1}
    if cls is ReviewAttrs:
        by_type = {"phone": 1, "declared": 1, "email": 1, "cn_resident_id": 1, "field_name": 1}
    assert counts(result.report) == (by_type, {"title": 1, "body": 2, "hotline": 1, "nickname": 1})
    assert PHONE not in repr(item) and EMAIL not in repr(item) and "139 0013 9000" not in repr(item)


def test_nested_dicts_lists_tuples_and_items() -> None:
    item = {
        "product": "iPhone 15",
        "reviews": [
            {"text": f"很好 {PHONE}", "stars": 5, "origin": {"uid": 99, "city": "北京"}},
            {"text": "一般", "stars": 3, "tags": ("ok", f"tel {PHONE}")},
            f"e-mail: {EMAIL}",
            13800138000,
            12.5,
        ],
        "extra": {"13900139000": "a key that is a phone", "ok": True},
        "dc": ReviewDC(title=f"call {PHONE}"),
    }
    result = PIIFilter().filter(item)
    assert result.item == {
        "product": "iPhone 15",
        "reviews": [
            {"text": "很好 [PHONE]", "stars": 5, "origin": {"city": "北京"}},
            {"text": "一般", "stars": 3, "tags": ("ok", "tel [PHONE]")},
            "e-mail: [EMAIL]",
            12.5,
        ],
        "extra": {"ok": True},
        "dc": ReviewDC(title="call [PHONE]"),
    }
    assert counts(result.report) == (
        {"phone": 5, "field_name": 1, "email": 1},  # phones: a review text, a tuple, an int, a dict key, dc.title
        {"reviews": 5, "extra": 1, "dc": 1},
    )


def test_report_never_holds_values() -> None:
    item = {"t": f"{PHONE} {EMAIL} {RIC}", "phone": PHONE, "x": {f"{PHONE}": 1}}
    report = PIIFilter().filter(item).report
    dumped = repr(report)
    for v in (PHONE, EMAIL, RIC):
        assert v not in dumped
    assert dict(report.by_field) == {"t": 3, "phone": 1, "x": 1}


# ----------------------------------------------------------------- names, allow-list, declarations


def test_field_names_and_extra_fields_and_allow() -> None:
    item = {"buyerPhone": "x", "用户昵称": "y", "ip_address": "z", "wangwang": "w", "phone_model": "iPhone 15",
            "title": "t"}
    f = PIIFilter(PIIConfig(extra_fields=("wangwang",), allow=frozenset({"phone_model"})))
    result = f.filter(item)
    assert result.item == {"phone_model": "iPhone 15", "title": "t"}
    assert counts(result.report) == ({"field_name": 4}, {"buyerPhone": 1, "用户昵称": 1, "ip_address": 1, "wangwang": 1})


def test_allow_list_skips_value_scanning_and_dotted_paths() -> None:
    item = {"sku": "4111111111111111", "order": {"ref": PHONE}, "ref": PHONE}
    result = PIIFilter(PIIConfig(allow=frozenset({"sku", "order.ref"}))).filter(item)
    assert result.item == {"sku": "4111111111111111", "order": {"ref": PHONE}, "ref": "[PHONE]"}


def test_declared_false_means_never_personal() -> None:
    class I(scrapy.Item):
        user_id = scrapy.Field(pii=False)  # the operator says: a shop's id, not a person
        text = scrapy.Field(pii=False)

    item = I(user_id="shop-1", text=PHONE)
    assert PIIFilter().filter(item).item == {"user_id": "shop-1", "text": PHONE}


# ----------------------------------------------------------------- actions


def test_pseudonymize_is_stable_per_key_and_differs_across_keys() -> None:
    def run(key: bytes) -> dict:
        item = {"nickname": "小明", "phone": "138 0013 8000", "text": f"call +86 {PHONE} or {EMAIL.upper()}"}
        return PIIFilter(PIIConfig(action="pseudonymize", key=key)).filter(item).item

    a1, a2, b = run(KEY), run(KEY), run(b"z" * 32)
    assert a1 == a2
    assert a1["nickname"] != b["nickname"] and a1["phone"] != b["phone"]
    # A phone field and the same phone in text link: both canonicalised to E.164.
    p = pseudonym(KEY, "+8613800138000")
    assert a1["phone"] == p
    assert a1["text"] == f"call [PHONE:{p}] or [EMAIL:{pseudonym(KEY, EMAIL)}]"
    assert len(p) == 32 and PHONE not in str(a1)


def test_pseudonymize_without_key_refuses() -> None:
    with pytest.raises(PIIConfigError, match="POLITECRAWL_PII_KEY is not set"):
        PIIConfig(action="pseudonymize")
    with pytest.raises(PIIConfigError, match="POLITECRAWL_PII_KEY is too short"):
        PIIConfig(field_actions={"user_id": "pseudonymize"}, key=b"short")


def test_drop_item_scrubs_and_returns_none() -> None:
    item = {"title": f"tel {PHONE}", "price": "9.9"}
    result = PIIFilter(PIIConfig(action="drop_item")).filter(item)
    assert result.item is None and result.report.dropped_item
    assert item == {"title": "tel [PHONE]", "price": "9.9"}  # nothing left for a "Dropped:" log line to show
    clean = {"title": "no personal data", "price": "9.9"}
    assert PIIFilter(PIIConfig(action="drop_item")).filter(clean).item is clean


def test_per_field_overrides() -> None:
    cfg = PIIConfig(
        action="drop",
        field_actions={"user_id": "pseudonymize", "reviews.text": "pseudonymize", "contact": "drop_item"},
        key=KEY,
    )
    item = {"user_id": 42, "title": f"tel {PHONE}", "reviews": [{"text": f"tel {PHONE}"}]}
    result = PIIFilter(cfg).filter(item)
    p = pseudonym(KEY, "+8613800138000")
    assert result.item == {"user_id": pseudonym(KEY, "42"), "title": "tel [PHONE]", "reviews": [{"text": f"tel [PHONE:{p}]"}]}
    result = PIIFilter(cfg).filter({"contact": f"{PHONE}", "title": "x"})
    assert result.item is None


# ----------------------------------------------------------------- bounds


def test_max_chars_drops_string_whole() -> None:
    item = {"body": "a" * 101, "short": "a" * 100, "list": ["b" * 200, "ok"]}
    result = PIIFilter(PIIConfig(max_chars=100)).filter(item)
    assert result.item == {"short": "a" * 100, "list": ["ok"]}
    assert counts(result.report) == ({"too_long": 2}, {"body": 1, "list": 1})


def test_adversarial_megabyte_strings_under_a_second_each() -> None:
    f = PIIFilter(PIIConfig(max_chars=2_000_000))
    digits = ("138-0013 8000.12(3)/" * 50_000)[:1_000_000]
    mails = ("a.b@c.d@@..e" * 90_000)[:1_000_000]
    for text in (digits, mails):
        item = {"text": text}
        t0 = time.process_time()
        result = f.filter(item)
        assert time.process_time() - t0 < 1.0
        assert "13800138000" not in str(item) and "138-0013 8000" not in str(result.item)
    assert counts(f.filter({"t": digits}).report) == ({"unscannable": 1}, {"t": 1})


def test_settings_parsing_and_validation() -> None:
    settings = {
        "POLITECRAWL_PII_FIELDS": "wangwang, 旺旺",
        "POLITECRAWL_PII_ALLOW": ["sku"],
        "POLITECRAWL_PII_ACTION": "drop",
        "POLITECRAWL_PII_FIELD_ACTIONS": '{"user_id": "pseudonymize"}',
        "POLITECRAWL_PII_REGIONS": "cn,us",
        "POLITECRAWL_PII_MAX_CHARS": "5000",
    }
    cfg = PIIConfig.from_settings(settings.get, environ={"POLITECRAWL_PII_KEY": "x" * 16})
    assert cfg.extra_fields == ("wangwang", "旺旺") and cfg.regions == ("CN", "US") and cfg.max_chars == 5000
    assert cfg.key == b"x" * 16 and cfg.field_actions == {"user_id": "pseudonymize"}
    with pytest.raises(PIIConfigError, match=r"POLITECRAWL_PII_ACTION \('mask'\) must be one of"):
        PIIConfig.from_settings({"POLITECRAWL_PII_ACTION": "mask"}.get)
    with pytest.raises(PIIConfigError, match=r"POLITECRAWL_PII_REGIONS \('XX'\)"):
        PIIConfig.from_settings({"POLITECRAWL_PII_REGIONS": ["XX"]}.get)
    with pytest.raises(PIIConfigError, match=r"POLITECRAWL_PII_MAX_CHARS \(0\)"):
        PIIConfig.from_settings({"POLITECRAWL_PII_MAX_CHARS": 0}.get)
    with pytest.raises(PIIConfigError) as err:
        PIIConfig.from_settings({"POLITECRAWL_PII_ACTION": "pseudonymize", "POLITECRAWL_PII_KEY": "hunter2-xy"}.get)
    assert "hunter2" not in str(err.value)
