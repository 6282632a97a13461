"""Which field names mean personal data: one token rule for snake, camel, kebab and CJK names.

A field name is read as words: it is split at anything that is not a letter or digit, at lower-to-upper case
changes and at letter-to-digit changes, lower-cased, accents removed (`buyerPhone` -> buyer, phone; `Käufer` ->
kaufer; `user1` -> user, 1).  A name matches a term when

1. the term's words are consecutive words of the name (`buyer_phone`, `phoneNumber` match `phone`;
   `date_of_birth_utc` matches `date_of_birth`), or
2. the term's words written together are one word of the name (`birthdate`, `FullName`, `username` match
   `birth_date`, `full_name`, `user_name`), a plural `s` / `es` included (`users`, `addresses`);
3. a *whole-name* term (`name`, `nom`) matches only a name that is that word alone: `name` and `Name` are
   personal, `product_name` and `file_name` are not (`author_name`, `full_name` are, by rules 1 and 2);
4. a Chinese, Japanese or Korean term matches as a substring (`买家手机号` matches `手机号`; these scripts write
   compounds without separators).

Not personal though a term matches: a name with an aggregate word (`count`, `total`, `num`, ...: `user_count`,
`num_reviewers`, `买家数`), and a name where a *content* word comes after the term (`user_agent`, `user_review`,
`author_rating`, `用户评价`): the field then holds something about the person's activity, not the person;
`comment_author` is still personal (the content word comes first).

Numeric user IDs and nicknames cannot be recognised by value: these names and declared fields are how they are
caught.  A name that matches but is not personal goes in POLITECRAWL_PII_ALLOW.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

DEFAULT_PII_FIELD_NAMES: tuple[str, ...] = (
    # the person behind a record (any word of the name)
    "author", "user", "user_name", "user_id", "uid", "login", "login_name", "nick", "nickname", "nick_name",
    "screen_name", "display_name", "handle", "reviewer", "buyer", "seller", "poster", "commenter", "customer",
    "consignee", "receiver", "recipient", "sender", "contact", "member_id", "member_name", "account_id",
    "account_name", "uploader", "creator", "owner", "follower", "person", "profile", "avatar",
    "real_name", "full_name", "first_name", "last_name", "given_name", "family_name", "middle_name",
    "maiden_name", "surname", "forename",
    # contact
    "phone", "mobile", "tel", "telephone", "cellphone", "fax", "email", "e_mail", "mail", "mailbox", "wechat",
    "weixin", "wechat_id", "qq", "whatsapp", "line_id", "telegram", "skype",
    # identifiers
    "id_card", "idcard", "id_number", "id_no", "national_id", "ssn", "passport", "bank_card", "card_number",
    "card_no", "iban", "bank_account", "device_id", "imei", "idfa", "mac_address",
    # places, network, dates of a person
    "address", "street", "ip", "ip_address", "ipv4", "ipv6", "gps", "geo_location", "birthday", "birth", "born",
    "dob", "birth_date", "date_of_birth",
    # German
    "autor", "verfasser", "benutzer", "benutzername", "nutzer", "nutzername", "spitzname", "kunde", "kaufer",
    "kaeufer", "verkaufer", "verkaeufer", "vorname", "nachname", "familienname", "geburtsdatum", "geburtstag",
    "telefon", "telefonnummer", "handy", "handynummer", "rufnummer", "anschrift", "adresse",
    # French
    "auteur", "utilisateur", "pseudo", "surnom", "acheteur", "vendeur", "client", "prenom", "nom_de_famille",
    "naissance", "date_de_naissance", "telephone", "portable", "courriel", "identifiant", "commentateur",
    # Chinese
    "作者", "姓名", "名字", "网名", "昵称", "用户", "用户名", "用户ID", "用户编号", "会员名", "会员号", "会员ID", "账号", "帐号",
    "买家", "卖家", "顾客", "客户", "收货人", "收件人", "联系人", "联系方式", "评论人", "评论者", "发布者", "发帖人", "楼主",
    "真实姓名", "手机", "电话", "座机", "邮箱", "电子邮件", "微信", "QQ号", "身份证", "证件号", "护照", "银行卡", "地址",
    "住址", "生日", "出生",
    # Japanese
    "著者", "投稿者", "名前", "氏名", "ニックネーム", "ユーザー", "ユーザ", "ハンドルネーム", "購入者", "出品者", "販売者",
    "レビュアー", "電話", "携帯", "メール", "住所", "生年月日", "誕生日",
    # Korean
    "작성자", "글쓴이", "저자", "이름", "성명", "닉네임", "사용자", "아이디", "구매자", "판매자", "리뷰어", "회원", "전화",
    "휴대폰", "핸드폰", "이메일", "주소", "생년월일", "생일", "주민등록번호",
)

# Terms that match only a field name that is this word alone (rule 3).
DEFAULT_WHOLE_NAMES: tuple[str, ...] = ("name", "nom")

# A name with one of these words counts something; it holds no one's data (`user_count`, `num_buyers`).
AGGREGATE_WORDS = frozenset({"count", "counts", "total", "totals", "num", "number_of", "anzahl", "nombre"})
# After the term, these make the field the person's activity, not the person (`user_agent`, `user_review`).
CONTENT_WORDS = frozenset({
    "agent", "review", "reviews", "comment", "comments", "text", "content", "body", "rating", "ratings", "score",
    "stars", "type", "role", "level",
})
CJK_AGGREGATE_SUFFIXES = ("数", "数量", "人数", "总数", "件数", "수")
CJK_CONTENT_WORDS = ("评价", "评论内容", "内容", "评分", "等级", "类型", "レビュー本文", "評価", "内容", "평점", "내용")

_ACRONYM_RE = re.compile(r"([A-Z]+)([A-Z][a-z])")
_CAMEL_RE = re.compile(r"([a-z0-9])([A-Z])")
_DIGIT_RE = re.compile(r"([^\W\d_])(\d)")
_SPLIT_RE = re.compile(r"[\W_]+")
_CJK_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")


def _strip_accents(text: str) -> str:
    if text.isascii():
        return text
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def words(name: str) -> tuple[str, ...]:
    """The words of a field name (see the module docstring)."""
    s = _strip_accents(name)
    s = _DIGIT_RE.sub(r"\1_\2", _CAMEL_RE.sub(r"\1_\2", _ACRONYM_RE.sub(r"\1_\2", s))).lower()
    return tuple(w for w in _SPLIT_RE.split(s) if w)


def _singular(word: str) -> tuple[str, ...]:
    if len(word) > 3 and word.endswith("es"):
        return (word, word[:-1], word[:-2])
    if len(word) > 2 and word.endswith("s"):
        return (word, word[:-1])
    return (word,)


class FieldNames:
    """A set of terms; `match(name)` gives the term a field name matches (or None), `matches(name)` a bool."""

    def __init__(self, terms: Iterable[str], whole_names: Iterable[str] = DEFAULT_WHOLE_NAMES) -> None:
        self._one_word: dict[str, str] = {}  # a word of the name (rules 1 and 2) -> the term
        self._multi: dict[str, list[tuple[tuple[str, ...], str]]] = {}  # first word -> (words, term)
        self._whole: dict[tuple[str, ...], str] = {}
        self._substrings: list[tuple[str, str]] = []
        for term in terms:
            if not isinstance(term, str) or not term.strip():
                raise ValueError(f"field name term {term!r} must be a non-empty string")
            if _CJK_RE.search(term):
                self._substrings.append((term.lower(), term))
                continue
            w = words(term)
            if not w:
                raise ValueError(f"field name term {term!r} must hold a letter or digit")
            self._one_word.setdefault("".join(w), term)
            if len(w) > 1:
                self._multi.setdefault(w[0], []).append((w, term))
        for term in whole_names:
            self._whole[words(term)] = term
        self._cache: dict[str, str | None] = {}

    def matches(self, name: str) -> bool:
        return self.match(name) is not None

    def match(self, name: str) -> str | None:
        """The term `name` matches, or None."""
        try:
            return self._cache[name]
        except KeyError:
            pass
        hit = self._match(name)
        if len(self._cache) < 10_000:
            self._cache[name] = hit
        return hit

    def _match(self, name: str) -> str | None:
        if self._substrings and _CJK_RE.search(name):
            hit = self._match_cjk(name.lower())
            if hit is not None:
                return hit
        w = words(name)
        if not w or AGGREGATE_WORDS.intersection(w):
            return None
        if len(w) == 1:
            for form in _singular(w[0]):
                if (form,) in self._whole:
                    return self._whole[(form,)]
        for i, word in enumerate(w):
            found = None
            for form in _singular(word):
                found = self._one_word.get(form)
                if found is not None:
                    end = i + 1
                    break
            for multi, term in self._multi.get(word, ()):
                n = len(multi)
                if w[i : i + n - 1] == multi[:-1] and i + n <= len(w) and w[i + n - 1] in _singular_set(multi[-1]):
                    found, end = term, i + n
                    break
            if found is not None and not CONTENT_WORDS.intersection(w[end:]):
                return found
        return None

    def _match_cjk(self, lowered: str) -> str | None:
        if lowered.endswith(CJK_AGGREGATE_SUFFIXES):
            return None
        for sub, term in self._substrings:
            at = lowered.find(sub)
            if at >= 0 and not any(c in lowered[at + len(sub) :] for c in CJK_CONTENT_WORDS):
                return term
        return None


def _singular_set(word: str) -> tuple[str, ...]:
    """The forms a name's last word may take to match a term's last word `word` (itself or plural)."""
    return (word, word + "s", word + "es")
