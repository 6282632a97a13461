"""The name and account scans written for speed (a character class or the first character consumed first, the
look-behind after it) match what their plain forms match, from every position."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from politecrawl.pii import accounts, names, names_ja_ko
from politecrawl.pii.normalize import fold_words

# The plain forms, as written before the speed change.
PLAIN = {
    "han_run": re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]{2,}"),
    "kanji_run": re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff々]{3,}"),
    "bare_id": re.compile(r"(?<![a-z0-9_])id[ \t]{0,2}(?:[:=：#]|is)?[ \t]{0,2}(?P<v>[0-9]{4,20})(?![0-9])"),
    "bracket_id": re.compile(r"(?<![0-9A-Za-z])[\[【［](?P<v>[0-9]{5,19})[\]】］][ \t]?(?=[^\s0-9\[\]【】，。,.;；:：|])"),
}
JA_RUN_PLAIN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff々ー・、。「」：:\s\-]+")
A = accounts
# The cue scans with their cues as one flat alternation (before `_cue_group` grouped them by first character).
PLAIN.update({
    "id_cue": re.compile(fold_words(rf"(?:{'|'.join(A._ID_CUES)}){A._ID_SEP}(?P<v>[0-9]{{4,20}})(?![0-9])")),
    "nick_cue": re.compile(fold_words(rf"(?:{'|'.join(A._NICK_CUES)}){A._NICK_SEP}(?P<v>{A._NICK_CHAR}{{2,30}})")),
    "nick_cue_space": re.compile(fold_words(
        rf"(?:{'|'.join(A._CJK_NICK_CUES)})[ \t]{{1,2}}(?P<v>{A._NICK_CHAR}{{2,30}})")),
})
FAST = {
    "id_cue": A._ID_CUE_RE, "nick_cue": A._NICK_CUE_RE, "nick_cue_space": A._NICK_CUE_SPACE_RE,
    "han_run": names._HAN_RUN_RE, "kanji_run": names_ja_ko._KANJI_RUN_RE,
    "bare_id": accounts._BARE_ID_RE, "bracket_id": accounts._BRACKET_ID_RE,
}

ALPHABET = "id ID:=#is\t0123456789[]【】［］，。,.;x_A张三李四々ーさんカタ한국 \n-"
TEXTS = ["ID: 12345", "uid 12345", "xid 12345", "id12345", "id is 1234", "用户ID：123456", "[4504814417] yueyue40971",
         "a[12345] b", "【123456】小鱼", "[20230101] 更新", "张三李四说", "田中さんのレビュー", "佐々木太郎", "ー・「」",
         "价格 很好用 张伟", "[12345]\n", "x[12345]", " [12345] x"]


# Letters of the cues, so that random strings hold pieces of them.
CUE_ALPHABET = "uidsernobcmatkqlhpé'°号用户会员账昵称名网抖音ユ-ザ名닉네임아이 :=：\t0123456789\"「_"
CUE_TEXTS = ["uid 12345", "u.i.d: 42424242", "user_id=12345", "user no. 12345", "member number 1234", "qq号码 12345",
             "qq 12345", "qq群 12345", "n° de client 12345", "昵称：小鱼", "nickname: zhang88", "nick zhang88",
             "user=zhang", "账号 小鱼儿", "ユーザー名：たろう", "닉네임 하늘별", "用户ID：123456", "会员卡号 123456",
             "ユーザーID 12345", "사용자 이름 하늘", "login is possible", "user name is zhang_88"]


def same_everywhere(text: str) -> None:
    for name, plain in PLAIN.items():
        fast = FAST[name]
        for pos in range(len(text) + 1):
            a, b = plain.search(text, pos), fast.search(text, pos)
            assert (a and a.span()) == (b and b.span()), (name, text, pos)
            if a is not None:
                assert a.groupdict() == b.groupdict(), (name, text, pos)
        assert [m.span() for m in plain.finditer(text)] == [m.span() for m in fast.finditer(text)], (name, text)
    # The Japanese runs: the same runs of two characters or more (`find_japanese_names` skips shorter ones).
    assert ([m.span() for m in JA_RUN_PLAIN.finditer(text) if m.end() - m.start() >= 2]
            == [m.span() for m in names_ja_ko._JA_RUN_RE.finditer(text)]), text


def test_the_fast_forms_begin_with_a_character() -> None:
    for name, fast in FAST.items():
        assert not fast.pattern.startswith("(?<"), name
        assert not re.match(r"\[[^\]]*\](?:\{|\+)", fast.pattern), name


def test_the_user_id_scans_need_four_digits_in_a_row() -> None:
    """`find_accounts` skips them on text without four digits in a row."""
    assert "(?P<v>[0-9]{4,20})(?![0-9])" in A._ID_CUE_RE.pattern
    assert "(?P<v>[0-9]{4,20})(?![0-9])" in A._BARE_ID_RE.pattern
    assert "(?P<v>[0-9]{5,19})" in A._BRACKET_ID_RE.pattern


NICK_PIECES = ["用户", "手机用户", "小红薯", "jd", "JD", "tb", "TB", "t", "qq", "weixin", "wx", "bili", "m0", "u", "_", "-",
               "1", "12", "1234", "12345", "123456", "a", "A", "x", " ", "用"]


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(NICK_PIECES), max_size=8))
def test_the_default_nickname_gate_lets_every_match_through(parts: list[str]) -> None:
    text = "".join(parts)
    if A._DEFAULT_NICK_RE.search(text) is not None:
        assert A._default_nick_possible(text, A._FOUR_DIGITS_RE.search(text) is not None), text


def test_same_matches_on_examples() -> None:
    for text in TEXTS + CUE_TEXTS:
        same_everywhere(text)
        same_everywhere(" " + text + " ")
        same_everywhere("a" + text + "0")


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=40))
def test_same_matches_on_random_strings(text: str) -> None:
    same_everywhere(text)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(CUE_TEXTS) | st.text(alphabet=CUE_ALPHABET, max_size=12), max_size=4))
def test_same_matches_on_random_cue_strings(parts: list[str]) -> None:
    text = " ".join(parts)
    same_everywhere(text)
    same_everywhere(text.lower())


# Gates in front of scans: every match of the scan gets through.
NET_PIECES = [":", "::", "fe80", "1", "a", "g", " ", "\n", ".", "->", "→", "=>", "⇒", "to", "à", "至", "\t", "1.2.3.4",
              "x", "%eth0", "-", ">"]


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(NET_PIECES), max_size=10))
def test_the_ipv6_and_version_change_gates_let_every_match_through(parts: list[str]) -> None:
    from politecrawl.pii import context, network

    text = "".join(parts)
    if network._IPV6_RE.search(text) is not None:
        assert network._IPV6_COLONS_RE.search(text) is not None, text
    if context._ARROW_END_RE.search(text) is not None:
        assert text.rstrip(" \t").endswith(context._ARROWS) or text.endswith("\n"), text
    if context._TO_END_RE.search(text) is not None:
        assert text.endswith((" ", "\t", "\n")), text


def _token_end_loop(text: str, i: int) -> int:
    """`accounts._token_end` as it was written: a loop over the characters."""
    end = i
    while end < len(text) and end - i < 31 and text[end] not in A._TOKEN_STOP:
        end += 1
    return end


@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet=" \t\n\r|;；,，:：。！？!?()（）[]【】「」『』\"'“”\\-^ab小鱼1_.", max_size=80))
def test_token_end_is_the_loop(text: str) -> None:
    for i in range(len(text) + 1):
        assert A._token_end(text, i) == _token_end_loop(text, i), (text, i)


def test_cue_group_falls_back_to_one_flat_alternation() -> None:
    """A cue led by an escape or a quantified character, or that is an alternation itself, is not grouped."""
    for p, bar in [("x|y", True), ("(?:a|b)c", False), (r"a\|b", False), ("[|]", False), ("[(]x|y", True),
                   ("[]|]x", False), ("[^]|]x", False), (r"[\]|]x", False), ("qq(?![群])", False), ("a[b]|c", True)]:
        assert A._top_level_bar(p) is bar, p
    assert A._cue_group(("ab", "x|y")) == "(?:ab|x|y)"
    assert A._cue_group(("ab", r"\.x")) == r"(?:ab|\.x)"
    assert A._cue_group(("ab", "a?c")) == "(?:ab|a?c)"
    assert A._cue_group(("ab", "ac", "b")) == "(?:a(?:b|c)|b)"
