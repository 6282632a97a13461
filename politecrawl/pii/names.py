"""Person names in free text: Chinese names by jieba's dictionary and HMM, Latin-script names by a first-name list.

Chinese: jieba (a Chinese segmenter with a part-of-speech dictionary trained on the People's Daily corpus) splits a
run of Han characters into words.  A word of 2-3 characters that starts with a surname and is either unknown to
the dictionary (jieba's HMM joined characters it had no word for: how unseen names come out) or tagged as a
person name (`nr`, `nrfg`, `nrt`) and not a common word, is a name; so is a surname standing alone followed by a
given name the dictionary tags as a name or does not know (`郭` + `志强`).  Surnames are the characters that most
often begin a person name in jieba's own HMM emission table (state `B-nr`), less those the dictionary reads as a
function word when alone (`多`, `大`, `小` ...).  jieba is imported on first use (0.5 s to load its dictionary).

Transliterated foreign names and places (`库拉索`, `伊斯帕尔塔`) start with surname characters too: a word
without a cue is no name when a character after its first is one that spells transliterations far more often than
Chinese given names (counted in jieba's own dictionary, `_transliteration_chars`).

Latin-script names: `names_latin` (gender-guesser's first-name list).
Japanese and Korean names: `names_ja_ko` (MeCab dictionaries' person-name tags).
"""

from __future__ import annotations

import bisect
import functools
import math
import re
import threading
from collections.abc import Callable, Iterator

from politecrawl.pii.loading import loading
from politecrawl.pii.names_ja_ko import find_japanese_names, find_korean_names
from politecrawl.pii.names_latin import _Latin
from politecrawl.pii.spans import PERSON_NAME, Span

# ---------------------------------------------------------------- Chinese

# `[…]{2,}` written as `[…][…]+` (same matches): a pattern that begins with a repeat gives `re` no set of first
# characters to skip ahead by, so it tries a match at every position (tests/test_pii_scan_patterns_text.py).
_HAN_RUN_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff][\u3400-\u4dbf\u4e00-\u9fff]+")
_HAN_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")
_KANA_RE = re.compile(r"[\u3040-\u30ff]")
_NAME_TAGS = frozenset({"nr", "nrfg", "nrt"})
# A dictionary word tagged as a name but this common is an ordinary word (`谢谢` is tagged nr, frequency 1089).
_COMMON_NAME_WORD = 300
# A given name after a lone surname: unknown to the dictionary, or tagged as a name, a noun or a state word
# (`婷婷` z, `桂花` n).
_GIVEN_TAGS = frozenset({"nr", "nrfg", "nrt", "nz", "n", "z", "ns"})
# ... but not a noun this common (`子` + `进程`, `大` + `对象`: 子进程, 大对象; a cue still finds 李 + 光明).
_COMMON_NOUN = 300
# Single-character dictionary tags that make a "surname" a function word here (numeral, adverb, pronoun ...).
_FUNCTION_TAGS = frozenset({"m", "d", "p", "c", "u", "r", "f", "y", "e", "o", "ad", "uj", "ul", "ug", "uz", "uv",
                            "ud"})
_SURNAME_RANK = 700  # characters by B-nr emission (simplified and traditional forms each count)
_COMMON_SURNAME_RANK = 300
# `_Chinese._compound`: a two-character head this common in jieba's dictionary, a last character ranked this low
# among the characters that end a name (jieba's `E-nr` emissions), a noun tail this common.
_COMPOUND_HEAD = 50
# Suffixes that make a word into an abstract or technical noun (`格式化`, `严重性`, `永久性`, `效率`): grammar.  After a
# common word that is no name (`格式`, `严重`), the three characters are one word, not a surname and a given name.
_NOUN_SUFFIXES = frozenset("化性率度器型式法论学界品符")
_RARE_FINAL = 1000
_COMPOUND_TAIL = 100
# Surname characters that are far more often a word of their own (a verb, an adjective, an adverb: `有`, `来`,
# `大`, `小`, `新`, `时`; jieba's count as a single-character word at least this high, tag not a name): such a
# character begins a name only with a cue, or before a given name the dictionary tags as a name.  `来验证`,
# `有安装`, `小端序` in real prose.  `高` (a common surname as often as an adjective) keeps its unknown words.
_WORD_CHAR_COUNT = 40_000
_KEEP_AS_SURNAME = frozenset("高")
# Suffixes that end abstract nouns and almost no given name (`鲁棒性`, `易失性`, `沙盒化`): a three-character word
# ending in one is no name (jieba's dictionary tags `鲁棒性` nr).
_ABSTRACT_SUFFIXES = frozenset("性化")
# Common surnames that jieba's dictionary tags as function words alone (何 what, 许 some, 曾 once, 于 at, 余
# remaining, 万 ten thousand ...), so they are not in the surname set: they begin a name inside a word of two or
# three characters (an unknown word, or after a cue), never standing alone before another word (于 + 是).
_FUNCTION_SURNAMES = frozenset("于何任向莫万曾许常尚余尤左")
# `_Chinese._doubtful`, for a three-character word without a cue (People's Daily and reviews, bench/pii_zh_prose.py):
# an unknown word that begins with a character often a word of its own (jieba's count for it alone at least
# _HMM_WORD_CHAR: 有, 连, 国, 天, 黑 ...) and not one of the _TOP_SURNAMES characters that most often begin a name
# (jieba's `B-nr` emissions: 张, 黄 stay) stands as a name only if jieba's part-of-speech HMM reads it as one `nr`
# word (`有小雨`, `连衣架`, `国来宾` are none; `姚淑芬`, `洪羽彤` begin with a rarer character and stay); a
# dictionary word tagged `nr` is no name when its first two characters are a word this common that is no name
# (`通知书`, `宣传周`, `天津人`, `公开赛`: jieba's dictionary tags them `nr`).
_HMM_WORD_CHAR = 10_000
# ... and a three-character word whose last two characters are a verb, adverb or function word this common (jieba's
# tag and count: `以为` v, `竟然` d) is no name (`原以为`, `时竟然`): given names are nouns, adjectives, names.
_FUNCTION_TAIL = 1000
_FUNCTION_TAIL_TAGS = frozenset({"v", "d", "c", "p", "r", "u", "f", "ad", "uj", "ul", "ug", "uz", "uv", "ud",
                                 "y", "e", "o"})
_TOP_SURNAMES = 100
_HMM_NAME_TAGS = frozenset({"nr", "nrfg"})
_NAME_SURNAME_WORDS = 30
_NAME_SURNAME_SHARE = 0.5
# Characters before which a surname reads as a measure word (`7张碟`, `两张照`, `这张床`): digits and numerals.
# Function words as a given name's second character (`黄得`, `史中`, `牛则`); verbs and adjectives are given names.
_FUNCTION_WORD_TAGS = _FUNCTION_TAIL_TAGS - {"v", "ad"}
_NUMERALS = frozenset("0123456789０１２３４５６７８９一二两三四五六七八九十百千万几每这那哪")
_HEAD_WORD = 2000


# `_transliteration_chars`: a character is a transliteration mark when it is this many times as frequent in the
# transliterated names of jieba's dictionary (tag `nrt`) as in the given names of its three-character Chinese
# names (tag `nr`), and in at least _TRANSLIT_MIN_WORDS of them.
_TRANSLIT_RATIO = 3.0
_TRANSLIT_MIN_WORDS = 15


def _traditional_to_simplified() -> dict[int, int]:
    """OpenCC's traditional-to-simplified character table (`TSCharacters.txt`, shipped by opencc-python-reimplemented)
    as a `str.translate` table, one character for one (a character with several simplified forms takes the first):
    jieba's dictionary and tags are of simplified Chinese, so traditional text (`許可權`, `陳彥銘`) is read in its
    simplified form, at the same offsets.  Empty (no mapping) when the table cannot be read."""
    try:
        from importlib.resources import files

        data = files("opencc").joinpath("dictionary", "TSCharacters.txt").read_text(encoding="utf-8")
    except (ImportError, OSError, ValueError):
        return {}
    table: dict[int, int] = {}
    for line in data.splitlines():
        trad, _, simp = line.partition("\t")
        simp = simp.split(" ")[0] if simp else ""
        if len(trad) == 1 and len(simp) == 1 and trad != simp:
            table[ord(trad)] = ord(simp)
    return table


def _transliteration_chars(tags: dict[str, tuple[int, str]]) -> frozenset[str]:
    """Characters that spell foreign names and places (斯, 尔, 克, 拉, 塔 ...) and seldom a Chinese given name, by
    their frequency in jieba's transliterated names (`nrt`) against the given names of its Chinese ones (`nr`)."""
    foreign: dict[str, int] = {}
    given: dict[str, int] = {}
    for word, (_, tag) in tags.items():
        if tag == "nrt":
            for c in word:
                foreign[c] = foreign.get(c, 0) + 1
        elif tag == "nr" and len(word) == 3:
            for c in word[1:]:
                given[c] = given.get(c, 0) + 1
    n_foreign = sum(foreign.values()) or 1
    n_given = sum(given.values()) or 1
    return frozenset(c for c, k in foreign.items() if k >= _TRANSLIT_MIN_WORDS
                     and (k / n_foreign) >= _TRANSLIT_RATIO * (given.get(c, 0) + 1) / n_given)


# `_place_finals`: a character ends place and organisation names (jieba's tags `ns`, `nt`) this many times as often
# as it ends the dictionary's three-character person names (`nr`), in at least _PLACE_MIN_WORDS of them, and is not
# among the _PLACE_NAME_FINAL characters that most often end a name (jieba's `E-nr` emissions: 山, 江, 国, 南 ...
# stay possible ends of a name).
_PLACE_RATIO = 3.0
_PLACE_MIN_WORDS = 20
_PLACE_NAME_FINAL = 300


def _place_finals(tags: dict[str, tuple[int, str]], final_rank: dict[str, int]) -> frozenset[str]:
    """Characters that end place and organisation names (镇, 村, 港, 队, 院, 街, 委 ...) and seldom a person's name,
    counted in jieba's dictionary: a three-character word without a cue ending in one is no name (`白关镇`,
    `宝元队`, `敬老院`)."""
    place: dict[str, int] = {}
    given: dict[str, int] = {}
    for word, (_, tag) in tags.items():
        if tag in ("ns", "nt") and 2 <= len(word) <= 4:
            place[word[-1]] = place.get(word[-1], 0) + 1
        elif tag == "nr" and len(word) == 3:
            given[word[-1]] = given.get(word[-1], 0) + 1
    n_place = sum(place.values()) or 1
    n_given = sum(given.values()) or 1
    return frozenset(c for c, k in place.items() if k >= _PLACE_MIN_WORDS
                     and k / n_place >= _PLACE_RATIO * (given.get(c, 0) + 1) / n_given
                     and final_rank.get(c, _PLACE_NAME_FINAL) >= _PLACE_NAME_FINAL)


# `_compound_surnames`: two characters that begin at least _COMPOUND_NAMES of jieba's four-character person names
# (`nr`) and are not themselves a word more common than _COMPOUND_WORD (道德, 东方, 严格 begin idioms jieba tags nr).
_COMPOUND_NAMES = 10
_COMPOUND_WORD = 1000


def _compound_surnames(tags: dict[str, tuple[int, str]]) -> frozenset[str]:
    """Two-character surnames (欧阳, 司马, 诸葛, 上官, 慕容, 令狐 ...), counted in jieba's dictionary."""
    heads: dict[str, int] = {}
    for word, (_, tag) in tags.items():
        if tag == "nr" and len(word) == 4:
            heads[word[:2]] = heads.get(word[:2], 0) + 1
    return frozenset(h for h, k in heads.items() if k >= _COMPOUND_NAMES and tags.get(h, (0, ""))[0] < _COMPOUND_WORD)


class _Chinese:
    """jieba's tokenizer, dictionary tags and the surname set, built once per process."""

    def __init__(self) -> None:
        import logging

        import jieba
        import jieba.posseg
        from jieba.posseg import prob_emit

        jieba.setLogLevel(logging.ERROR)
        self.tokenizer = jieba.Tokenizer()
        self.tokenizer.initialize()
        # Each word of jieba's dictionary (dict.txt: word, count, tag) with its count and tag, made of the objects
        # jieba already holds (the tokenizer's counts, the tags jieba.posseg reads at import), not from a third
        # reading of dict.txt: the same pairs in 29 MB instead of 65 (issue 21, memory).
        counts = self.tokenizer.FREQ
        self.tags: dict[str, tuple[int, str]] = {
            w: (counts[w], tag) for w, tag in jieba.posseg.dt.word_tag_tab.items()
        }
        emit = prob_emit.P[("B", "nr")]
        ranked = sorted(emit, key=lambda c: -emit[c])[:_SURNAME_RANK]
        self.surnames = frozenset(
            c for c in ranked if self.tags.get(c, (0, "nr"))[1] not in _FUNCTION_TAGS and emit[c] > -math.inf
        )
        self.common_surnames = frozenset(c for c in ranked[:_COMMON_SURNAME_RANK] if c in self.surnames
                                         ) | _FUNCTION_SURNAMES
        self.initials = self.surnames | _FUNCTION_SURNAMES
        self.word_chars = frozenset(
            c for c in self.surnames if c not in _KEEP_AS_SURNAME and self.tags.get(c, (0, "nr"))[1] not in _NAME_TAGS
            and self.tags[c][0] >= _WORD_CHAR_COUNT)
        self.name_initials = frozenset(ranked)  # function words included (曾, 于 ...)
        self.top_surnames = frozenset(ranked[:_TOP_SURNAMES])
        self.transliteration = _transliteration_chars(self.tags)
        # Surname statistics from jieba's dictionary: characters that begin at least _NAME_SURNAME_WORDS of its
        # three-character person names (`nr`) and whose dictionary words are at least _NAME_SURNAME_SHARE such names,
        # less transliteration characters and words of their own (崔, 俞, 殷, 龚, 廖 are surnames the HMM's `B-nr`
        # ranking puts below _COMMON_SURNAME_RANK; 爱, 祝 ... begin more words than names).
        first: dict[str, int] = {}
        words: dict[str, int] = {}
        for w, (_, t) in self.tags.items():
            if len(w) >= 2:
                words[w[0]] = words.get(w[0], 0) + 1
                if t == "nr" and len(w) == 3:
                    first[w[0]] = first.get(w[0], 0) + 1
        self.name_surnames = frozenset(
            c for c, k in first.items() if k >= _NAME_SURNAME_WORDS and k >= _NAME_SURNAME_SHARE * words[c]
            and c in self.surnames and c not in self.word_chars and c not in self.transliteration)
        # They also begin a two-character name without a cue (`_bare_pair`; 明, 白, 金, 石, 高, 东, 老 begin more of
        # the dictionary's words than of its names: 明黄, 白纹, 金鹰, 高亮, 东扩 are none).
        self.doubtful = functools.lru_cache(maxsize=8192)(self._doubtful)
        self.hmm_name = functools.lru_cache(maxsize=8192)(self._hmm_name)
        final = prob_emit.P[("E", "nr")]
        self.final_rank = {c: i for i, c in enumerate(sorted(final, key=lambda c: -final[c]))}
        self.place_finals = _place_finals(self.tags, self.final_rank) | _PLACE_SUFFIXES
        self.compound_surnames = _compound_surnames(self.tags)
        self.to_simplified = _traditional_to_simplified()
        self.traditional = frozenset(chr(c) for c in self.to_simplified)
        # The same short runs come back often (价格, 型号, 很好用): their segmentation is kept (it depends on the
        # run alone; the cues around each occurrence are read every time).
        self.candidates = functools.lru_cache(maxsize=8192)(self._candidates)

    def _is_name_word(self, w: str) -> bool:
        tag = self.tags.get(w)
        if len(w) == 3 and (self._compound(w) or w[2] in _ABSTRACT_SUFFIXES):
            return False
        return tag is None or (tag[1] in _NAME_TAGS and tag[0] < _COMMON_NAME_WORD)

    def _compound(self, w: str) -> bool:
        """A three-character word made of a common word and a character that seldom ends a name (`王府井`,
        `杨梅汁`, `宋体字`), or of a surname and a common noun (`胡萝卜`): jieba's dictionary tags many such
        place and thing words `nr`."""
        head = self.tags.get(w[:2])
        if head is not None and head[0] >= _COMPOUND_HEAD and (
                self.final_rank.get(w[2], _RARE_FINAL) >= _RARE_FINAL
                or (w[2] in _NOUN_SUFFIXES and head[1] not in _NAME_TAGS)):
            return True
        tail = self.tags.get(w[1:])
        return tail is not None and tail[1] == "n" and tail[0] >= _COMPOUND_TAIL

    def _doubtful(self, w: str) -> bool:
        """A three-character word that, without a cue, is no name (see _HMM_WORD_CHAR, _TOP_SURNAMES, _HEAD_WORD,
        _FUNCTION_TAIL)."""
        tail = self.tags.get(w[1:])
        if tail is not None and tail[1] in _FUNCTION_TAIL_TAGS and tail[0] >= _FUNCTION_TAIL:
            return True  # 原 + 以为, 关 + 不掉, 时 + 竟然: a "given name" that is a verb or function word
        if w[0] == w[2]:
            return True  # 黄未黄, 好不好, 看一看: an A-not-A question or a reduplicated verb
        if w[1] == w[2] and w[0] not in self.top_surnames:
            return True  # 冷冰冰, 阴森森, 绿油油: an adjective's ABB form (郭晶晶, 张莹莹 begin with a top surname)
        tag = self.tags.get(w)
        head = self.tags.get(w[:2])
        if tag is None and head is not None and head[1] in _FUNCTION_TAIL_TAGS and head[0] >= _HEAD_WORD:
            return True  # 许可 + 权, 关于 + 对: a common verb or function word, then a character (王国 + 庆 stays)
        if tag is None:
            if w[0] in self.top_surnames or self.tags.get(w[0], (0, ""))[0] < _HMM_WORD_CHAR:
                return False
            from jieba.posseg import char_state_tab, prob_emit, prob_start, prob_trans, viterbi

            _, states = viterbi(w, char_state_tab.P, prob_start.P, prob_trans.P, prob_emit.P)
            return not ("".join(b for b, _ in states) in ("BE", "BME") and all(t == "nr" for _, t in states))
        return head is not None and head[1] not in _NAME_TAGS and head[0] >= _HEAD_WORD

    def _hmm_name(self, w: str) -> bool:
        """jieba's part-of-speech HMM (`jieba.posseg`'s Viterbi over its character states, trained on the People's
        Daily) reads `w` as the start of one person name: the first character `B`, every character tagged `nr` or
        `nrfg` (`郭勇` BE nr, `康亨` BM nr; `于雅` SB p/ns, `有传` SB v/n)."""
        from jieba.posseg import char_state_tab, prob_emit, prob_start, prob_trans, viterbi

        _, states = viterbi(w, char_state_tab.P, prob_start.P, prob_trans.P, prob_emit.P)
        return states[0][0] == "B" and all(b in "BME" and t in _HMM_NAME_TAGS for b, t in states)

    def _bare_pair(self, w: str) -> bool:
        """A two-character word that is a name without a cue: jieba's dictionary does not know it, its first
        character is a surname of `name_surnames` (not after a numeral: `find`), its second no function word
        (`黄得`, `史中`, `牛则`: a tag of _FUNCTION_WORD_TAGS, count ≥ _FUNCTION_TAIL) nor a noun-making suffix
        (`韩式`), it is no place the dictionary knows with an administrative suffix (`唐山` for `唐山市`), and
        jieba's part-of-speech HMM reads the two characters as a name."""
        if (w[0] not in self.name_surnames or w[1] in _NOT_GIVEN or w[1] in _NOUN_SUFFIXES or w in self.tags
                or w[0] == w[1]):  # 乔乔: a reduplicated pet name or a transliteration
            return False
        tail = self.tags.get(w[1])
        if tail is not None and tail[1] in _FUNCTION_WORD_TAGS and tail[0] >= _FUNCTION_TAIL:
            return False
        if any(self.tags.get(w + c, (0, ""))[1] == "ns" for c in _PLACE_SUFFIXES):
            return False
        return self.hmm_name(w)

    def _counted(self, before: str) -> bool:
        """After a numeral or a measure word the "surname" is a measure word or a noun: `7张碟`, `两张照`, `这张床`,
        `四百块钱少` (a numeral among the two characters before, or jieba's tag `q` or `m` for the one before)."""
        return any(c in _NUMERALS for c in before) or self.tags.get(before[-1:], (0, ""))[1] in ("q", "m")

    def _rare_place(self, w: str) -> bool:
        """A rare dictionary place word (`ns`, count under _COMPOUND_HEAD) as a name's first two characters after a
        cue, when the name ends its run (`签名：徐国宏`: 徐国 is an ancient state; not `担当：山田太郎`, a Japanese name
        of four kanji that the Japanese finder reads whole)."""
        tag = self.tags.get(w)
        return tag is not None and tag[1] == "ns" and tag[0] < _COMPOUND_HEAD

    def _stranded(self, words: list[str], k: int) -> bool:
        """words[k] is one character jieba left alone at the end of its run or before a particle (`刘翔` + `群，`,
        `吴玲` + `淑的`), neither a function word nor a verb nor a word this common of its own: the end of a
        three-character name."""
        c = words[k]
        if len(c) != 1 or c in _NOT_GIVEN or not _HAN_RE.fullmatch(c):
            return False
        tag = self.tags.get(c)
        if tag is not None and (tag[1] in _FUNCTION_TAIL_TAGS or tag[0] >= _HMM_WORD_CHAR):
            return False
        return k + 1 == len(words) or words[k + 1][0] in _NOT_GIVEN

    def _joins(self, w: str, nxt: str) -> bool:
        """A two-character name word and the one character after it are one three-character name: the character
        is no word the dictionary knows as a function word, the three are no dictionary word, and jieba's HMM reads
        them as one name (`张亮` + `明`: B M E, all `nr`)."""
        if len(nxt) != 1 or nxt in _NOT_GIVEN or not _HAN_RE.fullmatch(nxt):
            return False
        tag = self.tags.get(nxt)
        if tag is not None and tag[1] in _FUNCTION_TAIL_TAGS:
            return False
        w3 = w + nxt
        return (w3 not in self.tags and nxt not in self.place_finals and self.transliteration.isdisjoint(w3[1:])
                and self._is_name_word(w3) and self.hmm_name(w3))

    def _candidates(self, run: str) -> tuple[tuple[int, int, bool, bool], ...]:
        return tuple(self._segment(run))

    def _segment(self, run: str) -> Iterator[tuple[int, int, bool, bool]]:
        """(start, end, known, free) of name-shaped words in a run of Han characters; `known` when the dictionary
        tags the word as a name (not only "unknown word starting with a surname"); `free`, for a two-character
        word, that it is a name without a cue (`_bare_pair`), for a three-character one that it starts the run or
        follows a dictionary word.  A word after one jieba does not know is no name without a cue: there jieba's
        cut is unsure (transliterations: `阿古` + `桑玩`, `威尔` + `詹福利`)."""
        words = list(self.tokenizer.cut(run, HMM=True))
        pos = 0
        i = 0
        while i < len(words):
            w = words[i]
            n = len(w)
            after_word = i == 0 or words[i - 1] in self.tags
            if 2 <= n <= 3 and w[0] in self.initials and _HAN_RE.fullmatch(w) and self._is_name_word(w):
                if n == 2 and i + 1 < len(words) and after_word and (self._joins(w, words[i + 1]) or (
                        w + words[i + 1] not in self.tags and self._bare_pair(w) and self._stranded(words, i + 1))):
                    yield pos, pos + 3, True, True  # 张亮 + 明, 郎羽 + 小: jieba cut a given name (the HMM or a
                    # pair name vouches for it, as the dictionary does for a known one)
                    pos += 3
                    i += 2
                    continue
                yield pos, pos + n, w in self.tags, after_word and (n == 3 or self._bare_pair(w))
            elif n == 1 and w in self.surnames and i + 1 < len(words):
                nxt = words[i + 1]
                tag = self.tags.get(nxt)
                if 1 <= len(nxt) <= 2 and _HAN_RE.fullmatch(nxt) and (tag is None or (
                        tag[1] in _GIVEN_TAGS and not (tag[1] == "n" and tag[0] >= _COMMON_NOUN)
                        and (w not in self.word_chars or tag[1] in _NAME_TAGS))) and not (
                        len(nxt) == 2 and nxt[1] in _ABSTRACT_SUFFIXES):  # 易 + 失性
                    yield (pos, pos + 1 + len(nxt), tag is not None and tag[1] in _NAME_TAGS,
                           after_word and (len(nxt) == 2 or self._bare_pair(w + nxt)))
                    pos += 1 + len(nxt)
                    i += 2
                    continue
            pos += n
            i += 1

    def cued(self, text: str, cues: _Cues, run_start: int, run_end: int) -> Iterator[Span]:
        """A surname and one or two more characters right after a cue or right before a title or a verb of
        saying, whatever the segmenter made of them (`感谢黄丹的推荐`: 黄丹 is a pigment in the dictionary)."""
        for i in cues.before_in(run_start, run_end - 1):
            if i > run_start and self.tags.get(text[i - 1 : i + 1], (0, ""))[0] >= _COMPOUND_HEAD:
                continue  # the cue's last character and the "surname" are a word: 致富, 致信, 致谢, 致贺词
            if text[i : i + 2] in self.compound_surnames and i + 3 <= run_end:
                j = i + 2
                while j < min(i + 4, run_end) and text[j] not in _NOT_GIVEN:
                    j += 1
                if j > i + 2:
                    yield Span(i, j, PERSON_NAME, text[i:j])  # 主讲人：诸葛华鸣, 买家：慕容强国
                    continue
            if text[i] in self.initials:
                j = i + 1
                while j < min(i + 3, run_end) and text[j] not in _NOT_GIVEN:
                    j += 1
                word = text[i:j]
                # Not when its first two characters are a dictionary word that is no name (卡号 after "thanks",
                # 关系 after 记者).
                if (j > i + 1 and (self._tagged_name(word) or self._is_name_word(word))
                        and (self._is_name_word(word[:2]) or (j == run_end and self._rare_place(word[:2])))
                        and not self._word_char_then_word(word)):
                    yield Span(i, j, PERSON_NAME, word)
        for e in cues.after_in(run_start + 3, run_end):
            n = next((n for n in (4, 3) if e - n >= run_start and text[e - n : e - n + 2] in self.compound_surnames
                      and not any(c in _NOT_GIVEN for c in text[e - n + 2 : e])), 0)
            if n:
                yield Span(e - n, e, PERSON_NAME, text[e - n : e])  # 上官涵老师, 欧阳明说
        for e in cues.after_in(run_start + 2, run_end):
            for n in (3, 2):
                i = e - n
                word = text[i:e]
                if (i >= run_start and text[i] in self.initials and not any(c in _NOT_GIVEN for c in word[1:])
                        and self._is_name_word(word) and not self._word_ends_at(text, i, run_start)
                        and (n == 2 or (self._is_name_word(word[:2])  # 许多人说: 许多 is a word
                                        and not self._common_word(word[1:])))):  # 时介绍说: 介绍 is one
                    if n == 3 and text[i + 1] in self.common_surnames and text[i] not in self.common_surnames:
                        continue  # "好李明说": the name starts at the second character
                    yield Span(i, e, PERSON_NAME, word)
                    break

    def _common_word(self, w: str) -> bool:
        """A verb, function word or place word this common (`介绍`, `发现`, `空中`; not a noun or time word: 王 +
        国庆 is a name): the end of a three-character "name" before a verb of saying."""
        tag = self.tags.get(w)
        return tag is not None and (tag[1] in _FUNCTION_TAIL_TAGS or tag[1] == "s") and tag[0] >= _HEAD_WORD

    def _tagged_name(self, w: str) -> bool:
        """After a cue, a word the dictionary tags as a name is one, whatever it is made of (`收件人：王建军`: 建军 is
        also a common noun)."""
        tag = self.tags.get(w)
        return tag is not None and tag[1] in _NAME_TAGS and tag[0] < _COMMON_NAME_WORD

    def _word_char_then_word(self, word: str) -> bool:
        """A character that is mostly a word of its own (`来`, `有`) before a dictionary word that is no name
        (`签名来验证`: 来 + 验证)."""
        tag = self.tags.get(word[1:])
        return word[0] in self.word_chars and tag is not None and tag[1] not in _NAME_TAGS

    def _word_ends_at(self, text: str, i: int, run_start: int) -> bool:
        """The "surname" at `i` ends a common word with the character before it (`帖子里说`: 子 ends 帖子)."""
        return i > run_start and self.tags.get(text[i - 1 : i + 1], (0, ""))[0] >= _COMPOUND_HEAD

    def find(self, text: str, cues: _Cues, run_start: int, run: str) -> Iterator[Span]:
        yield from self.cued(text, cues, run_start, run_start + len(run))
        for s, e, known, free in self.candidates(run):
            bare = free and e - s == 2
            start, end = run_start + s, run_start + e
            if text[start - 1 : start] == "《" or text[end : end + 1] == "》":
                if not cues.around(text, start, end):
                    continue  # the title of a work (`《白门柳》`, `《黄梅歌》`), not a person, without a cue
            # a transliteration character beside it too: a piece of a foreign name (`朱兹` + `詹省`, `孟色` + `罗拉多`)
            if bare and self.transliteration.isdisjoint(text[max(0, start - 1) : end + 1]) and (
                    text[end - 1] not in self.place_finals) and not self._counted(text[max(0, start - 2) : start]):
                yield Span(start, end, PERSON_NAME, text[start:end])
                continue
            # A three-character word the dictionary does not know, starting with a common surname, stands alone
            # as a name; a two-character one is too often an ordinary word jieba did not know: it needs a cue
            # before or after it, or to be the whole field.
            if cues.around(text, start, end) or (e - s == 3 and ((known and text[start] not in self.word_chars) or (
                    text[start] in self.common_surnames and text[start] not in self.word_chars) or (
                    free and not known and text[start] in self.name_surnames and self.hmm_name(text[start:end])))
                                                  and not self.transliteration.intersection(text[start + 1 : end])
                                                  and text[end - 1] not in self.place_finals
                                                  and not self.doubtful(text[start:end])
                                                  and (known or self.hmm_name(text[start:end]))):
                # (an unknown word without a cue stands as a name only when jieba's HMM reads it as one: `东券要`,
                # `关不掉`, `张餐券`, `双标间` are none; development set 7: fires on text without names -22%, names
                # found -4%)
                yield Span(start, end, PERSON_NAME, text[start:end])


# Administrative-division words that end place names and no given name (`宫城县`, `罗兹省`, `贾利州`, `白关镇`): grammar.
_PLACE_SUFFIXES = frozenset("省州县郡市区乡镇")


_ROLE_LABELS = ("seller", "buyer", "customer", "verkäufer", "käufer", "kunde", "kundin", "vendeur", "acheteur",
                "acheteuse", "client", "cliente", "顾客", "客户")
# Words around a name (zh, en, de, fr): hand-written, as no library lists them.  Before: roles and addressing;
# after: titles and verbs of saying.
_CUE_BEFORE_RE = re.compile(
    r"(?:联系人|收货人|收件人|寄件人|发件人|作者|买家|卖家|评价人|评论人|负责人|经办人|客服|店主|楼主|姓名|名字|感谢|谢谢|致|"
    r"记者|编辑|主持人|主讲人|讲师|担当|署名|签名|by|from|thanks|thank you|dear|kontakt|contact person|ansprechpartner|"
    r"interview mit|interview with|photo|foto|regards|grüße|cordialement|sincerely|von|par|de la part de|merci à|"
    r"merci|à|cheers|gracias|grazie|signed|signé|gez\.)[\s:：,，]{0,2}"
)
# `姓名`, `名字` label a name only with a separator or a copula after them (`名字：`, `名字叫`), not in `名字空间`: checked
# on each match (a look-ahead in the pattern would cost `re` its quick scan for first characters: 4 -> 10 us a text).
_LABEL_WORDS = ("姓名", "名字")
_LABEL_COPULAS = frozenset("叫是为")
# Role labels of shops and forums, only with a colon (`Seller: 吴杰`, `Käufer: 曹强`, `Acheteur : 王秀美`): the account
# cues leave a value that may be a real name to this finder (accounts._ROLE_CUES).  Matched from the colon back
# (look-behinds), only in text with a colon.
_ROLE_CUE_RE = re.compile(
    "[:：](?:" + "|".join(f"(?<={w}[:：])|(?<={w} [:：])" for w in _ROLE_LABELS) + r")[\s:：,，]{0,2}")
# Every alternative begins with a literal character (the look-behind after it, ` wrote|wrote` for `[ ]?wrote`): `re`
# then skips to the positions where one can start instead of trying the whole pattern at each (2 us a text instead
# of 9; same matches).
_CUE_AFTER_RE = re.compile(
    r"(?:先生|女士|小姐|老师|同学|经理|医生|教授|律师|师傅|阿姨|叔叔|表示(?![法式为成])|说(?<!来说)(?![明法服话])|写道|回复| wrote|wrote|"
    r" said|said| schrieb|schrieb| a écrit|a écrit|"
    # Japanese and Korean honorifics after a Chinese name (`胡涵轩さん`, `范飞 님이`): grammar.
    r"さん|さま|様(?![式子相])|님| 님|"
    # A birth year in brackets after a name, as biographies and encyclopedias write it (`柯惠玲（1972年－）`, folded).
    r"\((?:1[89]|20)[0-9]{2}(?:年|-|\)))"
)
# Characters that end a name when read after a cue: particles, verbs of saying and titles' first characters.
_NOT_GIVEN = frozenset("的地了说和在是也都很给对把被让向跟先女老同经医教律师阿叔总表认指称写回评发留等们啊呀吧呢吗，。、,.:;!? ")
_FIELD_SLACK = " \t:：,，.。!！"


class _Cues:
    """Where cues end (before a name) and start (after one) in a text: one scan each, then looked up by position."""

    __slots__ = ("after", "before")

    def __init__(self, text: str) -> None:
        low = text.lower()
        if len(low) != len(text):
            low = text  # a character that lower-cases to two would shift positions: match as written
        self.before = [m.end() + (m.group().startswith(_LABEL_WORDS) and m.end() == m.start() + 2)
                       for m in _CUE_BEFORE_RE.finditer(low) if not (
            m.group().startswith(_LABEL_WORDS) and m.end() == m.start() + 2 and low[m.end() : m.end() + 1]
            not in _LABEL_COPULAS)]  # after `名字叫` the name starts after the copula
        if ":" in low or "：" in low:
            roles = [m.end() for m in _ROLE_CUE_RE.finditer(low)]
            if roles:
                self.before = sorted(self.before + roles)
        self.after = [m.start() for m in _CUE_AFTER_RE.finditer(low)]

    @staticmethod
    def _between(positions: list[int], lo: int, hi: int) -> list[int]:
        return positions[bisect.bisect_left(positions, lo) : bisect.bisect_left(positions, hi)]

    def before_in(self, lo: int, hi: int) -> list[int]:
        return self._between(self.before, lo, hi)

    def after_in(self, lo: int, hi: int) -> list[int]:
        return self._between(self.after, lo, hi + 1)

    def around(self, text: str, start: int, end: int) -> bool:
        if len(text) - (end - start) <= 8 and not text[:start].strip(_FIELD_SLACK) and not text[end:].strip(
                _FIELD_SLACK):
            return True  # the whole field is the name
        return bool(self._between(self.before, start, start + 1) or self._between(self.after, end, end + 1))


# ---------------------------------------------------------------- entry point

_LOCK = threading.Lock()
_CHINESE: _Chinese | None = None
_LATIN: _Latin | None = None


def _chinese() -> _Chinese:
    global _CHINESE
    if _CHINESE is None:
        with _LOCK:
            if _CHINESE is None:
                with loading():
                    _CHINESE = _Chinese()
    return _CHINESE


def _latin() -> _Latin:
    global _LATIN
    if _LATIN is None:
        with _LOCK:
            if _LATIN is None:
                with loading():
                    _LATIN = _Latin()
    return _LATIN


# jieba segments a run of Han characters in one call; a longer run is cut into overlapping pieces so that the work
# budget and its CPU clock are consulted between calls (a long article cannot run past them).  Each piece costs
# 1 unit + 1 per 64 characters (~2.5 us a character).
_PIECE = 256
_OVERLAP = 4


_KANA_HONORIFICS = ("さん", "さま")


def _in_japanese(text: str, start: int, end: int) -> bool:
    """Kana within two characters of text[start:end] with no space between: Japanese writes no space between
    kanji and kana, and a space after a Japanese sentence begins another language's text (`…しています 感谢…`)."""
    before = text[max(0, start - 2) : start]
    after = text[end : end + 2]
    return (_KANA_RE.search(before.rsplit(None, 1)[-1] if before and not before[-1].isspace() else "") is not None
            or _KANA_RE.search(after.split(None, 1)[0] if after and not after[0].isspace() else "") is not None)


def chinese_name_initials() -> frozenset[str]:
    """The characters that most often begin a Chinese name (jieba's `B-nr` emissions), function words included."""
    return _chinese().name_initials


def find_person_names(text: str, spend: Callable[[int], None] | None = None) -> Iterator[Span]:
    """Person names in `text` (folded).  Latin names need an upper-case letter, Chinese names Han characters.
    `spend` is the work budget (`detect._Budget.spend`), charged per piece of Han text handed to jieba."""
    if not text.islower():
        yield from _latin().find(text)
    if not text.isascii():
        zh: _Chinese | None = None  # jieba loads for the first text with Han characters
        cues: _Cues | None = None
        kana = _KANA_RE.search(text) is not None
        simple = text  # traditional characters read as simplified ones (same offsets), for jieba's dictionary
        for m in _HAN_RUN_RE.finditer(text):
            run = m.group()
            if kana and _in_japanese(text, m.start(), m.end()) and not (
                    len(run) == 3 and text.startswith(_KANA_HONORIFICS, m.end())):
                continue  # kanji beside kana: Japanese, where jieba's words and surnames do not hold (but a
                # three-character Chinese name before `さん` is read: `胡涵轩さんのレビュー`; `田中さん` is left to the
                # Japanese finder, and Japanese text does not load jieba)
            if zh is None:
                zh = _chinese()
            if zh.initials.isdisjoint(run):
                continue
            if simple is text and not zh.traditional.isdisjoint(run):
                simple = text.translate(zh.to_simplified)  # once a text, when a run read here holds one
                cues = None
            if simple is not text:
                run = simple[m.start() : m.end()]
            if cues is None:
                cues = _Cues(simple)
            if len(run) == 2 and run[0] not in zh.name_surnames and not (
                    cues.before_in(m.start(), m.end()) or cues.after_in(m.end(), m.end())
                    or cues.around(simple, m.start(), m.end())):
                continue  # a two-character name needs a cue, or a surname of `name_surnames` (`_bare_pair`)
            for k in range(0, len(run), _PIECE - _OVERLAP):
                piece = run[k : k + _PIECE]
                if spend is not None:
                    spend(1 + len(piece) // 64)
                if simple is text:
                    yield from zh.find(text, cues, m.start() + k, piece)
                else:
                    yield from (Span(sp.start, sp.end, sp.type, text[sp.start : sp.end])
                                for sp in zh.find(simple, cues, m.start() + k, piece))
                if k + _PIECE >= len(run):
                    break
        built = cues if simple is text else None  # the Japanese and Korean finders read the text as written

        def cued(start: int, end: int) -> bool:
            """The cues around a Japanese or Korean name: read from the text only when a name needs them."""
            nonlocal built
            if built is None:
                built = _Cues(text)
            return built.around(text, start, end)

        yield from find_japanese_names(text, spend, cued)
        yield from find_korean_names(text, spend, cued)
