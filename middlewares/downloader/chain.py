"""Adjacent politecrawl downloader middlewares run as one Scrapy layer.

Scrapy calls each downloader middleware through its manager, a coroutine per
hook per request, whether the hook has work to do or not. Components that sit
next to each other in the middleware order lose nothing by running as one
layer: :class:`DownloaderChain` calls its parts in the order Scrapy would and
stops where Scrapy would stop:

* ``process_request``: in order; the first part that returns something (a
  request or a response) ends the chain, and an exception goes up as it is.
* ``process_response``: in reverse order; a part that returns a request ends it.
* ``process_exception``: in reverse order; the first part that returns
  something ends it.

A hook is there only if one of the parts has it; a part whose ``from_crawler``
raises ``NotConfigured`` is left out. Each part stays a middleware of its own
that a project can register by itself.
"""

from __future__ import annotations

from inspect import isawaitable, iscoroutinefunction
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import NotConfigured
from scrapy.http import Request
from scrapy.utils.misc import build_from_crawler, load_object

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Response


class DownloaderChain:
    """Several downloader middlewares, given in ascending priority, as one layer."""

    #: Class paths of the parts, in the order of their own priorities.
    PARTS: tuple[str, ...] = ()

    def __init__(self, parts: list[Any]) -> None:
        self.parts = parts
        # (hook, is it a coroutine function): told once here, not asked of every result
        self._requests = _hooks(parts, "process_request")
        self._responses = _hooks(reversed(parts), "process_response")
        self._exceptions = _hooks(reversed(parts), "process_exception")
        # Scrapy looks the hooks up with hasattr(): a hook no part has is not offered at all.
        if self._requests:
            self.process_request = self._process_request
        if self._responses:
            self.process_response = self._process_response
        if self._exceptions:
            self.process_exception = self._process_exception

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DownloaderChain:
        parts = []
        for path in cls.PARTS:
            try:
                parts.append(build_from_crawler(load_object(path), crawler))
            except NotConfigured:
                continue
        if not parts:
            raise NotConfigured(f"{cls.__name__}: none of its parts is configured")
        return cls(parts)

    async def _process_request(self, request: Request) -> Request | Response | None:
        for method, is_async in self._requests:
            result = await method(request) if is_async else method(request)
            if result is not None:
                if not is_async and isawaitable(result):
                    # a plain hook that sometimes has to wait hands back a coroutine, as Scrapy
                    # allows (SendGate's send-time hold): None from it goes on down the chain
                    result = await result
                    if result is None:
                        continue
                return result
        return None

    async def _process_response(self, request: Request, response: Response) -> Request | Response:
        for method, is_async in self._responses:
            response = await method(request, response) if is_async else method(request, response)
            if isinstance(response, Request):
                return response
        return response

    async def _process_exception(self, request: Request, exception: Exception) -> Request | Response | None:
        for method, is_async in self._exceptions:
            result = await method(request, exception) if is_async else method(request, exception)
            if result is not None:
                return result
        return None


def _hooks(parts: Any, name: str) -> list[tuple[Any, bool]]:
    return [(getattr(p, name), iscoroutinefunction(getattr(p, name))) for p in parts if hasattr(p, name)]


class RequestGates(DownloaderChain):
    """Priority 100: stopped sites (60), robots.txt (100), reservations (110)."""

    PARTS = (
        "politecrawl.middlewares.downloader.stops.StopGate",
        "politecrawl.middlewares.downloader.robots.RobotsTxtMiddleware",
        "politecrawl.middlewares.downloader.reservations.ReservationGate",
    )


class BeforeSend(DownloaderChain):
    """Priority 980, after every Scrapy middleware: the send time and admission asked again
    after a wait (980), the budget's eyes (980), the honest identity (990)."""

    PARTS = (
        "politecrawl.middlewares.downloader.send.SendGate",
        "politecrawl.middlewares.downloader.budget.BudgetMiddleware",
        "politecrawl.middlewares.downloader.identity.IdentityMiddleware",
    )


__all__ = ["BeforeSend", "DownloaderChain", "RequestGates"]
