"""An in-memory state store, for tests and throw-away crawls."""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping

from . import tokens as _tokens
from .base import Clock, Scalar, StateStore


class MemoryStateStore(StateStore):
    """Keeps everything in dictionaries of this process; nothing persists."""

    def __init__(self, clock: Clock = time.time) -> None:
        super().__init__(clock)
        self.url = "memory://"
        self._lock = threading.Lock()
        self._strings: dict[str, tuple[str, float | None]] = {}
        self._hashes: dict[str, dict[str, str]] = {}
        self._logs: dict[str, list[tuple[str, dict[str, str]]]] = {}
        self._seq = 0

    def _live(self, key: str) -> str | None:
        item = self._strings.get(key)
        if item is None:
            return None
        value, expires = item
        if expires is not None and expires <= self.clock():
            del self._strings[key]
            return None
        return value

    def _expiry(self, ttl: float | None) -> float | None:
        return None if ttl is None else self.clock() + ttl

    def get(self, key: str) -> str | None:
        with self._lock:
            return self._live(key)

    def set(self, key: str, value: str, *, ttl: float | None = None) -> None:
        with self._lock:
            self._strings[key] = (str(value), self._expiry(ttl))

    def set_if_absent(self, key: str, value: str, *, ttl: float | None = None) -> bool:
        with self._lock:
            if self._live(key) is not None:
                return False
            self._strings[key] = (str(value), self._expiry(ttl))
            return True

    def delete(self, key: str) -> None:
        with self._lock:
            self._strings.pop(key, None)
            self._hashes.pop(key, None)
            self._logs.pop(key, None)

    def incr(self, key: str, amount: float = 1) -> float:
        with self._lock:
            current = self._live(key)
            new = (float(current) if current is not None else 0.0) + amount
            expires = self._strings[key][1] if key in self._strings else None
            self._strings[key] = (repr(new), expires)
            return new

    def hgetall(self, key: str) -> dict[str, str]:
        with self._lock:
            return dict(self._hashes.get(key, {}))

    def hset(self, key: str, mapping: Mapping[str, Scalar]) -> None:
        with self._lock:
            target = self._hashes.setdefault(key, {})
            for field, value in mapping.items():
                target[field] = str(value)

    def hincr(self, key: str, field: str, amount: float = 1) -> float:
        with self._lock:
            target = self._hashes.setdefault(key, {})
            new = float(target.get(field, 0.0)) + amount
            target[field] = repr(new)
            return new

    def hdel(self, key: str, *fields: str) -> None:
        with self._lock:
            target = self._hashes.get(key, {})
            for field in fields:
                target.pop(field, None)

    def append(self, log: str, record: Mapping[str, Scalar]) -> str:
        with self._lock:
            self._seq += 1
            entry_id = f"{self._seq:020d}"
            self._logs.setdefault(log, []).append(
                (entry_id, {k: str(v) for k, v in record.items()})
            )
            return entry_id

    def read_log(
        self, log: str, after: str | None = None, limit: int | None = None
    ) -> list[tuple[str, dict[str, str]]]:
        with self._lock:
            entries = [
                (i, dict(r)) for i, r in self._logs.get(log, []) if after is None or i > after
            ]
        return entries[:limit] if limit is not None else entries

    def keys(self, prefix: str) -> list[str]:
        with self._lock:
            names = [k for k in list(self._strings) if self._live(k) is not None]
            names += list(self._hashes) + list(self._logs)
        return sorted({k for k in names if k.startswith(prefix)})

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
        with self._lock:
            bucket = self._hashes.setdefault(key, {})
            old_tokens = bucket.get("tokens")
            old_updated = bucket.get("updated_at")
            granted, wait, tokens, updated_at = _tokens.take(
                None if old_tokens is None else float(old_tokens),
                None if old_updated is None else float(old_updated),
                float(now), rate, burst, cost, initial,
            )
            bucket["tokens"] = repr(tokens)
            bucket["updated_at"] = repr(updated_at)
        return granted, wait
