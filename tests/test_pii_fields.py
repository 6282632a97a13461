"""Field names: one token rule for snake, camel, kebab and CJK names (politecrawl/pii/fields.py), as a table."""

from __future__ import annotations

import pytest

from politecrawl.pii import DEFAULT_PII_FIELD_NAMES, FieldNames, PIIFilter
from politecrawl.pii.fields import words

NAMES = FieldNames(DEFAULT_PII_FIELD_NAMES)

PERSONAL = [
    # the person behind a record, by any word of the name
    "author", "Author", "author_name", "authorName", "author-id", "comment_author", "review.author",
    "name", "Name", "names", "full_name", "fullName", "fullname", "FULL_NAME", "first_name", "lastName", "surname",
    "user", "users", "user1", "username", "userName", "user_name", "UserID", "user_id", "uid", "login_name",
    "nick", "nickname", "nickName", "nick_name", "display_name", "displayName", "screen_name", "handle",
    "reviewer", "reviewerName", "buyer", "buyerPhone", "buyer_nick", "seller", "sellerNick", "poster", "commenter",
    "customer", "customer_name", "consignee", "recipient", "owner", "uploader", "avatar_url", "profile_url",
    # contact, identifiers, dates of a person
    "phone", "phoneNumber", "e_mail", "email", "emails", "mobile_no", "tel", "wechat_id", "QQ", "ip_address",
    "IPAddress", "ipv4", "addresses", "home_address", "id_card", "passport_no", "iban",
    "birth_date", "birthdate", "birthDate", "born_date", "date_of_birth", "dob", "birthday", "birth_place",
    # Chinese, Japanese, Korean (substrings)
    "作者", "姓名", "昵称", "用户名", "买家", "卖家", "买家昵称", "卖家ID", "用户ID", "会员名", "收货人", "手机号", "联系电话",
    "名前", "氏名", "ユーザー名", "ニックネーム", "購入者", "出品者", "投稿者", "住所",
    "이름", "닉네임", "작성자", "사용자", "구매자", "판매자", "아이디", "전화번호",
    # German, French (accents removed)
    "Autor", "Benutzername", "Nutzer", "Spitzname", "Käufer", "Kaeufer", "Verkäufer", "Vorname", "Nachname",
    "Geburtsdatum", "Telefon", "Anschrift", "auteur", "nom", "prénom", "nom_de_famille", "utilisateur", "pseudo",
    "acheteur", "vendeur", "date_de_naissance", "téléphone", "courriel",
]

NOT_PERSONAL = [
    "title", "text", "stars", "price", "sku", "url", "id", "product_name", "productName", "file_name", "brand_name",
    "nom_produit", "hotel", "zip", "category", "description", "rating", "published_at",
    # aggregates, and the person's activity rather than the person (a content word after the term)
    "user_count", "userCount", "num_reviewers", "total_buyers", "buyer_count", "user_agent", "userAgent",
    "user_review", "user_reviews", "author_rating", "reviewer_score", "user_type",
    "用户评价", "买家数", "用户数量",
]


@pytest.mark.parametrize("name", PERSONAL)
def test_personal_names(name: str) -> None:
    assert NAMES.matches(name), name


@pytest.mark.parametrize("name", NOT_PERSONAL)
def test_not_personal_names(name: str) -> None:
    assert NAMES.match(name) is None, (name, NAMES.match(name))


def test_words_split_snake_camel_kebab_digits_and_accents() -> None:
    assert words("buyerPhone") == ("buyer", "phone")
    assert words("IPAddress") == ("ip", "address")
    assert words("user-id") == ("user", "id")
    assert words("author.name") == ("author", "name")
    assert words("user1") == ("user", "1")
    assert words("Käufer_Name") == ("kaufer", "name")


def test_match_names_the_term() -> None:
    assert NAMES.match("authorName") == "author"
    assert NAMES.match("birthdate") == "birth_date"
    assert NAMES.match("name") == "name"
    assert NAMES.match("买家昵称") in ("买家", "昵称")


def test_extra_terms_follow_the_same_rule() -> None:
    names = FieldNames(("wangwang", "旺旺", "shop_owner_code"))
    assert names.matches("wangwang") and names.matches("buyerWangwang") and names.matches("买家旺旺")
    assert names.matches("shopOwnerCode") and names.matches("shopownercode")
    assert not names.matches("shop_owner") and not names.matches("wangwang_count")


def test_whole_name_terms_only_alone() -> None:
    names = FieldNames((), whole_names=("name",))
    assert names.matches("name") and names.matches("Name")
    assert not names.matches("product_name") and not names.matches("name_en")


def test_filter_removes_the_seed_case_and_keeps_the_rest() -> None:
    item = {
        "user_id": 123456789, "nickname": "小明同学", "mobile": "13800138000", "author": "Zhang Wei",
        "name": "Li Si", "reviewer": "bob_1987", "customer": {"name": "Wang Wu", "city": "Berlin"},
        "stars": 5, "text": "good", "product_name": "iPhone 15", "user_count": 12,
    }
    result = PIIFilter().filter(item)
    assert result.item == {"stars": 5, "text": "good", "product_name": "iPhone 15", "user_count": 12}
    assert result.report.by_type == {"field_name": 7}
    assert dict(result.report.removed) == {
        (k, "field_name"): 1 for k in ("user_id", "nickname", "mobile", "author", "name", "reviewer", "customer")
    }
