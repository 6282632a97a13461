"""What is in force for one origin, and what the robots.txt gate does with a request to it.

sans-IO: :class:`OriginRules` is built from a record (:meth:`OriginRules.installed`)
and answers, per request, :meth:`OriginRules.decide` (allow, refuse, or wait
for an unreachable robots.txt), :meth:`OriginRules.known_at_admission` (the
same, when it can be given before a budget token is taken) and
:meth:`OriginRules.next_try`; :func:`back_to_frontier` says when a request the
rules allow must still go back to the frontier. The glue
(``politecrawl.middlewares.downloader.robots``) fetches, waits, and turns the
answers into Scrapy's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from typing import NamedTuple
from urllib.parse import urlsplit

from .config import RobotsConfig
from .record import UNREACHABLE, RobotsRecord
from .rules import RobotsRules, Verdict
from .wait import retry_at

__all__ = [
    "ALLOW", "FETCHED", "KNOWN", "REFUSE", "WAIT", "WAITED_FOR",
    "Decision", "OriginRules", "back_to_frontier", "robots_url",
]

#: What the gate does with a request (:attr:`Decision.action`).
ALLOW, REFUSE, WAIT = "allow", "refuse", "wait"
#: How the request met the origin's rules: they were known; it waited for a fetch or the store;
#: it triggered the fetch (its turn went to the robots.txt request).
KNOWN, WAITED_FOR, FETCHED = "known", "waited", "fetched"


def robots_url(origin: str) -> str:
    """``scheme://host[:port]/robots.txt`` of an origin key, default port left out."""
    parts = urlsplit(origin)
    default = {"http": 80, "https": 443}[parts.scheme]
    netloc = parts.netloc if parts.port != default else parts.netloc.rsplit(":", 1)[0]
    return f"{parts.scheme}://{netloc}/robots.txt"


class Decision(NamedTuple):
    """The gate's answer for one URL: *action* (:data:`ALLOW`, :data:`REFUSE`, or :data:`WAIT`
    while robots.txt is unreachable), the refusal *reason* and the *verdict* (``None`` when the
    origin is skipped)."""

    action: str
    reason: str
    verdict: Verdict | None


@dataclass
class OriginRules:
    """An origin's record and the rules in force from it; ``skip`` says why the origin is skipped,
    ``interval`` and ``window`` are the pace the rules ask for (Crawl-delay / Request-rate, Visit-time)."""

    record: RobotsRecord
    rules: RobotsRules
    rules_key: tuple[str, float]
    skip: str | None
    paced: bool
    interval: float = 0.0
    window: tuple[time, time] | None = None

    @classmethod
    def installed(
        cls, record: RobotsRecord, now: float, config: RobotsConfig, old: OriginRules | None = None
    ) -> OriginRules:
        """The state *record* puts in force at *now*; the rules of *old* are kept if they are the same."""
        key = record.rules_key(now, config)
        rules = old.rules if old is not None and old.rules_key == key else record.rules(now, config)
        skip = rules.skip_reason(config.max_crawl_delay)
        interval, window = rules.min_interval(), rules.visit_window()
        return cls(record, rules, key, skip, interval > 0 or window is not None,
                   0.0 if skip else interval, window)

    def current(self, now: float, config: RobotsConfig) -> bool:
        """Still in force at *now*: the record has not expired and gives the same rules.

        Only an unreachable record with a last good copy gives rules that change with
        time; any other record's rules are fixed until it expires (checked per request
        without building a key).
        """
        record = self.record
        if now >= record.expires_at:
            return False
        if record.kind != UNREACHABLE or record.last_good is None:
            return True
        return self.rules_key == record.rules_key(now, config)

    # -- per request -----------------------------------------------------------
    def decide(self, url: str) -> Decision:
        """Allow, refuse (skipped origin, disallowed), or wait (robots.txt unreachable, no copy stands in)."""
        if self.skip is not None:
            return Decision(REFUSE, self.skip, None)
        verdict = self.rules.allowed(url)
        if verdict.allowed:
            return Decision(ALLOW, "", verdict)
        if verdict.rule == "unreachable":
            return Decision(WAIT, "unreachable", verdict)
        return Decision(REFUSE, "disallowed", verdict)

    def known_at_admission(self, url: str, *, given_up: bool) -> Decision | None:
        """:meth:`decide`, or ``None`` while the origin waits for its robots.txt's next try (the
        pacer's origin pause holds its requests): a wait is known only once the origin was given up."""
        decision = self.decide(url)
        return None if decision.action == WAIT and not given_up else decision

    def waiting(self) -> bool:
        """robots.txt unreachable and no copy standing in: the origin's requests wait."""
        return self.record.kind == UNREACHABLE and not self.rules.allowed(self.record.origin + "/").allowed

    def next_try(self, config: RobotsConfig, deadline: float | None) -> float | None:
        """When the unreachable robots.txt is fetched again, or ``None``: the crawl ends first."""
        return retry_at(self.record, max_wait=config.max_wait, deadline=deadline)


def back_to_frontier(how: str, paced: bool, requeued: bool) -> bool:
    """Does an allowed request go back to the frontier before it is sent?

    Yes when its turn (budget, pace) went to the robots.txt fetch it triggered
    (*how* is :data:`FETCHED`), or when it waited for the rules (:data:`WAITED_FOR`) and they set a
    pace it has not been through (it left the frontier before the pace was
    known); once only (*requeued*).
    """
    return how == FETCHED or (how == WAITED_FOR and paced and not requeued)
