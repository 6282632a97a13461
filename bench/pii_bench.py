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

Scoring and timing: bench/pii_score.py.

A separate probe (its own random stream, so the corpus above does not change) checks EAN-13 barcodes of the GS1
prefixes 40-49 (Germany, Japan): about one in ten is also a Luhn-valid 13-digit "Visa" number, which only context
can tell apart.  They appear bare, after barcode words, in sentences, and printed 1-6-6; the count of those touched
is reported.
"""

from __future__ import annotations

import os
import random
import sys
import time
import unicodedata

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import phonenumbers  # noqa: E402
from faker import Faker  # noqa: E402
from pii_corpus import FULLWIDTH, styled_email, valid_number  # noqa: E402
from pii_score import PoliteTool, Text, main, overlaps  # noqa: E402

from politecrawl.pii import PIIFilter  # noqa: E402
from politecrawl.pii.patterns import cn_ric_valid, ean13_valid, luhn_valid  # noqa: E402

LOCALES = {"zh_CN": "CN", "en_US": "US", "en_GB": "GB", "de_DE": "DE", "fr_FR": "FR", "ja_JP": "JP", "ko_KR": "KR"}
NAME_LOCALES = ("zh_CN", "en_US", "en_GB", "de_DE", "fr_FR")  # Chinese and Latin-script names


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
            num = valid_number(raw, region)
            if num is None:
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
        addr = self.fakers[self.rng.choice(list(LOCALES))].email()
        return styled_email(self.rng, addr, [
            (0.75, lambda local, domain: f"{local}@{domain}"),
            (0.82, lambda local, domain: f"{local}＠{domain}"),
            (0.88, lambda local, domain: f"{local}(at){domain.replace('.', '(dot)')}"),
            (0.94, lambda local, domain: f"{self.rng.randint(10000, 999999999)}#qq.com"),
            (1.0, lambda local, domain: f"{local}@{domain.replace('.', '点')}"),
        ])

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


def filter_speed(corpus: list[Text]) -> float:
    f = PIIFilter()
    items = [{"title": "商品评价", "text": t.text, "price": 12.5, "sku": "A-1"} for t in corpus]
    t0 = time.process_time()
    for item in items:
        f.filter(item)
    return len(items) / (time.process_time() - t0)


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


def extra_lines(seed: int, corpus: list[Text]) -> list[str]:
    return [ean_probe(seed, PoliteTool()),
            f"PIIFilter on items (4 fields, text as above): {filter_speed(corpus):,.0f} items/s"]


if __name__ == "__main__":
    main(Corpus, [1, 2], __doc__, extra_lines)
