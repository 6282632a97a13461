"""From a robots.txt fetch outcome to a cacheable record (RFC 9309 §2.3.1, §2.4).

sans-IO: :func:`record_from_fetch` takes the outcome, the previous record of
the origin and the config, and returns the new record. Nothing here fetches,
sleeps or reads a clock; times come in with the outcome or as ``now``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, replace
from typing import Any, Literal

from .config import RobotsConfig
from ..retry_after import retry_after_seconds
from .fetch import FetchOutcome, decode_body, max_age
from .outage import backoff
from .rules import ALLOW_ALL, DENY_ALL, RobotsRules, sitemap_lines

__all__ = ["PARSED", "UNAVAILABLE", "UNREACHABLE", "RobotsCopy", "RobotsRecord", "record_from_fetch"]

Kind = Literal["parsed", "unavailable", "unreachable"]
PARSED: Kind = "parsed"
UNAVAILABLE: Kind = "unavailable"
UNREACHABLE: Kind = "unreachable"


@dataclass(frozen=True)
class RobotsCopy:
    """A robots.txt text that decisions are made from, and where it came from."""

    version: str
    fetched_at: float
    text: str


@dataclass(frozen=True)
class RobotsRecord:
    """What we know about one origin's robots.txt.

    ``kind``: ``parsed`` (2xx; the rules in ``text`` apply), ``unavailable``
    (4xx other than 429, or redirects not followed to the end: everything is
    allowed, §2.3.1.3), ``unreachable`` (429, 5xx, other statuses, network
    errors: nothing is allowed, §2.3.1.4, unless ``last_good`` is young enough).

    ``expires_at`` is when the record must be fetched again: the cache life for
    ``parsed``/``unavailable``, the back-off for ``unreachable``.
    """

    origin: str
    kind: Kind
    reason: str
    version: str
    fetched_at: float
    expires_at: float
    status: int | None = None
    text: str | None = None
    nbytes: int = 0
    truncated: bool = False
    redirects: int = 0
    failures: int = 0
    last_good: RobotsCopy | None = None
    #: While unreachable: when this run of failures began (the first failed fetch).
    since: float | None = None
    #: The ``Sitemap:`` URLs of a parsed robots.txt, in order (sitemaps.org: any user agent's
    #: group); kept here so each process of a crawl reads them from the store, not the site.
    sitemaps: tuple[str, ...] = ()

    @property
    def why_unreachable(self) -> str:
        """``HTTP 503`` or the error's kind: what made robots.txt unreachable."""
        return f"HTTP {self.status}" if self.status else self.reason

    # -- time --------------------------------------------------------------
    def expired(self, now: float) -> bool:
        return now >= self.expires_at

    def copy_in_force(self, now: float, last_good_max_age: float) -> RobotsCopy | None:
        """The parsed copy decisions use at *now*: this one, or while unreachable
        the last good copy if it was fetched at most *last_good_max_age* ago."""
        if self.kind == PARSED and self.text is not None:
            return RobotsCopy(self.version, self.fetched_at, self.text)
        if self.kind == UNREACHABLE and self.last_good is not None:
            if now - self.last_good.fetched_at <= last_good_max_age:
                return self.last_good
        return None

    def rules(self, now: float, config: RobotsConfig) -> RobotsRules:
        """The rules in force at *now* for ``config.bot_name``.

        Parse cost is paid here; callers cache the result per :meth:`rules_key`.
        """
        copy = self.copy_in_force(now, config.last_good_max_age)
        if copy is not None:
            return RobotsRules(
                copy.text, config.bot_name, version=copy.version, fetched_at=copy.fetched_at
            )
        fixed = ALLOW_ALL if self.kind == UNAVAILABLE else DENY_ALL
        return RobotsRules(
            None, config.bot_name, fixed=fixed, version=self.version, fetched_at=self.fetched_at
        )

    def rules_key(self, now: float, config: RobotsConfig) -> tuple[str, float]:
        """Identifies the rules :meth:`rules` would build (version, fetch time)."""
        copy = self.copy_in_force(now, config.last_good_max_age)
        if copy is not None:
            return copy.version, copy.fetched_at
        return self.version, self.fetched_at

    # -- storage -----------------------------------------------------------
    def to_json(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"), ensure_ascii=False)

    @classmethod
    def from_json(cls, data: str) -> RobotsRecord | None:
        """The record in *data*, or ``None`` if it is not a record we can read
        (the caller then fetches robots.txt again)."""
        try:
            raw: dict[str, Any] = json.loads(data)
            last_good = raw.pop("last_good", None)
            record = cls(**raw)
            if not isinstance(record.sitemaps, (list, tuple)) or not all(
                isinstance(url, str) for url in record.sitemaps
            ):
                return None
            record = replace(record, sitemaps=tuple(record.sitemaps))
            if last_good is not None:
                record = replace(record, last_good=RobotsCopy(**last_good))
            if record.kind not in (PARSED, UNAVAILABLE, UNREACHABLE):
                return None
            if record.kind == PARSED and not isinstance(record.text, str):
                return None
            float(record.fetched_at) + float(record.expires_at)
        except (TypeError, ValueError, AttributeError):
            return None
        return record


def _version(kept: bytes) -> str:
    return hashlib.sha256(kept).hexdigest()[:16]


def _cache_life(outcome: FetchOutcome, config: RobotsConfig) -> float:
    """``POLITECRAWL_ROBOTS_TTL``, shortened by ``Cache-Control: max-age`` (RFC 9309 §2.4),
    but never below ``min(min_ttl, ttl)`` so a ``max-age=0`` cannot make us refetch per page."""
    life = config.ttl
    asked = max_age(outcome.header("cache-control"))
    if asked is not None:
        life = min(life, max(asked, min(config.min_ttl, config.ttl)))
    return life


def _backoff(failures: int, outcome: FetchOutcome, config: RobotsConfig) -> float:
    asked = retry_after_seconds(outcome.header("retry-after"), outcome.fetched_at)
    return backoff(failures, asked, base=config.retry_base, cap=config.retry_max)


def _classify(outcome: FetchOutcome, config: RobotsConfig) -> tuple[Kind, str]:
    status = outcome.status
    if status is None or outcome.error is not None:
        return UNREACHABLE, "network_error"
    if 200 <= status < 300:
        return PARSED, "ok"
    if 300 <= status < 400:
        if outcome.redirects >= config.max_redirects:
            return UNAVAILABLE, "too_many_redirects"
        return UNAVAILABLE, "redirect_not_followed"
    if status == 429:
        return UNREACHABLE, "http_429"
    if 400 <= status < 500:
        return UNAVAILABLE, "http_4xx"
    if 500 <= status < 600:
        return UNREACHABLE, "http_5xx"
    return UNREACHABLE, "http_other"


def record_from_fetch(
    origin: str,
    outcome: FetchOutcome,
    config: RobotsConfig,
    previous: RobotsRecord | None = None,
) -> RobotsRecord:
    """The record of *origin* after *outcome* (RFC 9309 §2.3.1).

    *previous* is the record this fetch replaces: while unreachable its parsed
    copy (or the one it carried) is kept as ``last_good``, and consecutive
    failures lengthen the back-off.
    """
    kind, reason = _classify(outcome, config)
    at = outcome.fetched_at
    common = dict(origin=origin, kind=kind, reason=reason, status=outcome.status,
                  fetched_at=at, redirects=outcome.redirects)
    if kind == PARSED:
        text, kept, truncated = decode_body(outcome.body, config.max_bytes)
        return RobotsRecord(
            **common, version=_version(kept), expires_at=at + _cache_life(outcome, config),
            text=text, nbytes=len(outcome.body), truncated=truncated,
            sitemaps=sitemap_lines(text),
        )
    if kind == UNAVAILABLE:
        label = f"{kind}:{outcome.status}"
        return RobotsRecord(**common, version=label, expires_at=at + _cache_life(outcome, config))
    last_good: RobotsCopy | None = None
    failures = 1
    since = at
    if previous is not None:
        if previous.kind == PARSED and previous.text is not None:
            last_good = RobotsCopy(previous.version, previous.fetched_at, previous.text)
        elif previous.kind == UNREACHABLE:
            last_good = previous.last_good
            failures = previous.failures + 1
            since = previous.since if previous.since is not None else previous.fetched_at
    return RobotsRecord(
        **common, version=f"{kind}:{outcome.status or 'error'}",
        expires_at=at + _backoff(failures, outcome, config),
        failures=failures, last_good=last_good, since=since,
    )
