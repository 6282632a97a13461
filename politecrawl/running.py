"""The per-user list of running crawls, so a command typed anywhere can reach them.

Each running crawl writes one small JSON file (its *entry*) into
``$XDG_STATE_HOME/politecrawl/crawls/`` (default ``~/.local/state/politecrawl/crawls/``):
its crawl id, process id, the absolute URL of its state store, its sites, the
folder it runs in and the loopback UDP port on which it listens for a wake-up.
``politecrawl stop`` reads the folder to know which state stores hold running
crawls, writes the stop into each and sends each crawl one datagram so it reads
its stop registry at once instead of at its next poll.

An entry whose process is gone (a crawl killed with ``kill -9``) is ignored and
deleted when the folder is read. A process is identified by its pid and, where
the system tells it (Linux ``/proc``), its start time, so a reused pid is not
taken for the crawl. Everything here takes its clock, environment and
process check as arguments; nothing imports Scrapy or Twisted.
"""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

__all__ = [
    "CrawlEntry",
    "RunningCrawls",
    "absolute_state_url",
    "describe_state",
    "process_alive",
    "process_start",
    "registry_folder",
    "send_wake",
    "sqlite_path",
    "state_name",
]

#: What a wake-up datagram holds (the crawl reads its registry whatever it receives).
WAKE_MESSAGE = b"politecrawl-wake"


def registry_folder(environ: Mapping[str, str] | None = None) -> Path:
    """``$XDG_STATE_HOME/politecrawl/crawls`` (``~/.local/state`` when unset or relative)."""
    env = os.environ if environ is None else environ
    base = (env.get("XDG_STATE_HOME") or "").strip()
    if not base or not os.path.isabs(base):  # the XDG spec: a relative value is ignored
        home = env.get("HOME") or os.path.expanduser("~")
        base = os.path.join(home, ".local", "state")
    return Path(base) / "politecrawl" / "crawls"


def sqlite_path(url: str) -> str | None:
    """The file of a ``sqlite:///`` state URL (as written, maybe relative), else ``None``."""
    return url[len("sqlite:///"):] if url.startswith("sqlite:///") else None


def absolute_state_url(url: str, cwd: str | os.PathLike[str]) -> str:
    """*url* with a relative SQLite path made absolute against *cwd* (other URLs as given)."""
    path = sqlite_path(url.strip())
    if path is None or not path:
        return url.strip()
    return "sqlite:///" + os.path.abspath(os.path.join(os.fspath(cwd), path))


def state_name(url: str, cwd: str | os.PathLike[str] | None = None) -> str:
    """A state store as messages name it: a SQLite file by its absolute path (against *cwd*, default
    the current folder), a server URL without its password."""
    return describe_state(absolute_state_url(url, os.getcwd() if cwd is None else cwd))


def describe_state(url: str) -> str:
    """How messages name a state store: a SQLite file by its path, a server URL without its password."""
    path = sqlite_path(url)
    if path is not None:
        return path
    parts = urlsplit(url)
    if parts.password:
        host = parts.hostname or ""
        netloc = f"{parts.username or ''}:***@{host}" + (f":{parts.port}" if parts.port else "")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


def process_start(pid: int, proc: str = "/proc") -> str:
    """The start time of process *pid* as the system counts it (Linux), else ``""``."""
    try:
        with open(f"{proc}/{pid}/stat", encoding="ascii", errors="replace") as fh:
            stat = fh.read()
    except OSError:
        return ""
    fields = stat.rsplit(")", 1)[-1].split()
    return fields[19] if len(fields) > 19 else ""  # field 22 of proc(5); 3 come before ")"


def process_alive(pid: int, start: str = "") -> bool:
    """Whether process *pid* runs (and, when *start* is known, is the one that started then)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process holds the pid: not our crawl
        return False
    except OSError:
        return False
    return not start or process_start(pid) in ("", start)


@dataclass(frozen=True)
class CrawlEntry:
    """One running crawl as other commands see it."""

    crawl_id: str
    pid: int
    state_url: str  # absolute
    folder: str  # the crawl's working folder
    started_at: float
    sites: tuple[str, ...] = ()
    wake_port: int = 0  # loopback UDP port; 0: none (the crawl polls only)
    process_start: str = field(default="", compare=False)

    def to_json(self) -> str:
        data = asdict(self)
        data["sites"] = list(self.sites)
        return json.dumps(data, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> CrawlEntry:
        data = json.loads(text)
        return cls(
            crawl_id=str(data["crawl_id"]), pid=int(data["pid"]), state_url=str(data["state_url"]),
            folder=str(data.get("folder", "")), started_at=float(data.get("started_at", 0)),
            sites=tuple(str(s) for s in data.get("sites", ())),
            wake_port=int(data.get("wake_port", 0) or 0),
            process_start=str(data.get("process_start", "")),
        )


class RunningCrawls:
    """The registry folder: register, update, unregister and list running crawls.

    *alive* decides whether an entry's process still runs (``process_alive`` by
    default; tests pass a fake). Writes are atomic (a temporary file renamed),
    so a reader never sees half an entry.
    """

    def __init__(
        self,
        folder: str | os.PathLike[str],
        *,
        alive: Callable[[int, str], bool] = process_alive,
    ) -> None:
        self.folder = Path(folder)
        self.alive = alive

    def _path(self, crawl_id: str) -> Path:
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in crawl_id)
        return self.folder / f"{safe}.json"

    def register(self, entry: CrawlEntry) -> Path:
        """Write (or rewrite) *entry*; raises ``OSError`` when the folder cannot be written."""
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = self._path(entry.crawl_id)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(entry.to_json())
        os.replace(tmp, path)
        return path

    def unregister(self, crawl_id: str) -> None:
        try:
            self._path(crawl_id).unlink()
        except FileNotFoundError:
            pass

    def running(self) -> list[CrawlEntry]:
        """The entries whose process runs, oldest first; dead ones are deleted."""
        entries = []
        try:
            paths = sorted(self.folder.glob("*.json"))
        except OSError:
            return []
        for path in paths:
            try:
                entry = CrawlEntry.from_json(path.read_text(encoding="utf-8"))
            except (OSError, ValueError, KeyError, TypeError):
                continue  # being written, or not ours: never deleted on a bad read
            if self.alive(entry.pid, entry.process_start):
                entries.append(entry)
            else:
                try:
                    path.unlink()
                except OSError:
                    pass
        return sorted(entries, key=lambda e: (e.started_at, e.crawl_id))

    def on_state(self, state_url: str) -> list[CrawlEntry]:
        """The running crawls whose state store is *state_url* (absolute)."""
        return [e for e in self.running() if e.state_url == state_url]


def send_wake(ports: Iterable[int]) -> int:
    """Send one wake-up datagram to each loopback UDP port; return how many were sent."""
    sent = 0
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for port in ports:
            if 0 < port < 65536:
                try:
                    sock.sendto(WAKE_MESSAGE, ("127.0.0.1", port))
                    sent += 1
                except OSError:
                    continue
    return sent
