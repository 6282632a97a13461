"""How much traffic does a site get a day? The estimates a budget is a share of.

From ``POLITECRAWL_SITE_TRAFFIC``: a dict in settings
(``{"shop-a.com": 30000}`` or ``{"shop-a.com": {"requests_per_day": 30000,
"bytes_per_day": 9e8, "source": "SimilarWeb 2026-10"}}``), or the path of a
CSV file (header ``site,requests_per_day,bytes_per_day,source``) or a JSON
file (a list of such objects, or a dict as in settings). Sites are
normalised to their site key. A site with no estimate gets
``POLITECRAWL_DEFAULT_DAILY_REQUESTS``.

Bad input stops the crawl with the file, line and reason: a site given twice
(after normalising: ``www.shop-a.com`` and ``shop-a.com`` are one site), a value
that is not a number (``true`` included), a site name that is not a host name,
a number out of range, a file that is not UTF-8. A UTF-8 byte-order mark
(Excel's "CSV UTF-8") is read as the start of the file, not as data.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..config import ConfigError
from ..sites import InvalidURL, site_key

__all__ = ["DEFAULT_DAILY_REQUESTS", "TrafficEstimate", "load_estimates"]

#: The default estimate of a site's daily requests when none is given. A small
#: site with ~1,000 visits a day of ~10 requests each (the page and its assets)
#: sees ~10,000 requests a day; one third of that is ~3,333 a day, one page
#: every ~26 s. Deliberately slow: give real estimates to crawl faster.
DEFAULT_DAILY_REQUESTS = 10_000

_COLUMNS = ("site", "requests_per_day", "bytes_per_day", "source")
#: Out of range past these: no site gets a trillion requests or an exabyte a day.
MAX_REQUESTS_PER_DAY = 1e12
MAX_BYTES_PER_DAY = 1e18
#: One DNS label (LDH: letters, digits, inner hyphens), as a site key holds them (punycoded).
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_IPV4 = re.compile(r"^\d{1,3}(\.\d{1,3}){3}$")


@dataclass(frozen=True)
class TrafficEstimate:
    requests_per_day: float
    bytes_per_day: float | None
    source: str


def _number(value: Any, what: str, where: str, upper: float, *, optional: bool = False) -> float | None:
    if optional and (value is None or value == ""):
        return None
    try:
        if isinstance(value, bool):  # JSON true is not 1 request a day
            raise TypeError
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        raise ConfigError(f"{where}: {what} ({value!r}) is not a number") from None
    if math.isnan(number) or math.isinf(number) or number <= 0:
        raise ConfigError(f"{where}: {what} ({value!r}) must be a positive number")
    if number > upper:
        raise ConfigError(f"{where}: {what} ({value!r}) is out of range: at most {upper:g}")
    return number


def _valid_site(key: str) -> bool:
    """Is *key* a host name (LDH labels, punycoded) or an IP address?"""
    if _IPV4.match(key) or ":" in key:
        return True
    return all(_LABEL.match(label) for label in key.split("."))


def _entry(site: Any, data: Any, where: str, default_source: str) -> tuple[str, TrafficEstimate]:
    if not isinstance(site, str):
        raise ConfigError(f"{where}: site {site!r} is not a host or URL")
    try:
        key = site_key(site)
    except InvalidURL as exc:
        raise ConfigError(f"{where}: site {site!r} is not a host or URL ({exc})") from None
    if not _valid_site(key):
        raise ConfigError(f"{where}: site {site!r} is not a host name (letters, digits, dots and inner "
                          "hyphens) or a URL")
    if not isinstance(data, dict):
        data = {"requests_per_day": data}
    unknown = set(data) - set(_COLUMNS)
    if unknown:
        raise ConfigError(
            f"{where}: unknown column(s) {', '.join(sorted(unknown))}; "
            f"expected {', '.join(_COLUMNS)}"
        )
    requests = _number(data.get("requests_per_day"), "requests_per_day", where, MAX_REQUESTS_PER_DAY)
    bytes_ = _number(data.get("bytes_per_day"), "bytes_per_day", where, MAX_BYTES_PER_DAY, optional=True)
    source = str(data.get("source") or default_source)
    assert requests is not None
    return key, TrafficEstimate(requests, bytes_, source)


def _add(estimates: dict[str, TrafficEstimate], seen: dict[str, str], entry: tuple[str, TrafficEstimate],
         site: Any, where: str) -> None:
    """Add one estimate; a site given twice (also after normalising) is an error, not "the last wins"."""
    key, estimate = entry
    if key in estimates:
        raise ConfigError(f"{where}: site {site!r} is given twice (as site {key}; first at {seen[key]})")
    estimates[key] = estimate
    seen[key] = where.rsplit(", ", 1)[-1]


def read_text(path: Path) -> str:
    """*path* as UTF-8 text, a byte-order mark left out; bad UTF-8 names the line."""
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(f"{path}, line {line}: not UTF-8 text (byte 0x{raw[exc.start]:02x}); "
                          "save the file as UTF-8") from None


def _from_csv(path: Path) -> dict[str, TrafficEstimate]:
    estimates: dict[str, TrafficEstimate] = {}
    seen: dict[str, str] = {}
    with io.StringIO(read_text(path), newline="") as handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        unknown = [c for c in header if c not in _COLUMNS]
        if unknown or "site" not in header or "requests_per_day" not in header:
            raise ConfigError(
                f"{path}, line 1: the header must name site and requests_per_day "
                f"(optional: bytes_per_day, source); got {', '.join(header) or 'nothing'}"
            )
        for row in reader:
            where = f"{path}, line {reader.line_num}"
            if None in row or any(v is None for v in row.values()):
                raise ConfigError(f"{where}: expected {len(header)} columns")
            site = row.pop("site")
            _add(estimates, seen, _entry(site, row, where, f"file {path.name}"), site, where)
    return estimates


def _add_or_name(estimates: dict[str, TrafficEstimate], seen: dict[str, str], site: Any, data: Any,
                 where: str, default_source: str) -> None:
    """:func:`_add` one entry; an error carries the site, so a file's reader can name its line."""
    try:
        _add(estimates, seen, _entry(site, data, where, default_source), site, where)
    except ConfigError as exc:
        exc.site = site  # type: ignore[attr-defined]
        raise


def _from_mapping(data: Any, where: str, default_source: str) -> dict[str, TrafficEstimate]:
    estimates: dict[str, TrafficEstimate] = {}
    seen: dict[str, str] = {}
    if isinstance(data, list):
        for index, entry in enumerate(data, 1):
            spot = f"{where}, entry {index}"
            if not isinstance(entry, dict) or "site" not in entry:
                raise ConfigError(f"{spot}: expected an object with a 'site'")
            entry = dict(entry)
            site = entry.pop("site")
            _add_or_name(estimates, seen, site, entry, spot, default_source)
        return estimates
    if isinstance(data, dict):
        for site, value in data.items():
            _add_or_name(estimates, seen, site, value, f"{where}, site {site!r}", default_source)
        return estimates
    raise ConfigError(f"{where}: expected a dict, a list or a file path")


class _DuplicateKey(Exception):
    pass


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object hook that refuses a key given twice (json keeps the last, silently)."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key)
        out[key] = value
    return out


def _line_of(text: str, value: Any, nth: int = 1) -> int | None:
    """The line of the *nth* occurrence of *value* as JSON in *text* (to name a line in errors)."""
    needle, at = json.dumps(value, ensure_ascii=False), -1
    for _ in range(nth):
        at = text.find(needle, at + 1)
        if at < 0:
            return None
    return text.count("\n", 0, at) + 1


def _from_json_file(path: Path) -> dict[str, TrafficEstimate]:
    text = read_text(path)
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicate_keys)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path}, line {exc.lineno}: not valid JSON ({exc.msg})") from None
    except _DuplicateKey as exc:
        key = exc.args[0]
        raise ConfigError(f"{path}, line {_line_of(text, key, 2) or '?'}: {key!r} is given twice "
                          "in one object") from None
    try:
        return _from_mapping(data, str(path), f"file {path.name}")
    except ConfigError as exc:
        site = getattr(exc, "site", None)
        line = _line_of(text, site) if isinstance(site, str) else None
        if line is None:
            raise
        raise ConfigError(f"{path}, line {line}: {str(exc).split(': ', 1)[-1]}") from None


def load_estimates(value: Any) -> dict[str, TrafficEstimate]:
    """Parse ``POLITECRAWL_SITE_TRAFFIC`` (dict, JSON text, or a .csv/.json path)."""
    if value is None or value == "" or value == {}:
        return {}
    if isinstance(value, str):
        text = value.strip()
        if text.startswith(("{", "[")):
            try:
                return _from_mapping(json.loads(text), "POLITECRAWL_SITE_TRAFFIC", "settings")
            except json.JSONDecodeError as exc:
                raise ConfigError(f"POLITECRAWL_SITE_TRAFFIC ({text[:60]!r}) must be valid JSON: {exc}") from None
        path = Path(text)
        if not path.is_file():
            raise ConfigError(f"POLITECRAWL_SITE_TRAFFIC ({text!r}) must be a dict, JSON text or the path of "
                              f"a .csv or .json file: there is no file {path.absolute()}")
        if path.suffix.lower() == ".csv":
            return _from_csv(path)
        return _from_json_file(path)
    return _from_mapping(value, "POLITECRAWL_SITE_TRAFFIC", "settings")
