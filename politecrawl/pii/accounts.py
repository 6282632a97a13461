"""Nicknames, handles and numeric user IDs in free text.

None of these has a checksum or a dictionary: a nickname is any string its owner chose.  They are found by where
they stand, and every rule below is a cue written by hand, because no library lists them:

- a handle: `@name` (not an e-mail: e-mails are found first and win);
- a platform's default nickname, made from a number or a fixed prefix when an account is opened: `用户12345678`,
  `手机用户1380`, `微博用户`+digits, `jd_xxxxxx` and `jd123456` (JD.com), `tb123456` and `t_123456` (Taobao),
  `qq_12345678` and `weixin_12345` (CSDN), `bili_12345` (Bilibili), `小红薯5F3A2B` (Xiaohongshu);
- a value after a nickname or user-ID cue (`昵称：`, `nickname:`, `uid`, `user id`, `用户ID`, `会员号`,
  `Kundennummer`, `ユーザーID`, `회원번호` ...): all digits is a user ID, anything else a nickname;
- a profile URL's path segment after `/u/`, `/user/`, `/users/`, `/people/`, `/profile/`, `/member/`,
  `/members/`, `/@`: digits are a user ID, a name a nickname.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterator

from politecrawl.pii.context import THING_WORDS
from politecrawl.pii.normalize import fold_words
from politecrawl.pii.spans import NICKNAME, USER_ID, Span

# Characters a nickname or handle may hold: letters of any script, digits, `_`, `-`, `.` inside (not `&` or `=`,
# which join query parameters).
#: Lower-cases ASCII letters only, one character for one, so offsets stay those of the text.
_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)

_NICK_CHAR = r"[^\s,;:!?()&=\[\]{}<>\"'`，。、；：！？（）【】《》「」『』“”‘’„«»|/\\]"

_HANDLE_RE = re.compile(rf"(?<![A-Za-z0-9_@#&])@(?P<v>[A-Za-z0-9_\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af]"
                        rf"(?:{_NICK_CHAR}{{0,29}}))")

_DEFAULT_NICK_RE = re.compile(
    r"(?<![A-Za-z0-9_])(?:"
    r"(?:手机|微博|抖音|快手|微信|京东|淘宝)?用户[_\-]?[0-9A-Za-z]{4,16}"
    r"|(?:jd|JD)_[0-9A-Za-z]{4,16}|(?:jd|tb|TB)[0-9]{5,16}[A-Za-z0-9_]{0,8}|t_[0-9]{6,16}"
    r"|(?:qq|weixin|wx|bili|m0|u)_[0-9]{5,16}(?:_[0-9]+)?"
    r"|小红薯[0-9A-Za-z]{4,12}"
    r")(?![A-Za-z0-9_])"
)

# Cues before a numeric user ID, then before a nickname.  Lower-cased text is matched (folded first).
_ID_CUES = (
    r"uid", r"u\.?i\.?d", r"user[ _\-]?id", r"user[ _\-]?no\.?", r"user number", r"member[ _\-]?(?:id|no\.?|number)",
    r"customer[ _\-]?(?:id|no\.?|number)", r"account[ _\-]?(?:id|no\.?|number)", r"buyer[ _\-]?id",
    r"用户\s?id号", r"用户\s?id", r"用户编号", r"用户号码", r"用户号", r"会员号码", r"会员号", r"会员id", r"会员编号", r"会员卡号", r"账号id", r"买家id", r"卖家id",
    r"客户编号", r"客户号", r"账户id", r"kundennummer", r"kunden[ \-]?nr\.?", r"kunden[ \-]?id", r"mitgliedsnummer",
    r"benutzer[ \-]?id", r"numéro (?:de )?client", r"n° (?:de )?client", r"id (?:client|utilisateur|membre)",
    r"identifiant(?: client| utilisateur| membre)?", r"n° (?:d')?adhérent", r"numéro (?:d')?adhérent", r"qq号码?", r"qq(?![群])",
    r"steam ?id", r"客户\s?id", r"顾客\s?id", r"作者\s?id", r"nutzer[ \-]?id", r"benutzernummer", r"mitglieds[ \-]?nr\.?",
    r"numéro (?:de )?membre", r"n° (?:de )?membre", r"no\.? (?:de )?membre", r"no\.? (?:de )?client", r"numéro (?:d')?utilisateur", r"ユーザー番号", r"お客様番号", r"顧客番号",
    r"고객\s?번호", r"사용자\s?번호", r"유저\s?번호", r"ユーザーid", r"アカウントid", r"会員番号", r"会員id", r"회원\s?번호", r"회원\s?id", r"사용자\s?id", r"유저\s?id",
)
_NICK_CUES = (
    r"昵称", r"网名", r"用户名", r"账号", r"帐号", r"会员名", r"买家昵称", r"卖家昵称", r"nick[ _\-]?name", r"nick",
    r"user[ _\-]?name", r"screen[ _\-]?name", r"display[ _\-]?name", r"handle", r"login", r"benutzername", r"spitzname", r"pseudo",
    r"pseudonyme", r"nom d'utilisateur", r"user(?=[ \t]?=)", r"author(?=[ \t]?=)", r"account(?=[ \t]?=)", r"抖音号", r"微信号", r"快手号", r"小红书号",
    r"ニックネーム", r"ユーザー名", r"ハンドルネーム", r"닉네임", r"아이디", r"사용자\s?이름",
)


def _cue_group(cues: tuple[str, ...]) -> str:
    """The cues as one alternation that starts with a literal, so that the regex engine skips ahead by its first
    characters; a Latin cue must start a word, which `_word_start` checks on each match (a look-behind first would
    be tried at every position).  The cues are grouped by their first character, in their order (`u(?:id|\\.?i…
    |ser…)|m(?:ember…)|…`): `re` tries an alternation's branches one after another, so at a `u` it tries the
    cues that begin with one instead of all 80; where several cues could match, the same one is taken, as at a
    given position only the cues beginning with its character can (same matches, tests/test_pii_scan_patterns_text.py;
    `_ID_CUE_RE` 2.6 -> 1.5 us a text)."""
    groups: dict[str, list[str]] = {}
    for cue in cues:
        if not (cue[0].isalnum() and (len(cue) == 1 or cue[1] not in "?*+{")) or _top_level_bar(cue):
            return f"(?:{'|'.join(cues)})"  # a cue not led by a plain character, or itself an alternation: flat
        groups.setdefault(cue[0], []).append(cue[1:])
    return "(?:" + "|".join(
        re.escape(c) + (f"(?:{'|'.join(rest)})" if len(rest) > 1 else rest[0]) for c, rest in groups.items()) + ")"


def _top_level_bar(pattern: str) -> bool:
    """Does `pattern` hold a `|` outside brackets and parentheses (an alternation of its own)?"""
    depth, i = 0, 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 1
        elif c == "[":  # a class: to its closing bracket (a first "]" or "^]" is a member)
            i += 2 if pattern.startswith("^]", i + 1) else 1
            i += pattern[i] == "]" if i < len(pattern) else 0
            while i < len(pattern) and pattern[i] != "]":
                i += 2 if pattern[i] == "\\" else 1
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            return True
        i += 1
    return False


def _word_start(lower: str, i: int) -> bool:
    """Latin cues start a word; CJK cues may follow anything (Chinese has no spaces)."""
    return not lower[i].isascii() or i == 0 or not (lower[i - 1].isascii() and (lower[i - 1].isalnum()
                                                                              or lower[i - 1] == "_"))


# A user ID needs only the cue (its value is digits); a nickname cue needs a separator ("handle it" is no cue).
# A JSON or quoted key ends in a quote (`"user_id": 42`); a nickname may be quoted or bracketed (`昵称「…」`).
# The value may stand in brackets after the cue (`用户ID【42】`, `用户ID(42)`: `（` folds to `(`).
_ID_SEP = r"[\"']?[ \t]{0,2}(?:[:=：#]|is|为|是|は)?[ \t]{0,2}[\"'(\[【]?(?:no\.[ ]?)?"
# German and French quotes open a value too (`Benutzername „x“`, `pseudo « x »`).
_NICK_SEP = (r"[\"']?[ \t]{0,2}(?:(?:[:=：]|[ ]is[ ]|[ ]est[ ]|[ ]ist[ ]|为|是|は)[ \t]{0,2}[\"“「『【„«]?[ ]?"
             r"|[ ]?[“「『【„«][ ]?)")
_VERB_SEP_RE = re.compile(r"[ ](?:is|est|ist)[ ]")
# A question after a cue and its copula asks for the value (`你的昵称是什么？`, `昵称是啥`): grammar, a closed class.
_QUESTION_WORDS = ("什么", "啥", "多少", "哪个", "怎么", "是什么")
_ID_CUE_RE = re.compile(fold_words(rf"{_cue_group(_ID_CUES)}{_ID_SEP}(?P<v>[0-9]{{4,20}})(?![0-9])"))
# A handle after an ID cue (`用户ID：sunny_day88`, `uid: maple_leaf`): an account named by letters is a nickname.  Only
# a Latin value with a handle's mark (a digit, `_`, a dot inside) and only after a cue with `id` in it.
_ID_HANDLE_RE = re.compile(fold_words(rf"{_cue_group(tuple(c for c in _ID_CUES if 'id' in c))}{_ID_SEP}"
                                      r"(?P<v>[a-z][a-z0-9_.\-]{2,29})(?![a-z0-9_.\-])"))
_NICK_CUE_RE = re.compile(fold_words(rf"{_cue_group(_NICK_CUES)}{_NICK_SEP}(?P<v>{_NICK_CHAR}{{2,30}})"))
# A CJK nickname cue needs no separator but a space (`닉네임 하늘별`, `昵称 小鱼`): a Latin one does ("nick it").
_CJK_NICK_CUES = tuple(c for c in _NICK_CUES if not c[0].isascii())
_NICK_CUE_SPACE_RE = re.compile(fold_words(rf"{_cue_group(_CJK_NICK_CUES)}[ \t]{{1,2}}(?P<v>{_NICK_CHAR}{{2,30}})"))
# "ID" alone is a user ID's cue only where it heads a record or a bracket (`ID: 42`, `用户 x（ID 42）`, `| ID 42`);
# after another word it names a thing (`商品ID`, `post id`, `?id=` in a product URL, `"id": ` in JSON).
# `id(?<![a-z0-9_]id)` for `(?<![a-z0-9_])id`, and the bracket before its look-behind below: a pattern that begins
# with a look-behind is tried at every position, one that begins with a character only where it occurs (same
# matches: tests/test_pii_scan_patterns_text.py).
_BARE_ID_RE = re.compile(r"id(?<![a-z0-9_]id)[ \t]{0,2}(?:[:=：#]|is)?[ \t]{0,2}(?P<v>[0-9]{4,20})(?![0-9])")
# The user-ID patterns above (`_ID_CUE_RE`, `_BARE_ID_RE`, `_BRACKET_ID_RE`) need four digits in a row (their
# values are 4-20 and 5-19 digits): a text without them skips those scans (41 % of corpus 3's texts, 16 % of
# corpus 1's; one scan for a character class first).
_FOUR_DIGITS_RE = re.compile(r"[0-9][0-9]{3}")


def _default_nick_possible(text: str, four_digits: bool) -> bool:
    """What `_DEFAULT_NICK_RE` needs: each of its forms holds `用户`, `_`, `小红薯` or five digits in a row."""
    return four_digits or "_" in text or "用户" in text or "小红薯" in text


_RECORD_HEAD = frozenset("([{（【［|;；,，:：")
# Words naming a thing with an ID of its own, just before a spaced "ID" (`post ID 42`, `session id 42`).
_THING_BEFORE_RE = re.compile(
    r"(?:" + "|".join(THING_WORDS) + r"|session|request|trace|error|build|file|image|page|category|shop|store|"
    r"device|app|client|product|group|channel|room|game|song|album|track|ticket|case|job|task|"
    r"店铺|类目|分类|页面|图片|文件|群|房间|设备|应用)[a-z]{0,3}[\s:#._\-]*$")
_DATE_DIGITS_RE = re.compile(r"(?:19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{0,6}")
# A bracketed number heading a handle or name: "[4504814417] yueyue40971" (chat and forum exports).
_BRACKET_ID_RE = re.compile(r"[\[【［](?<![0-9A-Za-z][\[【［])(?P<v>[0-9]{5,19})[\]】］][ \t]?(?=[^\s0-9\[\]【】，。,.;；:：|])")

_URL_SEG = r"[A-Za-z0-9_.~%\-]{2,40}"
# A segment may be written in CJK letters as a browser shows it (`/people/小鱼儿`; percent-encoded it is ASCII), a
# whole segment (`/u/12345678的主页` is a user ID and prose).
_PROFILE_TAIL_RE = re.compile(r"/(?:u|user|users|people|profile|profiles|member|members|author|authors|account|"
                              r"accounts)/(?P<v>[A-Za-z0-9_.~%\-]{2,40}"
                              r"|[\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af]{2,20}(?=[/?#\s]|$))")
# A user's number in a query (`?uid=42`, `profile.php?id=42`) or as the path of a profile host (`space.x.cn/42`).
_PROFILE_QUERY_RE = re.compile(
    r"[?&](?:uid|user_?id|userid|member_?id|account_?id|profile_?id)=(?P<v>[0-9]{4,20})(?![0-9])"
    r"|/(?:profile|user|member|people|space)[^\s?#]{0,40}\?(?:[^\s#&]*&){0,6}id=(?P<w>[0-9]{4,20})(?![0-9])"
    r"|//(?:space|home|people|u|user)\.[a-z0-9.\-]+/(?P<x>[0-9]{4,20})(?![0-9])")
_AT_PATH_RE = re.compile(r"(?<=/)@(?P<v>[A-Za-z0-9_.\-]{2,40})")
# A user's name in a query (`tieba.baidu.com/home/main?un=小鱼儿`, `?username=x`, `&nickname=x`): a nickname.
_NAME_QUERY_RE = re.compile(r"[?&](?:un|uname|username|user_name|nickname|nick_name|screen_name)="
                            r"(?P<v>[^\s&#=\"'<>]{2,40})")
# `/user/profile/<id>` (Xiaohongshu, Douyin): the segment after `profile` is the account.
_PROFILE_PAGE_RE = re.compile(rf"/(?:user|users|u)/profile/(?P<v>{_URL_SEG})")
# Hosts whose first path segment is an account (`github.com/<user>`, `x.com/<user>/status/…`), less the site's own
# pages (`github.com/features`, `x.com/search`, `instagram.com/p/…`).
_SOCIAL_PATH_RE = re.compile(
    r"//(?:www\.|m\.|mobile\.)?(?:github\.com|gitlab\.com|twitter\.com|x\.com|instagram\.com|facebook\.com|"
    r"threads\.net|t\.me|medium\.com|twitch\.tv|pinterest\.com|vk\.com|linkedin\.com/in|tiktok\.com|weibo\.com|"
    r"flickr\.com/people|soundcloud\.com|steamcommunity\.com/id)/(?P<v>[A-Za-z0-9_.\-]{2,40})(?=$|[/?#\s\"'<>)\]，。]|(?![A-Za-z0-9_.\-]))")
_SITE_PAGES = frozenset(
    "about explore features pricing settings login logout signup join search home hashtag i intent share "
    "notifications messages p reel reels stories tv watch groups pages events marketplace orgs topics trending "
    "collections sponsors enterprise security help privacy terms legal blog jobs careers download apps api "
    "status developers docs new u user users people profile in s".split())
# XenForo-style member pages: `/members/<name>.<number>/`, a nickname and its user ID in one segment.
_MEMBER_DOT_ID_RE = re.compile(r"(?P<n>.+)\.(?P<i>[0-9]{2,20})$")
# Reddit-style `u/<name>` in text (`u/sunny_echo commented`).
_REDDIT_USER_RE = re.compile(r"(?<![A-Za-z0-9_/.])u/(?P<v>[A-Za-z0-9_\-]{3,20})(?![A-Za-z0-9_\-/])")
# sshd's authentication lines: "Accepted publickey for <user> from <ip>", "Failed password for invalid user <user>".
_SSHD_USER_RE = re.compile(r"(?:password|publickey|keyboard-interactive/pam|none) for (?:invalid user |illegal user )?"
                           r"(?P<v>[^\s]{1,32}) from ")


def _typed(start: int, end: int, value: str) -> Span:
    bare = value.replace(" ", "").replace("-", "")
    if bare.isdigit():
        return Span(start, end, USER_ID, bare)
    return Span(start, end, NICKNAME, value)


def _trim(value: str) -> str:
    return value.rstrip(".-_~")


_LATIN_HEAD_RE = re.compile(r"[\x00-\x7f]*")
# A handle right before a reply, post or follow word: "zhang88 回复", "zhang88 replied", "小鱼 关注了你".
# Found from the word back (a scan for the word is quick; one for the handle would try every position).
# Latin ones must be whole words (checked on each match: a look-behind in the pattern would be tried at every
# position).
_LATIN_REPLY_WORDS = frozenset({"replied", "commented", "posted", "schrieb", "joined the", "has joined", "has left",
                                "left the", "started following", "followed you", "said", "says", "hat geantwortet",
                                "a répondu"})
_REPLY_WORDS = ["回复", "评论了", "发表于", "关注了", "转发了", "赞了", "点赞了", "收藏了", "分享了", "的主页", "的私信", "的微博",
                *_LATIN_REPLY_WORDS, "wrote:", "a écrit", "说:", "さん", "さんの", "님", "님의", "が参加", "님이 입장",
                *(fold_words(w) for w in ("さんがフォロー", "さんがいいね")), "님이 댓글", "님이 팔로우", "님이 좋아"]
# After these (ja / ko follow and comment notices) a nickname in any script stands before, glued or spaced.
_GLUED_ACTION_WORDS = tuple(fold_words(w) for w in ("さんがフォロー", "さんがいいね", "님이 댓글", "님이 팔로우", "님이 좋아"))
# After these (Chinese social actions) a nickname in any script stands before, bounded by a space.
_ACTION_WORDS = ("关注了", "转发了", "赞了", "点赞了", "收藏了", "分享了", "的主页", "的私信", "的微博", "发表于")
# A forum's byline: "<user> 发表于 2024-03-12", "… 发表于 3 天前": a date after it bounds a Latin name too.
_POSTED_AT_RE = re.compile(r"[ \t]?(?:[0-9]|昨天|前天|今天|刚刚)")
_NUMBERISH_RE = re.compile(r"[0-9.,_\-]+")
_HANDLE_BEFORE_RE = re.compile(r"(?<![\w.\-])(?P<v>[a-z0-9_][A-Za-z0-9_.\-]{1,28}[A-Za-z0-9_])[ ]?\Z")
# Before a join, leave or follow notice a handle may start with a capital when it looks like one ("Wolf84 has left
# the chat", "HappyPandaさんがフォロー"): a digit, "_" or "." inside, or CamelCase.
_NOTICE_WORDS = frozenset({"joined the", "has joined", "has left", "left the", "started following", "followed you",
                           *(fold_words(w) for w in ("さんがフォロー", "さんがいいね", "さんの"))})
# Verbs of saying after a name: a handle only when it looks like one (a digit, "_", ".", "-" inside, or CamelCase):
# "she said", "Anna says" are prose or a person's name.
_SAYING_WORDS = frozenset({"said", "says", "hat geantwortet", "a répondu", "说:", "が参加", "님이 입장", "さん", "님"})
_CAP_HANDLE_BEFORE_RE = re.compile(r"(?<![\w.\-])(?P<v>[A-Z][A-Za-z0-9_.\-]{1,28}[A-Za-z0-9_])[ ]?\Z")
# Where a nickname written in any script ends and begins when no cue bounds it.
_TOKEN_STOP = frozenset(" \t\n\r|;；,，:：。！？!?()（）[]【】「」『』\"'“”")
# Up to 31 characters that are not `_TOKEN_STOP`: one match instead of a Python loop over the characters
# (`_token_end`: same end, tests/test_pii_scan_patterns_text.py).
_TOKEN_RUN_RE = re.compile("[^" + "".join(re.escape(c) for c in sorted(_TOKEN_STOP)) + "]{0,31}")
# A handle after a word that names who did something: "by zhang_88", "von 晴天娃娃", "作者：小鱼儿", "回复 小鱼：",
# "来自 小鱼 的私信".  A Latin value must look like a handle (a digit, "_", or "." / "-" inside: "by email" is none).
def _literal_trie(words: list[str]) -> str:
    """The words as one regex that branches letter by letter (`b(?:uyer|y)` ...): Python's engine tries an
    alternation's branches one after another at each position, so a trie tries a few instead of dozens."""
    tree: dict = {}
    for w in words:
        node = tree
        for c in w:
            node = node.setdefault(c, {})
        node[""] = {}

    def emit(node: dict) -> str:
        alts = [re.escape(c) + emit(sub) for c, sub in sorted(node.items()) if c]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if "" in node else body

    return f"(?:{emit(tree)})"


# Greetings and thanks before a name (`Thanks maple-blue!`, `感谢 x`).
_GREETINGS = frozenset({"thank you", "thanks", "thx", "hi", "hello", "hey", "danke", "hallo", "merci", "bonjour", "salut",
                        "感谢", "谢谢", "多谢"})
# Role words of shops and forums: a label only with a colon (`Membre : x`, `卖家：x`; not "the seller sent it"), and
# what follows may as well be a person's real name (`买家：张伟`, `Käufer: Hans Müller`), which is left to the name
# finders: a Latin value must look like a handle, a CJK one must not read as a name.
_ROLE_CUES = frozenset({"member", "membre", "mitglied", "seller", "buyer", "verkäufer", "käufer", "vendeur", "acheteur",
                        "卖家", "买家"})
# Words for a user in other languages: as `user`, a CJK value after them only when bounded.
_USER_WORDS = frozenset({"user", "from", "benutzer", "nutzer", "utilisateur", "ユ-ザ-", "사용자"})
# Cues that address or quote someone in a thread (`Antwort an`, `Réponse à`, `Quote from:`): a CamelCase handle
# (`HappyStorm`) counts after them; a lower-case word needs a handle's mark ("Message de bienvenue").
_ADDRESS_CUES = frozenset({"réponse à", "antwort an", "message de", "reply to", "replying to", "in reply to",
                           "quote from", "zitat von", "网友", "博主", "up主", "层主", "题主", "答主", "群友", *_GREETINGS})
_BY_CUES = [*_ADDRESS_CUES, *_ROLE_CUES, *_USER_WORDS, "by", "von", "par", "楼主", "会员", "来自", "回复", "作者", "投稿者",
            "작성자", "글쓴이", "用户", "粉丝", "发帖人", "投稿人", "发布者", "评论者", "回帖人"]
# A separator after the cue ("this", "baby" hold none).
_BY_CUE_RE = re.compile(_literal_trie(_BY_CUES) + r"(?:[ \t]{1,2}[:：]?|[:：])[ \t]{0,2}")
_REPLY_WORD_RE = re.compile(_literal_trie(_REPLY_WORDS))
_CODE_RE = re.compile(r"[A-Z]{1,4}[0-9][0-9\-/]*")
_TITLE_AFTER_RE = re.compile(r"\.[ \t]+[A-Z]")
_ABBREV_RE = re.compile(r"[A-Z][a-z]{0,5}(?:\.-?[A-Za-z][a-z]{0,5})+")
_USER_NUMBER_RE = re.compile(r"[0-9]{5,19}(?![0-9.,:/\-])")
_CAMEL_RE = re.compile(r"(?:[A-Z][a-z0-9]+){2,4}[0-9_]*")
_HANDLE_SHAPE_RE = re.compile(r"[a-z0-9]*[a-z][a-z0-9]*(?:[0-9]{1,6}|(?:[_.\-][a-z0-9]+)+[0-9]*)|"
                              r"[a-z][a-z0-9]*_[a-z0-9_]*|[0-9]{1,6}[a-z][a-z0-9_]*", re.I)
_HANDLE_CHARS_RE = re.compile(r"[A-Za-z0-9_.\-]{2,30}")
_HANDLE_MARK_RE = re.compile(r"[0-9_]|[a-z0-9]\.[a-z0-9]", re.I)  # a digit, "_", or a dot inside
_NOT_HANDLE_RE = re.compile(r"www\.|\.(?:com|cn|net|org|de|fr|html?|php|jpg|png)$|^v?[0-9]", re.I)


def _handle_after(text: str, start: int, cue: str, labelled: bool = False) -> Span | None:
    """The nickname right after a by-cue ending at `start`, or None; `labelled`: the cue is a label with a colon
    (`投稿者：`)."""
    end = _token_end(text, start)
    value = _trim(text[start:end])
    if len(value) < 2 or end - start > 30 or value.isdigit():
        return None
    after = text[end : end + 10]
    # Bounded on both sides whatever its shape: "回复 小鱼：", "user 小鱼 (id 42)", "来自 小鱼 的私信", "user x logged in".
    bounded = ((cue == "回复" and after.startswith((":", "："))) or (
        cue in ("user", "用户") and (_ID_AFTER_RE.match(after) or _USER_AFTER_RE.match(after)))
               or (cue in ("by", "von", "par") and _FROM_ADDRESS_RE.match(after))
               or (cue == "来自" and after.lstrip().startswith("的")))
    if value.isascii():
        if _ABBREV_RE.fullmatch(value) and _TITLE_AFTER_RE.match(text, start + len(value)):
            return None  # "thanks Univ.Prof. Nikola Adolph": an abbreviated title before a name
        if _CODE_RE.fullmatch(value):
            return None  # "thanks W36455-2261": a product or order code, capitals then digits
        if cue in _ADDRESS_CUES and (_CAMEL_RE.fullmatch(value) or (
                value.islower() and "-" in value.strip("-") and _field_end(text, start + len(value)))):
            return Span(start, start + len(value), NICKNAME, value)  # "Antwort an HappyStorm", "Thanks maple-blue!"
        if _HANDLE_SHAPE_RE.fullmatch(value) is None or _NOT_HANDLE_RE.search(value) or not (
                _HANDLE_MARK_RE.search(value) or (value.islower() and cue not in _ADDRESS_CUES
                                                   and _field_end(text, start + len(value)))):
            # A hyphen alone makes a handle only in lower case at the end of its field ("by happy-tiger"), not in
            # prose ("from non-seekable file", "von Shell-Variablen", "by third-party software").
            if not ((bounded or (labelled and cue in _LABEL_CUES)) and (value[0].islower() or _CAMEL_RE.fullmatch(value))):
                # "回复 Kontakt:" is a word; "回复 pandayueyue：", "投稿者：ninjalele" handles
                return None
        return Span(start, start + len(value), NICKNAME, value)
    # Another script (CJK).  A Latin name with accents is no handle.
    if not all(ord(c) >= 0x2E80 or c.isdigit() for c in value) or not any(c.isalpha() for c in value):
        return None
    if cue in _GREETINGS:
        return None  # "Merci 윤수빈 pour", "Bonjour 发布…": a CJK value after a greeting is left to the name finders
    if cue in _ROLE_CUES and len(value) <= 4 and not any(c.isdigit() for c in value) and not all(
            "\u3040" <= c <= "\u30ff" for c in value):
        return None  # "买家：石川裕太", "Seller: 안도윤": as often a real name as a nickname; left to the name finders
    if (cue in ("回复", "来自") or cue in _USER_WORDS) and not bounded:
        return None  # "与 user 连接参数相同": a word of the sentence
    if not bounded and (_may_be_person(value) if len(value) < 4 else _is_person(value)):
        return None  # two or three characters are as often a person's name, longer ones may be: left to the name finder
    return Span(start, start + len(value), NICKNAME, value)


# By-cues that are field labels: with a colon they bound the value after them (`投稿者：ninjalele`).
_LABEL_CUES = frozenset({"作者", "投稿者", "작성자", "글쓴이", "quote from", *_ROLE_CUES})
_ID_AFTER_RE = re.compile(r"\s?[(（]\s?(?:id|ID|uid|UID)\b")
_FROM_ADDRESS_RE = re.compile(r" (?:from|von|de|depuis) [0-9a-fA-F]{1,4}[.:]")  # "post by x from 1.2.3.4"
_USER_AFTER_RE = re.compile(r" (?:logged (?:in|out|on)|signed (?:in|out)|(?:dis)?connected|from [0-9a-fA-F])")


def _may_be_person(value: str) -> bool:
    """Could this short CJK value be a person's name (and so be left to the name finder)?  Kana alone is a
    nickname; Hangul is a name when the Korean tagger says so; Han when it begins with a Chinese surname."""
    if all("\u3040" <= c <= "\u30ff" for c in value):
        return False
    from politecrawl.pii import names, names_ja_ko  # the name dictionaries load on first use

    if any("\uac00" <= c <= "\ud7af" for c in value):
        return any(True for _ in names_ja_ko.find_korean_names(value))
    return value[0] in names.chinese_name_initials()


def _cjk(value: str) -> bool:
    """CJK letters (digits allowed), with at least one letter: no Latin name with accents ("Müller")."""
    return all(ord(c) >= 0x2E80 or c.isdigit() for c in value) and any(c.isalpha() for c in value)


def _could_be_person(value: str) -> bool:
    """A CJK value the name finders may read as a person's name (left to them)."""
    return _may_be_person(value) if len(value) < 4 else _is_person(value)


def _is_person(value: str) -> bool:
    """Is this CJK value of four or more characters a person's name as a whole (`加藤亮介`, `佐藤さくら`)?"""
    from politecrawl.pii import names  # the name dictionaries load on first use

    return any(sp.start == 0 and sp.end == len(value) for sp in names.find_person_names(value))


def _token_before(text: str, end: int) -> Span | None:
    """A nickname in any script ending at `end`, bounded by a separator (or the text's start) before it."""
    i = end
    while i > 0 and text[i - 1] not in _TOKEN_STOP:
        i -= 1
        if end - i > 20:
            return None
    value = text[i:end]
    if len(value) < 2 or not any(c.isalpha() for c in value) or value.isdigit():
        return None
    return Span(i, end, NICKNAME, value)


def _token_end(text: str, i: int) -> int:
    """Where a token starting at `i` ends (a separator, or 31 characters on)."""
    return _TOKEN_RUN_RE.match(text, i).end()


def _field_end(text: str, i: int, full_stop: bool = False) -> bool:
    """Nothing but a mark or a line's end follows `i` (spaces between); with `full_stop`, a full stop too."""
    rest = text[i:].lstrip(" \t")
    return not rest or rest[0] in _TOKEN_STOP or rest[0] in ("\n\r." if full_stop else "\n\r")


def _ends_field(text: str, m: re.Match[str]) -> bool:
    """A CJK value after a cue with only a space (`닉네임 하늘별`) ends its field: the text's end, a line's, a mark
    or text in another script follows, not more CJK words (`사용자 이름 또는 전자메일 주소`, `用户名 端口 最后登录时间`
    are prose and column heads)."""
    if text[m.start("v")].isascii():
        return True
    rest = text[m.end("v") :].lstrip(" \t")
    return not rest or rest[0].isascii() or rest[0] in _TOKEN_STOP


def find_accounts(text: str) -> Iterator[Span]:
    """Handles, default nicknames, cued nicknames and user IDs, profile-URL IDs in `text` (folded)."""
    lower = text.lower()
    if len(lower) != len(text):  # a few characters lower-case to two ("İ"): keep offsets
        lower = text.translate(_ASCII_LOWER)
    four_digits = _FOUR_DIGITS_RE.search(text) is not None
    if "/" in text:
        for m in _PROFILE_TAIL_RE.finditer(text):
            v = _trim(m.group("v"))
            if v.lower() in _SITE_PAGES:
                continue  # "/account/settings", "/user/login": the site's own pages
            d = _MEMBER_DOT_ID_RE.match(v)
            if d and not d.group("n").isdigit():  # "/members/happy_tiger.30941/"
                yield Span(m.start("v"), m.start("v") + d.end("n"), NICKNAME, d.group("n"))
                yield Span(m.start("v") + d.start("i"), m.start("v") + d.end("i"), USER_ID, d.group("i"))
                continue
            yield _typed(m.start("v"), m.start("v") + len(v), v)
        if "//" in text:
            for m in _SOCIAL_PATH_RE.finditer(text):
                v = _trim(m.group("v"))
                if len(v) >= 2 and v.lower() not in _SITE_PAGES:
                    yield _typed(m.start("v"), m.start("v") + len(v), v)
        if "u/" in text:
            for m in _REDDIT_USER_RE.finditer(text):
                yield Span(m.start("v"), m.end("v"), NICKNAME, m.group("v"))
        for m in _PROFILE_QUERY_RE.finditer(lower):
            g = m.lastgroup
            yield Span(m.start(g), m.end(g), USER_ID, m.group(g))
        if "=" in text:
            for m in _NAME_QUERY_RE.finditer(lower):
                v = _trim(text[m.start("v") : m.end("v")])
                if len(v) >= 2:
                    yield _typed(m.start("v"), m.start("v") + len(v), v)
        for m in _PROFILE_PAGE_RE.finditer(text):
            v = _trim(m.group("v"))
            yield _typed(m.start("v"), m.start("v") + len(v), v)
        for m in _AT_PATH_RE.finditer(text):
            v = _trim(m.group("v"))
            yield Span(m.start("v"), m.start("v") + len(v), NICKNAME, v)
    if "@" in text:
        for m in _HANDLE_RE.finditer(text):
            v = _trim(m.group("v"))
            yield Span(m.start(), m.start("v") + len(v), NICKNAME, v)
    if " for " in text and ("password for " in text or "publickey for " in text or "pam for " in text):
        for m in _SSHD_USER_RE.finditer(text):
            yield Span(m.start("v"), m.end("v"), NICKNAME, m.group("v"))
    for r in _REPLY_WORD_RE.finditer(text):
        if r.group() in _LATIN_REPLY_WORDS and (
                r.start() and "a" <= text[r.start() - 1] <= "z" or r.end() < len(text) and "a" <= text[r.end()] <= "z"):
            continue  # inside a word ("unreplied", "saidx")
        m = _HANDLE_BEFORE_RE.search(text, max(0, r.start() - 31), r.start())
        # The handle ends with a letter, digit or "_" right before the word (a space between at most): a
        # sentence's last word and its full stop ("rien à redire. 回复"), or a line's ("…\n回复"), is none.
        if m is None and (r.group() in _NOTICE_WORDS or r.group() in _SAYING_WORDS):
            m = _CAP_HANDLE_BEFORE_RE.search(text, max(0, r.start() - 31), r.start())
            if m and not (_HANDLE_MARK_RE.search(m.group("v")) or _CAMEL_RE.fullmatch(m.group("v"))):
                m = None
        if m and r.group() in _SAYING_WORDS and not (_HANDLE_MARK_RE.search(m.group("v")) or "-" in m.group("v")
                                                      or _CAMEL_RE.fullmatch(m.group("v"))):
            m = None
        if m and not _HANDLE_MARK_RE.search(m.group("v")) and not _CAMEL_RE.fullmatch(m.group("v")) and m.start("v") > 1 and text[m.start("v") - 1] == " " and (
                text[m.start("v") - 2].isalpha()):
            m = None  # a plain word after another word ("… is out 回复", "Software erforderlich 回复"), not a handle
        if m and not _NUMBERISH_RE.fullmatch(m.group("v").removeprefix("v")):  # "item #5620 回复", "v3.4.5 回复"
            yield Span(m.start("v"), m.end("v"), NICKNAME, m.group("v"))
        elif r.group() in _ACTION_WORDS and r.start() > 1 and text[r.start() - 1] == " ":
            sp = _token_before(text, r.start() - 1)  # "小鱼 关注了你": a space must bound it
            if sp is None:
                continue
            v = sp.canonical
            if v.isascii():  # "zhang_88 发表于 3 天前": a handle's shape, not a capitalised word ("Hans 发表于")
                if r.group() == "发表于" and _POSTED_AT_RE.match(text, r.end()) and _HANDLE_CHARS_RE.fullmatch(v) and (
                        _HANDLE_MARK_RE.search(v) or v.islower() or _CAMEL_RE.fullmatch(v)):
                    yield sp
            elif _cjk(v) and (r.group() != "发表于" or not _could_be_person(v)):
                yield sp
        elif r.group() in _GLUED_ACTION_WORDS and r.start() > 1:
            sp = _token_before(text, r.start() - (text[r.start() - 1] == " "))  # "달빛소녀님이 댓글을", "ゆうきさんがフォロー"
            if sp is not None and _cjk(sp.canonical) and not _could_be_person(sp.canonical):
                yield sp
    for m in _BY_CUE_RE.finditer(lower):
        if text[m.start() : m.start() + 2].isupper() and m.group().isascii():
            continue  # "ORDER BY", "FROM", "USER": a query language's keyword, not who did something
        if m.end() < len(text) and _word_start(lower, m.start()):
            labelled = ":" in m.group() or "：" in m.group()
            cue = m.group().rstrip(" \t:：")
            if cue in _ROLE_CUES and not labelled:
                continue
            if (cue in _USER_WORDS and cue != "from") or cue in ("用户", "会员"):
                d = _USER_NUMBER_RE.match(text, m.end())
                if d:  # "user 48213907 logged out", "utilisateur 48213907"
                    yield Span(d.start(), d.end(), USER_ID, d.group())
                    continue
            sp = _handle_after(text, m.end(), cue, labelled=labelled)
            if sp is not None:
                yield sp
    for m in (_BARE_ID_RE.finditer(lower) if four_digits else ()):
        j = m.start() - 1
        while j >= 0 and lower[j] in " \t":
            j -= 1
        if j < 0 or lower[j] in "\n\r" or lower[j] in _RECORD_HEAD or (
                j < m.start() - 1 and lower[j] not in "?&=/\"'_" and not _THING_BEFORE_RE.search(lower, max(0, j - 15), j + 1)):
            # At a record's head, or after a word that names no thing: "released ID: 42" (a space between; a
            # word glued to "id" names its thing: 商品ID, postid).
            yield Span(m.start("v"), m.end("v"), USER_ID, m.group("v"))
    for m in (_BRACKET_ID_RE.finditer(text) if four_digits else ()):
        end = _token_end(text, m.end())
        token = text[m.end() : end]
        if _DATE_DIGITS_RE.fullmatch(m.group("v")):
            continue  # "[20230101] 更新": a date or a timestamp
        if not token.isascii() or _HANDLE_SHAPE_RE.fullmatch(token) or (
                token.islower() and token.isalpha() and (m.start() == 0 or text[m.start() - 1] in "\n\r")
                and _field_end(text, end)):
            # "[12345] above" is a reference; a lone lower-case word heading a line is a chat export's handle
            yield Span(m.start("v"), m.end("v"), USER_ID, m.group("v"))
            handle = _trim(token)
            if len(handle) >= 2 and any(c.isalpha() for c in handle):
                yield Span(m.end(), m.end() + len(handle), NICKNAME, handle)  # "[42] 小鱼": the record's nickname
    for m in (_DEFAULT_NICK_RE.finditer(text) if _default_nick_possible(text, four_digits) else ()):
        yield Span(m.start(), m.end(), NICKNAME, m.group())
    for m in (_ID_CUE_RE.finditer(lower) if four_digits else ()):
        if _word_start(lower, m.start()):
            yield Span(m.start("v"), m.end("v"), USER_ID, m.group("v"))
            if text.startswith(" / ", m.end()):  # "UID 42 / 小鱼": the account's name after its number
                sp = _token_before(text, _token_end(text, m.end() + 3))
                if sp is not None and sp.start == m.end() + 3 and (
                        _HANDLE_MARK_RE.search(sp.canonical) or sp.canonical.islower() or _CAMEL_RE.fullmatch(sp.canonical)
                        if sp.canonical.isascii() else not _could_be_person(sp.canonical)):
                    yield sp
    for m in (_ID_HANDLE_RE.finditer(lower) if "id" in lower else ()):
        v = _trim(text[m.start("v") : m.end("v")])
        if _word_start(lower, m.start()) and _HANDLE_MARK_RE.search(v):
            yield Span(m.start("v"), m.start("v") + len(v), NICKNAME, v)
    for m in [*_NICK_CUE_RE.finditer(lower), *(m for m in _NICK_CUE_SPACE_RE.finditer(lower) if _ends_field(text, m))]:
        if not _word_start(lower, m.start()):
            continue
        v = text[m.start("v") : m.end("v")]
        if v[0].isascii():
            v = _LATIN_HEAD_RE.match(v).group()  # a Latin nickname ends where another script begins
        v = _trim(v)
        if v and _VERB_SEP_RE.search(lower, m.start(), m.start("v")) and v.isascii() and not (
                _HANDLE_MARK_RE.search(v) or _field_end(text, m.start("v") + len(v), full_stop=True)):
            continue  # "the username is greater than", "login is possible for": a sentence, not a value
        if v and not v.startswith(_QUESTION_WORDS):
            yield _typed(m.start("v"), m.start("v") + len(v), v)


# A record row: fields joined by one separator, as accounts are dumped (`42,小鱼,13800138000`, `| 42 | 小鱼 | … |`).
_ROW_SEPS = (",", "|", "\t", " / ", ";")
_PERSONAL_IN_ROW = frozenset({"phone", "email", USER_ID, NICKNAME})


def _one_word(field: str) -> bool:
    value = field.strip(" \t\"'")
    return 0 < len(value) <= 30 and not any(c in _TOKEN_STOP or c == "=" for c in value)


_ROW_SEP_AFTER_RE = re.compile(r"[ \t]*([,|;\t])")
_ROW_START_BEFORE_RE = re.compile(r"(?:^|[\n；;。！？!?]|\| |\. )[ \t]?(?:\|[ \t]*)?$")
# Where a row may begin inside its line's first field: after a sentence's or a segment's end (`…很好用。42,小鱼,…`,
# `… thanks. 42,小鱼,…`, `…；42,小鱼,…`, `… | 42,小鱼,…`).
_ROW_HEAD_BOUNDS = ("；", ";", "。", "！", "？", "!", "?", "| ", ". ")


def _retype_row_heads(text: str, found: list[Span]) -> None:
    """A row that starts with a bare number and holds a phone or e-mail after it (`4517457551,小鱼,a@b.cn`, `| 42 |
    小鱼 | 13800138000 |`): the number heading it is the account's ID, which the phone detector reads first when it
    happens to be a valid number (a card number stays a card: it has its checksum).  Retyped in `found` (same offsets)."""
    for k, sp in enumerate(found):
        if sp.type != "phone" or not (5 <= sp.end - sp.start <= 19) or not text[sp.start : sp.end].isdigit():
            continue
        sep = _ROW_SEP_AFTER_RE.match(text, sp.end)
        if sep is None or _ROW_START_BEFORE_RE.search(text, max(0, sp.start - 4), sp.start) is None:
            continue
        line_end = text.find("\n", sep.end())
        line_end = len(text) if line_end < 0 else line_end
        if text.count(sep.group(1), sep.end(), line_end) >= 1 and any(
                o.type in ("phone", "email") and sep.end() <= o.start < line_end for o in found):
            found[k] = Span(sp.start, sp.end, USER_ID, text[sp.start : sp.end])


def find_record_fields(text: str, found: list[Span]) -> Iterator[Span]:
    """In a row of three or more short fields (or two around " / ") of which one holds a phone, e-mail, user ID
    or nickname already `found`, the other one-word fields: digits (5-19) are a user ID, a word with a letter a
    nickname.  A number heading such a row that was read as a phone or card is retyped a user ID in `found`.  A row without such a value is left alone (a product table is no account dump).  `text` is the
    text as written (not folded): Chinese prose joined by full-width commas is no row."""
    anchors = [sp for sp in found if sp.type in _PERSONAL_IN_ROW]
    if not anchors:
        return
    _retype_row_heads(text, found)
    pos = 0
    for line in text.split("\n"):
        lo, hi = pos, pos + len(line)
        pos = hi + 1
        in_line = [sp for sp in anchors if lo <= sp.start < hi]
        if not in_line:
            continue
        for sep in _ROW_SEPS:
            n = line.count(sep)
            if n < 2 and not (sep == " / " and n == 1):
                continue
            # The row begins after the prose before it on its line: the last sentence or segment end before its
            # first value found.
            first = min(sp.start for sp in in_line)
            row_lo = max([lo] + [text.rfind(m, lo, first) + len(m) for m in _ROW_HEAD_BOUNDS
                                 if sep.strip() not in m and text.rfind(m, lo, first) >= 0])
            row = text[row_lo:hi]
            if row.count(sep) < 2 and not (sep == " / " and row.count(sep) == 1):
                continue
            fields, start = [], row_lo
            for part in row.split(sep):
                fields.append((start, start + len(part)))
                start += len(part) + len(sep)

            def holds_anchor(a: int, b: int) -> bool:
                return any(a <= sp.start and sp.end <= b for sp in in_line)

            def anchored(k: int) -> bool:
                """Field k is a value, or ends (the first field) or begins (the last) with one."""
                a, b = fields[k]
                return any(a <= sp.start and sp.end <= b and (
                    text[sp.end:b].strip(" \t\"'") == "" and (k == 0 or text[a:sp.start].strip(" \t\"'") == "")
                    or k == len(fields) - 1 and text[a:sp.start].strip(" \t\"'") == "") for sp in in_line)

            if not any(anchored(k) for k in range(len(fields))) or not all(
                    anchored(k) or _one_word(text[fields[k][0]:fields[k][1]]) or not text[fields[k][0]:fields[k][1]].strip()
                    for k in range(1, len(fields) - 1)):
                continue  # every field between is one word, empty or a value: prose joined by " | " is no row
            for a, b in fields:
                value = text[a:b].strip(" \t\"'")
                if not _one_word(value) or holds_anchor(a, b) or any(sp.start < b and a < sp.end for sp in found):
                    continue
                v0 = text.index(value, a)
                if value.isdigit() and 5 <= len(value) <= 19 and value.isascii():
                    yield Span(v0, v0 + len(value), USER_ID, value)
                elif len(value) >= 2 and any(c.isalpha() for c in value):
                    yield Span(v0, v0 + len(value), NICKNAME, value)
            break
