"""Scrapy internals politecrawl relies on (middlewares/_scrapy_compat.py): these fail when Scrapy changes them."""

from __future__ import annotations

import pytest
from scrapy.settings import Settings

from politecrawl.middlewares._scrapy_compat import fail_scrapy_command


def test_a_crawl_marks_scrapy_s_command_line_failed_and_it_exits_1():
    """``scrapy.cmdline.execute`` exits with its command's ``exitcode``, which a component deep in the
    run can set (how an all-unreachable crawl makes ``scrapy crawl`` exit 1)."""
    from scrapy.cmdline import execute
    from scrapy_commands.fails_at_end import Command

    with pytest.raises(SystemExit) as exited:
        execute(["scrapy", "fails_at_end"], Settings({"COMMANDS_MODULE": "scrapy_commands"}))
    assert Command.found is True
    assert exited.value.code == 1


def test_outside_scrapy_s_command_line_nothing_is_marked():
    assert fail_scrapy_command(1) is False


def test_idle_keep_alive_connections_are_bounded_in_all_oldest_closed_first():
    from twisted.internet.task import Clock
    from twisted.web.client import HTTPConnectionPool

    from politecrawl.middlewares._scrapy_compat import bound_idle_connections

    class Connection:
        state = "QUIESCENT"

        def __init__(self, name):
            self.name, self.closed = name, False
            self.transport = self

        def loseConnection(self):  # noqa: N802 - Twisted's name
            self.closed = True

    clock = Clock()
    pool = HTTPConnectionPool(clock, persistent=True)
    bound_idle_connections(pool, 3)
    connections = [Connection(f"h{i}") for i in range(5)]
    for i, connection in enumerate(connections):  # one idle connection per host, as a crawl of many hosts leaves
        pool._putConnection(("http", f"h{i}", 80), connection)
    assert [c.closed for c in connections] == [True, True, False, False, False]
    assert sum(len(cached) for cached in pool._connections.values()) == 3
    assert len(clock.getDelayedCalls()) == 3  # the closed ones' timeouts are cancelled


def test_one_host_may_keep_as_many_idle_connections_as_all_hosts_together():
    """Scrapy bounds idle connections per host by CONCURRENT_REQUESTS_PER_DOMAIN, so a connection coming back
    just after its slot opened another was closed (a new connection every other page); the bound is in all."""
    from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
    from scrapy.utils.test import get_crawler
    from twisted.internet.task import Clock
    from twisted.web.client import HTTPConnectionPool

    from politecrawl.middlewares._scrapy_compat import bound_idle_connections

    handler = HTTP11DownloadHandler(get_crawler(settings_dict={"CONCURRENT_REQUESTS_PER_DOMAIN": 2}))
    assert handler._pool.maxPersistentPerHost == 2  # Scrapy's per-host bound, which the pool would apply

    class Connection:
        state = "QUIESCENT"

        def __init__(self):
            self.closed = False
            self.transport = self

        def loseConnection(self):  # noqa: N802 - Twisted's name
            self.closed = True

    pool = HTTPConnectionPool(Clock(), persistent=True)
    pool.maxPersistentPerHost = 2
    bound_idle_connections(pool, 3)
    connections = [Connection() for _ in range(4)]
    for connection in connections:  # four answers from one host come back
        pool._putConnection(("http", "h", 80), connection)
    assert [c.closed for c in connections] == [True, False, False, False]
    assert len(pool._connections[("http", "h", 80)]) == 3


def test_a_default_get_is_told_from_every_other_request_without_making_its_lazy_fields():
    """The disk frontier stores a request with every field but its URL at Scrapy's default as nothing; this reads
    Scrapy's private slots (``_headers``, ``_body``, ``_cookies``, ``_flags``, ``_cb_kwargs``, ``_encoding``)."""
    from scrapy import FormRequest, Request, Spider

    from politecrawl.middlewares._scrapy_compat import is_default_get

    class _S(Spider):
        name = "s"

        def parse_page(self, response):
            pass

    plain = Request("http://a.com/", meta={"depth": 1})  # meta is the caller's to check
    assert is_default_get(plain)
    assert plain._headers is None and plain._cookies is None and plain._flags is None and plain._cb_kwargs is None
    spider = _S()
    for other in (
        Request("http://a.com/", callback=spider.parse_page), Request("http://a.com/", errback=spider.parse_page),
        Request("http://a.com/", method="POST"), Request("http://a.com/", headers={"Referer": "x"}),
        Request("http://a.com/", body=b"x"), Request("http://a.com/", cookies={"c": "1"}),
        Request("http://a.com/", flags=["f"]), Request("http://a.com/", cb_kwargs={"k": 1}),
        Request("http://a.com/", priority=1), Request("http://a.com/", dont_filter=True),
        Request("http://a.com/", encoding="latin-1"), FormRequest("http://a.com/"),
    ):
        assert not is_default_get(other), other
    later = Request("http://a.com/")
    later.headers[b"Referer"] = b"x"  # set after construction, through Scrapy's lazy Headers
    later.cookies["c"] = "1"
    assert not is_default_get(later)
