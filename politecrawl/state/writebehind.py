"""Write-behind token buckets for the SQLite store: takes in memory, written in batches.

A durable SQLite write (a transaction) costs several times what a budget
decision may (figures: docs/benchmarks.md, ledger). So one process at a time *owns* the token buckets of a SQLite
file: it takes tokens in memory (the rule of :mod:`.tokens`) and writes the
buckets it changed in one transaction when ``batch`` tokens were granted
since the last write, when the oldest of them is :data:`FLUSH_INTERVAL` old,
and when asked (:meth:`WriteBehindBuckets.flush`).

**Crash bound.** A process killed between two writes loses the takes since
the last one: at most ``batch`` requests in all, and per site at most those of
the last :data:`FLUSH_INTERVAL` seconds (``rate × FLUSH_INTERVAL + burst``).
A restart reads the buckets as last written, so a site can receive that many
more than its budget, once per crash. ``batch = 0`` writes every take at once
(crash bound 0; the SQL statement in ``sqlite.py``).

**Ownership.** The owner holds a lease row in the file (``kv`` key
:data:`LEASE_KEY`: host, pid and a random id), renewed at each write and at
least every ``LEASE_TTL / 3`` seconds. Another process that needs a token
while the lease is held marks the file shared (:data:`SHARED_KEY`) and gets no
token until the owner has written its buckets and given the lease up (at its
next write, within :data:`FLUSH_INTERVAL` while it crawls); from then on every
process sharing the file takes each token in one SQL statement, as without
write-behind. Shared-mode processes keep the mark alive while they run; once
it lapses, the next process may own the buckets again. A lease whose process
is gone (same host, pid not running) is taken over at once; one of another
host only when it expires (:data:`LEASE_TTL`).
"""

from __future__ import annotations

import logging
import os
import socket
import sqlite3
import uuid
from typing import TYPE_CHECKING

from . import tokens as _tokens

if TYPE_CHECKING:
    from .sqlite import SQLiteStateStore

__all__ = ["DEFAULT_BATCH", "FLUSH_INTERVAL", "LEASE_TTL", "WriteBehindBuckets"]

logger = logging.getLogger("politecrawl.state")

#: Granted takes a process may hold unwritten (``POLITECRAWL_LEDGER_BATCH``), the crash bound.
DEFAULT_BATCH = 32
#: Buffered takes are written at the latest this many seconds after the first of them.
FLUSH_INTERVAL = 0.25
#: A lease not renewed for this long lapses (an owner renews it every third of that).
LEASE_TTL = 30.0
#: How often a process waiting for the owner to give the buckets up asks again.
WAIT_POLL = 0.25
#: Clean buckets kept in memory by the owner; beyond this the cache is emptied after a write.
CACHE_LIMIT = 250_000

LEASE_KEY = "politecrawl:ledger-lease"
SHARED_KEY = "politecrawl:ledger-shared"

_UNDECIDED, _OWNER, _SHARED, _WAITING = "undecided", "owner", "shared", "waiting"

_SAVE = """
INSERT INTO buckets (key, tokens, updated_at, granted) VALUES (?, ?, ?, 0)
ON CONFLICT (key) DO UPDATE SET tokens = excluded.tokens, updated_at = excluded.updated_at
"""
_READ_KV = "SELECT value, expires FROM kv WHERE key = ?"
_WRITE_KV = "INSERT OR REPLACE INTO kv (key, value, expires) VALUES (?, ?, ?)"
_DELETE_KV = "DELETE FROM kv WHERE key = ?"


def _unexpired(row: tuple | None, clock: float) -> bool:
    """Whether a ``kv`` row (``value, expires``) exists and has not expired at *clock*."""
    return row is not None and (row[1] is None or row[1] > clock)


def lease_holder_alive(holder: str, host: str = "") -> bool:
    """Whether the process named by a lease value (``host:pid:id``) may still run.

    Only a process of this host can be seen to be gone; one of another host,
    or a value that cannot be read, counts as alive (its lease lapses instead).
    """
    try:
        holder_host, pid, _ = holder.rsplit(":", 2)
        pid_number = int(pid)
    except ValueError:
        return True
    if holder_host != (host or socket.gethostname()) or pid_number <= 0:
        return True
    try:
        os.kill(pid_number, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, but not ours to signal
        return True
    return True


class WriteBehindBuckets:
    """The token buckets of one :class:`~politecrawl.state.SQLiteStateStore`, written behind."""

    def __init__(self, store: SQLiteStateStore, batch: int = DEFAULT_BATCH) -> None:
        self.store = store
        self.batch = batch
        self.me = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:12]}"
        self.mode = _UNDECIDED
        self.cache: dict[str, tuple[float | None, float | None]] = {}
        self.dirty: set[str] = set()
        self.pending = 0  # granted takes not yet written
        self.first_pending = 0.0
        self.renewed = 0.0  # when the lease was last written (owner)
        self.checked = 0.0  # when the mode was last decided (shared, waiting)

    # -- taking ----------------------------------------------------------
    def take(
        self, key: str, now: float, rate: float, burst: float, cost: float, initial: float
    ) -> tuple[bool, float]:
        """Take *cost* tokens from the bucket at *key*: the contract of ``StateStore.take_tokens``."""
        clock = self.store.clock()
        if self.mode is _OWNER and (
            self.pending and (self.pending >= self.batch or clock - self.first_pending >= FLUSH_INTERVAL)
            or clock - self.renewed >= LEASE_TTL / 3
        ):
            self.flush()  # may hand the buckets over
        if not self._mode_current(clock):
            self._decide(clock)
        if self.mode is _OWNER:
            return self._take_cached(key, now, rate, burst, cost, initial, clock)
        if self.mode is _SHARED:
            return self.store._take_through(key, now, rate, burst, cost, initial)
        return False, WAIT_POLL - (clock - self.checked)  # waiting for the owner

    def _mode_current(self, clock: float) -> bool:
        """Whether the mode needs no new look at the file: an owner renews its lease as it writes;
        a sharing process looks again every ``LEASE_TTL / 3``, a waiting one every ``WAIT_POLL``."""
        if self.mode is _OWNER:
            return True
        if self.mode is _SHARED:
            return 0 <= clock - self.checked < LEASE_TTL / 3
        if self.mode is _WAITING:
            return 0 <= clock - self.checked < WAIT_POLL
        return False

    def _take_cached(
        self, key: str, now: float, rate: float, burst: float, cost: float, initial: float,
        clock: float,
    ) -> tuple[bool, float]:
        entry = self.cache.get(key)
        if entry is None:
            entry = self.store._written_bucket(key) or (None, None)
        granted, wait, tokens, updated_at = _tokens.take(
            entry[0], entry[1], now, rate, burst, cost, initial
        )
        self.cache[key] = (tokens, updated_at)
        self.dirty.add(key)
        if granted:
            if not self.pending:
                self.first_pending = clock
            self.pending += 1
        return granted, wait

    # -- what other operations of the store see --------------------------
    def peek(self, key: str) -> tuple[float, float] | None:
        """The bucket at *key* as this process holds it unwritten, if it does."""
        if key in self.dirty:
            tokens, updated_at = self.cache[key]
            if tokens is not None and updated_at is not None:
                return tokens, updated_at
        return None

    def forget(self, key: str) -> None:
        """The bucket at *key* was deleted."""
        self.cache.pop(key, None)
        self.dirty.discard(key)

    # -- ownership -------------------------------------------------------
    def _decide(self, clock: float) -> None:
        """Own the buckets, share them, or wait for their owner to give them up (one transaction)."""
        with self.store._write() as db:
            lease = db.execute(_READ_KV, (LEASE_KEY,)).fetchone()
            shared = db.execute(_READ_KV, (SHARED_KEY,)).fetchone()
            if _unexpired(lease, clock) and lease[0] != self.me and lease_holder_alive(lease[0]):
                db.execute(_WRITE_KV, (SHARED_KEY, "1", clock + LEASE_TTL))
                if self.mode is not _WAITING:
                    logger.info(
                        "politecrawl state: another process owns the token buckets of %s; "
                        "asked it to share them (no request until it has written them)",
                        self.store.path,
                    )
                self.mode = _WAITING
            else:
                if lease is not None and lease[0] != self.me:
                    # a lease is deleted when its owner gives it up: this one's process is gone
                    # (or stopped writing for LEASE_TTL)
                    logger.warning(
                        "politecrawl state: the process that owned the token buckets of %s is gone; "
                        "up to %d of its last takes may be unrecorded (the crash bound)",
                        self.store.path, self.batch,
                    )
                if _unexpired(shared, clock):
                    if lease is not None:
                        db.execute(_DELETE_KV, (LEASE_KEY,))
                    db.execute(_WRITE_KV, (SHARED_KEY, "1", clock + LEASE_TTL))
                    self.mode = _SHARED
                else:
                    db.execute(_WRITE_KV, (LEASE_KEY, self.me, clock + LEASE_TTL))
                    self.mode = _OWNER
                    self.renewed = clock
                self.cache.clear()
                self.dirty.clear()
            self.checked = clock

    def flush(self, *, release: bool = False) -> None:
        """Write the buckets changed since the last write and renew the lease (owner only).

        Hands the buckets over when another process asked to share them, and
        with *release* (the crawl ends). Raises ``StateStoreError`` if the file
        cannot be written: the takes stay buffered and no more are granted
        past ``batch`` (fail closed).
        """
        if self.mode is not _OWNER:
            if release:
                self.mode = _UNDECIDED
            return
        clock = self.store.clock()
        with self.store._write() as db:
            lease = db.execute(_READ_KV, (LEASE_KEY,)).fetchone()
            if lease is None or lease[0] != self.me:
                # It lapsed (no write for LEASE_TTL) and another process took the buckets over
                # from the file: what is buffered here can no longer be written safely.
                logger.error(
                    "politecrawl state: this process lost the token buckets of %s (lease lapsed); "
                    "%d granted takes are unrecorded", self.store.path, self.pending,
                )
                self._drop(_UNDECIDED)
                return
            if self.dirty:
                cache = self.cache
                db.executemany(_SAVE, [(key, *cache[key]) for key in self.dirty])
            shared = db.execute(_READ_KV, (SHARED_KEY,)).fetchone()
            if release or _unexpired(shared, clock):
                db.execute(_DELETE_KV, (LEASE_KEY,))
                handover = True
            else:
                db.execute(_WRITE_KV, (LEASE_KEY, self.me, clock + LEASE_TTL))
                handover = False
        self.renewed = clock
        if handover:
            if not release:
                logger.info(
                    "politecrawl state: another process shares %s; each token is now written at once",
                    self.store.path,
                )
            self._drop(_UNDECIDED)
        else:
            self.dirty.clear()
            self.pending = 0
            if len(self.cache) > CACHE_LIMIT:
                self.cache.clear()

    def _drop(self, mode: str) -> None:
        self.cache.clear()
        self.dirty.clear()
        self.pending = 0
        self.mode = mode

    def close(self) -> None:
        """Write what is buffered and give the buckets up; errors are logged (at exit)."""
        try:
            self.flush(release=True)
        except (sqlite3.Error, RuntimeError) as exc:
            logger.error(
                "politecrawl state: could not write the token buckets of %s at close (%s); "
                "%d granted takes are unrecorded", self.store.path, exc, self.pending,
            )
