"""Personal-data detection benchmark: politecrawl.pii against Presidio's analyzer (pattern recognizers only).

    pip install -e ".[bench]"
    python bench/pii_bench.py --seed 1 --seed 2 --texts 5000

A labeled corpus is generated at run time from the seed with Faker (zh_CN, en_US, en_GB, de_DE, fr_FR, ja_JP,
ko_KR): short fields holding one value, and review-like texts mixing Chinese and English with 0-3 personal values
(phones, e-mails, IDs, cards, IBANs, IPs, SSNs, and with their cues person names, nicknames and user IDs)
and 0-3 hard negatives (order numbers, 14-digit timestamps, prices, SKUs, 11-digit numbers that are not mobiles,
18-digit numbers with a bad ID check character, ISBNs, dates, version strings).  Phone labels are Faker numbers
that are valid in their own region's numbering plan (phonenumbers metadata): Faker also makes numbers with area
codes that do not exist, and those reach no one.

A label is recalled when a detection of the same type overlaps it; a detection is correct when it overlaps a label
of its type.  A hard negative is "touched" when any detection overlaps it.

Speed is texts/s of CPU time on one core, after a warm-up.  The tools take turns on the same 250-text chunks (the
order alternating chunk by chunk), so that load from other processes falls on both alike; this is repeated
`--runs` times and the median texts/s and the median ratio are reported.

A separate probe (its own random stream, so the corpus above does not change) checks EAN-13 barcodes of the GS1
prefixes 40-49 (Germany, Japan): about one in ten is also a Luhn-valid 13-digit "Visa" number, which only context
can tell apart.  They appear bare, after barcode words, in sentences, and printed 1-6-6; the count of those touched
is reported.
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import statistics
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

# Presidio's e-mail recognizer calls tldextract, whose default extractor would fetch the Public Suffix List;
# an empty URL list keeps it on the bundled snapshot (as politecrawl.sites does).
os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")

import phonenumbers  # noqa: E402
from faker import Faker  # noqa: E402

from politecrawl.pii import Detector, PIIFilter  # noqa: E402
from politecrawl.pii.patterns import cn_ric_valid, ean13_valid, luhn_valid  # noqa: E402

LOCALES = {"zh_CN": "CN", "en_US": "US", "en_GB": "GB", "de_DE": "DE", "fr_FR": "FR", "ja_JP": "JP", "ko_KR": "KR"}
TYPES = ("phone", "email", "cn_resident_id", "payment_card", "iban", "ip", "national_id", "person_name", "nickname",
         "user_id")
NAME_LOCALES = ("zh_CN", "en_US", "en_GB", "de_DE", "fr_FR")  # Chinese and Latin-script names
FULLWIDTH = str.maketrans("0123456789+", "０１２３４５６７８９＋")


@dataclass
class Text:
    text: str
    labels: list[tuple[int, int, str]] = field(default_factory=list)
    negatives: list[tuple[int, int, str]] = field(default_factory=list)


class Corpus:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.fakers = {}
        for i, loc in enumerate(LOCALES):
            f = Faker(loc)
            f.seed_instance(seed * 100 + i)
            self.fakers[loc] = f

    # ---------------------------------------------------------------- positives
    def phone(self) -> str:
        rng = self.rng
        loc = rng.choice(list(LOCALES))
        region = LOCALES[loc]
        for _ in range(50):
            raw = self.fakers[loc].phone_number()
            try:
                num = phonenumbers.parse(raw, region)
            except phonenumbers.NumberParseException:
                continue
            if not phonenumbers.is_valid_number(num):
                continue
            style = rng.random()
            if style < 0.4:
                return raw.split("x")[0].strip()  # Faker's own format (extensions cut)
            if style < 0.6:
                return phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.NATIONAL)
            if style < 0.8:
                return phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
            if style < 0.9:
                return phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)
            if region == "CN":
                nat = str(num.national_number)
                return rng.choice([nat.translate(FULLWIDTH), "0086 " + nat, f"{nat[:3]} {nat[3:7]} {nat[7:]}"])
            return phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.NATIONAL).replace(" ", "-")
        raise RuntimeError("no valid phone from Faker")

    def email(self) -> str:
        f = self.fakers[self.rng.choice(list(LOCALES))]
        addr = f.email()
        local, domain = addr.split("@")
        style = self.rng.random()
        if style < 0.75:
            return addr
        if style < 0.82:
            return f"{local}＠{domain}"
        if style < 0.88:
            return f"{local}(at){domain.replace('.', '(dot)')}"
        if style < 0.94:
            return f"{self.rng.randint(10000, 999999999)}#qq.com"
        return f"{local}@{domain.replace('.', '点')}"

    def cn_id(self) -> str:
        s = self.fakers["zh_CN"].ssn()
        return s if self.rng.random() < 0.9 else s.translate(FULLWIDTH)

    def card(self) -> str:
        f = self.fakers[self.rng.choice(list(LOCALES))]
        d = f.credit_card_number()
        style = self.rng.random()
        if style < 0.5:
            return d
        sep = " " if style < 0.8 else "-"
        if len(d) == 15:
            return sep.join([d[:4], d[4:10], d[10:]])
        return sep.join(d[i : i + 4] for i in range(0, len(d), 4))

    def iban(self) -> str:
        f = self.fakers[self.rng.choice(["de_DE", "fr_FR", "en_GB"])]
        i = f.iban()
        return i if self.rng.random() < 0.5 else " ".join(i[k : k + 4] for k in range(0, len(i), 4))

    def ip(self) -> str:
        f = self.fakers["en_US"]
        return f.ipv4() if self.rng.random() < 0.7 else f.ipv6()

    def national_id(self) -> str:
        return self.fakers["en_US"].ssn()

    def person_name(self) -> str:
        return self.fakers[self.rng.choice(NAME_LOCALES)].name()

    def nickname(self) -> str:
        rng = self.rng
        style = rng.random()
        if style < 0.6:
            return self.fakers[rng.choice(list(LOCALES))].user_name()
        digits = str(rng.randint(10**7, 10**10))
        return rng.choice([f"用户{digits}", f"jd_{rng.getrandbits(40):x}", f"tb{digits}", f"手机用户{digits[:4]}"])

    def user_id(self) -> str:
        return str(self.rng.randint(10**5, 10**11))

    POSITIVE = {"phone": 5, "email": 3, "cn_resident_id": 2, "payment_card": 2, "iban": 1, "ip": 1, "national_id": 1,
                "person_name": 3, "nickname": 2, "user_id": 2}
    # The new kinds are only recognisable with a cue (a nickname alone is any word): they get their own templates,
    # also in short fields.  Platform default nicknames (用户…, jd_…) go bare or after a cue alike.
    TEMPLATES_KIND = {
        "person_name": ["{}", "评价人：{}", "{}说很好用", "感谢{}的推荐", "Reviewed by {}", "{} wrote:", "Kontakt: {}",
                        "merci à {}", "thanks {}!", "联系人 {}"],
        "nickname": ["昵称：{}", "@{}", "nickname: {}", "用户名：{}", "{} 回复", "username: {}"],
        "user_id": ["uid {}", "用户ID：{}", "user id {}", "会员号 {}", "weibo.com/u/{}", "Kundennummer {}"],
    }

    def positive(self) -> tuple[str, str]:
        kind = self.rng.choices(list(self.POSITIVE), weights=list(self.POSITIVE.values()))[0]
        make = {"phone": self.phone, "email": self.email, "cn_resident_id": self.cn_id, "payment_card": self.card,
                "iban": self.iban, "ip": self.ip, "national_id": self.national_id, "person_name": self.person_name,
                "nickname": self.nickname, "user_id": self.user_id}[kind]
        return kind, make()

    # ---------------------------------------------------------------- hard negatives
    def negative(self) -> tuple[str, str]:
        rng = self.rng
        kind = rng.choice(["order", "timestamp", "price", "sku", "eleven", "bad_id", "isbn", "date", "version"])
        if kind == "order":
            n = rng.choice([12, 16, 18, 19, 20])
            return kind, rng.choice(["", "ORD-", "NO."]) + str(rng.randint(10 ** (n - 1), 10**n - 1))
        if kind == "timestamp":
            y, mo, d = rng.randint(2015, 2026), rng.randint(1, 12), rng.randint(1, 28)
            return kind, f"{y}{mo:02d}{d:02d}{rng.randint(0, 23):02d}{rng.randint(0, 59):02d}{rng.randint(0, 59):02d}"
        if kind == "price":
            v = rng.randint(1, 999999) / 100
            return kind, rng.choice([f"¥{v:,.2f}", f"${v:.2f}", f"€ {v:.2f}".replace(".", ","), f"{v}元", f"{int(v)}円"])
        if kind == "sku":
            a = "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(rng.randint(1, 3)))
            return kind, f"{a}{rng.randint(100, 99999)}-{rng.randint(10, 9999)}" + rng.choice(["", "-X", "/B"])
        if kind == "eleven":
            return kind, rng.choice(["10", "11"]) + "".join(str(rng.randint(0, 9)) for _ in range(9))
        if kind == "bad_id":
            while True:
                s = self.fakers["zh_CN"].ssn()
                bad = s[:17] + rng.choice([c for c in "0123456789X" if c != s[17]])
                if not cn_ric_valid(bad):
                    return kind, bad
        if kind == "isbn":
            f = self.fakers["en_US"]
            return kind, rng.choice([f.isbn13(), f.isbn10(), f.isbn13().replace("-", "")])
        if kind == "date":
            y, mo, d = rng.randint(1990, 2026), rng.randint(1, 12), rng.randint(1, 28)
            return kind, rng.choice([f"{y}-{mo:02d}-{d:02d}", f"{y}/{mo:02d}/{d:02d} {rng.randint(0, 23):02d}:30",
                                     f"{d:02d}.{mo:02d}.{y}", f"{y}年{mo}月{d}日"])
        parts = [str(rng.randint(0, 20)) for _ in range(rng.choice([3, 4]))]
        if rng.random() < 0.5:
            parts[-1] = str(rng.randint(1000, 9999))
        return kind, rng.choice(["v", "version ", "版本 ", ""]) + ".".join(parts)

    # ---------------------------------------------------------------- texts
    TEMPLATES_POS = ["联系我{}", "手机：{}", "call me at {}", "contact: {} thanks", "电话{}谢谢", "邮箱 {}", "{}",
                     "mail {} pls", "卡号 {} 已绑定", "IP {} 登录", "号码是{}，", "Tel. {}"]
    TEMPLATES_NEG = ["订单号 {}", "Order #{}", "价格 {}", "SKU {}", "{} 下单", "ISBN {}", "日期 {}", "{}",
                     "更新到 {} 了", "Bestellnummer {}", "注文番号 {}", "주문번호 {}"]

    def make(self, n: int) -> list[Text]:
        out = []
        for _ in range(n):
            t = Text("")
            if self.rng.random() < 0.4:  # a short field: one value
                if self.rng.random() < 0.5:
                    kind, v = self.positive()
                    before, after = self.rng.choice(self.TEMPLATES_KIND.get(kind, ["{}"])).split("{}")
                    if kind == "nickname" and v.startswith(("用户", "jd_", "tb", "手机用户")):
                        before, after = "", ""
                    t.text, t.labels = before + v + after, [(len(before), len(before) + len(v), kind)]
                else:
                    kind, v = self.negative()
                    t.text, t.negatives = v, [(0, len(v), kind)]
                out.append(t)
                continue
            pieces: list[tuple[str, str | None, str | None]] = []  # (text, label kind, negative kind)
            for _ in range(self.rng.randint(1, 3)):
                f = self.fakers[self.rng.choice(list(LOCALES))]
                pieces.append((f.sentence(), None, None))
            for _ in range(self.rng.randint(0, 3)):
                kind, v = self.positive()
                pieces.append((v, kind, self.rng.choice(self.TEMPLATES_KIND.get(kind, self.TEMPLATES_POS))))
            for _ in range(self.rng.randint(0, 3)):
                kind, v = self.negative()
                pieces.append(("\x00" + v, kind, self.rng.choice(self.TEMPLATES_NEG)))
            self.rng.shuffle(pieces)
            text = ""
            for value, kind, template in pieces:
                sep = self.rng.choice([" ", "", "，", ". "]) if text else ""
                head = (template.split("{}")[0] if template else "") + value.lstrip("\x00")
                if sep == "" and head and text and _latin_or_digit(text[-1]) and _latin_or_digit(head[0]):
                    sep = " "  # no one writes two Latin words or numbers run together
                if kind is None:
                    text += sep + value
                    continue
                negative = value.startswith("\x00")
                value = value.lstrip("\x00")
                before, after = template.split("{}")
                start = len(text) + len(sep) + len(before)
                text += sep + before + value + after
                (t.negatives if negative else t.labels).append((start, start + len(value), kind))
            t.text = text
            out.append(t)
        return out


def _latin_or_digit(c: str) -> bool:
    c = unicodedata.normalize("NFKC", c)
    return c.isascii() and c.isalnum()


# -------------------------------------------------------------------- tools

class PoliteTool:
    name = "politecrawl.pii"

    def __init__(self) -> None:
        self.detector = Detector()

    def detect(self, text: str) -> list[tuple[int, int, str]]:
        return [(s.start, s.end, s.type) for s in self.detector.find(text)]


class PresidioTool:
    name = "presidio pattern-only"
    MAP = {"PHONE_NUMBER": "phone", "EMAIL_ADDRESS": "email", "CREDIT_CARD": "payment_card", "IBAN_CODE": "iban",
           "IP_ADDRESS": "ip", "US_SSN": "national_id"}

    def __init__(self) -> None:
        from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
        from presidio_analyzer.nlp_engine.no_op_nlp_engine import NoOpNlpEngine
        from presidio_analyzer.predefined_recognizers import PhoneRecognizer

        logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)
        reg = RecognizerRegistry()
        reg.load_predefined_recognizers(languages=["en"])
        reg.remove_recognizer("SpacyRecognizer")
        reg.remove_recognizer("PhoneRecognizer")
        reg.add_recognizer(PhoneRecognizer(supported_regions=("CN", "US", "GB", "DE", "FR", "JP", "KR", "IN")))
        self.engine = AnalyzerEngine(registry=reg, nlp_engine=NoOpNlpEngine(models=[{"lang_code": "en",
                                                                                      "model_name": "none"}]),
                                     supported_languages=["en"])
        self.entities = list(self.MAP)

    def detect(self, text: str) -> list[tuple[int, int, str]]:
        return [(r.start, r.end, self.MAP[r.entity_type])
                for r in self.engine.analyze(text, language="en", entities=self.entities)]


# -------------------------------------------------------------------- scoring

def overlaps(a: tuple[int, int, str], b: tuple[int, int, str]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def score(tool, corpus: list[Text]) -> dict:
    found = []
    for t in corpus:
        try:
            found.append(tool.detect(t.text))
        except Exception:  # noqa: BLE001 - an unscannable text counts as no detection here
            found.append([])
    labels, hits, dets, good = Counter(), Counter(), Counter(), Counter()
    negatives, touched = 0, Counter()
    for t, det in zip(corpus, found):
        for lab in t.labels:
            labels[lab[2]] += 1
            hits[lab[2]] += any(d[2] == lab[2] and overlaps(d, lab) for d in det)
        for d in det:
            dets[d[2]] += 1
            good[d[2]] += any(d[2] == lab[2] and overlaps(d, lab) for lab in t.labels)
        for neg in t.negatives:
            negatives += 1
            if any(overlaps(d, neg) for d in det):
                touched[neg[2]] += 1
    return {"labels": labels, "hits": hits, "dets": dets, "good": good, "negatives": negatives,
            "touched": touched}


def _detect_all(tool, texts: list[str]) -> None:
    for text in texts:
        try:
            tool.detect(text)
        except Exception:  # noqa: BLE001 - timed like any other text
            pass


def speeds(tools: list, corpus: list[Text], runs: int, chunk: int = 250) -> list[list[float]]:
    """texts/s per run and tool; the tools alternate on each chunk, the first tool changing chunk by chunk."""
    texts = [t.text for t in corpus]
    for tool in tools:
        _detect_all(tool, texts[:200])  # warm-up (lazy metadata)
    out = []
    for run in range(runs):
        seconds = [0.0] * len(tools)
        for k, c in enumerate(range(0, len(texts), chunk)):
            part = texts[c : c + chunk]
            order = list(range(len(tools)))
            if (k + run) % 2:
                order.reverse()
            for i in order:
                t0 = time.process_time()
                _detect_all(tools[i], part)
                seconds[i] += time.process_time() - t0
        out.append([len(texts) / s for s in seconds])
    return out


def filter_speed(corpus: list[Text]) -> float:
    f = PIIFilter()
    items = [{"title": "商品评价", "text": t.text, "price": 12.5, "sku": "A-1"} for t in corpus]
    t0 = time.process_time()
    for item in items:
        f.filter(item)
    return len(items) / (time.process_time() - t0)


def fmt(r: float | None) -> str:
    return "—" if r is None else f"{r:.3f}"


def ean_probe(seed: int, tool, n: int = 1000) -> str:
    rng = random.Random(f"ean-{seed}")
    fake = Faker("de_DE")
    fake.seed_instance(seed * 100 + 99)
    templates = ["{}", "EAN {}", "条码：{}", "GTIN: {}", "JAN {}", "商品 {} 库存 3", "Artikel {} auf Lager", "{} (EAN)",
                 "barcode {} ok"]
    touched = hard = hard_touched = 0
    for _ in range(n):
        code = fake.ean13(prefixes=(str(rng.randint(40, 49)),))
        assert ean13_valid(code)
        written = code if rng.random() < 0.8 else f"{code[0]} {code[1:7]} {code[7:]}"
        before, after = rng.choice(templates).split("{}")
        text = before + written + after
        span = (len(before), len(before) + len(written), "")
        hit = any(overlaps(d, span) for d in tool.detect(text))
        touched += hit
        if luhn_valid(code):
            hard += 1
            hard_touched += hit
    return (f"EAN-13 probe ({n} barcodes, GS1 40-49, bare / after barcode words / in sentences / printed 1-6-6): "
            f"{touched} touched; {hard} of them are also Luhn-valid 13-digit Visa numbers, {hard_touched} of "
            "those touched")


def report(seed: int, n: int, tools: list, runs: int, corpus_cls=None, probes: bool = True) -> str:
    corpus = (corpus_cls or Corpus)(seed).make(n)
    nlab = sum(len(t.labels) for t in corpus)
    nneg = sum(len(t.negatives) for t in corpus)
    lines = [f"### seed {seed}: {n} texts, {nlab} personal values, {nneg} hard negatives", "",
             "| tool | " + " | ".join(f"{t} P/R" for t in TYPES)
             + " | overall P/R | hard negatives touched | texts/s |",
             "|---" * (len(TYPES) + 4) + "|"]
    touched_detail = []
    per_run = speeds(tools, corpus, runs)
    median_tps = [statistics.median(r[i] for r in per_run) for i in range(len(tools))]
    for tool, tps in zip(tools, median_tps):
        s = score(tool, corpus)
        cells = []
        for typ in TYPES:
            p = s["good"][typ] / s["dets"][typ] if s["dets"][typ] else None
            r = s["hits"][typ] / s["labels"][typ] if s["labels"][typ] else None
            cells.append(f"{fmt(p)}/{fmt(r)}")
        overall = sum(s["good"].values()) / max(1, sum(s["dets"].values()))
        overall_r = sum(s["hits"].values()) / max(1, sum(s["labels"].values()))
        neg = sum(s["touched"].values()) / max(1, s["negatives"])
        lines.append(f"| {tool.name} | " + " | ".join(cells)
                     + f" | {overall:.3f}/{overall_r:.3f} | {neg:.2%} | {tps:,.0f} |")
        touched_detail.append(f"{tool.name}: " + (", ".join(f"{k} {v}" for k, v in s["touched"].most_common())
                                                 or "none"))
    lines += ["", "Hard negatives touched, by kind: " + "; ".join(touched_detail)]
    if len(tools) > 1:
        ratios = [r[0] / r[1] for r in per_run]
        lines.append(f"Speed ratio {tools[0].name} / {tools[1].name}: median {statistics.median(ratios):.2f}x over "
                     f"{runs} interleaved run(s) (each: " + ", ".join(f"{x:.2f}x" for x in ratios) + ")")
    if probes:
        lines += [ean_probe(seed, tools[0]),
                  f"PIIFilter on items (4 fields, text as above): {filter_speed(corpus):,.0f} items/s"]
    lines.append("")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, action="append", help="corpus seed (repeatable; default 1 and 2)")
    ap.add_argument("--texts", type=int, default=5000)
    ap.add_argument("--no-presidio", action="store_true")
    ap.add_argument("--runs", type=int, default=3, help="interleaved timing runs per seed (median reported)")
    args = ap.parse_args()
    tools: list = [PoliteTool()]
    if not args.no_presidio:
        tools.append(PresidioTool())
    for seed in args.seed or [1, 2]:
        print(report(seed, args.texts, tools, args.runs), flush=True)


if __name__ == "__main__":
    main()
