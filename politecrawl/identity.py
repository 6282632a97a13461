"""Who the crawler says it is: the operator's product token, version and contact.

The product token (matched against robots.txt ``User-agent`` lines and put first
in the User-Agent) is, in this order: ``POLITECRAWL_BOT_NAME``; the Scrapy
project's ``BOT_NAME`` unless it is Scrapy's default (``scrapybot``); else
``politecrawl``. Its version is ``POLITECRAWL_BOT_VERSION``, else the
``__version__`` of the project's top package (the package of
``SCRAPY_SETTINGS_MODULE``, already imported by Scrapy), else none. The
framework stays visible as a comment::

    quotesbot/1.0 (+mailto:ops@example.org; politecrawl/0.1.0)
    politecrawl/0.1.0 (+https://example.org/crawler)      # no project name

Pure: the settings are read through a ``get`` function, the environment and the
imported modules are passed in.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from ._version import __version__

__all__ = [
    "FRAMEWORK",
    "SCRAPY_DEFAULT_BOT_NAME",
    "IdentityError",
    "bot_version",
    "product_token",
    "replaced_user_agent_reason",
    "user_agent",
]

FRAMEWORK = "politecrawl"
#: Scrapy's default BOT_NAME: a project that did not name itself.
SCRAPY_DEFAULT_BOT_NAME = "scrapybot"

_TOKEN = re.compile(r"^[A-Za-z0-9_-]+$")  # RFC 9309 §2.2.1 product token
_VERSION = re.compile(r"^[A-Za-z0-9.!#$%&'*+^_`|~-]{1,64}$")  # RFC 9110 §10.1.5 product-version (a token)
#: Words of a browser's User-Agent: a project sending one poses as a person's browser.
_BROWSER = re.compile(r"mozilla/|applewebkit|chrome/|safari/|firefox/|gecko|msie|trident|edg/|opera",
                      re.IGNORECASE)


class IdentityError(ValueError):
    """``POLITECRAWL_BOT_NAME`` or ``POLITECRAWL_BOT_VERSION`` has a bad value."""


def product_token(get: Callable[[str], Any]) -> str:
    """The product token (see the module docstring); raises :class:`IdentityError` if it is no token."""
    explicit = str(get("POLITECRAWL_BOT_NAME") or "").strip()
    if explicit:
        name, setting = explicit, "POLITECRAWL_BOT_NAME"
    else:
        project = str(get("BOT_NAME") or "").strip()
        if not project or project == SCRAPY_DEFAULT_BOT_NAME:
            return FRAMEWORK
        name, setting = project, "BOT_NAME"
    if not _TOKEN.match(name):
        raise IdentityError(
            f"{setting} ({name!r}) must be a robots.txt product token: letters, digits, '-' and '_' "
            "only (RFC 9309 §2.2.1)" + ("; set POLITECRAWL_BOT_NAME to one" if setting == "BOT_NAME" else "")
            + "."
        )
    return name


def bot_version(
    get: Callable[[str], Any], environ: Mapping[str, str], modules: Mapping[str, Any], token: str
) -> str:
    """The version that goes with *token*: ``""`` when the project declares none.

    ``politecrawl`` itself carries the framework's version.
    """
    explicit = str(get("POLITECRAWL_BOT_VERSION") or "").strip()
    if explicit:
        if not _VERSION.match(explicit):
            raise IdentityError(
                f"POLITECRAWL_BOT_VERSION ({explicit!r}) must be a product version: letters, digits "
                "and . - _ + (no spaces or slashes), e.g. 1.0 (RFC 9110 §10.1.5)."
            )
        return explicit
    if token == FRAMEWORK:
        return __version__
    top = (environ.get("SCRAPY_SETTINGS_MODULE") or "").split(".", 1)[0]
    version = getattr(modules.get(top), "__version__", None) if top and top != FRAMEWORK else None
    text = str(version).strip() if isinstance(version, str) else ""
    return text if text and _VERSION.match(text) else ""


def user_agent(token: str, version: str, contact: str) -> str:
    """``token/version (+contact; politecrawl/x)``; ``politecrawl/x (+contact)`` for the framework's own name."""
    product = f"{token}/{version}" if version else token
    if token == FRAMEWORK:
        return f"{product} (+{contact})"
    return f"{product} (+{contact}; {FRAMEWORK}/{__version__})"


def replaced_user_agent_reason(project_user_agent: str, token: str) -> str:
    """Why a project's own ``USER_AGENT`` is replaced (for the one log line that says so)."""
    if _BROWSER.search(project_user_agent):
        return "it poses as a web browser; politecrawl never disguises the crawler"
    if token.lower() not in project_user_agent.lower():
        return f"it does not name the crawler ({token}); politecrawl never disguises the crawler"
    return "politecrawl writes the User-Agent itself, with the contact site owners can write to"
