"""A protocol file (robots.txt, tdmrep.json) that cannot be fetched: when to try again, when to stop waiting.

RFC 9309 §2.3.1.4 reads an unreachable robots.txt (5xx, 429, a network error)
as "everything disallowed"; politecrawl treats it as a wait: the origin's
requests are held, the file is fetched again after :func:`backoff` (a base
that doubles per failure in a row, up to a cap; a longer ``Retry-After`` wins,
up to the same cap), and the wait ends, failing closed, when the next try
would come after the crawl's end (:func:`next_try`). tdmrep.json follows the
same schedule with robots.txt's settings.

sans-IO: numbers in, an answer out.
"""

from __future__ import annotations

__all__ = ["backoff", "next_try"]


def backoff(failures: int, asked: float | None, *, base: float, cap: float) -> float:
    """Seconds to wait after the *failures*-th failed fetch in a row: *base*, doubling, at most
    *cap*; a longer ``Retry-After`` (*asked*, seconds) wins, up to *cap* too."""
    wait = min(base * 2 ** max(0, failures - 1), cap)
    if asked is not None:
        wait = max(wait, min(asked, cap))
    return wait


def next_try(since: float, due: float, *, max_wait: float, deadline: float | None = None) -> float | None:
    """*due*, the next try of a file unreachable since *since*, or ``None``: the crawl ends first.

    The wait ends *max_wait* after the first failure, or at *deadline* (when the
    crawl ends, if it has an end; ``None``: no deadline), whichever is sooner.
    """
    end = since + max_wait
    if deadline is not None:
        end = min(end, deadline)
    return due if due < end else None
