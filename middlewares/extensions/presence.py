"""Scrapy glue: a running crawl makes itself known (:mod:`politecrawl.running`) and can be woken.

:class:`CrawlPresence` (started by the stops extension, ``middlewares/stops.py``)
listens on a loopback UDP port, writes the crawl's entry (id, pid, absolute
state URL, sites, folder, port) into the per-user list of running crawls, and
rewrites it when the crawl meets new sites. A datagram on the port makes the
crawl read its stop registry at once (``politecrawl stop`` sends one after
writing a stop); on a Redis store a message on the ``stops:wake`` channel does
the same (for crawls on other machines). The registry poll stays as the fail-safe.
A Redis URL is listed without its password (as the store names itself). The entry is
removed when the crawl closes; a killed crawl's entry is dropped by the next
reader (its pid is gone).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from twisted.internet.protocol import DatagramProtocol

from politecrawl.running import CrawlEntry, RunningCrawls, absolute_state_url, process_start, registry_folder
from politecrawl.stops.registry import WAKE_CHANNEL

if TYPE_CHECKING:
    from politecrawl.middlewares.runtime import Runtime

logger = logging.getLogger("politecrawl.stops")

#: Sites are re-announced at most this often (seconds) when the crawl meets new ones.
SITES_REWRITE_INTERVAL = 5.0
#: At most this many sites are written into the entry (the list is for people to read).
MAX_SITES = 200


class _Wake(DatagramProtocol):
    def __init__(self, on_wake: Callable[[], None]) -> None:
        self.on_wake = on_wake
        self._pending = False

    def datagramReceived(self, datagram: bytes, addr: Any) -> None:  # noqa: N802 - Twisted's name
        if self._pending:
            return  # a burst of datagrams costs one registry read
        from twisted.internet import reactor  # noqa: PLC0415

        self._pending = True
        reactor.callLater(0, self._fire)

    def _fire(self) -> None:
        self._pending = False
        self.on_wake()


class _SharedStoreWake:
    """A thread listening on a shared (Redis) store's stop channel; each message wakes the crawl.

    For crawls on other machines, which ``politecrawl stop`` cannot reach by
    datagram. Errors end nothing: the thread subscribes again a second later
    and the registry poll goes on meanwhile.
    """

    def __init__(self, store: Any, on_wake: Callable[[], None]) -> None:
        self.store = store
        self.on_wake = on_wake
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="politecrawl-stop-wake", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        from twisted.internet import reactor  # noqa: PLC0415

        while not self._stop.is_set():
            pubsub = None
            try:
                pubsub = self.store.subscriber(WAKE_CHANNEL)
                while not self._stop.is_set():
                    if pubsub.get_message(timeout=0.5) is not None:
                        reactor.callFromThread(self.on_wake)
            except Exception:  # noqa: BLE001 - any client error: try again; the poll still runs
                self._stop.wait(1.0)
            finally:
                if pubsub is not None:
                    try:
                        pubsub.close()
                    except Exception:  # noqa: BLE001, S110 - closing a broken connection
                        pass

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2.0)


class CrawlPresence:
    """The crawl's entry in the list of running crawls and its wake-up port."""

    def __init__(self, runtime: Runtime, on_wake: Callable[[], None], folder: str | None = None) -> None:
        self.runtime = runtime
        self.on_wake = on_wake
        self.crawls = RunningCrawls(folder or registry_folder())
        self._port: Any = None
        self._entry: CrawlEntry | None = None
        self._shared: _SharedStoreWake | None = None
        self._written_sites = 0
        self._written_at = float("-inf")

    def start(self) -> None:
        store_url = self.runtime.store.url
        if store_url.startswith("memory:"):
            return  # nothing outside this process can write to it
        from twisted.internet import reactor  # noqa: PLC0415

        port = 0
        try:
            self._port = reactor.listenUDP(0, _Wake(self.on_wake), interface="127.0.0.1")
            port = self._port.getHost().port
        except Exception as exc:  # noqa: BLE001 - no wake-up port: the poll still sees stops
            logger.warning("politecrawl: no wake-up port for stops (%s); stops are seen at the "
                           "registry poll", type(exc).__name__)
        if callable(getattr(self.runtime.store, "subscriber", None)):
            self._shared = _SharedStoreWake(self.runtime.store, self.on_wake)
            self._shared.start()
        pid = os.getpid()
        self._entry = CrawlEntry(
            crawl_id=self.runtime.crawl_id, pid=pid,
            state_url=absolute_state_url(store_url, os.getcwd()), folder=os.getcwd(),
            started_at=self.runtime.clock(), wake_port=port, process_start=process_start(pid),
        )
        self._write()

    def _write(self) -> None:
        if self._entry is None:
            return
        try:
            self.crawls.register(self._entry)
        except OSError as exc:
            self.runtime.log_once(
                ("presence-unwritable",), logging.WARNING,
                "politecrawl: cannot list this crawl in %s (%s): `politecrawl stop` without --state "
                "typed in another folder will not find it", self.crawls.folder, type(exc).__name__,
            )

    def refresh(self) -> None:
        """Rewrite the entry when the crawl has met new sites (at most every few seconds)."""
        if self._entry is None:
            return
        count = len(self.runtime.tallies)
        now = self.runtime.clock()
        if count == self._written_sites or now - self._written_at < SITES_REWRITE_INTERVAL:
            return
        sites = self.runtime.tallies.sites()
        self._written_sites, self._written_at = count, now
        self._entry = CrawlEntry(**{**self._entry.__dict__, "sites": tuple(sites[:MAX_SITES])})
        self._write()

    def close(self) -> None:
        if self._shared is not None:
            self._shared.close()
            self._shared = None
        if self._port is not None:
            self._port.stopListening()
            self._port = None
        if self._entry is not None:
            self.crawls.unregister(self._entry.crawl_id)
            self._entry = None
