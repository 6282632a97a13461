"""IBANs (ISO 13616 check digits) and IPv4 / IPv6 addresses (`ipaddress`), with the version-number context that
keeps four-part versions from being read as addresses.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator

from politecrawl.pii.context import (
    IP_WORD_END_RE,
    IP_WORD_RE,
    VERSION_TAIL_RE,
    after_reference_word,
    after_version_word,
    version_change,
    version_shaped,
)
from politecrawl.pii.patterns import validates
from politecrawl.pii.spans import IBAN, IP, Span

# ---------------------------------------------------------------- IBAN (ISO 13616)
# The first character first, then the look-behind (see patterns._CN_RIC_RE): same matches, found faster.
_IBAN_RE = re.compile(r"[A-Z](?<![A-Za-z0-9][A-Z])[A-Z][0-9]{2}(?: ?[A-Z0-9]){11,30}(?![A-Za-z0-9])", re.ASCII)


def _iban_valid(compact: str) -> bool:
    from stdnum import iban

    # ISO 13616 check digits and the country's length; not the national check digits (stdnum's check_country),
    # which some real and generated IBANs fail while still naming an account.
    return validates(lambda v: iban.is_valid(v, check_country=False), compact)


def find_ibans(text: str) -> Iterator[Span]:
    for m in _IBAN_RE.finditer(text):
        cand = m.group()
        # Trailing upper-case words can be swallowed by the run: drop space-separated groups from the end.
        for _ in range(8):
            compact = cand.replace(" ", "")
            if len(compact) < 15:
                break
            if _iban_valid(compact):
                yield Span(m.start(), m.start() + len(cand), IBAN, compact)
                break
            if " " not in cand:
                break
            cand = cand.rsplit(" ", 1)[0]


# ---------------------------------------------------------------- IP addresses

_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])"
# (?<![0-9.])(?:{_OCTET}\.){3}{_OCTET}, the first octet's first digit consumed before the rest of its alternatives
_OCTET_REST = r"(?:(?<=2)5[0-5]|(?<=2)[0-4][0-9]|(?<=1)[0-9]{2}|(?<=[1-9])[0-9]|)"
_IPV4_RE = re.compile(rf"[0-9](?<![0-9.][0-9]){_OCTET_REST}\.(?:{_OCTET}\.){{2}}{_OCTET}(?![0-9]|\.[0-9])", re.ASCII)
_IPV6_RE = re.compile(
    # Not inside a word, a number or a run of colons; after a label's colon ("IP:fe80::1", "手机：…" folded) it may.
    # A lone leading colon is the label's, not the address's ("::1" may start with two).
    r"(?:(?<![0-9A-Za-z.:])|(?<=:)(?<![0-9A-Fa-f:]:))(?!:(?!:))"
    r"(?:[0-9A-Fa-f]{0,4}:){2,7}(?:(?:[0-9]{1,3}\.){3}[0-9]{1,3}|[0-9A-Fa-f]{0,4})"
    r"(?:%[0-9A-Za-z]{1,16})?(?![0-9A-Za-z]|:[0-9A-Za-z:])",  # a colon after it ends a label's value
    re.ASCII,
)
# What every match of `_IPV6_RE` holds (its first two groups `[0-9A-Fa-f]{0,4}:`): two colons with at most four hex
# digits between.  `_IPV6_RE` begins with look-behinds, tried at every position; this begins with a colon, and keeps
# the scan off text with one colon or colons far apart (`Build server: 1.2.3.4`, `昵称：…` folded): 1,709 of corpus
# 3's 3,000 texts hold a colon, 634 two.
_IPV6_COLONS_RE = re.compile(r":[0-9A-Fa-f]{0,4}:", re.ASCII)


def find_ips(text: str) -> Iterator[Span]:
    for m in _IPV4_RE.finditer(text):
        named = IP_WORD_END_RE.search(text[max(0, m.start() - 16) : m.start()].lower()) is not None
        if after_version_word(text, m.start(), glued_only=named):
            continue
        if version_shaped(m.group()) and not IP_WORD_RE.search(text[max(0, m.start() - 12) : m.start()].lower()):
            continue
        if version_change(text, m.start(), m.end()):
            continue
        if (named or not after_reference_word(text, m.start())) and not VERSION_TAIL_RE.match(text, m.end()):
            yield Span(m.start(), m.end(), IP, m.group())
    if ":" not in text or _IPV6_COLONS_RE.search(text) is None:
        return
    for m in _IPV6_RE.finditer(text):
        cand = m.group()
        if cand.endswith(":") and not cand.endswith("::"):
            cand = cand[:-1]  # "回复 fe80::1：" folded: the label's colon
        if sum(c.isalnum() for c in cand.split("%")[0]) < 2:
            continue
        try:
            addr = ipaddress.IPv6Address(cand.split("%")[0])
        except ValueError:
            continue
        yield Span(m.start(), m.start() + len(cand), IP, addr.compressed)
