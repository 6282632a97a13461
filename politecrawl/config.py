"""The core settings, read and checked once.

Components read their own ``POLITECRAWL_*`` settings in their
``from_crawler``, each through :class:`~politecrawl.settings_reader.SettingsReader`;
this module holds only what every component shares: identity, state location
and purpose.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ._version import __version__
from .identity import FRAMEWORK, IdentityError, bot_version, product_token, user_agent
from .settings_reader import ConfigError, SettingsReader, bool_setting, number_setting
from .state import DEFAULT_STATE_URL
from .state.writebehind import DEFAULT_BATCH

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

__all__ = ["ConfigError", "PURPOSES", "PolitecrawlConfig", "SettingsReader", "bool_setting", "build_user_agent",
           "number_setting"]

#: What a crawl is for; reservations (TDM, AI use, noindex) are honoured by purpose.
PURPOSES = ("search", "research", "ai-training")

_EMAIL = re.compile(r"^(mailto:)?[^@\s]+@[^@\s]+\.[^@\s]+$")
_URL = re.compile(r"^https?://[^\s/]+\S*$")

CONTACT_EXAMPLE = 'POLITECRAWL_CONTACT = "https://example.org/crawler"  (or "crawler-ops@example.org")'


#: ``POLITECRAWL_GC_THRESHOLD``'s default: the youngest generation's collection threshold while a crawl runs;
#: 0 keeps Python's (700). 10,000 used ~0.94-0.97 of the CPU a page and added 5-6 MB of peak RSS at 3,000
#: pages (docs/speed.md): off by default while the peak RSS is above plain Scrapy's.
GC_THRESHOLD = 0


def gc_threshold_setting(read: SettingsReader) -> int:
    """``POLITECRAWL_GC_THRESHOLD``: a whole number from 0 (Python's own thresholds) to 1,000,000."""
    return read.number("POLITECRAWL_GC_THRESHOLD", GC_THRESHOLD, "a whole number from 0 (Python's own) to 1000000",
                       lambda v: 0 <= v <= 1_000_000, integer=True)


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
        read = SettingsReader(settings)
        contact = read.text("POLITECRAWL_CONTACT")
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
        purpose = read.choice("POLITECRAWL_PURPOSE", "research", PURPOSES)
        state_url = read.text("POLITECRAWL_STATE", DEFAULT_STATE_URL)
        ledger_batch = read.number(
            "POLITECRAWL_LEDGER_BATCH", DEFAULT_BATCH,
            "a whole number from 0 to 1000000 (0 writes every budget token to the state store at once)",
            lambda v: 0 <= v <= 1_000_000, integer=True,
        )
        return cls(bot_name=bot_name, contact=contact, state_url=state_url, purpose=purpose,
                   ledger_batch=ledger_batch, bot_version=version)
