"""Held-out personal-data corpus: other templates, other phrasing, other sources of names and numbers than
bench/pii_bench.py.  Never tuned against: generate it, read only its scores.

    pip install -e ".[bench]"
    taskset -c 0 python bench/pii_holdout.py --seed 11 --seed 12 --texts 5000

Sources: mimesis (names in zh, en, de, fr, es, it; user names; sentences; IPv4/IPv6; card numbers; e-mail
addresses), phone numbers drawn digit by digit by mimesis into national masks of CN, US, GB, DE, FR, JP, KR and IN
and kept when phonenumbers calls them valid in that region (the same labelling rule as the first corpus), CN
resident IDs and IBANs built here (random area, birth date and sequence, check character computed; German and
French account numbers, ISO 7064 check digits), US SSNs from the SSA's rules.  Texts are forum posts, order
e-mails, profile blurbs and log lines, written in other words than the first corpus.  Scoring and timing are
bench/pii_score.py (same tools, same interleaving).
"""

from __future__ import annotations

import datetime
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from mimesis import Internet, Locale, Payment, Person, Text as MText  # noqa: E402
from mimesis.enums import CardType  # noqa: E402
from pii_corpus import FULLWIDTH, styled_email, valid_number  # noqa: E402
from pii_score import Text, main  # noqa: E402

NAME_LOCALES = (Locale.ZH, Locale.EN, Locale.DE, Locale.FR, Locale.ES, Locale.IT)
TEXT_LOCALES = (Locale.ZH, Locale.EN, Locale.DE, Locale.FR, Locale.JA, Locale.KO)
# National masks (# = a digit from mimesis); kept only when phonenumbers calls the number valid in the region.
PHONE_MASKS = {
    "CN": ["13#########", "15#########", "18#########", "17#########", "199########", "010-########",
           "021 ########", "0755-#######"],
    "US": ["(###) ###-####", "###-###-####", "###.###.####", "+1 ### ### ####", "1-###-###-####"],
    "GB": ["07### ######", "020 #### ####", "0121 ### ####", "+44 7### ######", "01### ######"],
    "DE": ["0### #######", "01## ########", "+49 ### #######", "0#### ######", "+49 (0)### ######"],
    "FR": ["0# ## ## ## ##", "+33 # ## ## ## ##", "0#.##.##.##.##", "0#########"],
    "JP": ["0#-####-####", "090-####-####", "080 #### ####", "+81 ##-####-####", "0###-##-####"],
    "KR": ["010-####-####", "02-###-####", "+82 10-####-####", "031-###-####"],
    "IN": ["+91 ##### #####", "9#########", "0## ########", "+91-9#########"],
}
RIC_W = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


class HoldoutCorpus:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(f"holdout-{seed}")
        s = seed * 1000 + 7
        # In a fixed order: a set of enums iterates in an order that changes with the process's hash seed.
        locales = sorted(set(NAME_LOCALES) | set(TEXT_LOCALES), key=lambda loc: loc.value)
        self.person = {loc: Person(loc, seed=s + i) for i, loc in enumerate(locales)}
        self.text = {loc: MText(loc, seed=s + 50 + i) for i, loc in enumerate(TEXT_LOCALES)}
        self.net = Internet(seed=s + 90)
        self.pay = Payment(seed=s + 91)

    # ------------------------------------------------------------ values
    def _digits(self, mask: str) -> str:
        return "".join(str(self.rng.randint(0, 9)) if c == "#" else c for c in mask)

    def phone(self) -> str:
        rng = self.rng
        region = rng.choice(list(PHONE_MASKS))
        for _ in range(400):
            written = self._digits(rng.choice(PHONE_MASKS[region]))
            if valid_number(written.replace("(0)", ""), region, also=("CA", "JE", "GG", "IM")) is None:
                continue
            r = rng.random()
            if region == "US" and r < 0.15:
                written += rng.choice(["x", " x", " ext. ", " ext "]) + str(rng.randint(1, 9999))
            elif region in ("CN", "JP") and r < 0.12:
                written = written.translate(FULLWIDTH)
            return written
        return "13912345678"

    def email(self) -> str:
        rng = self.rng
        addr = self.person[rng.choice(NAME_LOCALES)].email()
        return styled_email(rng, addr, [
            (0.7, lambda local, domain: f"{local}@{domain}"),
            (0.78, lambda local, domain: f"{local} at {domain.replace('.', ' dot ')}"),
            (0.85, lambda local, domain: f"{local}[at]{domain}"),
            (0.92, lambda local, domain: f"{local}＠{domain}"),
            (1.0, lambda local, domain: f"{rng.randint(100000, 3999999999)}@qq.com"),
        ])

    def cn_id(self) -> str:
        rng = self.rng
        area = f"{rng.choice([11, 12, 13, 31, 32, 33, 35, 37, 41, 42, 44, 50, 51, 53, 61, 62])}{rng.randint(1, 99):02d}" \
               f"{rng.randint(1, 30):02d}"
        born = datetime.date(1950, 1, 1) + datetime.timedelta(days=rng.randint(0, 20000))
        body = f"{area}{born:%Y%m%d}{rng.randint(0, 999):03d}"
        total = sum(int(c) * w for c, w in zip(body, RIC_W))
        number = body + "10X98765432"[total % 11]
        return number if rng.random() < 0.85 else f"{number[:6]} {number[6:14]} {number[14:]}"

    def card(self) -> str:
        kind = self.rng.choice([CardType.VISA, CardType.MASTER_CARD, CardType.AMERICAN_EXPRESS])
        d = self.pay.credit_card_number(kind)  # grouped with spaces by mimesis
        r = self.rng.random()
        if r < 0.4:
            return d.replace(" ", "")
        if r < 0.6:
            return d.replace(" ", "-")
        return d

    def iban(self) -> str:
        rng = self.rng
        country, bban = rng.choice([("DE", f"{rng.randint(10**17, 10**18 - 1)}"),
                                    ("FR", f"{rng.randint(10**22, 10**23 - 1)}")])
        n = int("".join(str(int(c, 36)) for c in bban + country + "00"))
        iban = f"{country}{98 - n % 97:02d}{bban}"
        return iban if rng.random() < 0.5 else " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))

    def ip(self) -> str:
        return self.net.ip_v4() if self.rng.random() < 0.75 else self.net.ip_v6()

    def ssn(self) -> str:
        rng = self.rng
        area = rng.choice([rng.randint(1, 665), rng.randint(667, 899)])
        d = f"{area:03d}{rng.randint(1, 99):02d}{rng.randint(1, 9999):04d}"
        return f"{d[:3]}-{d[3:5]}-{d[5:]}"

    def person_name(self) -> str:
        loc = self.rng.choice(NAME_LOCALES)
        p = self.person[loc]
        if loc == Locale.ZH:
            return p.full_name(reverse=True).replace(" ", "")
        return p.full_name()

    def nickname(self) -> str:
        rng = self.rng
        r = rng.random()
        if r < 0.55:
            return self.person[rng.choice(TEXT_LOCALES)].username(mask=rng.choice(["l_d", "ld", "l.l", "Cl", "U_d"]))
        if r < 0.75:
            return f"{rng.choice(['微博用户', '用户', '手机用户'])}{rng.randint(10**6, 10**10)}"
        return rng.choice([f"jd_{rng.getrandbits(44):x}", f"tb{rng.randint(10**6, 10**9)}_{rng.randint(0, 99)}",
                           f"qq_{rng.randint(10**7, 10**9)}", f"bili_{rng.randint(10**5, 10**9)}"])

    def user_id(self) -> str:
        return str(self.rng.randint(10**4, 10**12))

    MAKE = {"phone": 5, "email": 3, "cn_resident_id": 2, "payment_card": 2, "iban": 1, "ip": 1, "national_id": 1,
            "person_name": 3, "nickname": 2, "user_id": 2}
    TEMPLATES = {
        "phone": ["有事打我电话 {}", "Rufen Sie mich an unter {}", "mon portable : {}", "reach me on {} after 6pm",
                  "联系方式{}（微信同号）", "携帯：{}", "연락처 {}", "Phone {}", "{} (mobile)"],
        "email": ["send your CV to {}", "邮件发到{}", "E-Mail-Adresse: {}", "écrivez-moi à {}", "メール {}", "{}"],
        "cn_resident_id": ["身份证号码 {}", "证件号：{}", "ID {}", "{}"],
        "payment_card": ["paid with card {}", "信用卡 {} 已扣款", "Kreditkarte {}", "carte bancaire {}", "{}"],
        "iban": ["Überweisung an {}", "IBAN: {}", "virement sur {}", "{}"],
        "ip": ["login from {}", "来自 {} 的访问", "Zugriff von {}", "client={}", "{} - - [GET /]"],
        "national_id": ["SSN {}", "social security no. {}", "{}"],
        "person_name": ["— {}", "{} 发表于 2023-04-01", "Beitrag von {}", "posted by {}", "作者：{}",
                        "signé {}", "{}，", "Gracias, {}", "Cheers, {}", "买家{}评价道"],
        "nickname": ["网名叫{}", "ID：{}", "by @{}", "Pseudo : {}", "Benutzer {} schrieb", "ニックネーム：{}",
                     "닉네임: {}", "{}"],
        "user_id": ["UID:{}", "用户编号{}", "member #{}", "Kunden-Nr. {}", "会員番号 {}", "회원번호 {}",
                    "https://example.com/user/{}", "https://weibo.com/u/{}", "user_id={}"],
    }

    def positive(self) -> tuple[str, str, str]:
        kind = self.rng.choices(list(self.MAKE), weights=list(self.MAKE.values()))[0]
        value = {"phone": self.phone, "email": self.email, "cn_resident_id": self.cn_id, "payment_card": self.card,
                 "iban": self.iban, "ip": self.ip, "national_id": self.ssn, "person_name": self.person_name,
                 "nickname": self.nickname, "user_id": self.user_id}[kind]()
        template = self.rng.choice(self.TEMPLATES[kind])
        if kind == "nickname" and template == "{}" and not value.startswith(("用户", "微博", "手机", "jd_", "tb", "qq_",
                                                                             "bili_")):
            template = "ID：{}"
        return kind, value, template

    # ------------------------------------------------------------ hard negatives
    def negative(self) -> tuple[str, str, str]:
        rng = self.rng
        kind = rng.choice(["epoch", "epoch_ms", "user_agent", "version", "tracking", "order", "price", "date",
                           "product_url", "zip"])
        if kind == "epoch":
            return kind, str(rng.randint(1_200_000_000, 1_900_000_000)), rng.choice(["created_at={}", "ts {}", "{}"])
        if kind == "epoch_ms":
            return kind, str(rng.randint(1_200_000_000_000, 1_900_000_000_000)), rng.choice(["t={}", "{}"])
        if kind == "user_agent":
            v = f"{rng.randint(90, 130)}.0.{rng.randint(4000, 6999)}.{rng.randint(10, 250)}"
            return kind, f"Chrome/{v}", "UA Mozilla/5.0 (X11; Linux x86_64) {} Safari/537.36"
        if kind == "version":
            v = ".".join(str(rng.randint(0, 30)) for _ in range(4))
            return kind, v, rng.choice(["升级到 {} 后闪退", "after updating to {}", "Build {}", "固件 {}", "{}"])
        if kind == "tracking":
            return kind, rng.choice([f"SF{rng.randint(10**11, 10**12)}", f"JDV{rng.randint(10**11, 10**12)}",
                                     f"1Z{rng.randint(10**15, 10**16)}", f"YT{rng.randint(10**15, 10**16)}",
                                     str(rng.randint(10**11, 10**13))]), rng.choice(
                ["快递单号{}", "tracking: {}", "Sendungsnummer {}", "numéro de suivi {}", "追跡番号 {}", "{}"])
        if kind == "order":
            while True:  # a Luhn-valid number in a card range: only its context says it is an order
                d = rng.choice("3456") + "".join(str(rng.randint(0, 9)) for _ in range(15))
                total = sum((int(c) * 2 - 9 if int(c) * 2 > 9 else int(c) * 2) if i % 2 else int(c)
                            for i, c in enumerate(reversed(d)))
                if total % 10 == 0:
                    break
            return kind, d, rng.choice(["订单编号：{}", "Order No. {}", "Bestell-Nr. {}", "commande n° {}",
                                        "注文ID {}", "주문 번호 {}", "订单{}已发货"])
        if kind == "price":
            v = rng.randint(100, 9_999_999) / 100
            return kind, rng.choice([f"{v:,.2f} €", f"CNY {v:.2f}", f"US${v:,.2f}", f"{int(v):,}円", f"₩{int(v) * 10:,}"]), \
                rng.choice(["总价 {}", "Preis: {}", "only {}", "{}"])
        if kind == "date":
            d = datetime.date(2000, 1, 1) + datetime.timedelta(days=rng.randint(0, 9500))
            return kind, rng.choice([f"{d:%d/%m/%Y}", f"{d:%Y.%m.%d}", f"{d:%m-%d-%Y}", f"{d:%Y%m%d}",
                                     f"{d:%d.%m.%y} {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}"]), \
                rng.choice(["发布于 {}", "am {}", "le {}", "{}"])
        if kind == "product_url":
            return kind, rng.choice([f"https://item.jd.com/{rng.randint(10**9, 10**13)}.html",
                                     f"https://detail.tmall.com/item.htm?id={rng.randint(10**10, 10**12)}",
                                     f"https://www.amazon.de/dp/B0{rng.randint(10**7, 10**8)}",
                                     f"https://www.example.fr/produit/{rng.randint(10**8, 10**11)}"]), "{}"
        return kind, rng.choice([f"{rng.randint(10000, 99999)}", f"{rng.randint(100000, 999999)}"]), rng.choice(
            ["PLZ {}", "邮编{}", "code postal {}", "{}"])

    # ------------------------------------------------------------ texts
    def make(self, n: int) -> list[Text]:
        out = []
        for _ in range(n):
            t = Text("")
            if self.rng.random() < 0.35:  # one field value
                if self.rng.random() < 0.5:
                    kind, v, tpl = self.positive()
                    before, after = tpl.split("{}")
                    t.text = before + v + after
                    t.labels.append((len(before), len(before) + len(v), kind))
                else:
                    kind, v, tpl = self.negative()
                    before, after = tpl.split("{}")
                    t.text = before + v + after
                    t.negatives.append((len(before), len(before) + len(v), kind))
                out.append(t)
                continue
            pieces = [(self.text[self.rng.choice(TEXT_LOCALES)].sentence(), None, None, False)
                      for _ in range(self.rng.randint(1, 2))]
            pieces += [(*self.positive(), False) for _ in range(self.rng.randint(0, 3))]
            pieces += [(*self.negative(), True) for _ in range(self.rng.randint(0, 3))]
            self.rng.shuffle(pieces)
            text = ""
            for piece in pieces:
                sep = self.rng.choice([" ", "\n", "；", " | "]) if text else ""
                if piece[1] is None:
                    text += sep + piece[0]
                    continue
                kind, v, tpl, negative = piece
                before, after = tpl.split("{}")
                start = len(text) + len(sep) + len(before)
                text += sep + before + v + after
                (t.negatives if negative else t.labels).append((start, start + len(v), kind))
            t.text = text
            out.append(t)
        return out


if __name__ == "__main__":
    main(HoldoutCorpus, [11, 12], __doc__)
