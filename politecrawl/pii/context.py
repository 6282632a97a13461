"""Context that makes a number not personal: a reference word before it (order, invoice, tracking ...), a
version word before a dotted quad, a URL around it (a product or page ID).  Pure functions of the text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from politecrawl.pii.normalize import fold_words
from politecrawl.pii.spans import Span

URL_ID = "url_id"  # a claimed span type (patterns.CLAIMED): keeps the phone and card detectors off, not reported

# ---------------------------------------------------------------- numbers in URLs (not personal: claimed)

_URL_RE = re.compile(r"(?:https?://|www\.|(?<![A-Za-z0-9@.\-])[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[a-z]{2,24}/)"
                     r"[A-Za-z0-9\-._~/?#\[\]@!$&'()*+,;=%:]*", re.ASCII)
_URL_NUMBER_RE = re.compile(r"(?<=[/=\-_.])[0-9]{6,}(?=$|[/?#&.\-_])", re.ASCII)
# A query key that says the value is a phone, card or ID: that number stays a candidate.
_PERSONAL_KEY_RE = re.compile(r"(?:tel|phone|mobile|mob|cell|fax|card|ssn|id_?card|sfz|shouji)=$", re.IGNORECASE)


def find_url_ids(text: str) -> Iterator[Span]:
    """Numbers in a URL's path or query (`item.jd.com/100012345678.html`, `?id=6571234567`): a product, item or
    page ID, not a phone or card; claimed so that those detectors leave them alone.  A number after a personal
    query key (`tel=`, `phone=` ...) is left to them."""
    for u in _URL_RE.finditer(text):
        url = u.group()
        for m in _URL_NUMBER_RE.finditer(url):
            if not _PERSONAL_KEY_RE.search(url[max(0, m.start() - 8) : m.start()]):
                yield Span(u.start() + m.start(), u.start() + m.end(), URL_ID, "")


# ---------------------------------------------------------------- reference context
# A number right after an order / reference / version word is that reference, not a card, phone or address.
# (Negative context; the checksummed CN resident ID and IBAN are not subject to it.)  A word may run on by a few
# letters (`orders`, `Bestellnummer`), but not `ref` (`refused`, `referer` are no reference words).
THING_WORDS = _REFERENCE_WORDS = (
    "订单", "单号", "编号", "运单", "快递", "发票", "型号", "版本", "order", "bestell", "commande", "注文", "주문",
    "invoice", "tracking", "sku", "isbn", "version", "序列号", "ord",
    # more ways of naming a transaction, shipment or article (zh, en, de, fr, ja, ko)
    "交易号", "流水号", "单据", "物流", "包裹", "货号", "商品编码", "批号", "退款", "售后", "transaction", "txn", "shipment",
    "waybill", "parcel", "consignment", "receipt", "reference", "ref(?:no|nr)?(?![a-z])", "item", "article", "artikel", "product",
    "auftrag", "rechnung", "sendung", "paket", "lieferschein", "vorgang", "facture", "colis", "référence", "reçu",
    "受注", "伝票", "問い合わせ", "追跡", "配送", "品番", "송장", "운송장", "주문서", "상품번호", "결제",
    # things with an ID of their own (a post's, an item's number is no phone)
    "商品", "帖子", "文章", "评论id", "视频", "话题", "post", "thread", "topic", "video", "beitrag", "produkt",
    "produit", "annonce", "投稿id", "記事", "게시글", "상품",
    # groups, rooms, processes and error codes (a QQ group's or a live room's number is no person's)
    "群号", "房间号", "直播间", "进程", "ticket", "error code", "fehlercode", "code d'erreur", "错误码", "エラーコード", "오류 코드",
)


_REFERENCE_TAIL_RE = re.compile(
    "(?<![a-z])(?:" + "|".join(_REFERENCE_WORDS) + r")[a-z]{0,8}[\s:#.\-]{0,3}(?:no\.?|nr\.?|n°|nº|number|nummer|numéro|id|号码?|番号|번호)?[\s:#.\-]{0,3}$"
)


# "NO.816365658239354858", "No.4240…": an abbreviation glued to a long number is a reference (a phone or card
# label would name the phone or card: "Tel. No. 138…" is not glued and names its kind).
_GLUED_NO_RE = re.compile(r"(?<![a-z])(?:no|nr|n°|№)\.?$")
_KIND_WORD_RE = re.compile(r"tel|phone|mobile|fax|card|karte|carte|手机|电话|卡")


def after_reference_word(text: str, start: int) -> bool:
    """Is the text just before `start` a reference word ("订单号 ", "Order #", "Bestellnummer: ")?"""
    before = text[max(0, start - 24) : start].lower()
    if _REFERENCE_TAIL_RE.search(before) is not None:
        return True
    return _GLUED_NO_RE.search(before) is not None and _KIND_WORD_RE.search(before) is None


# ---------------------------------------------------------------- version words

# Four-part version numbers look like IPv4 addresses; a version word just before the candidate rules it out.
# Whole words only: "ver " is inside "server ", "over ", "whatever ".
_VERSION_WORD_RE = re.compile(fold_words(
    r"(?<![a-z])(?:version|ver\.?|release[ds]?|build|firmware|update[ds]?|updating|upgrade[ds]?|upgrading|patch|"
    r"chrome|firefox|safari|android|ios|edge|windows|macos|kernel)(?![a-z])|版本|升级|更新|バージョン|アップデート|버전|업데이트"
))


def after_version_word(text: str, start: int, glued_only: bool = False) -> bool:
    """A version word within 14 characters before `start`, or a `v` or `/` glued to it (`glued_only`: only
    that)."""
    if start and text[start - 1] in "vV/":
        return True  # v1.2.3.4, Chrome/109.0.4366.130
    if glued_only:
        return False
    # A few characters more than the 14 searched, so that "(?<![a-z])" sees a word's start ("AutoRemover »
    # referer 1.2.3.4": no "ver" there).
    window = text[max(0, start - 20) : start].lower()
    return _VERSION_WORD_RE.search(window, max(0, len(window) - 14)) is not None


def version_shaped(address: str) -> bool:
    """Four small parts ("3.14.0.2", "12.17.19.12", "1.28.3.30"): how versions are numbered; a host address with
    every octet below 32 outside 10.0.0.0/8 is rare (1 in 4,000 of the address space)."""
    parts = [int(p) for p in address.split(".")]
    return parts[0] != 10 and max(parts) < 32


# Words that say "this is an address" just before it: a version-shaped address is then an address.
IP_WORD_RE = re.compile(r"(?<![a-z])(?:ip|ipv4|addr|address|host|client|from|server|nameserver|dns|ping|gateway|"
                        r"proxy|peer|remote|forwarded-for|real-ip|登录|地址|来自|访问|服务器|サーバー|서버)(?![a-z])")
# The same, and a server's or a connection's words, right before it (only separators between): then neither a
# version word nor a reference word before them makes it a version or a reference ("update from 1.2.3.4",
# "Build server: 1.2.3.4", "帖子IP：1.2.3.4", "Connection refused by 1.2.3.4").  "ip" and "server" may be glued
# to the word before ("帖子ip", "webserver").
IP_WORD_END_RE = re.compile(fold_words(
    r"(?:(?<![a-z])(?:ipv4|ipv6|addr|address|adresse|host|client|from|by|von|depuis|via|proxy|gateway|peer|"
    r"remote|src|dst|ping|dns|nameserver|forwarded-for|real-ip|connecting to|connect to)|ip|server|登录|地址|来自|访问|"
    r"服务器|回复|アドレス|サーバー|주소|서버)[\s:=#\-]{0,3}$"
))


# A version's suffix right after the four parts: "1.2.3.4-beta", "2.0.1.5rc1", "1.2.3.4+build", and what is said of
# a release: "1.2.3.4 released", "… is out", "… 发布".
VERSION_TAIL_RE = re.compile(r"(?:-|\+|_)?(?:alpha|beta|rc|dev|build|snapshot|final|release)"
                             r"|[ \t]?(?:released|is out|is available|is now available|发布|已发布)|版", re.IGNORECASE)
# Two dotted numbers joined by an arrow, or "from … to …" after a version word: a version change ("1.2.3.4 →
# 1.2.4.0", "upgrade from 8.61.104.75 to 8.62.0.1"), not addresses; a port after either side makes them a
# connection ("10.0.0.1:443 -> 10.0.0.2:80").
_ARROWS = ("→", "->", "=>", "⇒")
_ARROW = r"[ \t]*(?:→|->|=>|⇒)[ \t]*"
_TO = r"(?:to|auf|à|vers|到|至)"
_ARROW_RE = re.compile(_ARROW)
_ARROW_END_RE = re.compile(_ARROW + "$")
_DOTTED_AFTER_RE = re.compile(r"v?[0-9]+(?:\.[0-9]+){1,3}(?![0-9.:])")
_DOTTED_BEFORE_RE = re.compile(r"(?<![0-9.:])v?[0-9]+(?:\.[0-9]+){1,3}$")
_UPGRADE_WORD_RE = re.compile(r"(?<![a-z])(?:upgrad|downgrad|migrat|aktualisier)[a-z]*[ \t]+(?:from|von|de)[ \t]*$|"
                              r"(?:升级|降级|迁移)[ \t]*从[ \t]*$")
_FROM_TO_RE = re.compile(r"[ \t]+" + _TO + r"[ \t]+")
_TO_END_RE = re.compile(_TO + r"[ \t]+$")


def version_change(text: str, start: int, end: int) -> bool:
    """Is the dotted quad at text[start:end] one side of a version change (an arrow to or from another dotted
    number, or `from … to …` after a version word)?"""
    if end < len(text) and text[end] == ":" or start and text[start - 1] == ":":
        return False
    m = _ARROW_RE.match(text, end)
    if m and _DOTTED_AFTER_RE.match(text, m.end()):
        return True
    head = text[max(0, start - 24) : start]
    # `_ARROW_END_RE` (a repeat first: tried at every position) only where the head ends with an arrow, which it needs
    # (`$` also matches before a last newline: then it is asked).
    a = _ARROW_END_RE.search(head) if head.rstrip(" \t").endswith(_ARROWS) or head.endswith("\n") else None
    if a and _DOTTED_BEFORE_RE.search(head, 0, a.start()):
        return True
    lower = head.lower()
    if lower.rstrip().endswith(("from", "von", "de", "从")):
        # "upgraded from 3.1.2.4": an upgrade starts from a version ("update from 1.2.3.4 failed" may be a server)
        if _UPGRADE_WORD_RE.search(lower):
            return True
        if _FROM_TO_RE.match(text, end):
            return _VERSION_WORD_RE.search(lower) is not None
    t = _TO_END_RE.search(lower) if lower.endswith((" ", "\t", "\n")) else None  # it needs [ \t]+ at the end
    return bool(t and _VERSION_WORD_RE.search(text[max(0, start - 48) : start].lower()))
