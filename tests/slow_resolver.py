"""A TWISTED_DNS_RESOLVER for tests: the sandbox resolver, answering each host's first lookup late
(``SLOW_RESOLVER_DELAY`` seconds, from the environment; 0.5 by default), as a real DNS lookup
followed by Scrapy's DNS cache would. The sandbox's own resolver answers at once, so a crawl on it
never sees a lookup still running."""

from __future__ import annotations

import os

from twisted.internet.address import IPv4Address

from politecrawl.sandbox.resolver import SandboxResolver, _Resolution

DELAY = float(os.environ.get("SLOW_RESOLVER_DELAY", "0.5"))


class SlowSandboxResolver(SandboxResolver):
    seen: set[str] = set()

    def resolveHostName(self, resolutionReceiver, hostName, portNumber=0, addressTypes=None,  # noqa: N802
                        transportSemantics="TCP"):
        name = hostName.lower().rstrip(".")
        if name in self.seen:
            return super().resolveHostName(resolutionReceiver, hostName, portNumber, addressTypes,
                                           transportSemantics)
        self.seen.add(name)
        resolution = _Resolution(hostName)
        resolutionReceiver.resolutionBegan(resolution)

        def answer() -> None:
            address = self.addresses.get(name, "127.0.0.1")
            resolutionReceiver.addressResolved(IPv4Address("TCP", address, self.port))
            resolutionReceiver.resolutionComplete()

        self.reactor.callLater(DELAY, answer)
        return resolution
