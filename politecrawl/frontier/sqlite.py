"""Queued requests and seen fingerprints in one SQLite file.

Tables:

* ``origins(id, origin, site)``: each origin the crawl queued for, once; its
  ``id`` is the handle the frontier keeps in memory.
* ``queued(origin, rank, ord)``, keyed by all three: the order of the
  requests waiting. ``rank`` orders priorities within an origin (lower goes
  first), ``ord`` arrival within a rank: the request's number, ascending
  (first in, first out) or negated (last in, first out). Small rows, so the
  index that takes random inserts stays small.
* ``requests(id, url, body)``: each waiting request under its number
  (``abs(ord)``), appended in order. ``body`` is the serialised request (the
  caller's bytes), ``url`` is kept beside it so that the head's URL is read
  without decoding the request.
* ``seen_by_origin(origin, fp)``: request fingerprints the dupefilter has
  seen, each under the id of its URL's origin (0 for none): a crawl's
  fingerprints arrive grouped by origin (a page's links, a round over the
  origins), so their inserts land on few pages of the index rather than one
  random page each, as 20-byte hashes alone did. The caller must give one
  fingerprint always the same origin (a function of what was hashed), so a
  fingerprint is seen once whatever its origin. Files written before hold
  ``seen(fp)``, still read.

A request taken out (:meth:`pop`) keeps its row until it is finished
(:meth:`finish`: answered and parsed, failed or refused); meanwhile its key
is held in memory so that it is not handed out twice. A crawl killed in
between finds the row queued when it opens the file again: the request is
fetched again rather than lost.

In memory: one 4-byte count per origin (by id), the keys of the requests
taken out and not finished, up to :data:`PUSH_BUFFER` pushes not yet written
(written in one statement, and before any read of the queue), the leases
finished since the last commit (deleted in one statement at the commit), the
last head row read, and two bounded caches (origin key to id, id to names; a name the cache let go is read
with the origin's head, in the same statement).
Nothing per queued request.

Durability: writes go into one open transaction, committed at the first
:meth:`finish` at least ``commit_gap`` seconds after the last commit, by
:meth:`commit` (the caller's timer, for the finishes and pushes in between),
after ``batch`` writes, and at :meth:`close`. A commit writes the buffered
pushes first, then the finished leases' deletes, then commits them as one:
a commit that holds a request's finish holds every push made before it (its
children). The WAL is written without fsync (``synchronous=NORMAL``): a
killed process (``kill -9``) loses only the writes since the last commit, and
the file always holds a consistent earlier state: a request whose children
were not committed is still queued, and is fetched again on resume. An
operating-system crash may lose the last commits as well.
"""

from __future__ import annotations

import sqlite3
from array import array
from pathlib import Path
from time import monotonic
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

__all__ = ["SQLiteFrontier"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS origins (id INTEGER PRIMARY KEY, origin TEXT NOT NULL UNIQUE, site TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS origins_by_site ON origins (site);
CREATE TABLE IF NOT EXISTS queued (
    origin INTEGER NOT NULL, rank INTEGER NOT NULL, ord INTEGER NOT NULL, PRIMARY KEY (origin, rank, ord)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS requests (id INTEGER PRIMARY KEY, url TEXT NOT NULL, body BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS seen (fp BLOB PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS seen_by_origin (
    origin INTEGER NOT NULL, fp BLOB NOT NULL, PRIMARY KEY (origin, fp)
) WITHOUT ROWID;
"""

#: The origin's next request (the caller skips those taken out: ``LIMIT`` one more than it holds).
_HEAD = (
    "SELECT q.origin, q.rank, q.ord, r.url, r.body FROM queued q JOIN requests r ON r.id = abs(q.ord) "
    "WHERE q.origin = ? ORDER BY q.rank, q.ord LIMIT ?"
)
#: The same with the origin's names (``origin``, ``site``) after.
_HEAD_AND_NAMES = (
    "SELECT q.origin, q.rank, q.ord, r.url, r.body, o.origin, o.site FROM queued q JOIN requests r ON r.id = abs(q.ord) "
    "JOIN origins o ON o.id = q.origin WHERE q.origin = ? ORDER BY q.rank, q.ord LIMIT ?"
)
#: Entries kept in each of the two name caches (origin key -> id, id -> names).
CACHE_ENTRIES = 4096
#: Pushes written in one statement (the only requests held in memory, besides those taken out).
PUSH_BUFFER = 256
#: SQLite page cache (KiB): bounds the store's memory whatever the number of requests.
CACHE_KIB = 8192


class SQLiteFrontier:
    """Per-origin request queues and the dupefilter's fingerprints in one SQLite file."""

    def __init__(
        self, path: str | Path, *, batch: int = 2000, commit_gap: float = 0.005, clock: Callable[[], float] = monotonic,
    ) -> None:
        self.path = Path(path)
        self.batch = batch
        self.commit_gap = commit_gap
        self._clock = clock
        self._committed_at = clock()
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
        self._db.executescript(_SCHEMA)
        self._pending = 0  # writes since the last commit
        self._unwritten: list[tuple[int, int, int, str, bytes]] = []  # (origin, rank, ord, url, body) not yet written
        self._ids: dict[str, tuple[int, str]] = {}  # origin -> (id, site)
        self._unknown: str | None = None  # the last origin site_of found no row for
        self._names: dict[int, tuple[str, str]] = {}
        self._counts = array("I")
        self._total = 0
        self._taken: dict[int, set[tuple[int, int]]] = {}  # origin id -> (rank, ord) taken out, not finished
        self._finished: list[tuple[int, int, int]] = []  # leases finished, their rows not yet deleted
        self._head: tuple | None = None  # (origin id, rank, ord, url, body) of the last head read
        self._seq = self._next_seq()
        # fingerprints a file written before seen_by_origin holds (read, never written)
        self._legacy_seen = self._db.execute("SELECT 1 FROM seen LIMIT 1").fetchone() is not None
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
        if self._unwritten:
            self._write_pushes()
        if self._finished:
            self._delete_finished()
        if self._db.in_transaction:
            self._db.execute("COMMIT")
        self._pending = 0
        self._committed_at = self._clock()

    @property
    def uncommitted(self) -> int:
        return self._pending

    def _next_seq(self) -> int:
        (high,) = self._db.execute("SELECT MAX(id) FROM requests").fetchone()
        return (high or 0) + 1

    # -- origins ------------------------------------------------------------
    def _grow(self, origin_id: int) -> None:
        if origin_id >= len(self._counts):
            self._counts.extend([0] * (origin_id + 1 - len(self._counts) + 1024))

    def origin_id(self, site: str, origin: str) -> int:
        """The handle of *origin* (made on first use)."""
        found = self._ids.get(origin)
        if found is not None:
            return found[0]
        row = None if origin == self._unknown else self._lookup(origin)
        if row is None:
            origin_id = self._write("INSERT INTO origins (origin, site) VALUES (?, ?)", (origin, site)).lastrowid
            row = (origin_id, site)
        self._grow(row[0])
        self._remember(origin, row)
        return row[0]

    def known_id(self, origin: str) -> int | None:
        """The handle of *origin* if it has one, else ``None``."""
        row = self._row(origin)
        return None if row is None else row[0]

    def site_of(self, origin: str) -> str | None:
        """The site *origin* was queued under, or ``None`` if it never was."""
        row = self._row(origin)
        return None if row is None else row[1]

    def _row(self, origin: str) -> tuple[int, str] | None:
        """``(id, site)`` of *origin*, or ``None``; the row is read once for this and the :meth:`origin_id`,
        :meth:`known_id` or :meth:`site_of` that follow."""
        found = self._ids.get(origin)
        if found is None:
            found = self._lookup(origin)
            if found is None:
                self._unknown = origin
                return None
            self._remember(origin, found)
        return found

    def _lookup(self, origin: str) -> tuple[int, str] | None:
        return self._db.execute("SELECT id, site FROM origins WHERE origin = ?", (origin,)).fetchone()

    def _remember(self, origin: str, row: tuple[int, str]) -> None:
        if len(self._ids) >= CACHE_ENTRIES:
            self._ids.clear()
        self._ids[origin] = row
        self._unknown = None

    def names(self, origin_id: int) -> tuple[str, str]:
        """``(site, origin)`` of a handle (read with the origin's head when it has requests: the caller pops next)."""
        found = self._names.get(origin_id)
        if found is None:
            if origin_id < len(self._counts) and self._counts[origin_id]:
                self._next(origin_id)
                found = self._names.get(origin_id)
            if found is None:
                origin, site = self._db.execute("SELECT origin, site FROM origins WHERE id = ?", (origin_id,)).fetchone()
                found = (site, origin)
                self._cache_names(origin_id, found)
        return found

    def _cache_names(self, origin_id: int, names: tuple[str, str]) -> None:
        if len(self._names) >= CACHE_ENTRIES:
            self._names.clear()
        self._names[origin_id] = names

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
        """Queue a request; ``True`` if the origin's queue was empty before.

        Rows are written :data:`PUSH_BUFFER` at a time (one statement), and
        before anything reads the queue.
        """
        seq = self._seq
        self._seq += 1
        if self._head is not None and self._head[0] == origin_id:
            self._head = None  # the push may go first
        self._unwritten.append((origin_id, rank, seq if fifo else -seq, url, body))
        if len(self._unwritten) >= PUSH_BUFFER:
            self._write_pushes()
        before = self._counts[origin_id]
        self._counts[origin_id] = before + 1
        self._total += 1
        return before == 0

    def _write_pushes(self) -> None:
        rows, self._unwritten = self._unwritten, []
        if rows:
            if not self._db.in_transaction:
                self._db.execute("BEGIN")
            self._db.executemany("INSERT INTO requests (id, url, body) VALUES (abs(?3), ?4, ?5)", rows)
            self._db.executemany("INSERT INTO queued (origin, rank, ord) VALUES (?1, ?2, ?3)", [row[:3] for row in rows])
            self._pending += len(rows)
            if self._pending >= self.batch:
                self.commit()

    def head(self, origin_id: int) -> tuple[int, int, str] | None:
        """``(rank, seq, url)`` of the origin's next request, or ``None``."""
        row = self._next(origin_id)
        return None if row is None else row[1:4]

    def head_body(self, origin_id: int) -> tuple[int, int, str, bytes] | None:
        """``(rank, seq, url, body)`` of the origin's next request (the one :meth:`pop` would take), or ``None``."""
        row = self._next(origin_id)
        return None if row is None else row[1:]

    def _next(self, origin_id: int) -> tuple | None:
        """``(origin id, rank, ord, url, body)`` of the origin's next request; the last one read is kept until a
        push to the origin, its pop, a drop or a drain. The origin's names come with it when they are not cached
        (:meth:`names` asks for them so: one statement, not two, for an origin the caches have let go)."""
        head = self._head
        if head is not None and head[0] == origin_id:
            return head
        if not self._counts[origin_id]:
            return None
        if self._unwritten:
            self._write_pushes()
        taken = self._taken.get(origin_id)
        limit = 1 + len(taken) if taken else 1
        if origin_id in self._names:
            rows = self._db.execute(_HEAD, (origin_id, limit))
        else:
            rows = self._db.execute(_HEAD_AND_NAMES, (origin_id, limit))
        for row in rows:
            if len(row) > 5:
                self._cache_names(origin_id, (row[6], row[5]))
                row = row[:5]
            if not taken or (row[1], row[2]) not in taken:
                self._head = row
                return row
        return None

    def pop(self, origin_id: int) -> tuple[tuple[int, int, int], str, bytes] | None:
        """Take the origin's next request out: ``(lease, url, body)``, or ``None`` if none waits.

        Its row stays until :meth:`finish` with the lease.
        """
        row = self._next(origin_id)
        if row is None:
            return None
        self._head = None
        _, rank, seq, url, body = row
        self._taken.setdefault(origin_id, set()).add((rank, seq))
        self._counts[origin_id] -= 1
        self._total -= 1
        return (origin_id, rank, seq), url, body

    def finish(self, lease: tuple[int, int, int]) -> None:
        """A request taken out is done: delete it (committed now, or by the caller's timer within ``commit_gap``).

        The delete is written with the next commit; until then the key stays taken, so the row is not handed out.
        """
        self._finished.append(lease)
        self._pending += 2
        if self._pending >= self.batch or self._clock() - self._committed_at >= self.commit_gap:
            self.commit()

    def _delete_finished(self) -> None:
        leases, self._finished = self._finished, []
        if not self._db.in_transaction:
            self._db.execute("BEGIN")
        self._db.executemany("DELETE FROM queued WHERE origin = ? AND rank = ? AND ord = ?", leases)
        self._db.executemany("DELETE FROM requests WHERE id = abs(?)", [(seq,) for _, _, seq in leases])
        taken_of = self._taken
        for origin_id, rank, seq in leases:
            taken = taken_of.get(origin_id)
            if taken is not None:
                taken.discard((rank, seq))
                if not taken:
                    del taken_of[origin_id]

    @property
    def in_flight(self) -> int:
        """Requests taken out and not finished."""
        return sum(len(keys) for keys in self._taken.values()) - len(self._finished)

    def drop(self, origin_id: int) -> int:
        """Delete the origin's waiting requests (those taken out go on); returns how many."""
        n = self._counts[origin_id]
        if self._head is not None and self._head[0] == origin_id:
            self._head = None
        if n:
            self._write_pushes()
            # taken ones too: their finish deletes nothing more
            self._write("DELETE FROM requests WHERE id IN (SELECT abs(ord) FROM queued WHERE origin = ?)", (origin_id,))
            self._write("DELETE FROM queued WHERE origin = ?", (origin_id,))
            self._counts[origin_id] = 0
            self._total -= n
        return n

    def drain(self) -> list[tuple[str, bytes]]:
        """Take every waiting request's ``(url, body)`` out (their rows are deleted; those taken out go on)."""
        self._write_pushes()
        self._head = None
        taken = self._taken
        rows = [
            (origin, rank, seq, url, body) for origin, rank, seq, url, body in self._db.execute(
                "SELECT q.origin, q.rank, q.ord, r.url, r.body FROM queued q JOIN requests r ON r.id = abs(q.ord)")
            if (rank, seq) not in taken.get(origin, ())
        ]
        for origin, rank, seq, _, _ in rows:
            self._write("DELETE FROM queued WHERE origin = ? AND rank = ? AND ord = ?", (origin, rank, seq))
            self._write("DELETE FROM requests WHERE id = ?", (abs(seq),))
        bodies = [row[3:] for row in rows]
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

    def __len__(self) -> int:
        return self._total

    # -- seen fingerprints ----------------------------------------------------
    def seen(self, fingerprint: bytes, origin_id: int = 0) -> bool:
        """Whether *fingerprint* was seen before; records it if not, under *origin_id* (the handle of the origin of
        the URL it hashes, or 0; always the same for one fingerprint)."""
        if self._legacy_seen and self._db.execute("SELECT 1 FROM seen WHERE fp = ?", (fingerprint,)).fetchone():
            return True
        return self._write(
            "INSERT OR IGNORE INTO seen_by_origin (origin, fp) VALUES (?, ?)", (origin_id, fingerprint)
        ).rowcount == 0

    def seen_count(self) -> int:
        (n,) = self._db.execute("SELECT (SELECT COUNT(*) FROM seen) + (SELECT COUNT(*) FROM seen_by_origin)").fetchone()
        return n

    # -- closing --------------------------------------------------------------
    def finish_all(self) -> None:
        """Finish every request taken out (a crawl that closed in order is done with them all)."""
        self.commit()  # the finished ones leave the taken keys
        for origin_id, keys in list(self._taken.items()):
            for rank, seq in list(keys):
                self.finish((origin_id, rank, seq))

    def close(self) -> None:
        self.commit()
        self._db.close()
