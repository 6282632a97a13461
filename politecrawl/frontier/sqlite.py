"""Queued requests and seen fingerprints in one SQLite file.

Tables:

* ``origins(id, origin, site)``: each origin the crawl queued for, once; its
  ``id`` is the handle the frontier keeps in memory.
* ``queued(origin, rank, seq, url, body)``, keyed by ``(origin, rank, seq)``:
  the requests waiting. ``rank`` orders priorities within an origin (lower
  goes first), ``seq`` arrival within a rank (ascending: first in, first
  out; a last-in-first-out queue stores it negated). ``body`` is the
  serialised request (the caller's bytes), ``url`` is kept beside it so that
  the head's URL is read without decoding the request.
* ``leased(id, origin, rank, seq, url, body)``: requests taken out and not
  yet finished (being downloaded or parsed). A crawl killed meanwhile finds
  them here when it opens the file again and queues them again: they are
  fetched again rather than lost.
* ``seen(fp)``: request fingerprints the dupefilter has seen.

In memory: one 4-byte count per origin (by id), and two bounded caches
(origin key to id, id to names). Nothing per request.

Durability: writes go into one open transaction, committed when a request
finishes (:meth:`finish`), by :meth:`commit` (the caller's timer), after
``batch`` writes, and at :meth:`close`. The WAL is written without fsync
(``synchronous=NORMAL``): a killed process (``kill -9``) loses only the writes
since the last commit, and since a request's children are written before it
finishes, the file always holds a consistent earlier state; requests whose
finish was not committed are queued again on open. An operating-system crash
may lose the last commits as well.
"""

from __future__ import annotations

import sqlite3
from array import array
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["SQLiteFrontier"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS origins (id INTEGER PRIMARY KEY, origin TEXT NOT NULL UNIQUE, site TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS origins_by_site ON origins (site);
CREATE TABLE IF NOT EXISTS queued (
    origin INTEGER NOT NULL, rank INTEGER NOT NULL, seq INTEGER NOT NULL,
    url TEXT NOT NULL, body BLOB NOT NULL,
    PRIMARY KEY (origin, rank, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS leased (
    id INTEGER PRIMARY KEY, origin INTEGER NOT NULL, rank INTEGER NOT NULL, seq INTEGER NOT NULL,
    url TEXT NOT NULL, body BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS seen (fp BLOB PRIMARY KEY) WITHOUT ROWID;
"""

#: Entries kept in each of the two name caches (origin key -> id, id -> names).
CACHE_ENTRIES = 4096
#: SQLite page cache (KiB): bounds the store's memory whatever the number of requests.
CACHE_KIB = 8192


class SQLiteFrontier:
    """Per-origin request queues and the dupefilter's fingerprints in one SQLite file."""

    def __init__(self, path: str | Path, *, batch: int = 2000) -> None:
        self.path = Path(path)
        self.batch = batch
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
        self._db.executescript(_SCHEMA)
        self._pending = 0  # writes since the last commit
        self._ids: dict[str, int] = {}
        self._names: dict[int, tuple[str, str]] = {}
        self._counts = array("I")
        self._total = 0
        self.requeued = self._requeue_leased()
        self._seq = self._next_seq()
        for origin, n in self._db.execute("SELECT origin, COUNT(*) FROM queued GROUP BY origin"):
            self._grow(origin)
            self._counts[origin] = n
            self._total += n

    # -- transactions ---------------------------------------------------------
    def _write(self, sql: str, args: tuple = ()) -> sqlite3.Cursor:
        if not self._db.in_transaction:
            self._db.execute("BEGIN")
        cursor = self._db.execute(sql, args)
        self._pending += 1
        if self._pending >= self.batch:
            self.commit()
        return cursor

    def commit(self) -> None:
        """Make every write so far survive the process (not fsynced: see the module doc)."""
        if self._db.in_transaction:
            self._db.execute("COMMIT")
        self._pending = 0

    @property
    def uncommitted(self) -> int:
        return self._pending

    def _requeue_leased(self) -> int:
        """Requests a killed crawl had taken out and not finished go back to their queues."""
        (n,) = self._db.execute("SELECT COUNT(*) FROM leased").fetchone()
        if n:
            self._write(
                "INSERT OR IGNORE INTO queued (origin, rank, seq, url, body) "
                "SELECT origin, rank, seq, url, body FROM leased"
            )
            self._write("DELETE FROM leased")
            self.commit()
        return n

    def _next_seq(self) -> int:
        low, high = self._db.execute("SELECT MIN(seq), MAX(seq) FROM queued").fetchone()
        return max(abs(low or 0), abs(high or 0)) + 1

    # -- origins ------------------------------------------------------------
    def _grow(self, origin_id: int) -> None:
        if origin_id >= len(self._counts):
            self._counts.extend([0] * (origin_id + 1 - len(self._counts) + 1024))

    def origin_id(self, site: str, origin: str) -> int:
        """The handle of *origin* (made on first use)."""
        found = self._ids.get(origin)
        if found is not None:
            return found
        row = self._db.execute("SELECT id FROM origins WHERE origin = ?", (origin,)).fetchone()
        if row is None:
            origin_id = self._write("INSERT INTO origins (origin, site) VALUES (?, ?)", (origin, site)).lastrowid
        else:
            origin_id = row[0]
        self._grow(origin_id)
        if len(self._ids) >= CACHE_ENTRIES:
            self._ids.clear()
        self._ids[origin] = origin_id
        return origin_id

    def names(self, origin_id: int) -> tuple[str, str]:
        """``(site, origin)`` of a handle."""
        found = self._names.get(origin_id)
        if found is None:
            origin, site = self._db.execute("SELECT origin, site FROM origins WHERE id = ?", (origin_id,)).fetchone()
            found = (site, origin)
            if len(self._names) >= CACHE_ENTRIES:
                self._names.clear()
            self._names[origin_id] = found
        return found

    def count(self, origin_id: int) -> int:
        """How many requests wait for the origin."""
        return self._counts[origin_id]

    def handles_of(self, site: str) -> list[int]:
        counts = self._counts
        return [
            origin_id for (origin_id,) in self._db.execute("SELECT id FROM origins WHERE site = ?", (site,))
            if origin_id < len(counts) and counts[origin_id]
        ]

    def non_empty(self) -> Iterator[int]:
        """Handles of every origin with requests waiting."""
        return (origin_id for origin_id, n in enumerate(self._counts) if n)

    # -- requests -------------------------------------------------------------
    def push(self, origin_id: int, rank: int, url: str, body: bytes, *, fifo: bool) -> bool:
        """Queue a request; ``True`` if the origin's queue was empty before."""
        seq = self._seq
        self._seq += 1
        self._write(
            "INSERT INTO queued (origin, rank, seq, url, body) VALUES (?, ?, ?, ?, ?)",
            (origin_id, rank, seq if fifo else -seq, url, body),
        )
        before = self._counts[origin_id]
        self._counts[origin_id] = before + 1
        self._total += 1
        return before == 0

    def head(self, origin_id: int) -> tuple[int, int, str] | None:
        """``(rank, seq, url)`` of the origin's next request, or ``None``."""
        if not self._counts[origin_id]:
            return None
        return self._db.execute(
            "SELECT rank, seq, url FROM queued WHERE origin = ? ORDER BY rank, seq LIMIT 1", (origin_id,)
        ).fetchone()

    def pop(self, origin_id: int) -> tuple[int, bytes] | None:
        """Take the origin's next request out: ``(lease id, body)``, or ``None`` if none waits.

        The request stays in the file, leased, until :meth:`finish`.
        """
        head = self.head(origin_id)
        if head is None:
            return None
        rank, seq, url = head
        key = (origin_id, rank, seq)
        (body,) = self._db.execute("SELECT body FROM queued WHERE origin = ? AND rank = ? AND seq = ?", key).fetchone()
        self._write("DELETE FROM queued WHERE origin = ? AND rank = ? AND seq = ?", key)
        lease = self._write(
            "INSERT INTO leased (origin, rank, seq, url, body) VALUES (?, ?, ?, ?, ?)", (*key, url, body)
        ).lastrowid
        self._counts[origin_id] -= 1
        self._total -= 1
        return lease, body

    def finish(self, lease: int) -> None:
        """A leased request is done: delete it and commit."""
        self._write("DELETE FROM leased WHERE id = ?", (lease,))
        self.commit()

    def drop(self, origin_id: int) -> int:
        n = self._counts[origin_id]
        if n:
            self._write("DELETE FROM queued WHERE origin = ?", (origin_id,))
            self._counts[origin_id] = 0
            self._total -= n
        return n

    def drain(self) -> list[bytes]:
        """Take every queued request's body out (the rows are deleted)."""
        bodies = [body for (body,) in self._db.execute("SELECT body FROM queued")]
        self._write("DELETE FROM queued")
        self._counts = array("I", bytes(len(self._counts) * self._counts.itemsize))
        self._total = 0
        return bodies

    def waiting(self) -> list[tuple[str, str, int]]:
        """``(site, origin, count)`` of each origin with requests waiting."""
        counts = self._counts
        return [
            (site, origin, counts[origin_id])
            for origin_id, origin, site in self._db.execute("SELECT id, origin, site FROM origins")
            if origin_id < len(counts) and counts[origin_id]
        ]

    def leased_count(self) -> int:
        (n,) = self._db.execute("SELECT COUNT(*) FROM leased").fetchone()
        return n

    def __len__(self) -> int:
        return self._total

    # -- seen fingerprints ----------------------------------------------------
    def seen(self, fingerprint: bytes) -> bool:
        """Whether *fingerprint* was seen before; records it if not."""
        return self._write("INSERT OR IGNORE INTO seen (fp) VALUES (?)", (fingerprint,)).rowcount == 0

    def seen_count(self) -> int:
        (n,) = self._db.execute("SELECT COUNT(*) FROM seen").fetchone()
        return n

    # -- closing --------------------------------------------------------------
    def release_leases(self) -> None:
        """Forget every leased request (a crawl that closed in order has finished them all)."""
        self._write("DELETE FROM leased")

    def close(self) -> None:
        self.commit()
        self._db.close()
