"""Each class of miss and false positive fixed on the development corpus (bench/pii_dev.py), one test per class.
Values are made up for the test."""

from __future__ import annotations

import pytest

from politecrawl.pii import Detector

D = Detector()


def kinds(text: str) -> list[tuple[str, str]]:
    return [(text[s.start : s.end], s.type) for s in D.find(text)]


def test_json_and_quoted_keys_cue_user_ids_and_nicknames() -> None:
    assert kinds('{"user_id": 2383407, "nickname": "star.dabai"}') == [("2383407", "user_id"),
                                                                        ("star.dabai", "nickname")]


def test_bracketed_nickname_after_its_cue() -> None:
    assert ("tiantian13380", "nickname") in kinds("会员编号22159，昵称「tiantian13380」")


def test_japanese_cue_words_with_the_long_sound_mark() -> None:
    # fold() writes ー as "-": a cue written with ー never matched.
    assert kinds("ユーザー名: 晴天娃娃") == [("晴天娃娃", "nickname")]
    assert kinds("ユーザーID 12345678") == [("12345678", "user_id")]


@pytest.mark.parametrize("text, uid", [("ID: 238196869", "238196869"), ("用户 小鱼（ID 9907487）", "9907487"),
                                       ("user x (id 5490506991)", "5490506991"), ("| ID 41529 |", "41529")])
def test_id_alone_heading_a_record_or_bracket(text: str, uid: str) -> None:
    assert (uid, "user_id") in kinds(text)


@pytest.mark.parametrize("text", ["商品ID 553096566233", "post id 339497799240", "https://item.jd.com/x?id=12345678",
                                  '{"id": 12345678}'])
def test_id_after_a_thing_word_is_no_user_id(text: str) -> None:
    assert not [k for k in kinds(text) if k[1] == "user_id"]


@pytest.mark.parametrize("text, uid", [
    ("https://www.example.com/profile.php?id=465622969", "465622969"),
    ("https://space.example.cn/300656699", "300656699"),
    ("https://x.example/api?lang=zh&uid=88123456", "88123456"),
])
def test_profile_query_keys_and_profile_hosts(text: str, uid: str) -> None:
    assert (uid, "user_id") in kinds(text)


@pytest.mark.parametrize("text, nick", [
    ("by night_xiaoyu | ok", "night_xiaoyu"), ("Publié par qiqi76987", "qiqi76987"),
    ("Kommentar von 晴天娃娃", "晴天娃娃"), ("回复 lucky-tiantian766：同意", "lucky-tiantian766"),
    ("来自 追风少年 的私信", "追风少年"),
])
def test_handle_after_a_by_word(text: str, nick: str) -> None:
    assert (nick, "nickname") in kinds(text)


@pytest.mark.parametrize("text", ["sent by email", "from v1.2.3", "Reviewed by Jérôme Boulay", "回复：同意",
                                  "by www.example.com"])
def test_by_word_before_no_handle(text: str) -> None:
    assert not [k for k in kinds(text) if k[1] == "nickname"]


@pytest.mark.parametrize("text, nick", [("粉丝 大白兔257 关注了你", "大白兔257"), ("追风少年31 转发了微博", "追风少年31")])
def test_nickname_before_a_chinese_follow_or_forward_word(text: str, nick: str) -> None:
    assert (nick, "nickname") in kinds(text)


def test_other_fields_of_an_account_row() -> None:
    assert kinds("| 25179 | mango_storm | +86 13367413521 |") == [
        ("25179", "user_id"), ("mango_storm", "nickname"), ("+86 13367413521", "phone")]
    assert kinds("11906092,sunny.shadow7282,19352794686") == [
        ("11906092", "user_id"), ("sunny.shadow7282", "nickname"), ("19352794686", "phone")]


@pytest.mark.parametrize("text", ["SKU,name,price\nA-1,Widget,12.50", "Preis: 80.47, 12 Stück, Farbe rot",
                                  "手机：13800138000，内容自己手机然后方式大学她的，好用"])
def test_rows_without_an_account_value_or_prose_joined_by_full_width_commas(text: str) -> None:
    assert not [k for k in kinds(text) if k[1] in ("nickname", "user_id")]


@pytest.mark.parametrize("text", ["We drove from Victoria Station to the hotel.", "Tickets for Holly Springs sold out.",
                                  "Marie Curie Hospital", "Harvard Business School", "Lincoln Center"])
def test_first_name_before_a_place_or_firm_head_noun_is_no_person(text: str) -> None:
    assert kinds(text) == []


@pytest.mark.parametrize("text", ["去王府井玩了一天", "最近在喝杨梅汁", "宋体字太小了", "胡萝卜很甜", "去张家界玩了一天"])
def test_jieba_nr_tagged_place_and_thing_words_are_no_names(text: str) -> None:
    assert kinds(text) == []


@pytest.mark.parametrize("text, name", [("Contact: Anna Schmidt", "Anna Schmidt"), ("John Smith said hi", "John Smith"),
                                        ("王秀英表示，很成功。", "王秀英"), ("收件人：李春梅", "李春梅")])
def test_names_still_found(text: str, name: str) -> None:
    assert (name, "person_name") in kinds(text)


@pytest.mark.parametrize("text, name", [
    ("Merci 鈴木太郎 pour ton aide.", "鈴木太郎"), ("担当：小林葵です", "小林葵"), ("森蓮さんのレビュー", "森蓮"),
    ("山田さくら, Senior Editor", "山田さくら"), ("今日は田中さんと会いました", "田中"),
    ("김민준 님이 작성한 글", "김민준"), ("작성자: 이서연", "이서연"),
])
def test_japanese_and_korean_names(text: str, name: str) -> None:
    assert (name, "person_name") in kinds(text)


@pytest.mark.parametrize("text", ["東京駅で待ち合わせ", "本田技研工業の新車", "とても使いやすいです。", "更新到 2328.44元 了 です",
                                  "배송이 빨라서 좋았어요.", "닉네임 하늘별"])
def test_japanese_and_korean_text_without_names(text: str) -> None:
    assert not [k for k in kinds(text) if k[1] == "person_name"]


@pytest.mark.parametrize("text, name", [("Merci Evelyn Morris pour ton aide.", "Evelyn Morris"),
                                        ("Dear Timothy Avila,", "Timothy Avila")])
def test_capitalised_word_before_a_name_does_not_hide_it(text: str, name: str) -> None:
    assert (name, "person_name") in kinds(text)


def test_korean_name_split_by_the_tagger_is_one_name() -> None:
    assert kinds("Photo: 강예준 |") == [("강예준", "person_name")]


def test_chinese_name_a_few_characters_after_japanese_text() -> None:
    assert ("罗远佳", "person_name") in kinds("色が写真と少し違いました。 | 罗远佳表示，这次活动很成功。")


@pytest.mark.parametrize("text", ["Tickets for Santa Clara sold out.", "We flew to Port Louis.", "Mont Blanc"])
def test_place_prefix_first_word_is_no_person(text: str) -> None:
    assert kinds(text) == []


@pytest.mark.parametrize("text, nick", [("닉네임 하늘별 |", "하늘별"), ("昵称 小鱼儿", "小鱼儿"), ("回复 pandayueyue：同意", "pandayueyue"),
                                        ("user stormpixel (id 3720331384)", "stormpixel"), ("投稿者：하늘별", "하늘별"),
                                        ("Publié par ゆうき", "ゆうき"), ("用了一周。 UID 723526401 / nightcoffee", "nightcoffee")])
def test_nickname_cued_by_space_bounded_or_beside_a_user_id(text: str, nick: str) -> None:
    assert (nick, "nickname") in kinds(text)


@pytest.mark.parametrize("text", ["回复 Kontakt: 你好", "Reviewed by 曾萍.", "作者：张伟", "作者：김민준", "nick it now",
                                  "user experience is good", "用户体验很好"])
def test_no_nickname_where_a_word_or_a_name_follows_the_cue(text: str) -> None:
    assert not [k for k in kinds(text) if k[1] == "nickname"]


@pytest.mark.parametrize("text, uid", [("19.6.2.16 released ID: 9531702533 x", "9531702533"),
                                       ("[4504814417] yueyue40971", "4504814417"), ("[12149420] たぬき君", "12149420")])
def test_id_after_a_word_naming_no_thing_and_a_bracketed_number_before_a_handle(text: str, uid: str) -> None:
    assert (uid, "user_id") in kinds(text)


@pytest.mark.parametrize("text", ["session id 12345678", "Order ID: 123456789", "Tracking ID 1Z12345678",
                                  "see [12345] above", "[20230101] 更新"])
def test_id_after_a_thing_word_and_bracketed_references_or_dates(text: str) -> None:
    assert not [k for k in kinds(text) if k[1] == "user_id"]


@pytest.mark.parametrize("text, nick", [("1.2.3.4 - - [12/Mar/2024:10:01:02] user=小熊软糖；x", "小熊软糖"),
                                        ("[74936691] 风一样的男子", "风一样的男子"), ("投稿者：ninjalele", "ninjalele")])
def test_nickname_as_a_log_key_after_a_bracketed_user_id_or_after_a_label(text: str, nick: str) -> None:
    assert (nick, "nickname") in kinds(text)


@pytest.mark.parametrize("text", ["user is happy", "作者：Kontakt", "作者 ninjalele"])
def test_no_nickname_after_user_is_or_an_unlabelled_word(text: str) -> None:
    assert not [k for k in kinds(text) if k[1] == "nickname"]


def test_text_whose_lower_case_is_longer_keeps_offsets():
    """'İ' lower-cases to two characters: the account finder still reads the text and finds the ID after its cue."""
    from politecrawl.pii.accounts import find_accounts

    text = "İstanbul user_id: 48213377"
    spans = list(find_accounts(text))
    assert [text[s.start:s.end] for s in spans] == ["48213377"]


def typed(text: str, typ: str) -> list[str]:
    return [v for v, t in kinds(text) if t == typ]


@pytest.mark.parametrize("text, ip", [
    ("Request from fe80::88b0:47ea blocked", "fe80::88b0:47ea"),
    ("Anmeldung von fd12:3456::7d10:64fe", "fd12:3456::7d10:64fe"),
    ("fe80::502:d851 wrote:", "fe80::502:d851"),
    ("回复 fe80::a204:3e8b：", "fe80::a204:3e8b"),
    ("@37.37.232.91", "37.37.232.91"),
])
def test_an_address_after_a_by_word_is_no_handle(text: str, ip: str) -> None:
    # IP addresses are read before the account cues: "from fe80::…" was the nickname "fe80".
    assert typed(text, "ip") == [ip]
    assert typed(text, "nickname") == []


@pytest.mark.parametrize("text", [
    "帖子IP：47.27.110.196", "Connection refused by 88.38.105.159", "referer 140.158.73.16",
    "Build server: 47.254.153.207", "update from 182.221.255.65 failed", "Edge server 141.166.97.85",
])
def test_an_address_word_right_before_beats_a_reference_or_version_word(text: str) -> None:
    assert len(typed(text, "ip")) == 1


@pytest.mark.parametrize("text", ["Chrome/109.0.4366.130", "version 2.0.0.127", "Ref. 4.2.1.100", "v1.2.3.200"])
def test_versions_and_references_stay_no_address(text: str) -> None:
    assert typed(text, "ip") == []


# ---- session 8: platform phrasings (corpus 3's PLATFORM templates) and their look-alikes

@pytest.mark.parametrize("text, ip", [
    ("Ping 199.27.41.15: 64 bytes", "199.27.41.15"),
    ("无法设置 SSL 协议版本范围 | Ping 199.27.41.15: 64 bytes", "199.27.41.15"),
    ("AutoRemover » referer 185.178.158.214", "185.178.158.214"),
    ("Build server: 135.45.9.197 版本号 27.2.13.13", "135.45.9.197"),
    ("Connection from 10.0.0.1 to 10.0.0.2 port 443", "10.0.0.1"),
    ("10.0.0.1:443 -> 10.0.0.2:80", "10.0.0.1"),
])
def test_addresses_near_server_and_ping_words(text: str, ip: str) -> None:
    assert ip in typed(text, "ip")


@pytest.mark.parametrize("text", [
    "upgrade from 8.61.104.75 to 3.38.115.14", "升级到 11.69.3.0", "已更新至 7.14.78.102", "Updated to 10.43.2.119",
    "12.14.5.104 → 1.2.3.4", "11.31.116.4 -> 12.14.5.104", "App 5.90.114.94 is out", "10.21.28.2 released",
    "1.2.3.4版",
])
def test_versions_after_upgrade_words_arrows_and_release_words_are_no_address(text: str) -> None:
    assert typed(text, "ip") == []


@pytest.mark.parametrize("text, nick", [
    ("Antwort an HappyStorm", "HappyStorm"), ("Réponse à StarPixel1986", "StarPixel1986"),
    ("Quote from: qiqi-night on March 3, 2024", "qiqi-night"), ("Membre : nightshadow1990", "nightshadow1990"),
    ("Mitglied: QIQI_COFFEE_725", "QIQI_COFFEE_725"), ("卖家：happy.ahua3883", "happy.ahua3883"),
    ("抖音号：Lele_64", "Lele_64"), ("微信号：tigermaple_826", "tigermaple_826"),
    ("star-lemon has left the chat", "star-lemon"), ("Wolf84 has left the chat", "Wolf84"),
    ("HappyPandaさんがフォローしました", "HappyPanda"), ("ゆうきさんがフォローしました", "ゆうき"),
    ("달빛소녀님이 댓글을 남겼습니다", "달빛소녀"), ("星河滚烫 发表于 2024-03-12 10:21", "星河滚烫"),
    ("楼主 zhang_88 发表于 3 天前", "zhang_88"), ("u/LUCKY_NINJA1994 commented 3h ago", "LUCKY_NINJA1994"),
    ("Accepted publickey for star.echo from 115.84.87.231 port 52144 ssh2", "star.echo"),
    ("Failed password for invalid user admin from 115.84.87.231 port 22", "admin"),
    ("user MangoMango logged in from 139.47.147.120", "MangoMango"),
    ("post by panda-ninja from 121.45.108.87", "panda-ninja"),
    ("https://github.com/shadowstorm", "shadowstorm"), ("https://x.com/Night_789/status/729394678166", "Night_789"),
    ("UID 64360056 / 星河滚烫129", "星河滚烫129"), ("x\n[461174888] nightninja", "nightninja"),
])
def test_platform_nicknames(text: str, nick: str) -> None:
    assert nick in typed(text, "nickname")


@pytest.mark.parametrize("text", [
    "Message de bienvenue", "Réponse à votre question.", "https://github.com/features", "田中さんがフォローしました",
    "App 3.14.83.113 is out 回复 lele46642：同意", "[12345] above this", "Possible modes: off, on, disable, auto, unix",
])
def test_no_nickname_in_prose_site_pages_or_names(text: str) -> None:
    found = typed(text, "nickname")
    assert not [n for n in found if n != "lele46642"]


@pytest.mark.parametrize("text, uid", [
    ("Identifiant client : 75759660", "75759660"), ("N° adhérent : 3589546076", "3589546076"),
    ("QQ号：8068713680", "8068713680"), ("https://forum.example.org/members/happycoffee_906.349548144/", "349548144"),
    ("4517457551,star-star8500,blue696@qq.com", "4517457551"), ("| 5939749807 | 风一样的男子 | 16527734056 |", "5939749807"),
])
def test_platform_user_ids_and_row_heads_read_as_phones_or_cards(text: str, uid: str) -> None:
    assert uid in typed(text, "user_id")


@pytest.mark.parametrize("text", ["QQ群：12345678", "群号 76958465113", "房间号 5718421019", "Error code 678603930374"])
def test_numbers_of_groups_rooms_and_errors_are_no_account_or_phone(text: str) -> None:
    assert D.find(text) == []


def test_a_plus_begins_a_phone_not_a_card() -> None:
    assert typed("手机:+49 15005660183", "phone") == ["+49 15005660183"]


@pytest.mark.parametrize("text, name", [
    ("买家：张伟", "张伟"), ("Käufer: Hans Müller", "Hans Müller"), ("Hans Müller 发表于 2024-03-12", "Hans Müller"),
])
def test_a_name_after_a_role_label_or_before_a_byline_is_left_to_the_name_finder(text: str, name: str) -> None:
    assert typed(text, "nickname") == []
    assert typed(text, "person_name") == [name]


@pytest.mark.parametrize("text", ["Upgraded from 8.61.104.75.", "升级从 8.61.104.75", "downgrade from 3.72.4.1 failed"])
def test_an_upgrade_starts_from_a_version(text: str) -> None:
    assert typed(text, "ip") == []


def test_role_words_are_labels_only_with_a_colon() -> None:
    assert typed("the seller sent it_2 days later", "nickname") == []
    assert typed("卖家：tiantian88", "nickname") == ["tiantian88"]


@pytest.mark.parametrize("text", ["买家：石川裕太", "Seller: 안도윤", "v3.46.52.14 回复 微信用户540815：同意"])
def test_short_cjk_values_after_role_labels_and_versions_before_reply_words_are_no_nickname(text: str) -> None:
    assert [n for n in typed(text, "nickname") if n != "微信用户540815"] == []


@pytest.mark.parametrize("text, nick", [
    ("Hi Lucky_Star, thanks for the reply.", "Lucky_Star"), ("Thanks panda.echo88!", "panda.echo88"),
    ("感谢 StormWolf 的分享", "StormWolf"), ("Danke lucky_panda für den Tipp", "lucky_panda"),
    ("TigerMaple said it broke after a week.", "TigerMaple"), ("xiaoyu_88 说：已经发货了", "xiaoyu_88"),
    ("Nutzer LuckyPanda hat geantwortet", "LuckyPanda"), ("L'utilisateur pixel.echo a répondu", "pixel.echo"),
    ("ユーザー maple_lucky が参加しました", "maple_lucky"), ("사용자 happy.tiger 님이 입장했습니다", "happy.tiger"),
    ("author=lucky_panda action=edit", "lucky_panda"), ("account=StormWolf status=locked", "StormWolf"),
    ("ddong 回复", "ddong"), ("thanks. ddong 回复", "ddong"),
])
def test_handles_after_greetings_and_user_words_and_before_verbs_of_saying(text: str, nick: str) -> None:
    assert typed(text, "nickname") == [nick]


@pytest.mark.parametrize("text", ["Hi Hans, thanks", "Thanks everyone!", "she said it broke", "Hi there",
                                  "感谢 张伟 的帮助", "Software erforderlich 回复 x"])
def test_no_handle_in_greetings_or_sayings_of_plain_words(text: str) -> None:
    assert typed(text, "nickname") == []


@pytest.mark.parametrize("text", [
    "客户ID：12345678", "作者ID 12345678", "Nutzer-ID: 12345678", "Benutzernummer 12345678", "numéro de membre 12345678",
    "고객번호 12345678", "お客様番号：12345678", "ユーザー番号 12345678", "user 12345678 logged out", "사용자 번호 12345678",
])
def test_more_user_id_cues(text: str) -> None:
    assert typed(text, "user_id") == ["12345678"]


@pytest.mark.parametrize("text, ip", [
    ("清除离线更新消息需要认证 서버 89.103.180.251 응답 없음", "89.103.180.251"),
    ("17.17.21 released\n回复 93.84.184.163：", "93.84.184.163"),
])
def test_a_server_or_reply_word_right_before_beats_a_version_word_further_back(text: str, ip: str) -> None:
    assert typed(text, "ip") == [ip]


@pytest.mark.parametrize("text, nick", [("卖家：ねこまる", "ねこまる"), ("Antwort an storm-mango；x", "storm-mango"),
                                        ("Thanks maple-blue!", "maple-blue")])
def test_kana_after_a_role_label_and_hyphenated_handles_after_addressing_words(text: str, nick: str) -> None:
    assert typed(text, "nickname") == [nick]


@pytest.mark.parametrize("text", ["Merci 윤수빈 pour ton aide.", "允许通过 Bonjour 发布服务器信息。", "Message de peut-être"])
def test_no_cjk_nickname_after_a_greeting(text: str) -> None:
    assert typed(text, "nickname") == []


def test_an_abbreviated_title_before_a_name_is_no_handle() -> None:
    assert typed("thanks Univ.Prof. Nikola Adolph", "nickname") == []
    assert typed("by zhang_88. Next", "nickname") == ["zhang_88"]


def test_a_product_code_after_a_greeting_is_no_handle() -> None:
    assert typed("thanks W36455-2261 下单", "nickname") == []
    assert typed("Thanks panda.echo88!", "nickname") == ["panda.echo88"]


@pytest.mark.parametrize("text, typ, value", [
    ("用户 48213907 已注销", "user_id", "48213907"), ("https://example.com/account/48213907", "user_id", "48213907"),
    ("https://blog.example.com/author/zhang_wei88/", "nickname", "zhang_wei88"),
    ("网友 xiaoyu88 评论说", "nickname", "xiaoyu88"), ("博主 LuckyPanda 发布了", "nickname", "LuckyPanda"),
    ("UP主 tiantian_88 的视频", "nickname", "tiantian_88"), ("zhang88さん、ありがとう", "nickname", "zhang88"),
    ("zhang88님 감사합니다", "nickname", "zhang88"),
])
def test_chinese_person_words_honorifics_after_handles_and_author_or_account_paths(text: str, typ: str, value: str) -> None:
    assert typed(text, typ) == [value]


@pytest.mark.parametrize("text", ["https://x.cn/account/settings", "https://x.cn/user/login", "Smithさん", "ORDER BY x_1"])
def test_site_pages_and_plain_names_before_honorifics_are_no_account(text: str) -> None:
    assert typed(text, "nickname") == [] and typed(text, "user_id") == []
