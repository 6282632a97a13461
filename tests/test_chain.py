"""DownloaderChain: adjacent downloader middlewares as one layer, in Scrapy's order and with its stopping rules."""

from __future__ import annotations

import asyncio

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.http import Request, Response
from scrapy.utils.test import get_crawler

from politecrawl.middlewares.downloader.chain import DownloaderChain


class Part:
    def __init__(self, name: str, log: list[str], request_result: object = None, response_result: object = None):
        self.name, self.log = name, log
        self.request_result, self.response_result = request_result, response_result

    def process_request(self, request: Request) -> object:
        self.log.append(f"{self.name}.request")
        return self.request_result

    def process_response(self, request: Request, response: Response) -> object:
        self.log.append(f"{self.name}.response")
        return self.response_result if self.response_result is not None else response


class AsyncPart(Part):
    async def process_request(self, request: Request) -> object:  # type: ignore[override]
        return super().process_request(request)

    def process_exception(self, request: Request, exception: Exception) -> object:
        self.log.append(f"{self.name}.exception")
        return self.request_result


class RequestOnly:
    def process_request(self, request: Request) -> None:
        return None


def run(coro: object) -> object:
    return asyncio.run(coro)  # type: ignore[arg-type]


def test_requests_in_order_responses_and_exceptions_in_reverse() -> None:
    log: list[str] = []
    chain = DownloaderChain([Part("a", log), AsyncPart("b", log), Part("c", log)])
    request, response = Request("http://a.example/"), Response("http://a.example/")
    assert run(chain.process_request(request)) is None
    assert run(chain.process_response(request, response)) is response
    assert run(chain.process_exception(request, ValueError())) is None
    assert log == ["a.request", "b.request", "c.request", "c.response", "b.response", "a.response", "b.exception"]


def test_the_first_part_that_answers_ends_the_chain() -> None:
    log: list[str] = []
    retry = Request("http://a.example/again")
    chain = DownloaderChain([Part("a", log), AsyncPart("b", log, request_result=retry), Part("c", log)])
    assert run(chain.process_request(Request("http://a.example/"))) is retry
    assert log == ["a.request", "b.request"]
    log.clear()
    chain = DownloaderChain([Part("a", log), Part("b", log, response_result=retry), Part("c", log)])
    assert run(chain.process_response(Request("http://a.example/"), Response("http://a.example/"))) is retry
    assert log == ["c.response", "b.response"]  # a request from process_response goes back to the scheduler


class SometimesWaits(Part):
    """A plain hook that hands back a coroutine when it must wait (as BudgetMiddleware's hold)."""

    def process_request(self, request: Request) -> object:
        self.log.append(f"{self.name}.request")

        async def later() -> object:
            self.log.append(f"{self.name}.waited")
            return self.request_result

        return later()


def test_a_plain_hook_may_hand_back_a_coroutine_and_none_from_it_goes_on() -> None:
    log: list[str] = []
    chain = DownloaderChain([SometimesWaits("a", log), Part("b", log)])
    assert run(chain.process_request(Request("http://a.example/"))) is None
    assert log == ["a.request", "a.waited", "b.request"]
    log.clear()
    back = Request("http://a.example/again")
    chain = DownloaderChain([SometimesWaits("a", log, request_result=back), Part("b", log)])
    assert run(chain.process_request(Request("http://a.example/"))) is back
    assert log == ["a.request", "a.waited"]


def test_a_hook_no_part_has_is_not_offered() -> None:
    chain = DownloaderChain([RequestOnly()])
    assert hasattr(chain, "process_request")
    assert not hasattr(chain, "process_response") and not hasattr(chain, "process_exception")


class Off:
    @classmethod
    def from_crawler(cls, crawler: object) -> Off:
        raise NotConfigured("off")


class On(RequestOnly):
    pass


def test_parts_that_are_not_configured_are_left_out() -> None:
    class Chain(DownloaderChain):
        PARTS = (f"{__name__}.Off", f"{__name__}.On")

    class Empty(DownloaderChain):
        PARTS = (f"{__name__}.Off",)

    chain = Chain.from_crawler(get_crawler())
    assert [type(p) for p in chain.parts] == [On]
    with pytest.raises(NotConfigured):
        Empty.from_crawler(get_crawler())
