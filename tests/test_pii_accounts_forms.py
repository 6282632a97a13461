"""Every nickname and user-ID form issue 16 names, in many phrasings (session 10, branch pii-names): `@name`,
platform default nicknames, a nickname after a cue (`昵称：`), numeric user IDs after a cue (`uid`, `user id`,
`用户ID`, `会员号`) and in profile URLs (`/u/<id>`, `/user/<name>`, `/people/<name>`); separators `：:=`, spaces,
brackets, full-width digits, ja/ko/de/fr cue words.  Values are made up (no person's)."""

from __future__ import annotations

import pytest

from politecrawl.pii import Detector

D = Detector()
UID = "48213907"
NICK = "sunny_day88"
ZH_NICK = "小鱼儿"


def found(text: str) -> list[tuple[str, str]]:
    return [(text[s.start : s.end], s.type) for s in D.find(text)]


ID_CUES = ["uid", "UID", "user id", "User ID", "user_id", "userid", "用户ID", "用户id", "会员号", "会员ID", "用户编号",
           "member ID", "customer no.", "Benutzer-ID", "Kundennummer", "Mitgliedsnummer", "numéro client",
           "identifiant", "N° client", "ユーザーID", "会員番号", "회원번호", "사용자 ID"]
ID_SEPS = ["：", ":", "=", " ", " : ", "为", "#", " is "]


@pytest.mark.parametrize("cue", ID_CUES)
@pytest.mark.parametrize("sep", ID_SEPS)
def test_a_user_id_after_a_cue(cue: str, sep: str) -> None:
    assert (UID, "user_id") in found(f"{cue}{sep}{UID}")


@pytest.mark.parametrize("cue", ID_CUES)
@pytest.mark.parametrize("template", ["（{c}：{v}）", "[{c}: {v}]", "我的{c}是{v}", "{c}：{v}，请核对"])
def test_a_user_id_after_a_cue_in_brackets_and_sentences(cue: str, template: str) -> None:
    assert (UID, "user_id") in found(template.format(c=cue, v=UID))


@pytest.mark.parametrize("cue", ID_CUES)
def test_a_user_id_in_full_width_digits(cue: str) -> None:
    assert ("４８２１３９０７", "user_id") in found(f"{cue}：４８２１３９０７")


@pytest.mark.parametrize("text", [
    # missed before session 10
    f"会员号码：{UID}", f"用户号码 {UID}", f"用户ID【{UID}】", f"用户ID({UID})", f"用户ID（{UID}）", f"アカウントID：{UID}",
    # full-width letters in the cue, spaced CJK cues
    "会员ＩＤ：４８２１３９０７", f"ＵＩＤ：{UID}", f"用户 ID：{UID}", f"회원 번호: {UID}", f"ユーザーＩＤ：{UID}",
    f"user ID #{UID}", f"ID utilisateur : {UID}", f"numéro de client : {UID}", f"Nutzer-ID {UID}", f"N° adhérent : {UID}",
    f"uid={UID}&from=app", f"用户ID为{UID}的用户", f"uid {UID} 登录",
])
def test_a_user_id_in_more_phrasings(text: str) -> None:
    assert any(t == "user_id" and v.endswith(UID[-4:]) or v == "４８２１３９０７" for v, t in found(text))


@pytest.mark.parametrize("text", [f"会员号 NO.{UID}", f"No. de membre : {UID}", f"no client : {UID}"])
def test_a_user_id_after_a_number_sign_word(text: str) -> None:
    assert any(t == "user_id" and v.endswith(UID[-4:]) or v == "４８２１３９０７" for v, t in found(text))


NICK_CUES = ["昵称", "网名", "用户名", "nickname", "Nickname", "username", "Benutzername", "Spitzname", "pseudo",
             "nom d'utilisateur", "ニックネーム", "ユーザー名", "닉네임"]


@pytest.mark.parametrize("cue", NICK_CUES)
@pytest.mark.parametrize("sep", ["：", ":", "=", " : ", "：「"])
@pytest.mark.parametrize("value", [NICK, ZH_NICK])
def test_a_nickname_after_a_cue(cue: str, sep: str, value: str) -> None:
    assert (value, "nickname") in found(f"{cue}{sep}{value}")


@pytest.mark.parametrize("cue", NICK_CUES)
@pytest.mark.parametrize("template", ["（{c}：{v}）", "{c}【{v}】"])
def test_a_nickname_after_a_cue_in_brackets(cue: str, template: str) -> None:
    assert (ZH_NICK, "nickname") in found(template.format(c=cue, v=ZH_NICK))


@pytest.mark.parametrize(("text", "value"), [
    # missed before session 10
    (f"Benutzername „{NICK}“", NICK), (f"pseudo « {NICK} »", NICK),
    ("昵称：『小鱼儿』", ZH_NICK), ("昵称 “小鱼儿”", ZH_NICK), ("我的昵称是小鱼儿。", ZH_NICK), ("닉네임: 하늘별", "하늘별"),
    ("ニックネーム：はなこ", "はなこ"), (f"Nom d’utilisateur : {NICK}", NICK), (f"user name: {NICK}", NICK),
])
def test_a_nickname_in_more_phrasings(text: str, value: str) -> None:
    assert (value, "nickname") in found(text)


@pytest.mark.parametrize(("text", "value"), [
    (f"用户ID：{NICK}", NICK), ("uid: maple_leaf", "maple_leaf"), ("user id sunny.day", "sunny.day"),
    (f"会員ID：{NICK}", NICK), (f"投稿人：{NICK}", NICK), (f"发帖人 {NICK}", NICK), (f"评论者：{NICK}", NICK),
])
def test_a_handle_after_an_id_cue_or_a_poster_word(text: str, value: str) -> None:
    assert (value, "nickname") in found(text)


@pytest.mark.parametrize("text", ["UID: abc", "session id: abc_123", "商品ID：sku_1234", "device id: a1b2_c3",
                                  "user id is required", "client id: web_app1"])
def test_no_handle_after_an_id_cue_without_one(text: str) -> None:
    assert [v for v in found(text) if v[1] == "nickname"] == []


@pytest.mark.parametrize("value", ["sunny_day88", "小鱼儿", "Maple_Leaf", "user123"])
@pytest.mark.parametrize("template", ["@{v} 你好", "谢谢 @{v}！", "cc @{v}, please review", "＠{v} 谢谢"])
def test_an_at_handle(value: str, template: str) -> None:
    assert any(t == "nickname" and v.endswith(value) for v, t in found(template.format(v=value)))


@pytest.mark.parametrize("value", ["用户12345678", "手机用户13800", "微博用户58213", "jd_4f8a2b", "tb1234567", "t_1234567890",
                                   "qq_12345678", "weixin_12345", "bili_123456", "小红薯5F3A2B", "m0_12345678"])
@pytest.mark.parametrize("template", ["{v} 评论：很好", "买家 {v} 的评价", "（{v}）"])
def test_a_platform_default_nickname(value: str, template: str) -> None:
    assert (value, "nickname") in found(template.format(v=value))


@pytest.mark.parametrize(("text", "value", "kind"), [
    ("https://weibo.com/u/5823917480", "5823917480", "user_id"),
    ("https://m.weibo.cn/u/5823917480?from=feed", "5823917480", "user_id"),
    (f"https://example.cn/u/{UID}/", UID, "user_id"),
    (f"主页：example.com/u/{UID}", UID, "user_id"),
    (f"https://example.com/user/{UID}", UID, "user_id"),
    (f"http://example.org/people/{UID}?tab=posts", UID, "user_id"),
    (f"https://www.douban.com/people/{UID}/", UID, "user_id"),
    (f"https://example.com/users/{UID}/orders", UID, "user_id"),
    (f"https://space.bilibili.com/{UID}", UID, "user_id"),
    ("https://www.zhihu.com/people/sunny-day-88", "sunny-day-88", "nickname"),
    (f"https://example.com/user/{NICK}", NICK, "nickname"),
    (f"https://example.com/u/{NICK}", NICK, "nickname"),
    (f"（https://example.com/user/{NICK}）", NICK, "nickname"),
    (f"/user/{NICK}/posts", NICK, "nickname"),
    # a segment in CJK letters, as a browser shows a decoded URL (missed before session 10)
    ("example.com/people/小鱼儿", ZH_NICK, "nickname"),
    ("https://example.com/u/小鱼儿/posts", ZH_NICK, "nickname"),
])
def test_a_profile_url(text: str, value: str, kind: str) -> None:
    assert (value, kind) in found(text)


@pytest.mark.parametrize("text", [
    "你的昵称是什么？", "昵称是啥？", "用户名是什么", "商品ID【48213907】", "订单ID(48213907)", "用户ID（选填）",
])
def test_no_account_without_a_value(text: str) -> None:
    assert [v for v in found(text) if v[1] in ("nickname", "user_id")] == []


@pytest.mark.parametrize("text", [
    # an account row after prose on its line (missed before session 10: only a row heading its line was read)
    "葡萄牙语（巴西，无死键）；91221830,dabai81432,+86 18951120421",
    "cookie, thanks for the reply. 9639583,快乐的小鱼,+86 13655228713",
    "Church announced new prices. 871089991,微信用户580553,pixel880@example.fr",
    "说明。12345678 | 小鱼 | +86 13505242246",
    "| 1878399642 | 爱吃鱼的猫303 | +86 13505242246 ",
])
def test_an_account_row_after_prose(text: str) -> None:
    kinds = {t for _, t in found(text)}
    assert {"user_id", "nickname"} <= kinds


@pytest.mark.parametrize("text", ["价格是 12,345,678 元", "我买了3件，分别是A,B,C。很好", "版本 1.2, 3.4, 5.6",
                                  "Hi, I am Tom, call me at +86 13655228713, thanks"])
def test_no_row_in_prose_with_commas(text: str) -> None:
    assert [v for v in found(text) if v[1] in ("user_id", "nickname")] == []
