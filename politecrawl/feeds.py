"""Feed exports checked before a crawl: a known format, a path that can be written.

Scrapy finds a bad feed only when the crawl closes (the items are lost) or
not at all; these checks read the same settings first. Pure apart from
looking at the file system (exists, is a folder, may be written).
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

__all__ = ["APPENDABLE", "OutputPlan", "existing_ancestor", "feed_problems", "known_formats",
           "plan_output", "writable_file_problem"]

#: Scrapy's own formats (``FEED_EXPORTERS_BASE``), for settings that do not list them.
SCRAPY_FORMATS = ("json", "jsonlines", "jsonl", "jl", "csv", "xml", "marshal", "pickle")

#: Formats whose file may simply be added to (one record a line).
APPENDABLE = frozenset({"jsonlines", "jsonl", "jl"})


def known_formats(get: Callable[..., Any]) -> list[str]:
    """Scrapy's feed formats: ``FEED_EXPORTERS_BASE`` and ``FEED_EXPORTERS`` (``None`` removes one)."""
    formats: dict[str, Any] = {}
    for name in ("FEED_EXPORTERS_BASE", "FEED_EXPORTERS"):
        value = get(name, None)
        if value is None and name == "FEED_EXPORTERS_BASE":
            value = dict.fromkeys(SCRAPY_FORMATS, "scrapy")
        value = value or {}
        if isinstance(value, str):
            value = json.loads(value) if value.strip() else {}
        formats.update(dict(value))
    return sorted(name for name, path in formats.items() if path is not None)


def existing_ancestor(path: Path) -> Path:
    """*path* itself if it exists, else its nearest existing parent."""
    path = path.absolute()
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def writable_file_problem(path: Path) -> str | None:
    """Why *path* cannot be written as a file, or ``None``.

    Tried, not guessed from permission bits (which say yes to root, and to
    /proc): an existing file is opened for appending (nothing written), else a
    scratch file is made and removed in the nearest existing folder.
    """
    if path.is_dir():
        return "is a folder; name a file"
    if path.exists():
        try:
            with open(path, "ab"):
                return None
        except OSError as exc:
            return f"exists and cannot be written ({exc.strerror or exc})"
    ancestor = existing_ancestor(path)
    if not ancestor.is_dir():
        return f"cannot be made: {ancestor} is not a folder"
    try:
        with tempfile.TemporaryFile(dir=ancestor, prefix=".politecrawl-check-"):
            pass
    except OSError as exc:
        return f"cannot be made: the folder {ancestor} cannot be written ({exc.strerror or exc})"
    return None


def _local_path(uri: str) -> Path | None:
    """The file of a local feed URI (a path or ``file://``); ``None`` for other storages."""
    parts = urlsplit(uri)
    if parts.scheme == "file":
        return Path(parts.path)
    if parts.scheme and len(parts.scheme) > 1:  # s3://, ftp://, stdout: ...
        return None
    return Path(uri)


def feed_problems(get: Callable[..., Any]) -> list[str]:
    """One line per feed in ``FEEDS`` whose format is unknown or whose file cannot be written."""
    feeds = get("FEEDS", None) or {}
    if isinstance(feeds, str):
        try:
            feeds = json.loads(feeds) if feeds.strip() else {}
        except ValueError:
            return [f"FEEDS ({feeds!r}) must be a dict of feed URIs to their options"]
    try:
        feeds = dict(feeds)
    except (TypeError, ValueError):
        return [f"FEEDS ({feeds!r}) must be a dict of feed URIs to their options"]
    formats = known_formats(get)
    lines = []
    for uri, options in feeds.items():
        options = dict(options or {})
        fmt = options.get("format")
        if fmt not in formats:
            lines.append(f"FEEDS[{str(uri)!r}] format ({fmt!r}) must be one of {', '.join(formats)}")
        path = _local_path(str(uri))
        if path is not None:
            # a URI template (%(name)s, %(time)s) is checked with its fields filled in
            problem = writable_file_problem(Path(str(path).replace("%(", "x(")))
            if problem:
                lines.append(f"FEEDS[{str(uri)!r}]: {path} {problem}")
    return lines


@dataclass(frozen=True)
class OutputPlan:
    """How the command line's ``-o``/``-O`` file is written."""

    path: str
    format: str
    overwrite: bool
    #: bytes already in the file that the crawl adds to (0: a new or overwritten file)
    appends_to: int = 0


def plan_output(output: str, formats: Iterable[str], *, overwrite: bool, option: str = "-o") -> OutputPlan:
    """Where and how ``-o FILE[:FORMAT]`` (append) or ``-O`` (overwrite) writes; ``ValueError`` says why not.

    The format is ``:FORMAT`` at the end or the file's extension (none: JSON
    lines). ``-o`` adds to an existing file only in a format one can add to
    (JSON lines); for another it refuses rather than overwrite or corrupt it.
    """
    formats = list(formats)
    path, fmt = output, ""
    head, sep, tail = output.rpartition(":")
    if sep and tail in formats and head:
        path, fmt = head, tail
    if not fmt:
        suffix = Path(path).suffix.lstrip(".")
        fmt = suffix or "jsonlines"
    if fmt not in formats:
        raise ValueError(f"{option} {output!r}: the feed format {fmt!r} is not known; give a file ending "
                         f"in one of .{', .'.join(formats)} or add :FORMAT")
    problem = writable_file_problem(Path(path))
    if problem:
        raise ValueError(f"{option} {output!r}: {path} {problem}")
    size = os.path.getsize(path) if Path(path).is_file() else 0
    if overwrite or not size:
        return OutputPlan(path, fmt, overwrite=True)
    if fmt not in APPENDABLE:
        raise ValueError(
            f"{option} {output!r}: {path} already holds {size} bytes and a {fmt} file cannot be added to; "
            f"give -O {path} to overwrite it, or another file name"
        )
    return OutputPlan(path, fmt, overwrite=False, appends_to=size)
