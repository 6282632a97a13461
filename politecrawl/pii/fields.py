"""Which field names mean personal data.

A name matches a term when the term's words appear as consecutive words of the name (`buyer_phone`, `phoneNumber`,
`user-id` all match `phone` / `user_id`), or, for terms in Chinese, Japanese or Korean, when the term is a substring
of the name (`买家手机号` matches `手机号`).  Words come from splitting on anything that is not an ASCII letter or digit
and at lower-to-upper case changes.  Numeric user IDs and nicknames cannot be recognised by value: this list and
declared fields are how they are caught.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

DEFAULT_PII_FIELD_NAMES: tuple[str, ...] = (
    # contact
    "phone", "mobile", "tel", "telephone", "cellphone", "phone_no", "mobile_no", "fax", "email", "e_mail",
    "mailbox", "wechat", "weixin", "wechat_id", "qq", "whatsapp", "line_id",
    # identity and accounts
    "nickname", "nick", "nick_name", "screen_name", "display_name", "user_id", "userid", "uid", "buyer_id",
    "buyer", "buyer_nick", "buyer_name", "seller_nick", "customer_id", "customer_name", "member_id", "account_id",
    "account_name", "username", "user_name", "login_name", "author_id", "reviewer", "reviewer_name",
    "real_name", "realname", "full_name", "first_name", "last_name", "given_name", "family_name", "surname",
    "consignee", "receiver", "recipient", "contact_name",
    # identifiers
    "id_card", "idcard", "id_number", "id_no", "national_id", "ssn", "passport", "passport_no", "bank_card",
    "card_number", "card_no", "iban", "bank_account", "device_id", "imei", "idfa", "mac_address",
    # places, network, dates
    "address", "home_address", "street_address", "ip", "ip_address", "ipv4", "ipv6", "birthday", "birth_date",
    "date_of_birth", "dob", "gps", "geo_location",
    # Chinese
    "手机", "手机号", "手机号码", "电话", "联系电话", "电话号码", "座机", "邮箱", "电子邮箱", "电子邮件", "微信", "微信号",
    "QQ号", "昵称", "用户名", "用户ID", "用户id", "用户编号", "会员名", "买家", "收货人", "收件人", "联系人", "真实姓名", "姓名",
    "身份证", "身份证号", "证件号", "护照", "银行卡", "银行卡号", "地址", "住址", "收货地址", "详细地址", "IP地址", "生日", "出生日期",
    # Japanese, Korean
    "電話番号", "携帯", "メールアドレス", "住所", "氏名", "ニックネーム", "ユーザー名",
    "전화번호", "휴대폰", "이메일", "주소", "닉네임", "아이디", "주민등록번호",
)

_CAMEL_RE = re.compile(r"([a-z0-9])([A-Z])")
_ACRONYM_RE = re.compile(r"([A-Z]+)([A-Z][a-z])")
_SPLIT_RE = re.compile(r"[^A-Za-z0-9]+")


def words(name: str) -> tuple[str, ...]:
    return tuple(w for w in _SPLIT_RE.split(_CAMEL_RE.sub(r"\1_\2", _ACRONYM_RE.sub(r"\1_\2", name)).lower()) if w)


class FieldNames:
    """A set of terms; `matches(name)` says whether a field name means personal data."""

    def __init__(self, terms: Iterable[str]) -> None:
        self._word_terms: list[tuple[str, ...]] = []
        self._substrings: list[str] = []
        for term in terms:
            if not isinstance(term, str) or not term.strip():
                raise ValueError(f"field name term {term!r} must be a non-empty string")
            if term.isascii():
                w = words(term)
                if w:
                    self._word_terms.append(w)
            else:
                self._substrings.append(term.lower())
        self._cache: dict[str, bool] = {}

    def matches(self, name: str) -> bool:
        hit = self._cache.get(name)
        if hit is None:
            hit = self._match(name)
            if len(self._cache) < 10_000:
                self._cache[name] = hit
        return hit

    def _match(self, name: str) -> bool:
        lowered = name.lower()
        if any(s in lowered for s in self._substrings):
            return True
        w = words(name)
        for term in self._word_terms:
            n = len(term)
            if any(w[i : i + n] == term for i in range(len(w) - n + 1)):
                return True
        return False
