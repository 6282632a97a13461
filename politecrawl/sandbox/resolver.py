"""A Scrapy DNS resolver that sends every host name to the sandbox web.

Why a resolver and not a forward proxy: a name resolver that returns
``127.0.0.1:<sandbox port>`` for any host keeps Scrapy's behaviour intact —
one download slot, connection pool and robots.txt per site, the real
``Host`` header, ``http_proxy`` / ``https_proxy`` from the environment still
honoured by Scrapy's HttpProxyMiddleware as usual — and robots.txt requests
take exactly the same path as pages. (A proxy set only in ``meta['proxy']``
would let robots.txt requests bypass it.) Twisted's ``HostnameEndpoint``
connects to the port of the resolved address, so URLs keep their real form
(``http://shop-a.com/``).

Enable with ``TWISTED_DNS_RESOLVER = "politecrawl.sandbox.resolver.SandboxResolver"``
and ``POLITECRAWL_SANDBOX = "127.0.0.1:<port>"``; :meth:`SandboxWeb.settings`
returns both, and ``POLITECRAWL_SANDBOX_ADDRESSES`` (``{host: address}``, JSON)
for sites served on a loopback address of their own, as if on their own server.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from twisted.internet.address import IPv4Address
from twisted.internet.interfaces import IHostnameResolver, IHostResolution
from zope.interface import implementer

from .spec import loopback_address

if TYPE_CHECKING:
    from collections.abc import Sequence

    from scrapy.crawler import Crawler


@implementer(IHostResolution)
class _Resolution:
    def __init__(self, name: str) -> None:
        self.name = name

    def cancel(self) -> None:  # pragma: no cover - resolution is immediate
        pass


@implementer(IHostnameResolver)
class SandboxResolver:
    """Resolves every name to the sandbox's loopback address (a site's own, if it has one) and port."""

    def __init__(self, reactor, host: str, port: int, addresses: dict[str, str] | None = None) -> None:
        if host not in ("127.0.0.1", "localhost"):
            raise ValueError(f"POLITECRAWL_SANDBOX must be on 127.0.0.1, not {host!r}")
        self.reactor = reactor
        self.port = port
        self.addresses = {name.lower(): loopback_address(a) for name, a in (addresses or {}).items()}

    @classmethod
    def from_crawler(cls, crawler: Crawler, reactor) -> SandboxResolver:
        address = crawler.settings.get("POLITECRAWL_SANDBOX") or ""
        host, _, port = address.rpartition(":")
        if not host or not port.isdigit():
            raise ValueError(
                f"POLITECRAWL_SANDBOX ({address!r}) must be '127.0.0.1:<port>' when "
                "TWISTED_DNS_RESOLVER is the sandbox resolver"
            )
        return cls(reactor, host, int(port), crawler.settings.getdict("POLITECRAWL_SANDBOX_ADDRESSES"))

    def install_on_reactor(self) -> None:
        self.reactor.installNameResolver(self)

    def resolveHostName(
        self,
        resolutionReceiver,
        hostName: str,
        portNumber: int = 0,
        addressTypes: Sequence[type] | None = None,
        transportSemantics: str = "TCP",
    ):
        resolution = _Resolution(hostName)
        resolutionReceiver.resolutionBegan(resolution)
        address = self.addresses.get(hostName.lower().rstrip("."), "127.0.0.1")
        resolutionReceiver.addressResolved(IPv4Address("TCP", address, self.port))
        resolutionReceiver.resolutionComplete()
        return resolution
