"""Running per-site totals of what the audit trail counts: one counter per fact.

The trail (:class:`~politecrawl.audit.AuditTrail`) adds to them as it counts:
requests sent, answers, body bytes, status classes (``status:2xx`` ...) and
the runtime's tallies (``refused:<component>:<reason>`` ...). The end-of-crawl
summary, the progress line and the budget's byte average read them; nothing
else counts these facts.
"""

from __future__ import annotations

from collections import Counter

__all__ = ["FACTS", "SiteTotals"]

#: The facts the trail counts itself, from what went out and came back (not tallies).
FACTS = frozenset({"requests", "responses", "bytes"})
# Total names of the status classes, made once (an answer is counted on every response)
_STATUS = {n: f"status:{n}xx" for n in range(1, 6)}


class SiteTotals:
    """Running totals by site and over all sites."""

    def __init__(self) -> None:
        self._by_site: dict[str, Counter[str]] = {}
        self._all: Counter[str] = Counter()

    def _site(self, site: str) -> Counter[str]:
        counts = self._by_site.get(site)
        if counts is None:
            counts = self._by_site[site] = Counter()
        return counts

    def add(self, site: str, name: str, n: float = 1) -> None:
        self._site(site)[name] += n
        self._all[name] += n

    def answer(self, site: str, nbytes: int, status: int) -> None:
        """One answer of *nbytes* body bytes and *status* (responses, bytes, status class)."""
        status_name = _STATUS.get(status // 100) or f"status:{status // 100}xx"
        for counts in (self._site(site), self._all):
            counts["bytes"] += nbytes
            counts["responses"] += 1
            counts[status_name] += 1

    def total(self, site: str, name: str) -> int:
        """*site*'s total of *name* (a fact: ``requests``, ``responses``, ``bytes``, ``status:2xx`` ...;
        or a tally name)."""
        counts = self._by_site.get(site)
        return 0 if counts is None else counts[name]

    def grand_total(self, name: str) -> int:
        """The total of *name* over every site."""
        return self._all[name]

    def by_site(self) -> dict[str, dict[str, int]]:
        """Every site's totals, by site."""
        return {site: dict(counts) for site, counts in sorted(self._by_site.items())}

    def sites(self) -> list[str]:
        """The sites with a total."""
        return sorted(self._by_site)

    def answer_sizes(self, site: str) -> tuple[int, int]:
        """``(answers, body bytes)`` received from *site* so far (the budget's byte average)."""
        counts = self._by_site.get(site)
        return (0, 0) if counts is None else (counts["responses"], counts["bytes"])
