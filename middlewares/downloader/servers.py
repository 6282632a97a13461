"""Scrapy glue of the per-server limit: host lookups through the crawler's resolver, stats, audit.

Each host is looked up once, with ``reactor.resolve``: the resolver Scrapy
installed (``TWISTED_DNS_RESOLVER``: its caching resolver by default, the
sandbox's in tests), so the download that follows finds the address in Scrapy's
DNS cache and makes no lookup of its own. A host whose requests go through an
HTTP proxy from the environment (as Scrapy's ``HttpProxyMiddleware`` decides)
is not looked up: the proxy resolves it, and the host name is its server.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING
from urllib.request import getproxies, proxy_bypass

from politecrawl.budget.servers import ServerLimit, ServerRecord

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from politecrawl.budget import BudgetSettings
    from politecrawl.middlewares.runtime import Runtime

logger = logging.getLogger("politecrawl.budget")

#: Servers that bound the crawl written to the audit trail at its end, most waits first (and
#: sites named per server); the log names the first LOGGED_SERVERS.
REPORTED_SERVERS = 100
LOGGED_SERVERS = 10


class ServerLookups:
    """Starts host lookups on the reactor's resolver and tells the limit the answers."""

    def __init__(self, crawler: Crawler, runtime: Runtime) -> None:
        self.runtime = runtime
        self.limit: ServerLimit | None = None
        self.proxies = getproxies() if crawler.settings.getbool("HTTPPROXY_ENABLED", True) else {}
        self.failed = 0

    def proxied(self, scheme: str, host: str) -> bool:
        """Does Scrapy send requests to *host* over *scheme* through a proxy from the environment?"""
        return scheme in self.proxies and not proxy_bypass(host)

    def lookup(self, host: str) -> None:
        from twisted.internet import reactor  # noqa: PLC0415 - the installed reactor

        reactor.resolve(host).addCallbacks(self._found, self._failed, callbackArgs=(host,),
                                           errbackArgs=(host,))

    def _found(self, address: str, host: str) -> None:
        assert self.limit is not None
        self.limit.learn(host, address)

    def _failed(self, failure: object, host: str) -> None:
        assert self.limit is not None
        self.failed += 1
        self.runtime.log_once(
            ("server-lookup-failed",), logging.INFO,
            "politecrawl budget: a host's address could not be looked up (%s); its server is "
            "its name: one bucket per such host", host,
        )
        self.limit.learn(host, None)


def install_server_limit(crawler: Crawler, runtime: Runtime, settings: BudgetSettings) -> ServerLimit:
    """Make the per-server limit of this crawl and plug it into the pacer."""
    lookups = ServerLookups(crawler, runtime)
    limit = ServerLimit(
        runtime.store, settings.server_rate, settings.burst, pace_margin=settings.pace_margin,
        lookup=lookups.lookup, proxied=lookups.proxied,
        on_first_wait=lambda record: _first_wait(runtime, limit, record),
    )
    lookups.limit = limit
    runtime.pacer.servers = limit
    return limit


def _first_wait(runtime: Runtime, limit: ServerLimit, record: ServerRecord) -> None:
    runtime.inc_stat("budget/servers_bound")
    runtime.audit.event("server", server=record.server, basis=record.basis, rate=limit.rate,
                        burst=limit.burst, sites=sorted(record.sites)[:REPORTED_SERVERS])
    runtime.log_once(
        ("server-bound", record.server), logging.INFO,
        "politecrawl budget: server %s (%s; sites %s) is held to %.4g req/s "
        "(POLITECRAWL_MAX_IP_RATE): its sites' requests wait for it",
        record.server, record.basis, ", ".join(sorted(record.sites)[:5]), limit.rate,
    )


def report_servers(runtime: Runtime, limit: ServerLimit) -> None:
    """At the end of the crawl (before the audit trail's end): stats, and an audit record per
    server that bound the crawl."""
    runtime.inc_stat("budget/servers", len(limit.servers))
    keyed = limit.keyed_by_host()
    if keyed:
        runtime.inc_stat("budget/servers_keyed_by_host", keyed)
    bound = limit.bound()
    waits = sum(record.waits for record in bound)
    if waits:
        runtime.inc_stat("budget/server_waits", waits)
    for rank, record in enumerate(bound[:REPORTED_SERVERS]):
        runtime.audit.event(
            "server", server=record.server, basis=record.basis, rate=limit.rate, burst=limit.burst,
            sites=sorted(record.sites)[:REPORTED_SERVERS], held_sites=sorted(record.held_sites)[:REPORTED_SERVERS],
            requests=record.requests, waits=record.waits,
        )
        if rank < LOGGED_SERVERS:
            logger.info(
                "politecrawl budget: server %s (%s) bound the crawl: %d requests at most %.4g req/s, "
                "%d waits, sites %s", record.server, record.basis, record.requests, limit.rate,
                record.waits, ", ".join(sorted(record.sites)[:10]),
            )
    if len(bound) > LOGGED_SERVERS:
        logger.info("politecrawl budget: %d more servers bound the crawl (`politecrawl report` lists %d)",
                    len(bound) - LOGGED_SERVERS, min(len(bound), REPORTED_SERVERS))
