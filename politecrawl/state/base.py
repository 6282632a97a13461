"""The state-store interface.

Every piece of politecrawl state that must outlive a process or be shared
between processes (budget ledger, stop registry, robots.txt cache, audit
trail) goes through this small interface. Each operation maps onto one atomic
Redis command, so that a Redis implementation can serve many machines with
the same semantics as the embedded SQLite one:

=====================  ==================
operation              Redis equivalent
=====================  ==================
``get``                GET
``set``                SET [PX]
``set_if_absent``      SET NX [PX]
``delete``             DEL
``incr``               INCRBYFLOAT
``hgetall``            HGETALL
``hset``               HSET
``hincr``              HINCRBYFLOAT
``hdel``               HDEL
``append``             XADD
``read_log``           XRANGE
``keys``               SCAN MATCH prefix*
``take_tokens``        EVALSHA (one Lua script)
``set_indexed``        EVALSHA (``set_indexed_many``'s script, one write)
``set_indexed_many``   EVALSHA (one Lua script for the whole batch)
=====================  ==================

Values are text (callers encode JSON themselves). Keys are plain strings; by
convention they are namespaced ``<concept>:<site or origin>`` (for example
``robots:https://shop-a.com:443``).
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from typing import NamedTuple, Union
from urllib.parse import parse_qsl, urlencode, urlsplit

from ..clock import Clock

Scalar = Union[str, int, float]


class StateStoreError(RuntimeError):
    """The state store cannot be opened, read or written.

    politecrawl fails closed on this error: a site whose state cannot be read
    gets no request.
    """


class IndexedWrite(NamedTuple):
    """One write of :meth:`StateStore.set_indexed_many`: a record at *key* (``""``: none) with its
    index entry (*index* ``""``: none) and, with *count*, counted up to *limit* as ``set_indexed``
    does; *also*: plain ``(key, value)`` sets made with the record, and not when it is refused."""

    key: str
    value: str = ""
    index: str = ""
    field: str = ""
    entry: str = ""
    count: str | None = None
    limit: float = float("inf")
    also: tuple[tuple[str, str], ...] = ()


class StateStore(ABC):
    """Abstract base of the state stores (memory, SQLite, Redis)."""

    #: Whether each write costs enough that callers writing once a page should batch their writes (a network
    #: round trip on Redis, a transaction on SQLite: the fetch history does, docs/recrawl.md).
    batch_writes = False

    #: The URL the store was opened from, with any password removed.
    url: str

    def __init__(self, clock: Clock = time.time) -> None:
        self.clock = clock

    # -- strings ---------------------------------------------------------
    @abstractmethod
    def get(self, key: str) -> str | None:
        """Return the value of *key*, or ``None`` if absent or expired."""

    @abstractmethod
    def set(self, key: str, value: str, *, ttl: float | None = None) -> None:
        """Set *key* to *value*, expiring after *ttl* seconds if given."""

    @abstractmethod
    def set_if_absent(self, key: str, value: str, *, ttl: float | None = None) -> bool:
        """Set *key* only if it does not exist; return whether it was set."""

    @abstractmethod
    def delete(self, key: str) -> None:
        """Remove *key* (a string, hash or log) if it exists."""

    @abstractmethod
    def incr(self, key: str, amount: float = 1) -> float:
        """Atomically add *amount* to the number at *key* (0 if absent)."""

    # -- hashes ----------------------------------------------------------
    @abstractmethod
    def hgetall(self, key: str) -> dict[str, str]:
        """Return every field of the hash at *key* (empty if absent)."""

    @abstractmethod
    def hset(self, key: str, mapping: Mapping[str, Scalar]) -> None:
        """Set the given fields of the hash at *key*."""

    @abstractmethod
    def hincr(self, key: str, field: str, amount: float = 1) -> float:
        """Atomically add *amount* to a numeric hash field."""

    @abstractmethod
    def hdel(self, key: str, *fields: str) -> None:
        """Remove fields from the hash at *key*."""

    # -- a record and its index entry -------------------------------------
    def set_indexed(
        self, key: str, value: str, index: str, field: str, entry: str,
        *, count: str | None = None, limit: float = float("inf"),
    ) -> bool:
        """Set *key* to *value* and the field *field* of the hash *index* to *entry*, in one step
        where the store can (Redis: one script, one round trip; the fetch history writes a record so).

        With *count*: first count one more at the number *count*, unless that would pass *limit*;
        then nothing is written and the answer is ``False``. One write of :meth:`set_indexed_many`.
        """
        return self.set_indexed_many([IndexedWrite(key, value, index, field, entry, count, limit)])[0]

    def set_indexed_many(self, writes: Sequence[IndexedWrite]) -> list[bool]:
        """Apply *writes* in order, each as :meth:`set_indexed` (with its *also* sets when its record
        is written); whether each record was written. Redis: one script, one round trip, atomic; this
        default runs the plain operations one after the other."""
        done = []
        for w in writes:
            ok = True
            if w.key:
                if w.count is not None:
                    if self.incr(w.count, 1) > w.limit:
                        self.incr(w.count, -1)
                        ok = False
                if ok:
                    self.set(w.key, w.value)
                    if w.index:
                        self.hset(w.index, {w.field: w.entry})
            if ok:
                for key, value in w.also:
                    self.set(key, value)
            done.append(ok)
        return done

    # -- append-only logs ------------------------------------------------
    @abstractmethod
    def append(self, log: str, record: Mapping[str, Scalar]) -> str:
        """Append *record* to *log*; return its id (ids sort in append order)."""

    @abstractmethod
    def read_log(
        self, log: str, after: str | None = None, limit: int | None = None
    ) -> list[tuple[str, dict[str, str]]]:
        """Return ``(id, record)`` pairs of *log* appended after id *after*."""

    # -- keys ------------------------------------------------------------
    @abstractmethod
    def keys(self, prefix: str) -> list[str]:
        """Return the keys (of any type) that start with *prefix*."""

    # -- budgets ---------------------------------------------------------
    @abstractmethod
    def take_tokens(
        self,
        key: str,
        now: float,
        rate: float,
        burst: float,
        cost: float = 1.0,
        *,
        initial: float = 1.0,
    ) -> tuple[bool, float]:
        """Take *cost* tokens from the token bucket at *key*, atomically.

        The bucket is a hash with the fields ``tokens`` and ``updated_at``. It
        is refilled at *rate* tokens per second up to *burst*, from
        ``updated_at`` to *now*; a *now* earlier than ``updated_at`` (a clock
        that jumped backwards, or a node whose clock lags) refills nothing.
        A bucket that does not exist starts with ``min(initial, burst)``
        tokens: by default 1, never a fresh burst, so that a restart, a new
        node or a lost key cannot buy a site extra traffic.

        Returns ``(granted, wait)``: whether *cost* was taken, and when not,
        the seconds until *cost* would be available at *rate* (``inf`` if
        never). The whole read-refill-take-write step is one atomic
        operation, so any number of processes sharing the store together
        never take more than ``initial + rate × elapsed`` tokens.
        The rule is :func:`politecrawl.state.tokens.take`.
        """

    # -- life cycle ------------------------------------------------------
    def check_writable(self) -> None:
        """Write and delete a probe key; raise :class:`StateStoreError` if that fails."""
        key = "politecrawl:probe"
        try:
            self.set(key, "1")
            self.delete(key)
        except StateStoreError:
            raise
        except Exception as exc:  # pragma: no cover - backend specific
            raise StateStoreError(
                f"state store {self.url} is not writable: {type(exc).__name__}"
            ) from exc

    def flush(self, *, release: bool = False) -> None:
        """Write what the store holds unwritten (token takes of a write-behind ledger) now.

        With *release*, also give up any claim on the state that other
        processes would wait for (the crawl ends). The default does nothing:
        the memory and Redis stores write every operation at once.
        """

    def publish(self, channel: str) -> None:
        """Tell processes listening on *channel* of a shared store that something changed.

        Only a store shared across machines needs it (Redis: ``PUBLISH``); the
        default does nothing. Best effort: listeners also read the store on their own.
        """

    def close(self) -> None:
        """Write what is held unwritten and release connections; the default does nothing."""


def redact_url(url: str) -> str:
    """*url* without its password (in the user part or a ``password=`` option)."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, hostport = netloc.rpartition("@")
        user = userinfo.partition(":")[0]
        netloc = f"{user}@{hostport}" if user else hostport
    query = urlencode(
        [
            (k, "***" if "password" in k.lower() else v)
            for k, v in parse_qsl(parts.query, keep_blank_values=True)
        ]
    )
    # Not urlunsplit: it turns unix:///path into unix:/path.
    return f"{parts.scheme}://{netloc}{parts.path}" + (f"?{query}" if query else "")
