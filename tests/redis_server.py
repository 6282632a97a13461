"""A throw-away ``redis-server`` for tests: started on a free port, stoppable and restartable.

Used by the ``redis_url`` fixture in ``conftest.py``; tests that take Redis
down mid-crawl (issue 7) use :meth:`RedisServer.stop` and :meth:`RedisServer.start`.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

INSTALL_HINT = (
    "Redis tests need a Redis server: set REDIS_URL=redis://host:port/db, or install "
    "redis-server on PATH (Debian/Ubuntu: apt-get install redis-server; macOS: brew install "
    "redis). They are not skipped on purpose: the Redis state store must be tested."
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """One ``redis-server`` process bound to 127.0.0.1.

    Without persistence by default; ``persist=True`` keeps an append-only file
    (fsync on every write) in its directory, so a stop and a start keep the data,
    as a production Redis for a cluster should.
    """

    def __init__(
        self, executable: str | None = None, port: int | None = None, *, persist: bool = False
    ) -> None:
        self.executable = executable or shutil.which("redis-server")
        if self.executable is None:
            raise FileNotFoundError(INSTALL_HINT)
        self.port = port or free_port()
        self.persist = persist
        self._dir = tempfile.TemporaryDirectory(prefix="politecrawl-redis-")
        self._proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 10.0) -> None:
        self._proc = subprocess.Popen(
            [
                self.executable, "--port", str(self.port), "--bind", "127.0.0.1",
                "--save", "", "--dir", self._dir.name,
                *(("--appendonly", "yes", "--appendfsync", "always") if self.persist
                  else ("--appendonly", "no")),
                "--daemonize", "no", "--loglevel", "warning",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                err = self._proc.stderr.read().decode(errors="replace") if self._proc.stderr else ""
                raise RuntimeError(f"redis-server on port {self.port} exited: {err[-500:]}")
            if self.ping():
                return
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"redis-server on port {self.port} did not answer PING in {timeout} s")

    def ping(self) -> bool:
        """PING over a raw socket (no client library needed)."""
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        if self._proc is not None and self._proc.stderr:
            self._proc.stderr.close()
        self._proc = None

    def close(self) -> None:
        self.stop()
        self._dir.cleanup()


@contextmanager
def redis_url_or_throwaway(url: str | None) -> Iterator[str]:
    """*url* if one is given, else the URL of a throw-away :class:`RedisServer` that lives for the block
    (benchmarks: ``--redis-url`` or ``REDIS_URL``, or a server of their own)."""
    if url:
        yield url
        return
    server = RedisServer()
    server.start()
    try:
        yield server.url
    finally:
        server.close()


class CommandCounter:
    """Counts the commands clients send to Redis (MONITOR on a plain socket; the commands Lua
    scripts run are shown as ``[db lua]`` and left out). ``by_name``: per command, scripts
    (EVALSHA) as ``frontier`` (the shared frontier's: its keys end in ``:requests``), ``history``
    (the recrawl fetch history's) or ``other``."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.count = 0
        self.by_name: dict[str, int] = {}
        self.error: Exception | None = None
        self._sock = socket.create_connection((parts.hostname, parts.port or 6379))
        self._sock.sendall(b"MONITOR\r\n")
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        rest = b""
        try:
            while chunk := self._sock.recv(1 << 20):
                lines = (rest + chunk).split(b"\r\n")
                rest = lines.pop()
                for line in lines:
                    head, _, tail = line.partition(b"] ")
                    if not tail or head.endswith(b" lua"):
                        continue  # +OK, or a command a script ran
                    self.count += 1
                    name = tail[1:tail.find(b'"', 1)].decode(errors="replace").upper()
                    if name == "EVALSHA":  # which script, by the keys it names
                        name += (" frontier" if b':requests"' in tail else " history" if b"recrawl:" in tail
                                 else " other")
                    self.by_name[name] = self.by_name.get(name, 0) + 1
        except OSError as exc:  # closed: the run is over
            self.error = exc

    def close(self) -> None:
        self._sock.shutdown(socket.SHUT_RDWR)
        self._thread.join(10)
        self._sock.close()
