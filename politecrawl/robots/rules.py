"""The rules of one robots.txt copy, as seen by one product token.

Matching is protego's (RFC 9309 §2.2.2: groups by product token, ``*`` and
``$``, longest match, Allow wins a tie), on the text as :func:`.lines.safe_robots_text`
rewrites it where protego would otherwise allow what the site disallowed. protego answers yes/no only; for the
evidence trail we also name the rule that decided, read from protego's rule
set with the same normalisation it uses. That reading touches protego
internals, so it is kept in :func:`_deciding_rule`, checked against
``can_fetch`` on every call, and degrades to ``"?"`` if protego changes.
"""

from __future__ import annotations

import re
from datetime import time
from typing import NamedTuple
from urllib.parse import quote

from protego import Protego

from ..sites import path_and_query
from .ai_use import AIUseLine, ai_use_lines
from .lines import safe_robots_text

__all__ = ["ALLOW_ALL", "DENY_ALL", "RobotsRules", "Verdict", "rule_path", "sitemap_lines"]

#: A path made only of characters percent-encoding leaves alone: compared as it is.
_PLAIN_PATH = re.compile(r"(?:[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*)?(/(?!/)[A-Za-z0-9_.~/=-]*)").fullmatch
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
#: Escapes kept as escapes (upper-cased): the path separator and "%" itself.
_KEPT_ESCAPES = frozenset({"2F", "25"})


def rule_path(url: str) -> str:
    """The path and query of *url* as robots.txt rules are matched against it.

    The normalisation protego applies before matching (RFC 9309 §2.2.2):
    scheme, authority and fragment dropped; escapes decoded except those of
    ``/`` and ``%``; then percent-encoded again with ``/``, ``%`` and ``=``
    left verbatim; a leading ``/`` ensured. protego keeps its own copy private,
    so the evidence reading in :func:`_deciding_rule` uses this one.
    """
    plain = _PLAIN_PATH(url)
    if plain:
        return plain[1]
    path, query = path_and_query(url)
    if "?" in url.partition("#")[0]:
        path = f"{path}?{query}"
    path = quote(_decode_escapes(path), safe="/%=")
    return path if path.startswith("/") else f"/{path}"


def _decode_escapes(value: str) -> str:
    """``%xy`` escapes decoded as UTF-8 bytes, except those in :data:`_KEPT_ESCAPES`."""
    if "%" not in value:
        return value
    out = bytearray()
    end = 0
    for match in _ESCAPE.finditer(value):
        out += value[end : match.start()].encode()
        code = match[1].upper()
        out += f"%{code}".encode() if code in _KEPT_ESCAPES else bytes.fromhex(code)
        end = match.end()
    out += value[end:].encode()
    return out.decode("utf-8", "replace")


class Verdict(NamedTuple):
    """``allowed`` and the rule that decided: ``"disallow:/private"``, ``"allow:/"``,
    ``"no-rule"`` (no group or no matching line), ``"unavailable"`` (4xx),
    ``"unreachable"`` (fail closed), ``"robots.txt"`` (always fetchable)."""

    allowed: bool
    rule: str


class RobotsRules:
    """Decisions from one robots.txt text (or from a fixed answer)."""

    def __init__(
        self,
        text: str | None,
        bot_name: str,
        *,
        fixed: Verdict | None = None,
        version: str = "",
        fetched_at: float = 0.0,
    ) -> None:
        self.bot_name = bot_name.lower()
        #: The robots.txt version (a hash of the parsed bytes, or ``kind:status``) and
        #: when it was fetched: what each decision is traced to.
        self.version = version
        self.fetched_at = fetched_at
        self._fixed = fixed
        self._text = text if fixed is None else None
        self._ai_use: tuple[AIUseLine, ...] | None = None
        self._parser = (
            Protego.parse(safe_robots_text(text)) if self._text is not None else None
        )

    # -- access ------------------------------------------------------------
    def allowed(self, url: str) -> Verdict:
        """May *url* be fetched? With the rule that decided (RFC 9309 §2.2.2)."""
        if self._fixed is not None:
            return self._fixed
        assert self._parser is not None
        allowed = self._parser.can_fetch(url, self.bot_name)
        rule = _deciding_rule(self._parser, url, self.bot_name)
        if rule != "?" and rule.startswith("disallow:") == allowed:
            rule = "?"  # introspection disagrees with protego: keep protego's answer
        return Verdict(allowed, rule)

    def ai_use(self) -> tuple[AIUseLine, ...]:
        """The AI-use lines of this copy for our product token (:mod:`.ai_use`; none for a fixed answer)."""
        if self._ai_use is None:
            self._ai_use = ai_use_lines(self._text, self.bot_name) if self._text is not None else ()
        return self._ai_use

    def disallows_everything(self) -> bool:
        """True when the group for us is ``Disallow: /`` with no Allow line:
        the site has asked this bot to stay away entirely."""
        if self._fixed is not None:
            return not self._fixed.allowed and self._fixed.rule != "unreachable"
        assert self._parser is not None
        rule_set = _rule_set(self._parser, self.bot_name)
        if rule_set is None:
            return False
        try:
            rules = list(rule_set._rules)
        except AttributeError:  # pragma: no cover - protego changed
            return not self._parser.can_fetch("/", self.bot_name)
        has_allow = any(r.field == "allow" for r in rules)
        return not has_allow and not self._parser.can_fetch("/", self.bot_name)

    # -- rate and time -------------------------------------------------------
    def crawl_delay(self) -> float | None:
        return None if self._parser is None else self._parser.crawl_delay(self.bot_name)

    def request_interval(self) -> float | None:
        """Seconds per request from ``Request-rate: n/period`` (its time window is
        not used: the rate applies all day, the stricter reading)."""
        if self._parser is None:
            return None
        rate = self._parser.request_rate(self.bot_name)
        if rate is None:
            return None
        return rate.seconds / rate.requests

    def min_interval(self) -> float:
        """The larger of Crawl-delay and Request-rate seconds/requests (0 if neither)."""
        return max(self.crawl_delay() or 0.0, self.request_interval() or 0.0)

    def visit_window(self) -> tuple[time, time] | None:
        """``Visit-time`` as UTC ``(start, end)``; ``start > end`` wraps past midnight.
        (The pacer applies it: :func:`politecrawl.pacing.next_window_opening`.)"""
        if self._parser is None:
            return None
        visit = self._parser.visit_time(self.bot_name)
        if visit is None:
            return None
        return visit.start_time, visit.end_time

    def skip_reason(self, max_crawl_delay: float) -> str | None:
        """Why this origin must be skipped for the crawl, or ``None``.

        A Crawl-delay or Request-rate slower than *max_crawl_delay* means we do
        not crawl the origin at all rather than faster than it asked.
        """
        if self.min_interval() > max_crawl_delay:
            return "crawl_delay_too_long"
        return None


ALLOW_ALL = Verdict(True, "unavailable")
DENY_ALL = Verdict(False, "unreachable")


def _rule_set(parser: Protego, bot_name: str):  # noqa: ANN202 - protego private type
    try:
        return parser._get_matching_rule_set(bot_name)
    except AttributeError:  # pragma: no cover - protego changed
        return None


def _deciding_rule(parser: Protego, url: str, bot_name: str) -> str:
    """The first rule of protego's sorted rule list that matches *url*, as ``field:pattern``."""
    try:
        if path_and_query(url)[0] == "/robots.txt":
            return "robots.txt"
        rule_set = _rule_set(parser, bot_name)
        if rule_set is None:
            return "no-rule"
        path = rule_path(url)
        for rule in rule_set._rules:
            if rule.value.match(path):
                return f"{rule.field}:{rule.value._pattern}"
        return "no-rule"
    except (ImportError, AttributeError, TypeError):  # pragma: no cover - protego changed
        return "?"


def sitemap_lines(text: str) -> tuple[str, ...]:
    """The ``Sitemap:`` URLs of a robots.txt text, as protego reads them (in order, once each)."""
    seen: dict[str, None] = {}
    for url in Protego.parse(text).sitemaps:
        seen.setdefault(url.strip(), None)
    return tuple(url for url in seen if url)
