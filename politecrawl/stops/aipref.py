"""IETF AI preferences (``Content-Usage``) and Cloudflare ``Content-Signal`` values.

``Content-Usage`` (draft-ietf-aipref-vocab-07, draft-ietf-aipref-attach-05)
is an RFC 9651 Dictionary, parsed with ``http_sf`` (strict, so it is
case-sensitive: ``Train-AI=n`` is a parse error). Values are the Tokens
``y`` and ``n``; any other value (a bare key, the string ``"n"``, another
token) is *unknown*, unknown keys are ignored, a parse failure makes every
preference unknown, a duplicate key keeps its last value. Statements are
combined restrictively: any ``n`` wins over any ``y``.

Labels of earlier drafts still seen in robots.txt files are read too (what
each reserves is in :mod:`.purposes`): ``tdm``, ``ai``, ``genai`` (vocab-01),
``all``, ``train-genai``, ``ai-use`` (vocab-02), ``bots`` (vocab-03),
``ai-output`` (vocab-04), ``inference`` (vocab-01).

Cloudflare's ``Content-Signal: search=yes, ai-train=no, ai-input=no``
(vendor-defined, draft-romm-aipref-contentsignals-00) uses ``yes`` / ``no``;
it is parsed leniently (comma-separated ``key=value``, case-insensitive),
because it is not defined as a Structured Field.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import http_sf

from .purposes import AI_TRAINING, ALL, SEARCH, TDM, Purpose, Reservation

__all__ = [
    "CONTENT_SIGNAL_RESERVES",
    "USAGE_RESERVES",
    "combine_usage",
    "parse_content_signal",
    "parse_content_usage",
    "signal_reservation",
    "usage_reservation",
]

#: What a ``<label>=n`` reserves (labels not listed bind none of our purposes).
USAGE_RESERVES: dict[str, frozenset[Purpose]] = {
    "train-ai": AI_TRAINING,
    "train-genai": AI_TRAINING,
    "genai": AI_TRAINING,
    "ai": AI_TRAINING,
    "tdm": TDM,
    "all": ALL,
    "bots": ALL,
    "search": SEARCH,
}

#: What a Content-Signal ``<key>=no`` reserves.
CONTENT_SIGNAL_RESERVES: dict[str, frozenset[Purpose]] = {
    "ai-train": AI_TRAINING,
    "search": SEARCH,
}


def parse_content_usage(value: str | bytes) -> dict[str, str]:
    """``{label: "y" | "n"}`` from a Content-Usage value; unknown values are left out."""
    raw = value.encode("latin-1", "replace") if isinstance(value, str) else value
    try:
        parsed = http_sf.parse(raw.strip(), tltype="dictionary")
    except Exception:  # http_sf raises StructuredFieldError and, on odd input, others
        return {}
    prefs = {}
    assert isinstance(parsed, dict)
    for key, member in parsed.items():
        item = member[0] if isinstance(member, tuple) else None
        if isinstance(item, http_sf.Token) and str(item) in ("y", "n"):
            prefs[key] = str(item)
    return prefs


def combine_usage(statements: Iterable[Mapping[str, str]]) -> dict[str, str]:
    """Most restrictive combination: a label is ``n`` if any statement says ``n``."""
    combined: dict[str, str] = {}
    for prefs in statements:
        for key, val in prefs.items():
            if val == "n" or key not in combined:
                combined[key] = val
    return combined


def usage_reservation(prefs: Mapping[str, str], source: str, detail: str) -> Reservation | None:
    """The purposes reserved by ``=n`` labels of *prefs* (``None`` if none)."""
    purposes: set[Purpose] = set()
    for key, val in prefs.items():
        if val == "n":
            purposes |= USAGE_RESERVES.get(key, frozenset())
    return Reservation(frozenset(purposes), source, detail) if purposes else None


def parse_content_signal(value: str) -> dict[str, str]:
    """``{key: "yes" | "no"}`` from a Content-Signal value (lenient)."""
    prefs = {}
    for part in value.split(","):
        key, sep, val = part.partition("=")
        key, val = key.strip().lower(), val.strip().lower()
        if sep and key and val in ("yes", "no"):
            prefs[key] = val
    return prefs


def signal_reservation(prefs: Mapping[str, str], source: str, detail: str) -> Reservation | None:
    purposes: set[Purpose] = set()
    for key, val in prefs.items():
        if val == "no":
            purposes |= CONTENT_SIGNAL_RESERVES.get(key, frozenset())
    return Reservation(frozenset(purposes), source, detail) if purposes else None
