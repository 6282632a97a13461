"""The one reader of politecrawl's settings: typed, checked, one line naming the setting on a mistake.

Every ``POLITECRAWL_*`` setting is read through a :class:`SettingsReader`,
made from a Scrapy ``Settings``, a mapping, or a ``get`` function. Each
method returns a value of its type, or raises :class:`ConfigError` with one
line ``NAME (value) must be <rule>``; the crawl then stops before any request
with exit code 2 (``politecrawl`` and ``scrapy crawl`` alike).

Unset, ``None`` and ``""`` read as the default everywhere.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from fractions import Fraction
from typing import Any

__all__ = ["ConfigError", "SettingsReader", "bool_setting", "number_setting"]


class ConfigError(ValueError):
    """A politecrawl setting is missing or has a bad value; the crawl does not start."""


_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


class SettingsReader:
    """Reads settings through ``get(name)``; every method checks and types one setting."""

    def __init__(self, source: Any, *, error: type[ValueError] = ConfigError) -> None:
        get = source if callable(source) else source.get
        self._get: Callable[[str], Any] = lambda name: get(name)
        self.error = error

    def raw(self, name: str) -> Any:
        """The value as given, ``None`` when unset or empty."""
        value = self._get(name)
        return None if value is None or value == "" else value

    def fail(self, name: str, raw: Any, rule: str) -> ConfigError:
        """The error for *name*'s value *raw*: ``NAME (raw) must be <rule>`` (to raise)."""
        return self.error(f"{name} ({raw!r}) must be {rule}")

    def number(
        self,
        name: str,
        default: float,
        rule: str = "a number",
        ok: Callable[[float], bool] = lambda value: True,
        *,
        integer: bool = False,
        fractions: bool = False,
    ) -> Any:
        """A finite number passing *ok*; with *integer* a whole one (an ``int``); with *fractions*
        a string may be a fraction (``"1/3"``). Booleans, NaN and infinities are refused."""
        raw = self.raw(name)
        if raw is None:
            return default
        try:
            if isinstance(raw, bool):
                raise ValueError
            if isinstance(raw, str):
                text = raw.strip()
                value = float(Fraction(text)) if fractions else float(int(text) if integer else text)
            else:
                value = float(raw)
        except (TypeError, ValueError, ZeroDivisionError, OverflowError):
            raise self.fail(name, raw, rule) from None
        if not math.isfinite(value) or (integer and not value.is_integer()) or not ok(value):
            raise self.fail(name, raw, rule)
        return int(value) if integer else value

    def boolean(self, name: str, default: bool) -> bool:
        """A bool, 1/0, or true/false, yes/no, on/off in any case."""
        raw = self.raw(name)
        if raw is None:
            return default
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, int) and raw in (0, 1):
            return bool(raw)
        text = raw.strip().lower() if isinstance(raw, str) else None
        if text in _TRUE or text in _FALSE:
            return text in _TRUE
        raise self.fail(name, raw, "True or False (or 1/0, yes/no, on/off)")

    def choice(self, name: str, default: str, choices: Iterable[str], *, fold_case: bool = False) -> str:
        """One of *choices* (surrounding spaces ignored; with *fold_case*, case too)."""
        raw = self.raw(name)
        if raw is None:
            return default
        options = tuple(choices)
        value = raw.strip() if isinstance(raw, str) else None
        if value is not None and fold_case:
            value = value.lower()
        if value not in options:
            raise self.fail(name, raw, f"one of {', '.join(options)}")
        return value

    def words(self, name: str, *, split_commas: bool = True) -> tuple[str, ...]:
        """A list setting: a list or tuple of strings, or one string split on whitespace (and on
        commas with *split_commas*; a pattern may hold a comma). Unset: ``()``."""
        raw = self.raw(name)
        if raw is None:
            return ()
        if isinstance(raw, str):
            return tuple((raw.replace(",", " ") if split_commas else raw).split())
        if isinstance(raw, (list, tuple)) and all(isinstance(v, str) for v in raw):
            return tuple(v for v in raw if v.strip())
        raise self.fail(name, raw, "a list of strings")

    def text(self, name: str, default: str = "") -> str:
        """A string, spaces around it removed."""
        raw = self.raw(name)
        if raw is None:
            return default
        if not isinstance(raw, str):
            raise self.fail(name, raw, "a string")
        return raw.strip()


def number_setting(get: Callable[..., Any], name: str, default: float, rule: str = "a number",
                   ok: Callable[[float], bool] = lambda value: True, *, integer: bool = False,
                   fractions: bool = False, error: type[ValueError] = ConfigError) -> Any:
    """``SettingsReader(get, error=error).number(...)``, for a single number."""
    return SettingsReader(get, error=error).number(name, default, rule, ok, integer=integer, fractions=fractions)


def bool_setting(get: Callable[..., Any], name: str, default: bool) -> bool:
    """``SettingsReader(get).boolean(name, default)``, for a single True/False setting."""
    return SettingsReader(get).boolean(name, default)
