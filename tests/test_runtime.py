"""Runtime helpers: the stats incrementer; the per-site counts read from the audit trail."""

from __future__ import annotations

from typing import Any

from scrapy.statscollectors import MemoryStatsCollector, StatsCollector
from scrapy.utils.test import get_crawler

from politecrawl.middlewares._scrapy_compat import stats_incrementer


def test_the_incrementer_adds_as_inc_value_does_and_follows_a_replaced_stats_dict() -> None:
    stats = MemoryStatsCollector(get_crawler())
    inc = stats_incrementer(stats)
    assert inc is not None and inc != stats.inc_value  # the direct path
    inc("a")
    inc("a", 2)
    stats.inc_value("a", 3)
    assert stats.get_value("a") == 6
    stats.set_stats({"b": 1})
    inc("b", 4)
    inc("c")
    assert stats.get_stats() == {"b": 5, "c": 1}


def test_a_collector_with_its_own_inc_value_keeps_it() -> None:
    seen: list[tuple[str, int]] = []

    class Remote(StatsCollector):
        def inc_value(self, key: str, count: int = 1, start: int = 0, spider: Any = None) -> None:
            seen.append((key, count))

    stats = Remote(get_crawler())
    inc = stats_incrementer(stats)
    inc("a", 2)
    assert seen == [("a", 2)]
    assert stats.get_value("a") is None
    assert stats_incrementer(None) is None


def test_header_helpers_answer_as_scrapy_headers_do() -> None:
    from scrapy.http import Headers

    from politecrawl.middlewares._scrapy_compat import has_any_header, header_list, header_name, set_header

    class Lower(Headers):  # another normal form: the helpers use its own methods
        def normkey(self, key: str | bytes) -> bytes:
            return self._tobytes(key.lower())

    for cls in (Headers, Lower):
        h = cls({"x-robots-tag": ["noindex", "noai"], "Content-Type": "text/html"})
        assert header_list(h, header_name(b"X-Robots-Tag")) == h.getlist(b"X-Robots-Tag") == [b"noindex", b"noai"]
        assert header_list(h, header_name(b"tdm-reservation")) == h.getlist(b"tdm-reservation") == []
        names = frozenset(header_name(n) for n in (b"tdm-reservation", b"content-usage"))
        assert not has_any_header(h, names)
        h[b"Content-Usage"] = b"train-ai=n"
        assert has_any_header(h, names)
        set_header(h, header_name(b"user-agent"), b"politecrawl/1")
        assert h.getlist(b"User-Agent") == [b"politecrawl/1"]
        h.appendlist(b"User-Agent", b"other")
        set_header(h, header_name(b"User-Agent"), b"politecrawl/1")
        assert h.getlist(b"User-Agent") == [b"politecrawl/1"]


def test_identity_middleware_sends_only_its_own_user_agent() -> None:
    from scrapy import Request, Spider

    from politecrawl.middlewares.downloader.identity import IdentityMiddleware
    from politecrawl.middlewares.runtime import Runtime

    crawler = get_crawler(Spider, settings_dict={
        "POLITECRAWL_CONTACT": "https://example.org/bot", "POLITECRAWL_STATE": "memory://",
    })
    crawler.stats = MemoryStatsCollector(crawler)
    Runtime.of(crawler).stats = crawler.stats
    mw = IdentityMiddleware.from_crawler(crawler)
    ours = Runtime.of(crawler).config.user_agent.encode()
    for headers, replaced in (({}, 0), ({"User-Agent": ours}, 0), ({"user-agent": "Mozilla/5.0"}, 1)):
        request = Request("http://site.com/", headers=headers)
        mw.process_request(request)
        assert request.headers.getlist("User-Agent") == [ours]
        assert crawler.stats.get_value("politecrawl/identity/user_agent_replaced") == (replaced or None)


def test_lowered_body_folds_ascii_only_and_follows_the_body() -> None:
    from politecrawl.middlewares._scrapy_compat import lowered_body

    a = "<META NAME='Robots'> Ä É".encode()
    b = b"<TITLE>X</TITLE>"
    assert lowered_body(a) == "<meta name='robots'> Ä É".encode()  # non-ASCII bytes untouched
    assert lowered_body(a) is lowered_body(a)
    assert lowered_body(b) == b"<title>x</title>"
    assert lowered_body(a) == "<meta name='robots'> Ä É".encode()


def test_the_per_site_counts_are_the_audit_trails_one_counter_per_fact() -> None:
    from scrapy import Spider

    from politecrawl.middlewares.downloader.budget import BudgetMiddleware
    from politecrawl.middlewares.runtime import Runtime

    crawler = get_crawler(Spider, settings_dict={
        "POLITECRAWL_CONTACT": "https://example.org/bot", "POLITECRAWL_STATE": "memory://"})
    runtime = Runtime.of(crawler)
    ledger = BudgetMiddleware.from_crawler(crawler).ledger
    audit, tallies = runtime.audit, runtime.tallies
    audit.sent("a.com", runtime.clock())
    audit.received("a.com", 120, 200)
    audit.received("a.com", 80, 503)
    tallies.add("a.com", "refused:robots:disallowed", 2)
    tallies.add("a.com", "responses", 5)  # a fact the trail counts itself is not added from outside
    tallies.note("a.com", "cap_per_day", 3333)
    assert tallies.as_dict() == {"a.com": {
        "requests": 1, "responses": 2, "bytes": 200, "status:2xx": 1, "status:5xx": 1,
        "refused:robots:disallowed": 2, "cap_per_day": 3333}}
    assert audit.totals.grand_total("responses") == 2 and audit.totals.total("a.com", "refused:robots:disallowed") == 2
    assert ledger.answer_sizes("a.com") == (2, 200)  # the budget's byte average reads the same counts


def test_one_receiver_for_politecrawl_s_hooks_is_sent_asynchronously_without_an_error(caplog: Any) -> None:
    """Scrapy sends item_scraped (and other signals) through send_catch_log_async, which names
    each receiver: a receiver it cannot name logs an error with a traceback on every send."""
    import asyncio  # noqa: PLC0415

    from scrapy import signals  # noqa: PLC0415
    from scrapy.signalmanager import SignalManager  # noqa: PLC0415

    from politecrawl.middlewares.runtime import _FanOut  # noqa: PLC0415

    manager = SignalManager()
    seen: list[Any] = []
    fan = _FanOut()
    fan.hooks.append(lambda item, **_: seen.append(item))
    manager.connect(fan, signal=signals.item_scraped)
    asyncio.run(manager.send_catch_log_async(signals.item_scraped, item={"a": 1}, response=None))
    assert seen == [{"a": 1}]
    assert not [r for r in caplog.records if r.levelname == "ERROR"], caplog.text
