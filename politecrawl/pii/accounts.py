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
from collections.abc import Iterator

from politecrawl.pii.spans import NICKNAME, USER_ID, Span

# Characters a nickname or handle may hold: letters of any script, digits, `_`, `-`, `.` inside.
_NICK_CHAR = r"[^\s,;:!?()\[\]{}<>\"'`，。、；：！？（）【】《》「」『』“”‘’|/\\]"

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
    r"用户\s?id", r"用户编号", r"用户号", r"会员号", r"会员id", r"会员编号", r"会员卡号", r"账号id", r"买家id", r"卖家id",
    r"客户编号", r"客户号", r"账户id", r"kundennummer", r"kunden[ \-]?nr\.?", r"kunden[ \-]?id", r"mitgliedsnummer",
    r"benutzer[ \-]?id", r"numéro (?:de )?client", r"n° (?:de )?client", r"id (?:client|utilisateur|membre)",
    r"identifiant", r"ユーザーid", r"会員番号", r"会員id", r"회원\s?번호", r"회원\s?id", r"사용자\s?id", r"유저\s?id",
)
_NICK_CUES = (
    r"昵称", r"网名", r"用户名", r"账号", r"帐号", r"会员名", r"买家昵称", r"卖家昵称", r"nickname", r"nick", r"username",
    r"user name", r"screen name", r"display name", r"handle", r"login", r"benutzername", r"spitzname", r"pseudo",
    r"pseudonyme", r"nom d'utilisateur", r"ニックネーム", r"ユーザー名", r"ハンドルネーム", r"닉네임", r"아이디", r"사용자\s?이름",
)


def _cue_group(cues: tuple[str, ...]) -> str:
    """The cues as one alternation that starts with a literal, so that the regex engine skips ahead by its first
    characters; a Latin cue must start a word, which `_word_start` checks on each match (a look-behind first would
    be tried at every position)."""
    return f"(?:{'|'.join(cues)})"


def _word_start(lower: str, i: int) -> bool:
    """Latin cues start a word; CJK cues may follow anything (Chinese has no spaces)."""
    return not lower[i].isascii() or i == 0 or not (lower[i - 1].isascii() and (lower[i - 1].isalnum()
                                                                              or lower[i - 1] == "_"))


# A user ID needs only the cue (its value is digits); a nickname cue needs a separator ("handle it" is no cue).
_ID_SEP = r"[ \t]{0,2}(?:[:=：#]|is|为|是|は)?[ \t]{0,2}"
_NICK_SEP = r"[ \t]{0,2}(?:[:=：]|[ ]is[ ]|[ ]est[ ]|[ ]ist[ ]|为|是|は)[ \t]{0,2}"
_ID_CUE_RE = re.compile(rf"{_cue_group(_ID_CUES)}{_ID_SEP}(?P<v>[0-9]{{4,20}})"
                        r"(?![0-9])")
_NICK_CUE_RE = re.compile(rf"{_cue_group(_NICK_CUES)}{_NICK_SEP}(?P<v>{_NICK_CHAR}{{2,30}})")

_URL_SEG = r"[A-Za-z0-9_.~%\-]{2,40}"
_PROFILE_TAIL_RE = re.compile(rf"/(?:u|user|users|people|profile|profiles|member|members)/(?P<v>{_URL_SEG})")
_AT_PATH_RE = re.compile(r"(?<=/)@(?P<v>[A-Za-z0-9_.\-]{2,40})")


def _typed(start: int, end: int, value: str) -> Span:
    bare = value.replace(" ", "").replace("-", "")
    if bare.isdigit():
        return Span(start, end, USER_ID, bare)
    return Span(start, end, NICKNAME, value)


def _trim(value: str) -> str:
    return value.rstrip(".-_~")


_LATIN_HEAD_RE = re.compile(r"[\x00-\x7f]*")
# A Latin-script handle right before a reply or post word: "zhang88 回复", "zhang88 replied".
# Found from the reply word back (a scan for the word is quick; one for the handle would try every position).
_REPLY_WORD_RE = re.compile(r"回复|评论了|发表于|replied|commented|posted|wrote:|a écrit|schrieb|さんの|님의")
_HANDLE_BEFORE_RE = re.compile(r"(?<![\w.\-])(?P<v>[a-z0-9_][A-Za-z0-9_.\-]{2,29})[ ]?$")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def find_accounts(text: str) -> Iterator[Span]:
    """Handles, default nicknames, cued nicknames and user IDs, profile-URL IDs in `text` (folded)."""
    lower = text.lower()
    if len(lower) != len(text):  # a few characters lower-case to two ("İ"): keep offsets
        lower = text.translate(_ASCII_LOWER)
    if "/" in text:
        for m in _PROFILE_TAIL_RE.finditer(text):
            v = _trim(m.group("v"))
            yield _typed(m.start("v"), m.start("v") + len(v), v)
        for m in _AT_PATH_RE.finditer(text):
            v = _trim(m.group("v"))
            yield Span(m.start("v"), m.start("v") + len(v), NICKNAME, v)
    if "@" in text:
        for m in _HANDLE_RE.finditer(text):
            v = _trim(m.group("v"))
            yield Span(m.start(), m.start("v") + len(v), NICKNAME, v)
    for r in _REPLY_WORD_RE.finditer(text):
        m = _HANDLE_BEFORE_RE.search(text, max(0, r.start() - 31), r.start())
        if m:
            yield Span(m.start("v"), m.end("v"), NICKNAME, m.group("v"))
    for m in _DEFAULT_NICK_RE.finditer(text):
        yield Span(m.start(), m.end(), NICKNAME, m.group())
    for m in _ID_CUE_RE.finditer(lower):
        if _word_start(lower, m.start()):
            yield Span(m.start("v"), m.end("v"), USER_ID, m.group("v"))
    for m in _NICK_CUE_RE.finditer(lower):
        if not _word_start(lower, m.start()):
            continue
        v = text[m.start("v") : m.end("v")]
        if v[0].isascii():
            v = _LATIN_HEAD_RE.match(v).group()  # a Latin nickname ends where another script begins
        v = _trim(v)
        if v:
            yield _typed(m.start("v"), m.start("v") + len(v), v)
