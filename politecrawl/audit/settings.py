"""The POLITECRAWL_AUDIT_* settings, read and checked once (docs/audit.md)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..config import ConfigError
from .trail import BUCKET_CHOICES

__all__ = ["AuditSettings"]

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


@dataclass(frozen=True)
class AuditSettings:
    flush_interval: float = 5.0
    bucket: int = 60
    per_request: bool = False

    @classmethod
    def from_settings(cls, get: Callable[..., Any]) -> AuditSettings:
        raw = get("POLITECRAWL_AUDIT_FLUSH_INTERVAL", 5.0)
        try:
            flush = float(raw)
        except (TypeError, ValueError):
            raise ConfigError(
                f"POLITECRAWL_AUDIT_FLUSH_INTERVAL ({raw!r}) must be a number of seconds"
            ) from None
        if not 0 < flush <= 3600:
            raise ConfigError(
                f"POLITECRAWL_AUDIT_FLUSH_INTERVAL ({raw!r}) must be more than 0 and at most 3600 seconds"
            )
        raw = get("POLITECRAWL_AUDIT_BUCKET", 60)
        try:
            bucket_f = float(raw)
        except (TypeError, ValueError):
            bucket_f = -1.0
        if not bucket_f.is_integer() or int(bucket_f) not in BUCKET_CHOICES:
            raise ConfigError(
                f"POLITECRAWL_AUDIT_BUCKET ({raw!r}) must be one of "
                f"{', '.join(map(str, BUCKET_CHOICES))} seconds (a length that divides a minute)"
            )
        raw = get("POLITECRAWL_AUDIT_PER_REQUEST", False)
        if isinstance(raw, bool):
            per_request = raw
        elif str(raw).strip().lower() in _TRUE | _FALSE:
            per_request = str(raw).strip().lower() in _TRUE
        else:
            raise ConfigError(f"POLITECRAWL_AUDIT_PER_REQUEST ({raw!r}) must be True or False")
        return cls(flush_interval=flush, bucket=int(bucket_f), per_request=per_request)
