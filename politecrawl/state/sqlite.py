"""The embedded default state store: one SQLite file in WAL mode.

Several processes on one machine may share the file: every write runs in its
own ``BEGIN IMMEDIATE`` transaction, and readers never block writers (WAL).
A busy database is waited for (``busy_timeout``) rather than failed.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import cast

from . import tokens as _tokens
from .base import Clock, IndexedWrite, Scalar, StateStore, StateStoreError
from .writebehind import DEFAULT_BATCH, WriteBehindBuckets

#: SQLite's page cache of the state store (KiB): 512 KB. It fills once the file passes it (the fetch history keeps
#: one record a page: ~13 MB at 20,000 pages), so it is a floor under a crawl's RSS; the history's lookups and
#: inserts land on random leaves of that file, which a cache of 2 MB did not hold either. It was 8 MB (and 64 MB
#: with a 256 MB map before ea4fe12), then SQLite's default 2 MB (session 9); 512 KB in session 10 (docs/speed.md).
CACHE_KIB = 512

_SCHEMA = """
CREATE TABLE IF NOT EXISTS kv (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    expires REAL
);
CREATE TABLE IF NOT EXISTS hashes (
    key TEXT NOT NULL,
    field TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (key, field)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS logs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    log TEXT NOT NULL,
    record TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS logs_by_log ON logs (log, id);
CREATE TABLE IF NOT EXISTS buckets (
    key TEXT PRIMARY KEY,
    tokens REAL NOT NULL,
    updated_at REAL NOT NULL,
    granted INTEGER NOT NULL
) WITHOUT ROWID;
"""

# Token buckets written by an earlier version as hash fields move to their table.
_MIGRATE_BUCKETS = """
INSERT OR IGNORE INTO buckets (key, tokens, updated_at, granted)
    SELECT t.key, CAST(t.value AS REAL), CAST(u.value AS REAL), 0
    FROM hashes t JOIN hashes u ON u.key = t.key AND u.field = 'updated_at'
    WHERE t.field = 'tokens';
DELETE FROM hashes WHERE field IN ('tokens', 'updated_at') AND key IN (SELECT key FROM buckets);
"""

# One statement, so one implicit transaction: atomic across processes without
# BEGIN IMMEDIATE ... COMMIT (which cost about twice as much per token). The
# arithmetic is politecrawl.state.tokens.take, in the same order of operations
# (SET expressions all see the row as it was). Parameters: ?1 key, ?2 now,
# ?3 rate, ?4 burst, ?5 cost, ?6/?7 tokens and granted of a new bucket.
_TAKE = """
INSERT INTO buckets (key, tokens, updated_at, granted) VALUES (?1, ?6, ?2, ?7)
ON CONFLICT (key) DO UPDATE SET
    granted = (min(?4, tokens + max(0.0, ?2 - updated_at) * ?3) >= ?5),
    tokens = min(?4, tokens + max(0.0, ?2 - updated_at) * ?3)
        - CASE WHEN min(?4, tokens + max(0.0, ?2 - updated_at) * ?3) >= ?5 THEN ?5 ELSE 0.0 END,
    updated_at = max(updated_at, ?2)
RETURNING tokens, granted
"""


class SQLiteStateStore(StateStore):
    """State in one SQLite database file (created with its folder if missing).

    Token buckets are written behind (:mod:`.writebehind`): at most *batch*
    granted takes are held unwritten by the process that owns the buckets (the
    crash bound); ``batch=0`` writes every take at once.
    """

    #: One transaction (BEGIN IMMEDIATE, the WAL append, COMMIT) costs a page's fetch-history write ~60 us of
    #: CPU: the history's once-a-page writes go in batches (docs/recrawl.md, docs/speed.md).
    batch_writes = True

    def __init__(
        self, path: str | os.PathLike[str], clock: Clock = time.time, *, batch: int = DEFAULT_BATCH
    ) -> None:
        super().__init__(clock)
        if isinstance(batch, bool) or not isinstance(batch, int) or batch < 0:
            raise StateStoreError(f"the SQLite ledger batch ({batch!r}) must be a whole number, 0 or more")
        self._buckets = WriteBehindBuckets(self, batch) if batch else None
        self.path = Path(path)
        self.url = f"sqlite:///{self.path}"
        self._lock = threading.RLock()
        self._fresh: dict[tuple[float, float, float], tuple[float, int]] = {}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(
                str(self.path), timeout=30.0, isolation_level=None, check_same_thread=False
            )
            self._db.execute("PRAGMA busy_timeout=30000")
            self._use_wal()
            self._db.execute("PRAGMA synchronous=NORMAL")
            # A 512 KB page cache, no memory map (CACHE_KIB; docs/speed.md).
            self._db.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
            with self._write() as db:
                for statement in (_SCHEMA + _MIGRATE_BUCKETS).split(";"):
                    if statement.strip():
                        db.execute(statement)
        except (OSError, sqlite3.Error) as exc:
            raise StateStoreError(
                f"cannot open the state store at {self.path}: {exc}. "
                "Set POLITECRAWL_STATE to a writable location "
                "(for example sqlite:///.politecrawl/state.db)."
            ) from exc

    def _use_wal(self) -> None:
        """Switch the file to WAL mode once; processes opening it together may race.

        Changing the journal mode takes an exclusive lock and SQLite can answer
        "database is locked" at once (without the busy handler) while another
        process opens the file, so the switch is retried for up to 30 s.
        """
        deadline = time.monotonic() + 30.0
        delay = 0.005
        while True:
            try:
                mode = self._db.execute("PRAGMA journal_mode").fetchone()[0]
                if mode.lower() != "wal":
                    self._db.execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(delay)
                delay = min(0.2, delay * 2)

    # -- plumbing --------------------------------------------------------
    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    yield self._db
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
                self._db.execute("COMMIT")
            except sqlite3.Error as exc:
                raise StateStoreError(f"state store {self.path}: write failed: {exc}") from exc

    def _read(self, sql: str, params: tuple = ()) -> list[tuple]:
        with self._lock:
            try:
                return self._db.execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                raise StateStoreError(f"state store {self.path}: read failed: {exc}") from exc

    def _expiry(self, ttl: float | None) -> float | None:
        return None if ttl is None else self.clock() + ttl

    # -- strings ---------------------------------------------------------
    def get(self, key: str) -> str | None:
        rows = self._read(
            "SELECT value FROM kv WHERE key = ? AND (expires IS NULL OR expires > ?)",
            (key, self.clock()),
        )
        return rows[0][0] if rows else None

    def set(self, key: str, value: str, *, ttl: float | None = None) -> None:
        with self._write() as db:
            db.execute(
                "INSERT OR REPLACE INTO kv (key, value, expires) VALUES (?, ?, ?)",
                (key, str(value), self._expiry(ttl)),
            )

    def set_if_absent(self, key: str, value: str, *, ttl: float | None = None) -> bool:
        with self._write() as db:
            db.execute(
                "DELETE FROM kv WHERE key = ? AND expires IS NOT NULL AND expires <= ?",
                (key, self.clock()),
            )
            cursor = db.execute(
                "INSERT OR IGNORE INTO kv (key, value, expires) VALUES (?, ?, ?)",
                (key, str(value), self._expiry(ttl)),
            )
            return cursor.rowcount == 1

    def delete(self, key: str) -> None:
        if self._buckets is not None:
            self._buckets.forget(key)
        with self._write() as db:
            db.execute("DELETE FROM kv WHERE key = ?", (key,))
            db.execute("DELETE FROM hashes WHERE key = ?", (key,))
            db.execute("DELETE FROM buckets WHERE key = ?", (key,))
            db.execute("DELETE FROM logs WHERE log = ?", (key,))

    def incr(self, key: str, amount: float = 1) -> float:
        with self._write() as db:
            return cast(float, self._add(db, key, amount))  # no limit: never None

    def _add(self, db: sqlite3.Connection, key: str, amount: float,
             limit: float = float("inf")) -> float | None:
        """Add *amount* to the number at *key* inside the caller's transaction (keeping its
        expiry); the new value, or ``None`` (nothing written) if it would pass *limit*."""
        row = db.execute(
            "SELECT value, expires FROM kv WHERE key = ? AND (expires IS NULL OR expires > ?)",
            (key, self.clock()),
        ).fetchone()
        new = (float(row[0]) if row else 0.0) + amount
        if new > limit:
            return None
        db.execute(
            "INSERT OR REPLACE INTO kv (key, value, expires) VALUES (?, ?, ?)",
            (key, repr(new), row[1] if row else None),
        )
        return new

    def set_indexed_many(self, writes: Sequence[IndexedWrite]) -> list[bool]:
        # one transaction for the batch
        done = []
        with self._write() as db:
            for w in writes:
                ok = not (w.key and w.count is not None and self._add(db, w.count, 1, w.limit) is None)
                if ok and w.key:
                    db.execute("INSERT OR REPLACE INTO kv (key, value, expires) VALUES (?, ?, NULL)", (w.key, str(w.value)))
                    if w.index:
                        db.execute("INSERT OR REPLACE INTO hashes (key, field, value) VALUES (?, ?, ?)",
                                   (w.index, w.field, str(w.entry)))
                if ok:
                    db.executemany("INSERT OR REPLACE INTO kv (key, value, expires) VALUES (?, ?, NULL)",
                                   [(k, str(v)) for k, v in w.also])
                done.append(ok)
        return done

    # -- hashes ----------------------------------------------------------
    def hgetall(self, key: str) -> dict[str, str]:
        fields = dict(self._read("SELECT field, value FROM hashes WHERE key = ?", (key,)))
        held = self._buckets.peek(key) if self._buckets is not None else None
        bucket = held or self._written_bucket(key)
        if bucket:  # a token bucket reads as the hash it is in the interface
            fields["tokens"], fields["updated_at"] = repr(bucket[0]), repr(bucket[1])
        return fields

    def _written_bucket(self, key: str) -> tuple[float, float] | None:
        """``(tokens, updated_at)`` of the bucket at *key* as the file holds it."""
        rows = self._read("SELECT tokens, updated_at FROM buckets WHERE key = ?", (key,))
        return rows[0] if rows else None

    def hset(self, key: str, mapping: Mapping[str, Scalar]) -> None:
        with self._write() as db:
            db.executemany(
                "INSERT OR REPLACE INTO hashes (key, field, value) VALUES (?, ?, ?)",
                [(key, field, str(value)) for field, value in mapping.items()],
            )

    def hincr(self, key: str, field: str, amount: float = 1) -> float:
        with self._write() as db:
            row = db.execute(
                "SELECT value FROM hashes WHERE key = ? AND field = ?", (key, field)
            ).fetchone()
            new = (float(row[0]) if row else 0.0) + amount
            db.execute(
                "INSERT OR REPLACE INTO hashes (key, field, value) VALUES (?, ?, ?)",
                (key, field, repr(new)),
            )
            return new

    def hdel(self, key: str, *fields: str) -> None:
        with self._write() as db:
            db.executemany(
                "DELETE FROM hashes WHERE key = ? AND field = ?", [(key, f) for f in fields]
            )

    # -- logs ------------------------------------------------------------
    def append(self, log: str, record: Mapping[str, Scalar]) -> str:
        payload = json.dumps({k: str(v) for k, v in record.items()}, ensure_ascii=False)
        with self._write() as db:
            cursor = db.execute("INSERT INTO logs (log, record) VALUES (?, ?)", (log, payload))
            return f"{cursor.lastrowid:020d}"

    def read_log(
        self, log: str, after: str | None = None, limit: int | None = None
    ) -> list[tuple[str, dict[str, str]]]:
        rows = self._read(
            "SELECT id, record FROM logs WHERE log = ? AND id > ? ORDER BY id LIMIT ?",
            (log, int(after) if after else 0, -1 if limit is None else limit),
        )
        return [(f"{row_id:020d}", json.loads(record)) for row_id, record in rows]

    # -- budgets ---------------------------------------------------------
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
        _tokens.check_bucket_args(rate, burst, cost, initial)
        now = float(now)
        if self._buckets is not None:
            with self._lock:
                return self._buckets.take(key, now, rate, burst, cost, initial)
        return self._take_through(key, now, rate, burst, cost, initial)

    def _take_through(
        self, key: str, now: float, rate: float, burst: float, cost: float, initial: float
    ) -> tuple[bool, float]:
        """One take in one SQL statement (no write-behind, or a file several processes share)."""
        # What a bucket that does not exist yet would become (the rule, not a copy of it); it
        # depends on burst, cost and initial only, so it is asked once per combination.
        fresh = self._fresh.get((burst, cost, initial))
        if fresh is None:
            fresh_granted, _, fresh_tokens, _ = _tokens.take(None, None, now, rate, burst, cost,
                                                             initial)
            fresh = self._fresh[(burst, cost, initial)] = (fresh_tokens, int(fresh_granted))
        with self._lock:
            try:
                tokens, granted = self._db.execute(
                    _TAKE, (key, now, rate, burst, cost, *fresh)
                ).fetchone()
            except sqlite3.Error as exc:
                raise StateStoreError(f"state store {self.path}: write failed: {exc}") from exc
        if granted:
            return True, 0.0
        # The wait for what is left, by the rule (no time passes between the take and now).
        return False, _tokens.take(tokens, now, now, rate, burst, cost, initial)[1]

    # -- keys ------------------------------------------------------------
    def keys(self, prefix: str) -> list[str]:
        # substr() rather than LIKE: LIKE folds ASCII case, keys are case-sensitive.
        n = len(prefix)
        rows = self._read(
            "SELECT key FROM kv WHERE substr(key, 1, ?) = ? AND (expires IS NULL OR expires > ?)"
            " UNION SELECT key FROM hashes WHERE substr(key, 1, ?) = ?"
            " UNION SELECT key FROM buckets WHERE substr(key, 1, ?) = ?"
            " UNION SELECT log FROM logs WHERE substr(log, 1, ?) = ?",
            (n, prefix, self.clock(), n, prefix, n, prefix, n, prefix),
        )
        found = {r[0] for r in rows}
        if self._buckets is not None:  # buckets created here and not written yet
            found.update(k for k in self._buckets.dirty if k.startswith(prefix))
        return sorted(found)

    def flush(self, *, release: bool = False) -> None:
        if self._buckets is not None:
            with self._lock:
                self._buckets.flush(release=release)

    def close(self) -> None:
        with self._lock:
            if self._buckets is not None:
                self._buckets.close()
            self._db.close()
