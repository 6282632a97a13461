"""How much traffic does a site get a day? The estimates a budget is a share of.

From ``POLITECRAWL_SITE_TRAFFIC``: a dict in settings
(``{"shop-a.com": 30000}`` or ``{"shop-a.com": {"requests_per_day": 30000,
"bytes_per_day": 9e8, "source": "SimilarWeb 2026-10"}}``), or the path of a
CSV file (header ``site,requests_per_day,bytes_per_day,source``) or a JSON
file (a list of such objects, or a dict as in settings). Sites are
normalised to their site key. A site with no estimate gets
``POLITECRAWL_DEFAULT_DAILY_REQUESTS``.

Bad input stops the crawl with the file, line and reason.
"""

from __future__ import annotations

import csv
import json
import math
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


@dataclass(frozen=True)
class TrafficEstimate:
    requests_per_day: float
    bytes_per_day: float | None
    source: str


def _number(value: Any, what: str, where: str, *, optional: bool = False) -> float | None:
    if optional and (value is None or value == ""):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{where}: {what} ({value!r}) is not a number") from None
    if math.isnan(number) or math.isinf(number) or number <= 0:
        raise ConfigError(f"{where}: {what} ({value!r}) must be a positive number")
    return number


def _entry(site: Any, data: Any, where: str, default_source: str) -> tuple[str, TrafficEstimate]:
    try:
        key = site_key(str(site))
    except InvalidURL as exc:
        raise ConfigError(f"{where}: site {site!r} is not a host or URL ({exc})") from None
    if not isinstance(data, dict):
        data = {"requests_per_day": data}
    unknown = set(data) - set(_COLUMNS)
    if unknown:
        raise ConfigError(
            f"{where}: unknown column(s) {', '.join(sorted(unknown))}; "
            f"expected {', '.join(_COLUMNS)}"
        )
    requests = _number(data.get("requests_per_day"), "requests_per_day", where)
    bytes_ = _number(data.get("bytes_per_day"), "bytes_per_day", where, optional=True)
    source = str(data.get("source") or default_source)
    assert requests is not None
    return key, TrafficEstimate(requests, bytes_, source)


def _from_csv(path: Path) -> dict[str, TrafficEstimate]:
    estimates = {}
    with path.open(newline="", encoding="utf-8") as handle:
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
            key, estimate = _entry(site, row, where, f"file {path.name}")
            estimates[key] = estimate
    return estimates


def _from_mapping(data: Any, where: str, default_source: str) -> dict[str, TrafficEstimate]:
    if isinstance(data, list):
        estimates = {}
        for index, entry in enumerate(data, 1):
            spot = f"{where}, entry {index}"
            if not isinstance(entry, dict) or "site" not in entry:
                raise ConfigError(f"{spot}: expected an object with a 'site'")
            entry = dict(entry)
            key, estimate = _entry(entry.pop("site"), entry, spot, default_source)
            estimates[key] = estimate
        return estimates
    if isinstance(data, dict):
        return dict(
            _entry(site, value, f"{where}, site {site!r}", default_source)
            for site, value in data.items()
        )
    raise ConfigError(f"{where}: expected a dict, a list or a file path")


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
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{path}, line {exc.lineno}: not valid JSON ({exc.msg})") from None
        return _from_mapping(data, str(path), f"file {path.name}")
    return _from_mapping(value, "POLITECRAWL_SITE_TRAFFIC", "settings")
