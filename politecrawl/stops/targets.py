"""Which state stores an operator's ``stop`` / ``resume`` / ``stops`` command applies to.

With ``--state URL`` the command works on that store. Without it, on every
store a registered running crawl uses (:mod:`politecrawl.running`) and on the
store the current folder would use (``POLITECRAWL_STATE`` or the default) when
it exists. A store that does not exist yet is never made silently: the
command refuses unless asked to create it. Pure: existence is asked through a
function, the running crawls are given.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ..running import CrawlEntry, absolute_state_url, describe_state
from ..sites import InvalidURL, site_key
from ..state.base import redact_url

__all__ = ["SiteArgumentError", "Target", "choose_targets", "describe_crawls", "site_argument"]

_HOST = re.compile(r"^[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?)*\.?$")


class SiteArgumentError(ValueError):
    """A SITE argument that is neither a host nor an http(s) URL."""


def site_argument(raw: str) -> str:
    """The site key of a ``SITE`` argument: a host (``example.org``) or an http(s) URL.

    Raises :class:`SiteArgumentError` for anything else (``"not a url"``, ``ftp://…``, ``http://``).
    """
    text = raw.strip()
    if not text or any(c.isspace() for c in text):
        raise SiteArgumentError(f"{raw!r} is not a host or an http(s) URL")
    if "://" in text:
        scheme = text.split("://", 1)[0].lower()
        if scheme not in ("http", "https"):
            raise SiteArgumentError(f"{raw!r} is not a host or an http(s) URL (scheme {scheme!r})")
    elif "@" in text.split("/", 1)[0]:
        raise SiteArgumentError(f"{raw!r} is not a host or an http(s) URL")
    try:
        site = site_key(text)
    except (InvalidURL, ValueError) as exc:
        raise SiteArgumentError(f"{raw!r} is not a host or an http(s) URL: {exc}") from None
    try:
        ipaddress.ip_address(site)
        return site
    except ValueError:
        pass
    if not _HOST.match(site):
        raise SiteArgumentError(f"{raw!r} is not a host or an http(s) URL")
    return site


@dataclass
class Target:
    """A state store a command applies to, with the running crawls that use it.

    *url* is how the store is named and matched (a Redis URL without its
    password, as crawls list it); *open_url* is what opens it (with the
    password, when the command was given the URL that has it).
    """

    url: str  # absolute, public
    exists: bool
    crawls: list[CrawlEntry] = field(default_factory=list)
    open_url: str = ""

    def __post_init__(self) -> None:
        self.open_url = self.open_url or self.url

    @property
    def name(self) -> str:
        return describe_state(self.url)


def choose_targets(
    explicit: str | None,
    default_url: str,
    cwd: str,
    running: Iterable[CrawlEntry],
    exists: Callable[[str], bool],
) -> list[Target]:
    """The stores a command applies to (see the module docstring), running crawls' first.

    Without *explicit*, a store that does not exist is left out; with it, it is
    returned with ``exists=False`` for the caller to refuse or create. A running
    crawl's store listed without its password is opened with *default_url* when
    that is the same store.
    """
    crawls = [c for c in running if not c.state_url.startswith("memory:")]
    if explicit:
        raw = absolute_state_url(explicit, cwd)
        url = redact_url(raw)
        return [Target(url, exists(raw), [c for c in crawls if c.state_url == url], raw)]
    default = absolute_state_url(default_url, cwd)
    openers = {redact_url(default): default}
    targets: dict[str, Target] = {}
    for crawl in crawls:
        raw = openers.get(crawl.state_url, crawl.state_url)
        target = targets.setdefault(crawl.state_url, Target(crawl.state_url, exists(raw), open_url=raw))
        target.crawls.append(crawl)
    public = redact_url(default)
    if public not in targets and not default.startswith("memory:") and exists(default):
        targets[public] = Target(public, True, open_url=default)
    return list(targets.values())


def describe_crawls(crawls: Iterable[CrawlEntry]) -> str:
    """``crawl 2026…-ab12cd in /home/me/shop (state /home/me/shop/.politecrawl/state.db)``, joined."""
    return "; ".join(
        f"crawl {c.crawl_id} in {c.folder} (state {describe_state(c.state_url)})" for c in crawls
    )
