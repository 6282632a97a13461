"""State stores: where budgets, stops, robots.txt copies and the audit trail live."""

from __future__ import annotations

import os
import time
from urllib.parse import urlsplit

from .base import Clock, IndexedWrite, StateStore, StateStoreError
from .memory import MemoryStateStore
from .sqlite import SQLiteStateStore
from .writebehind import DEFAULT_BATCH

__all__ = [
    "DEFAULT_STATE_URL",
    "IndexedWrite",
    "MemoryStateStore",
    "MissingStateError",
    "SQLiteStateStore",
    "StateStore",
    "StateStoreError",
    "open_store",
]

#: The default of ``POLITECRAWL_STATE``: a SQLite file beside the project.
DEFAULT_STATE_URL = "sqlite:///.politecrawl/state.db"


class MissingStateError(StateStoreError):
    """A command that must not create a state store was pointed at one that does not exist."""

    def __init__(self, path: str) -> None:
        super().__init__(f"no state database at {path}")
        self.path = path


def open_store(
    url: str, clock: Clock = time.time, *, batch: int = DEFAULT_BATCH, create: bool = True
) -> StateStore:
    """Open the state store named by *url* and check that it is writable.

    ``sqlite:///relative/path.db``, ``sqlite:////absolute/path.db``,
    ``memory://`` and ``redis://host:port/db?prefix=...`` (also ``rediss://``,
    ``unix://``; see ``docs/state.md``) are understood. Raises :class:`StateStoreError` with the
    reason when the store cannot be opened or written (politecrawl fails
    closed on that). With ``create=False`` a SQLite file that does not exist is
    not made (nor its folder): :class:`MissingStateError` names its absolute path.
    *batch* is the SQLite store's write-behind bound for token
    takes (:mod:`politecrawl.state.writebehind`; 0 writes each at once).
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "memory":
        store: StateStore = MemoryStateStore(clock)
    elif scheme == "sqlite":
        path = url[len("sqlite:///"):] if url.startswith("sqlite:///") else ""
        if not path:
            raise StateStoreError(
                f"POLITECRAWL_STATE {url!r} names no file: use sqlite:///relative/path.db "
                "or sqlite:////absolute/path.db"
            )
        if not create and not os.path.isfile(path):
            raise MissingStateError(os.path.abspath(path))
        store = SQLiteStateStore(path, clock, batch=batch)
    elif scheme in ("redis", "rediss", "unix"):
        try:
            from .redis import RedisStateStore  # noqa: PLC0415 - optional dependency
        except ImportError as exc:
            raise StateStoreError(
                f"POLITECRAWL_STATE {parts.scheme}://… needs the Redis state store: "
                f"pip install 'politecrawl[redis]' ({exc})"
            ) from exc
        store = RedisStateStore(url, clock)
    else:
        raise StateStoreError(
            f"POLITECRAWL_STATE {url!r} has an unknown scheme {parts.scheme!r}: "
            "use sqlite:///path.db (the default), memory:// or redis://host:port/db"
        )
    store.check_writable()
    return store
