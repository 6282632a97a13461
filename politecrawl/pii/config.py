"""PIIConfig: every POLITECRAWL_PII_* setting, validated once.  Messages name the setting, the value and the rule
(values of POLITECRAWL_PII_KEY are never shown)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Mapping
from typing import Any

from politecrawl.settings_reader import ConfigError, SettingsReader
from politecrawl.pii.detect import DEFAULT_WORK_BUDGET
from politecrawl.pii.fields import DEFAULT_PII_FIELD_NAMES
from politecrawl.pii.itembudget import DEFAULT_ITEM_MAX_CHARS, DEFAULT_ITEM_MAX_SECONDS, DEFAULT_MAX_DEPTH
from politecrawl.pii.phones import DEFAULT_REGIONS, LENIENCIES, _Region

DROP = "drop"
PSEUDONYMIZE = "pseudonymize"
DROP_ITEM = "drop_item"
ACTIONS = (DROP, PSEUDONYMIZE, DROP_ITEM)
MIN_KEY_BYTES = 16
DEFAULT_MAX_CHARS = 200_000


class PIIConfigError(ConfigError):
    """A POLITECRAWL_PII_* setting is bad; the crawl does not start."""


@dataclasses.dataclass(frozen=True)
class PIIConfig:
    enabled: bool = True
    extra_fields: tuple[str, ...] = ()
    allow: frozenset[str] = frozenset()
    action: str = DROP
    field_actions: Mapping[str, str] = dataclasses.field(default_factory=dict)
    key: bytes = b""
    regions: tuple[str, ...] = DEFAULT_REGIONS
    phone_leniency: str = "strict_grouping"
    max_chars: int = DEFAULT_MAX_CHARS
    work_budget: int = DEFAULT_WORK_BUDGET
    item_max_seconds: float = DEFAULT_ITEM_MAX_SECONDS
    item_max_chars: int = DEFAULT_ITEM_MAX_CHARS
    max_depth: int = DEFAULT_MAX_DEPTH

    @property
    def field_names(self) -> tuple[str, ...]:
        return DEFAULT_PII_FIELD_NAMES + self.extra_fields

    def __post_init__(self) -> None:
        if self.action not in ACTIONS:
            raise PIIConfigError(f"POLITECRAWL_PII_ACTION ({self.action!r}) must be one of {', '.join(ACTIONS)}.")
        for field, act in self.field_actions.items():
            if act not in ACTIONS:
                raise PIIConfigError(
                    f"POLITECRAWL_PII_FIELD_ACTIONS[{field!r}] ({act!r}) must be one of {', '.join(ACTIONS)}."
                )
        uses_key = self.action == PSEUDONYMIZE or PSEUDONYMIZE in self.field_actions.values()
        if uses_key and len(self.key) < MIN_KEY_BYTES:
            what = "is not set" if not self.key else f"is too short ({len(self.key)} bytes)"
            raise PIIConfigError(
                f"POLITECRAWL_PII_KEY {what}: pseudonymize needs a secret key of at least {MIN_KEY_BYTES} bytes "
                "(set the POLITECRAWL_PII_KEY setting or environment variable, and keep it apart from the data), "
                "or choose POLITECRAWL_PII_ACTION = 'drop'."
            )
        for r in self.regions:
            try:
                _Region(r.upper())
            except ValueError:
                raise PIIConfigError(
                    f"POLITECRAWL_PII_REGIONS ({r!r}) must be ISO 3166-1 alpha-2 region codes known to phonenumbers."
                ) from None
        if not self.regions:
            raise PIIConfigError("POLITECRAWL_PII_REGIONS ([]) must name at least one region.")
        if self.phone_leniency not in LENIENCIES:
            raise PIIConfigError(
                f"POLITECRAWL_PII_PHONE_LENIENCY ({self.phone_leniency!r}) must be one of {', '.join(LENIENCIES)}."
            )
        if not 1 <= self.max_chars <= 1 << 30:
            raise PIIConfigError(f"POLITECRAWL_PII_MAX_CHARS ({self.max_chars!r}) must be a positive integer "
                                 "of at most 1073741824.")
        if not self.item_max_seconds > 0:
            raise PIIConfigError(
                f"POLITECRAWL_PII_ITEM_MAX_SECONDS ({self.item_max_seconds!r}) must be a positive number."
            )
        if self.item_max_chars < 1:
            raise PIIConfigError(
                f"POLITECRAWL_PII_ITEM_MAX_CHARS ({self.item_max_chars!r}) must be a positive integer."
            )
        if not 1 <= self.max_depth <= 500:
            raise PIIConfigError(f"POLITECRAWL_PII_MAX_DEPTH ({self.max_depth!r}) must be an integer from 1 to 500.")

    @classmethod
    def from_settings(cls, get: Callable[..., Any], environ: Mapping[str, str] | None = None) -> PIIConfig:
        """Build from a settings getter (`crawler.settings.get`) through the one settings reader.
        The key may also come from the environment."""
        read = SettingsReader(get, error=PIIConfigError)

        def names(name: str, default: tuple[str, ...] = ()) -> tuple[str, ...]:
            # a list, or one string of names split on commas (a field name may hold a space)
            raw = read.raw(name)
            if raw is None:
                return default
            if isinstance(raw, (set, frozenset)):
                raw = sorted(raw)
            if isinstance(raw, str):
                return tuple(v.strip() for v in raw.split(",") if v.strip())
            if isinstance(raw, (list, tuple)) and all(isinstance(v, str) for v in raw):
                return tuple(v.strip() for v in raw if v.strip())
            raise read.fail(name, raw, "a list of strings or a comma-separated string")

        field_actions = read.raw("POLITECRAWL_PII_FIELD_ACTIONS") or {}
        if isinstance(field_actions, str):
            try:
                field_actions = json.loads(field_actions)
            except ValueError:
                raise read.fail("POLITECRAWL_PII_FIELD_ACTIONS", field_actions, "a dict or a JSON object") from None
        if not isinstance(field_actions, Mapping):
            raise read.fail("POLITECRAWL_PII_FIELD_ACTIONS", field_actions, "a dict or a JSON object")

        key = read.raw("POLITECRAWL_PII_KEY") or (environ or {}).get("POLITECRAWL_PII_KEY", "")
        if isinstance(key, str):
            key = key.encode("utf-8")
        if not isinstance(key, bytes):
            raise PIIConfigError("POLITECRAWL_PII_KEY must be a string or bytes.")  # the value is never shown

        def whole(name: str, default: int, rule: str) -> int:  # its bounds are checked in __post_init__
            return read.number(name, default, rule, integer=True)

        return cls(
            enabled=read.boolean("POLITECRAWL_PII_ENABLED", True),
            extra_fields=names("POLITECRAWL_PII_FIELDS"),
            allow=frozenset(names("POLITECRAWL_PII_ALLOW")),
            action=read.text("POLITECRAWL_PII_ACTION", DROP).lower(),
            field_actions={str(k): str(v).strip().lower() for k, v in field_actions.items()},
            key=key,
            regions=tuple(r.upper() for r in names("POLITECRAWL_PII_REGIONS", DEFAULT_REGIONS)),
            phone_leniency=read.text("POLITECRAWL_PII_PHONE_LENIENCY", "strict_grouping").lower(),
            max_chars=whole("POLITECRAWL_PII_MAX_CHARS", DEFAULT_MAX_CHARS,
                            "a positive integer of at most 1073741824"),
            item_max_seconds=read.number("POLITECRAWL_PII_ITEM_MAX_SECONDS", DEFAULT_ITEM_MAX_SECONDS,
                                         "a positive number"),
            item_max_chars=whole("POLITECRAWL_PII_ITEM_MAX_CHARS", DEFAULT_ITEM_MAX_CHARS,
                                 "a positive integer"),
            max_depth=whole("POLITECRAWL_PII_MAX_DEPTH", DEFAULT_MAX_DEPTH,
                            "an integer from 1 to 500"),
        )
