"""While an origin's robots.txt is unreachable its requests wait; when do they stop waiting?

RFC 9309 §2.3.1.4: while robots.txt is unreachable (5xx, 429, a network
error) the crawler must assume everything is disallowed. That is a state of the
site, not its verdict: politecrawl holds the origin's requests and fetches
robots.txt again after the record's back-off (:func:`.outage.backoff`:
30 s, doubling to an hour, a longer ``Retry-After`` honoured). When it answers,
the waiting requests go. The origin ends as unreachable only when the next try
would come after the crawl's end: its deadline (``CLOSESPIDER_TIMEOUT``) or
``POLITECRAWL_ROBOTS_MAX_WAIT`` after the first failure.

sans-IO: times in, an answer out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .outage import next_try
from .record import UNREACHABLE, RobotsRecord

__all__ = ["ENDED_UNREACHABLE", "all_ended_unreachable", "retry_at"]

#: Per-site tally of origins whose robots.txt was still unreachable when the crawl gave up on them.
ENDED_UNREACHABLE = "robots:ended_unreachable"


def retry_at(record: RobotsRecord, *, max_wait: float, deadline: float | None = None) -> float | None:
    """When the origin of an unreachable *record* is tried again, or ``None``: the crawl ends first.

    *deadline* is when the crawl ends, if it has an end (``None``: no deadline).
    """
    if record.kind != UNREACHABLE:
        raise ValueError("retry_at is for unreachable records")
    since = record.since if record.since is not None else record.fetched_at
    return next_try(since, record.expires_at, max_wait=max_wait, deadline=deadline)


def all_ended_unreachable(seed_sites: Iterable[str], tallies: Mapping[str, Mapping[str, int]]) -> bool:
    """Did every seed site end with robots.txt unreachable and no page answered?

    (A site whose robots.txt answered later, or which had any 2xx page, did not.)
    """
    sites = list(seed_sites)
    if not sites:
        return False
    for site in sites:
        counts = tallies.get(site, {})
        if not counts.get(ENDED_UNREACHABLE) or counts.get("status:2xx"):
            return False
    return True
