"""The objects one crawl's politecrawl components share.

Every component gets them with :meth:`Runtime.of` in its ``from_crawler``;
the first call builds them (reading the core settings, opening the state
store) and later calls return the same object.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import time
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import IgnoreRequest

from ._scrapy_compat import stats_incrementer
from politecrawl.admission import GO, STOPPED, Admission, Answer
from politecrawl.audit import AuditTrail
from politecrawl.audit.totals import FACTS
from politecrawl.clock import SYSTEM_CLOCK, Clock
from politecrawl.config import PolitecrawlConfig
from politecrawl.pacing import Pacer
from politecrawl.sites import INVALID_SITE, InvalidURL, origin_key, site_key, site_or_invalid
from politecrawl.state import StateStore, open_store

if TYPE_CHECKING:
    from collections.abc import Callable
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

__all__ = [
    "ADMISSION",
    "KEYS",
    "NOT_LOCAL",
    "PROTOCOL_FETCH",
    "Runtime",
    "SiteTallies",
    "WAITED",
    "admission_of",
    "is_protocol_fetch",
    "keys_of",
    "new_crawl_id",
    "node_name",
    "response_keys",
    "response_site",
    "site_of",
    "stamp_keys",
]

logger = logging.getLogger("politecrawl")

_ATTR = "_politecrawl_runtime"

#: Meta key that marks a protocol-file fetch politecrawl makes itself (its value
#: names the file: "robots.txt", "tdmrep.json"). The robots and reservation
#: gates let such a request through (it is how they learn the rules); it is
#: still counted, refused for a stopped site, and paid for by the turn of the
#: request that triggered it.
PROTOCOL_FETCH = "politecrawl_protocol_fetch"


#: Meta key of ``(url, site key, origin key)``, stamped once when the request enters the frontier
#: (:func:`stamp_keys`); the glue reads it (:func:`keys_of`, :func:`site_of`), never computes it again.
KEYS = "politecrawl_keys"
#: Meta key of the :class:`~politecrawl.admission.Answer` the frontier got when the request left it.
ADMISSION = "politecrawl_admission"
#: Meta key of a request let go as answered by a local cache that the cache did not answer: it takes a
#: token like any other when it leaves the frontier again.
NOT_LOCAL = "politecrawl_not_local"
#: Meta key of the send slot a cluster node's request took (:mod:`politecrawl.state.send_slots`): set by
#: the cluster scheduler at the pop, checked (and taken again if the request became late) at the send.
SEND_SLOT = "politecrawl_send_slot"
#: Meta key set when an admitted request waited (for a robots.txt or tdmrep.json fetch) before
#: its send: admission is asked once more before it is sent (``Admission.before_send``).
WAITED = "politecrawl_waited"


def is_protocol_fetch(request: Request) -> bool:
    return bool(request.meta.get(PROTOCOL_FETCH))


def stamp_keys(request: Request, site_of_origin: Callable[[str], str | None] | None = None) -> tuple[str, str]:
    """Compute *request*'s ``(site key, origin key)`` and stamp them in its meta (:data:`KEYS`).

    The one place glue computes a request's keys: the frontier calls it when a
    request enters; :func:`keys_of` and :func:`site_of` call it for a request
    that never passed the frontier (robots.txt and tdmrep.json fetches) or whose
    URL changed since. A URL with no site is stamped with
    :data:`~politecrawl.sites.INVALID_SITE` for both keys.

    *site_of_origin* (the disk frontier's) gives the site an origin was queued
    under before, or ``None``: a site is a function of the origin's host, and
    the origin's row already holds it, so the public-suffix lookup is made only
    for an origin the frontier has not seen.
    """
    url = request.url
    try:
        origin = origin_key(url)
        site = (site_of_origin(origin) if site_of_origin is not None else None) or site_key(url)
        keys = (url, site, origin)
    except InvalidURL:
        keys = (url, INVALID_SITE, INVALID_SITE)
    request.meta[KEYS] = keys
    return keys[1], keys[2]


def keys_of(request: Request) -> tuple[str, str]:
    """``(site key, origin key)`` of a request, read from its stamp.

    A request with no stamp for its URL is stamped first; if its URL has no
    site, :class:`~politecrawl.sites.InvalidURL` is raised.
    """
    keys = request.meta.get(KEYS)
    if keys is not None and keys[0] == request.url:
        return keys[1], keys[2]
    site, origin = stamp_keys(request)
    if site == INVALID_SITE:
        raise InvalidURL("URL has no site")
    return site, origin


def site_of(request: Request) -> str:
    """The site key of a request, read from its stamp; :data:`~politecrawl.sites.INVALID_SITE` if it has none."""
    keys = request.meta.get(KEYS)
    if keys is None or keys[0] != request.url:
        return stamp_keys(request)[0]
    return keys[1]


def response_keys(response: Response) -> tuple[str, str]:
    """``(site key, origin key)`` of a response, read from its request's stamp.

    Raises :class:`~politecrawl.sites.InvalidURL` for a URL with no site.
    """
    request = response.request
    if request is not None and request.url == response.url:
        return keys_of(request)
    return site_key(response.url), origin_key(response.url)  # a response made without its request


def response_site(response: Response) -> str:
    """The site key of a response, read from its request's stamp; ``INVALID_SITE`` if it has none."""
    request = response.request
    if request is not None and request.url == response.url:
        return site_of(request)
    return site_or_invalid(response.url)  # a response made without its request


def admission_of(request: Request) -> Answer | None:
    """The answer the request got when it left the frontier (``None``: it did not pass the frontier)."""
    return request.meta.get(ADMISSION)


def node_name() -> str:
    """This process's name among the nodes of a cluster: ``host:pid``."""
    return f"{socket.gethostname()}:{os.getpid()}"


def new_crawl_id(now: float) -> str:
    """A sortable, unique crawl id: UTC start time plus 6 random hex digits."""
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(now)) + "-" + secrets.token_hex(3)


class SiteTallies:
    """Per-site counts for the summary, kept by the audit trail (one counter per fact).

    :meth:`add` counts a tally (refusals, drops, throttles, ...) in the trail;
    the facts the trail counts itself from the downloader's signals (requests,
    answers, bytes, status classes) are read here and never added from outside.
    :meth:`note` keeps a value that is not a count (a site's cap).
    """

    def __init__(self, audit: AuditTrail) -> None:
        self.audit = audit
        self._notes: defaultdict[str, dict[str, int]] = defaultdict(dict)

    def add(self, site: str, name: str, n: int = 1) -> None:
        if name in FACTS or name.startswith("status:"):
            return  # counted by the trail from what went out and came back
        self.audit.tally(site, name, n)

    def note(self, site: str, name: str, value: int) -> None:
        """Keep *value* under *name* for *site* (shown in the summary, not counted in the trail)."""
        self._notes[site][name] = value

    def get(self, site: str, name: str) -> int:
        note = self._notes.get(site)
        if note is not None and name in note:
            return note[name]
        return self.audit.totals.total(site, name)

    def sites(self) -> list[str]:
        return sorted(set(self.audit.totals.sites()) | set(self._notes))

    def __len__(self) -> int:
        """How many sites have counts."""
        return len(self.sites())

    def as_dict(self) -> dict[str, dict[str, int]]:
        totals = self.audit.totals.by_site()
        return {site: {**totals.get(site, {}), **self._notes.get(site, {})} for site in self.sites()}


class _FanOut:
    """One Scrapy signal receiver that calls several politecrawl hooks in turn.

    Scrapy's dispatcher inspects each receiver's signature on every send: the
    per-request signals get one receiver for all of politecrawl.
    A hook that raises is logged as Scrapy logs a failing receiver; the others still run.
    """

    def __init__(self) -> None:
        self.hooks: list[Any] = []
        # Scrapy names each receiver by its module and qualified name when it sends a signal
        # asynchronously (item_scraped, ...); an instance has no __qualname__ of its own.
        self.__qualname__ = type(self).__qualname__

    def __call__(self, signal: Any = None, sender: Any = None, **named: Any) -> None:
        for hook in self.hooks:
            try:
                hook(**named)
            except Exception:  # noqa: BLE001 - as Scrapy's send_catch_log: log, go on with the next
                logger.error("Error caught on signal handler: %r", hook, exc_info=True)


class Runtime:
    """Config, state store, clock, pacer and tallies of one crawler."""

    def __init__(
        self,
        config: PolitecrawlConfig,
        store: StateStore,
        *,
        clock: Clock = SYSTEM_CLOCK,
        stats: Any = None,
        crawl_id: str | None = None,
    ) -> None:
        self.config = config
        self.store = store
        self.clock = clock
        self.stats = stats
        self.crawl_id = crawl_id or new_crawl_id(clock())
        self.pacer = Pacer()
        #: May a request go now: the one decision (stops, pauses, robots intervals and
        #: Visit-time, budget, the gates' known answers), asked by the frontier.
        self.admission = Admission(self.pacer)
        self.budget: Any = None  # the BudgetLedger, once the budget component is on
        #: ``answers_locally(request)``: will a local cache (Scrapy's HTTP cache) answer it, so that it
        #: never reaches the site and takes no token? ``None`` when no cache is on.
        self.answers_locally: Any = None
        #: ``send_slots.send_wait(request, site, now, force=...)``: the send-time pace of a cluster node, kept
        #: on the send slots every node shares (``None``: the budget ledger's own send bucket, one process).
        self.send_slots: Any = None
        #: The audit trail (docs/audit.md): ``audit.event(kind, site, **data)``,
        #: ``audit.count(site, metric, n, key=...)``, ``audit.stop(...)``, ...; it keeps
        #: the crawl's per-site counts, read through ``tallies``.
        self.audit = AuditTrail(store, self.crawl_id, clock)
        self.tallies = SiteTallies(self.audit)
        self._logged: set[Any] = set()
        self._fanouts: dict[Any, _FanOut] = {}

    @classmethod
    def of(cls, crawler: Crawler) -> Runtime:
        runtime = getattr(crawler, _ATTR, None)
        if runtime is None:
            config = PolitecrawlConfig.from_settings(crawler.settings)
            store = open_store(config.state_url, batch=config.ledger_batch)
            runtime = cls(config, store, stats=crawler.stats)
            setattr(crawler, _ATTR, runtime)
        return runtime

    @classmethod
    def peek(cls, crawler: Crawler) -> Runtime | None:
        """The crawler's runtime if one was built, else ``None`` (for parts usable without the core)."""
        return getattr(crawler, _ATTR, None)

    def connect(self, crawler: Crawler, hook: Any, signal: Any) -> None:
        """Connect *hook* to a per-request Scrapy *signal* (one receiver for all of politecrawl's hooks).

        Hooks run in the order they were connected, with the signal's named arguments.
        """
        fan = self._fanouts.get(signal)
        if fan is None:
            fan = self._fanouts[signal] = _FanOut()  # kept here: Scrapy holds receivers weakly
            crawler.signals.connect(fan, signal=signal)
        fan.hooks.append(hook)

    def join_crawl(self, crawl_id: str) -> None:
        """Be one node of the crawl *crawl_id* that several processes share (a cluster): the
        audit trail is the crawl's, each record naming this node (``host:pid``)."""
        self.crawl_id = crawl_id
        self.audit.join(crawl_id, node_name())

    async def wait_for_turn(self, request: Request, *, component: str) -> None:
        """Wait until admission lets one request to *request*'s site go, and spend its turn.

        For the few requests that do not pass through the frontier (robots.txt,
        tdmrep.json fetches): they are charged to the same budget and obey the
        same pauses and stops. Raises :class:`IgnoreRequest` if the site is stopped.
        """
        from ._scrapy_compat import sleep  # noqa: PLC0415 - needs the reactor

        site, origin = keys_of(request)
        while True:
            answer = self.admission.admit(site, origin, None, self.clock())
            if answer.kind == GO:
                return
            if answer.kind == STOPPED:
                stop = answer.stop
                raise self.refuse(
                    request, component=component, reason=f"stopped-{stop.source if stop else 'site'}",
                    site=site,
                )
            await sleep(min(answer.wait, 1.0))

    def back_to_frontier(self, request: Request, stat: str, **meta: Any) -> Request:
        """The one way a request goes back to the frontier (to wait for a turn of its own).

        Counts *stat*; returns the copy for a middleware to return (Scrapy schedules it
        again), without the frontier's keys and answer, with *meta* added.
        """
        self.inc_stat(stat)
        new_meta = {**request.meta, **meta}
        new_meta.pop(ADMISSION, None)
        new_meta.pop(WAITED, None)
        return request.replace(dont_filter=True, meta=new_meta)

    # -- logging and counting -------------------------------------------
    def log_once(self, key: Any, level: int, msg: str, *args: Any) -> None:
        """Log *msg* the first time *key* is seen in this crawl."""
        if key not in self._logged:
            self._logged.add(key)
            logger.log(level, msg, *args)

    @property
    def stats(self) -> Any:
        """Scrapy's stats collector (or ``None``)."""
        return self._stats

    @stats.setter
    def stats(self, stats: Any) -> None:
        self._stats = stats
        self._inc_value = stats_incrementer(stats)  # without Scrapy's per-access shim

    def inc_stat(self, key: str, n: int = 1) -> None:
        if self._inc_value is not None:
            self._inc_value(f"politecrawl/{key}", n)

    def refuse(
        self, request: Request, *, component: str, reason: str, site: str | None = None
    ) -> IgnoreRequest:
        """Count, tally and log (once per site and reason) a refused request.

        Returns the :class:`IgnoreRequest` for the caller to raise.
        """
        if site is None:
            site = site_of(request)
        self.inc_stat(f"{component}/refused/{reason}")
        self.tallies.add(site, f"refused:{component}:{reason}")
        self.log_once(
            ("refuse", site, component, reason),
            logging.INFO,
            "politecrawl: %s refused requests to %s (%s); further refusals are counted, not logged",
            component,
            site,
            reason,
        )
        return IgnoreRequest(f"politecrawl {component}: {reason}")
