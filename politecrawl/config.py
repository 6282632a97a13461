"""The core settings, read and checked once.

Components read their own ``POLITECRAWL_*`` settings in their
``from_crawler``; this module holds only what every component shares:
identity, state location and purpose.
"""

from __future__ import annotations

import math
import os
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from ._version import __version__
from .identity import FRAMEWORK, IdentityError, bot_version, product_token, user_agent
from .state import DEFAULT_STATE_URL
from .state.writebehind import DEFAULT_BATCH

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

__all__ = ["ConfigError", "PURPOSES", "PolitecrawlConfig", "bool_setting", "build_user_agent", "number_setting"]

#: What a crawl is for; reservations (TDM, AI use, noindex) are honoured by purpose.
PURPOSES = ("search", "research", "ai-training")

_EMAIL = re.compile(r"^(mailto:)?[^@\s]+@[^@\s]+\.[^@\s]+$")
_URL = re.compile(r"^https?://[^\s/]+\S*$")

CONTACT_EXAMPLE = 'POLITECRAWL_CONTACT = "https://example.org/crawler"  (or "crawler-ops@example.org")'


class ConfigError(ValueError):
    """A politecrawl setting is missing or has a bad value; the crawl does not start."""


def number_setting(
    get: Callable[..., Any],
    name: str,
    default: float,
    rule: str = "a number",
    ok: Callable[[float], bool] = lambda value: True,
    *,
    integer: bool = False,
    fractions: bool = False,
    error: type[ValueError] = ConfigError,
) -> Any:
    """The number setting *name*, read through *get* (a settings' or a dict's ``get``).

    Unset or empty gives *default*. The value must be finite, pass *ok* and,
    with *integer*, be whole (an ``int`` is returned); with *fractions* a string
    may be a fraction (``"1/3"``). Otherwise *error* is raised:
    ``NAME (value) must be <rule>``.
    """
    raw = get(name)
    if raw is None or raw == "":
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
        raise error(f"{name} ({raw!r}) must be {rule}") from None
    if not math.isfinite(value) or (integer and not value.is_integer()) or not ok(value):
        raise error(f"{name} ({raw!r}) must be {rule}")
    return int(value) if integer else value


_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


def bool_setting(get: Callable[..., Any], name: str, default: bool) -> bool:
    """The True/False setting *name*: a bool, 1/0, or true/false, yes/no, on/off in any case.

    Unset or empty gives *default*; anything else raises ``ConfigError``.
    """
    raw = get(name)
    if raw is None or raw == "":
        return default
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int) and raw in (0, 1):
        return bool(raw)
    text = str(raw).strip().lower() if isinstance(raw, str) else None
    if text in _TRUE or text in _FALSE:
        return text in _TRUE
    raise ConfigError(f"{name} ({raw!r}) must be True or False (or 1/0, yes/no, on/off)")


def build_user_agent(bot_name: str, contact: str, version: str | None = None) -> str:
    """``<bot-name>/<version> (+<contact>[; politecrawl/<x>])``: who we are and where to ask us to stop.

    *version* defaults to politecrawl's for the name ``politecrawl``, to none for another name.
    """
    if version is None:
        version = __version__ if bot_name == FRAMEWORK else ""
    return user_agent(bot_name, version, contact)


@dataclass(frozen=True)
class PolitecrawlConfig:
    bot_name: str
    contact: str
    state_url: str
    purpose: str
    #: Token takes the SQLite store may hold unwritten (the crash bound; 0 writes each at once).
    ledger_batch: int = DEFAULT_BATCH
    #: The version that follows the product token ("" for none; politecrawl/<x> stays as a comment).
    bot_version: str | None = None

    @property
    def user_agent(self) -> str:
        return build_user_agent(self.bot_name, self.contact, self.bot_version)

    @classmethod
    def from_settings(
        cls,
        settings: BaseSettings,
        environ: Mapping[str, str] | None = None,
        modules: Mapping[str, Any] | None = None,
    ) -> PolitecrawlConfig:
        """Read the core settings; the identity also from ``BOT_NAME`` and the project's package
        (*environ* and *modules* default to ``os.environ`` and ``sys.modules``)."""
        contact = (settings.get("POLITECRAWL_CONTACT") or "").strip()
        if not contact:
            raise ConfigError(
                "POLITECRAWL_CONTACT is not set. politecrawl crawls only under an honest identity: "
                "give a URL or an e-mail address where a site owner can ask you to stop, e.g. "
                f"{CONTACT_EXAMPLE}, or -s POLITECRAWL_CONTACT=... on the command line."
            )
        if not (_EMAIL.match(contact) or _URL.match(contact)):
            raise ConfigError(
                f"POLITECRAWL_CONTACT ({contact!r}) must be an http(s) URL or an e-mail address, "
                f"e.g. {CONTACT_EXAMPLE}."
            )
        try:
            bot_name = product_token(settings.get)
            version = bot_version(settings.get, os.environ if environ is None else environ,
                                  sys.modules if modules is None else modules, bot_name)
        except IdentityError as exc:
            raise ConfigError(str(exc)) from None
        purpose = (settings.get("POLITECRAWL_PURPOSE") or "research").strip()
        if purpose not in PURPOSES:
            raise ConfigError(
                f"POLITECRAWL_PURPOSE ({purpose!r}) must be one of {', '.join(PURPOSES)}."
            )
        state_url = (settings.get("POLITECRAWL_STATE") or DEFAULT_STATE_URL).strip()
        ledger_batch = number_setting(
            settings.get, "POLITECRAWL_LEDGER_BATCH", DEFAULT_BATCH,
            "a whole number from 0 to 1000000 (0 writes every budget token to the state store at once)",
            lambda v: 0 <= v <= 1_000_000, integer=True,
        )
        return cls(bot_name=bot_name, contact=contact, state_url=state_url, purpose=purpose,
                   ledger_batch=ledger_batch, bot_version=version)
