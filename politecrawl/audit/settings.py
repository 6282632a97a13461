"""The POLITECRAWL_AUDIT_* settings, read and checked once (docs/audit.md)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..settings_reader import SettingsReader
from .trail import BUCKET_CHOICES

__all__ = ["AuditSettings"]


@dataclass(frozen=True)
class AuditSettings:
    flush_interval: float = 5.0
    bucket: int = 60
    per_request: bool = False

    @classmethod
    def from_settings(cls, get: Callable[..., Any]) -> AuditSettings:
        read = SettingsReader(get)
        d = cls()
        return cls(
            flush_interval=read.number(
                "POLITECRAWL_AUDIT_FLUSH_INTERVAL", d.flush_interval,
                "a number of seconds, more than 0 and at most 3600", lambda v: 0 < v <= 3600,
            ),
            bucket=read.number(
                "POLITECRAWL_AUDIT_BUCKET", d.bucket,
                f"one of {', '.join(map(str, BUCKET_CHOICES))} seconds (a length that divides a minute)",
                lambda v: v in BUCKET_CHOICES, integer=True,
            ),
            per_request=read.boolean("POLITECRAWL_AUDIT_PER_REQUEST", d.per_request),
        )
