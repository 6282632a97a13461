"""tdmrep.json copies in the :class:`~politecrawl.state.StateStore`, kept like robots.txt.

Key ``tdmrep:fetching:<origin>`` is a short lease held by the process fetching the file
(one fetch for all the nodes of a cluster); key ``tdmrep:record:<origin>`` holds the parsed file as JSON with when it was
fetched and when it expires: 24 h (``POLITECRAWL_ROBOTS_TTL``), shortened by the
answer's ``Cache-Control: max-age`` but not below a minute. Every crawl and
every node on the same store reads it instead of fetching the file again, so
an origin's budget pays for one fetch a day, not one a crawl.

Only an answer is kept (a 2xx, a 4xx, a file too large): a fetch that failed on
the network is not, and the next crawl asks again.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from ..robots.fetch import max_age
from ..state import StateStore
from .tdmrep import TDMRepFile, TDMRepRule

__all__ = ["claim_tdmrep_fetch", "load_tdmrep", "release_tdmrep_fetch", "save_tdmrep",
           "tdmrep_fetch_claimed", "tdmrep_life"]

DAY = 86_400.0
MIN_LIFE = 60.0


def _key(origin: str) -> str:
    return f"tdmrep:record:{origin}"


def _lease_key(origin: str) -> str:
    return f"tdmrep:fetching:{origin}"


def claim_tdmrep_fetch(store: StateStore, origin: str, owner: str, lease: float) -> bool:
    """Try to become the one process fetching *origin*'s tdmrep.json for *lease* seconds
    (``tdmrep:fetching:<origin>``): the nodes of a cluster fetch it once between them."""
    return store.set_if_absent(_lease_key(origin), owner, ttl=lease)


def tdmrep_fetch_claimed(store: StateStore, origin: str) -> bool:
    """Whether some process holds the fetch lease of *origin*'s tdmrep.json now."""
    return store.get(_lease_key(origin)) is not None


def release_tdmrep_fetch(store: StateStore, origin: str) -> None:
    store.delete(_lease_key(origin))


def tdmrep_life(cache_control: Iterable[str], ttl: float = DAY) -> float:
    """Seconds a tdmrep.json copy is used: *ttl*, shortened by ``max-age`` (not below a minute)."""
    asked = max_age(cache_control)
    if asked is None:
        return ttl
    return min(ttl, max(asked, min(MIN_LIFE, ttl)))


def save_tdmrep(store: StateStore, origin: str, parsed: TDMRepFile, now: float, life: float) -> None:
    data = {
        "status": parsed.status,
        "rules": [list(rule) for rule in parsed.rules],
        "skipped": parsed.skipped,
        "fetched_at": now,
        "expires_at": now + life,
    }
    store.set(_key(origin), json.dumps(data, separators=(",", ":")), ttl=life)


def load_tdmrep(store: StateStore, origin: str, now: float) -> TDMRepFile | None:
    """The stored, unexpired copy of *origin*'s tdmrep.json, or ``None`` (absent, expired, unreadable)."""
    raw = store.get(_key(origin))
    if raw is None:
        return None
    try:
        data = json.loads(raw)
        if float(data["expires_at"]) <= now:
            return None
        rules = tuple(
            TDMRepRule(str(loc), res if res in (0, 1) else None, pol if isinstance(pol, str) else None)
            for loc, res, pol in data["rules"]
        )
        status = data["status"]
        if status not in ("ok", "absent", "malformed", "too-large"):
            return None
        return TDMRepFile(status, rules, int(data.get("skipped", 0)))
    except (ValueError, KeyError, TypeError):
        return None
