"""E-mail addresses, also obfuscated (`＠`, `(at)`, `[at]`, `#`, `艾特`, `点`, `(dot)`, `name at domain dot com`).

Runs on folded text (`normalize.fold`); the pattern's repetitions are bounded, so it never backtracks more than a
constant per start position.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from politecrawl.pii.spans import EMAIL, Span

_LOCAL = r"[A-Za-z0-9._%+\-]"
# "@" and the obfuscations seen in real comments: (at) [at] {at} <at> 【at】, "#", "艾特".  Full-width ＠ and （）
# are folded to ASCII before matching.
_AT = r"(?:@|[ ]?[(\[{<【][ ]?(?:at|AT|At)[ ]?[)\]}>】][ ]?|#|艾特|[ ](?:at|AT)[ ])"
_DOT = r"(?:\.|。|点|[ ]?[(\[{<【][ ]?(?:dot|DOT|Dot|点)[ ]?[)\]}>】][ ]?|[ ](?:dot|DOT)[ ])"
_LABEL = r"[A-Za-z0-9][A-Za-z0-9\-]{0,62}"
_EMAIL_RE = re.compile(
    # `(?<!L)(?P<local>L{1,64})` with the first character first (see patterns._CN_RIC_RE): same matches, faster.
    rf"(?P<local>{_LOCAL}(?<!{_LOCAL}{_LOCAL}){_LOCAL}{{0,63}})(?P<at>{_AT})"
    rf"(?P<domain>{_LABEL}(?:{_DOT}{_LABEL}){{1,7}})(?![A-Za-z0-9\-])",
    re.ASCII,
)
_TLD_RE = re.compile(r"[A-Za-z]{2,24}", re.ASCII)
_DOT_SPLIT = re.compile(_DOT, re.ASCII)
# An obfuscated address (any "at" other than "@", or any "dot" other than ".") must end in a common TLD, so that
# "C#.NET" or "issue#12.html" are not read as addresses.
COMMON_TLDS = frozenset(
    "com net org edu gov info biz io me co cn hk tw jp kr de fr uk us in eu ru br it es nl ch at be se no dk fi pl "
    "au ca nz sg my th vn id ph top xyz app dev mobi name".split()
)


# What `_AT` needs besides "@", "#" and "艾特": a bracketed "at".  A spaced " at " also needs a spelled dot
# (`find_emails` skips "name at domain.com"): "。", "点", "dot" in any of `_DOT`'s cases.
_BRACKET_AT_RE = re.compile(r"[(\[{<【][ ]?(?:at|AT|At)[ ]?[)\]}>】]")


def email_hint(text: str) -> bool:
    """Could `find_emails` find anything in `text`?  (A gate: substring tests first, one short regex.)"""
    if "@" in text or "#" in text or "艾特" in text:
        return True
    if "at" not in text and "AT" not in text and "At" not in text:
        return False
    if _BRACKET_AT_RE.search(text) is not None:
        return True
    return (" at " in text or " AT " in text) and (
        "。" in text or "点" in text or "dot" in text or "DOT" in text or "Dot" in text)


def find_emails(text: str) -> Iterator[Span]:
    for m in _EMAIL_RE.finditer(text):
        local, at, domain = m.group("local", "at", "domain")
        labels = _DOT_SPLIT.split(domain)
        dots = _DOT_SPLIT.findall(domain)
        # The top-level domain is the last all-letter label; trailing labels after it ("...com.123") are cut.
        while len(labels) > 1 and not _TLD_RE.fullmatch(labels[-1]):
            labels.pop()
            dots.pop()
        if len(labels) < 2:
            continue
        tld = labels[-1].lower()
        spelled_dot = any(d != "." for d in dots)
        obfuscated = at != "@" or spelled_dot
        if obfuscated and tld not in COMMON_TLDS:
            continue
        if at.strip() in ("at", "AT") and not spelled_dot:
            continue  # "name at domain dot com" only: "look at example.com" is a sentence
        end = m.start("domain") + sum(map(len, labels)) + sum(map(len, dots))
        yield Span(m.start(), end, EMAIL, f"{local.lower()}@{'.'.join(labels).lower()}")
