import math

import pytest

from politecrawl.budget import (
    BudgetLedger,
    BudgetSettings,
    StrainController,
    TrafficEstimate,
    load_estimates,
)
from politecrawl.clock import FakeClock
from politecrawl.config import ConfigError
from politecrawl.pacing import Pacer
from politecrawl.state import MemoryStateStore, StateStoreError

# -- estimates ------------------------------------------------------------------


def test_estimates_from_settings_dict_normalise_sites():
    estimates = load_estimates({
        "https://www.Shop-A.com/": 30000,
        "news.example.com.cn": {"requests_per_day": 9000, "bytes_per_day": 1e9, "source": "logs"},
    })
    assert estimates == {
        "shop-a.com": TrafficEstimate(30000.0, None, "settings"),
        "example.com.cn": TrafficEstimate(9000.0, 1e9, "logs"),
    }


def test_estimates_from_csv_and_json(tmp_path):
    csv_file = tmp_path / "traffic.csv"
    csv_file.write_text("site,requests_per_day,bytes_per_day,source\nshop-a.com,30000,,SimilarWeb\n")
    assert load_estimates(str(csv_file)) == {"shop-a.com": TrafficEstimate(30000.0, None, "SimilarWeb")}
    json_file = tmp_path / "traffic.json"
    json_file.write_text('[{"site": "b.example.co.uk", "requests_per_day": 5}]')
    assert load_estimates(str(json_file)) == {
        "example.co.uk": TrafficEstimate(5.0, None, "file traffic.json")
    }


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("site,requests_per_day\nshop-a.com,abc\n", "line 2: requests_per_day ('abc') is not a number"),
        ("site,requests_per_day\nshop-a.com,100\nb.com,-5\n", "line 3: requests_per_day ('-5') must be a positive number"),
        ("site,requests_per_day\nshop-a.com,0\n", "line 2: requests_per_day ('0') must be a positive number"),
        ("site,requests_per_day,visits\nshop-a.com,1,2\n", "line 1: the header must name"),
        ("site,requests_per_day\nshop-a.com,1,extra\n", "line 2: expected 2 columns"),
    ],
)
def test_bad_traffic_file_names_file_line_and_reason(tmp_path, content, message):
    path = tmp_path / "traffic.csv"
    path.write_text(content)
    with pytest.raises(ConfigError) as info:
        load_estimates(str(path))
    assert str(path) in str(info.value)
    assert message in str(info.value)


def test_bad_traffic_dict_entries():
    with pytest.raises(ConfigError, match="unknown column"):
        load_estimates({"shop-a.com": {"requests_per_day": 1, "visits": 2}})
    with pytest.raises(ConfigError, match="must be a positive number"):
        load_estimates({"shop-a.com": float("nan")})
    with pytest.raises(ConfigError, match="there is no file"):
        load_estimates("/nonexistent/traffic.csv")


# -- the ledger -----------------------------------------------------------------

# exact numbers: no pacing margin (test_the_pace_keeps_a_margin_below_the_rate has one)
SETTINGS = BudgetSettings(share=1 / 3, default_daily_requests=10_000, max_site_rate=1.0, burst=2,
                          pace_margin=0.0)


def ledger(clock, estimates=None, settings=SETTINGS):
    return BudgetLedger(MemoryStateStore(clock), estimates or {}, settings)


def test_cap_is_a_share_of_the_estimate_bounded_by_max_site_rate():
    clock = FakeClock()
    book = ledger(clock, {"big.com": TrafficEstimate(1e9, None, "x"), "small.com": TrafficEstimate(86_400 * 3, None, "x")})
    assert book.site("big.com").cap == 1.0
    assert book.site("small.com").cap == pytest.approx(1.0)  # 3/s × 1/3
    assert book.site("unknown.org").cap == pytest.approx(10_000 / 3 / 86_400)
    assert book.site("unknown.org").estimate.source == "default"


def test_token_bucket_paces_evenly_with_a_small_burst():
    clock = FakeClock(1000.0)
    book = ledger(clock, {"s.com": TrafficEstimate(86_400 * 6, None, "x")})  # cap 2/s
    assert book.site("s.com").cap == pytest.approx(1.0)  # bounded by max_site_rate
    now = clock()
    assert book.acquire("s.com", now) == 0.0  # a new bucket holds one token, not a burst
    assert book.acquire("s.com", now) == pytest.approx(1.0)
    assert book.ready_at("s.com", now) == pytest.approx(now + 1.0)
    assert book.acquire("s.com", now + 1.0) == 0.0
    # a long idle time refills to the burst only
    later = now + 100
    granted = sum(book.acquire("s.com", later) == 0.0 for _ in range(5))
    assert granted == 2


def test_clock_backwards_gives_no_extra_tokens():
    clock = FakeClock(1000.0)
    book = ledger(clock)
    rate = book.site("s.com").cap
    assert book.acquire("s.com", 1000.0) == 0.0
    wait = book.acquire("s.com", 900.0)  # clock jumped back 100 s
    assert wait == pytest.approx(1 / rate)
    assert book.acquire("s.com", 1000.0 + 0.5 / rate) > 0


def test_over_any_window_at_most_rate_times_w_plus_burst():
    clock = FakeClock(0.0)
    book = ledger(clock, {"s.com": TrafficEstimate(86_400 * 1.5, None, "x")})  # cap 0.5/s
    sent = []
    t = 0.0
    while t < 200:
        if book.acquire("s.com", t) == 0.0:
            sent.append(t)
        else:
            t += 0.05
    rate, burst = 0.5, 2
    for i, start in enumerate(sent):
        for window in (1, 5, 20, 100):
            inside = [s for s in sent[i:] if s < start + window]
            assert len(inside) <= rate * window + burst
    assert len(sent) == pytest.approx(1 + 0.5 * 200, abs=2)


def test_unreadable_ledger_fails_closed():
    class Broken(MemoryStateStore):
        def take_tokens(self, *args, **kwargs):
            raise StateStoreError("disk gone")

    book = BudgetLedger(Broken(), {}, SETTINGS)
    pacer = Pacer(book)
    assert pacer.acquire("s.com", "http://s.com:80", 10.0) == 1.0
    assert book.ledger_errors == 1


def test_byte_budget_lowers_the_rate_by_average_response_size():
    clock = FakeClock()
    answers = {}  # what the audit trail counted: (answers, body bytes) per site
    book = BudgetLedger(MemoryStateStore(clock), {"s.com": TrafficEstimate(86_400 * 3, 86_400 * 3 * 1000, "x")},
                        SETTINGS, answer_sizes=lambda site: answers.get(site, (0, 0)))
    site = book.site("s.com")
    assert site.rate == pytest.approx(1.0)
    answers["s.com"] = (1, 4000)  # one answer of 4× the budgeted size
    assert site.rate == pytest.approx(0.25)


# -- strain -----------------------------------------------------------------------


def test_strain_halves_on_errors_with_cooldown_and_recovers_additively():
    strain = StrainController(1.0, cooldown=2.0, recovery=100.0, floor=1 / 8)
    assert strain.observe(0.0, 0.1, error=False) is False
    assert strain.observe(1.0, None, error=True) is True
    assert strain.rate == 0.5
    assert strain.observe(1.5, None, error=True) is False  # cooldown
    assert strain.observe(3.0, None, error=True) is True
    assert strain.rate == 0.25
    for t in (6.0, 9.0, 12.0, 15.0, 18.0, 21.0):
        strain.observe(t, None, error=True)
    assert strain.rate == 0.125  # the floor
    # healthy answers: +cap/recovery per second
    strain.observe(31.0, 0.1, error=False)
    assert strain.rate == pytest.approx(0.125 + 10 / 100)
    strain.observe(131.0, 0.1, error=False)
    assert strain.rate == 1.0  # never above the cap


def test_strain_from_slow_answers_against_the_sites_own_baseline():
    strain = StrainController(1.0, slow_factor=3.0, min_slowdown=0.1, cooldown=1.0)
    t = 0.0
    for _ in range(20):
        t += 1
        assert strain.observe(t, 0.05, error=False) is False
    assert strain.baseline == pytest.approx(0.05)
    cuts = 0
    for _ in range(10):
        t += 1
        cuts += strain.observe(t, 0.5, error=False)  # ten times slower
    assert cuts >= 3
    assert strain.rate <= 0.125
    assert strain.baseline < 0.1  # strained answers do not move the baseline up
    assert not math.isnan(strain.rate)


def test_send_side_pace_holds_a_request_a_moment_or_sends_it_back():
    clock = FakeClock(0.0)
    book = ledger(clock, {"s.com": TrafficEstimate(86_400 * 1.5, None, "x")})  # 0.5/s, burst 2
    # a request that got its turn at t=0 but was held up goes out at t=1.5 ...
    assert book.send_wait("s.com", 1.5) == 0.0
    # ... the next turn comes at t=2.0: sending then would put 2 requests 0.5 s apart,
    # and waiting 1.5 s is more than SEND_HOLD (1 s): back to the frontier, nothing booked
    assert book.send_wait("s.com", 2.0) == math.inf
    # at t=2.8 the wait is 0.7 s: booked, to go at t=3.5 (2 s after the last send)
    assert book.send_wait("s.com", 2.8) == pytest.approx(0.7)
    # the next one queues behind that booking: 2 s after t=3.5
    assert book.send_wait("s.com", 4.6) == pytest.approx(0.9)
    # robots.txt / tdmrep.json are held like pages when the wait is short (due at 7.5) ...
    assert book.send_wait("s.com", 7.0, force=True) == pytest.approx(0.5)
    # ... and cannot go back to the frontier: a longer wait is charged as debt instead
    assert book.send_wait("s.com", 7.6, force=True) == 0.0  # was due at 9.5
    assert book.send_wait("s.com", 9.0) == math.inf
    assert book.send_wait("s.com", 11.0) == pytest.approx(0.5)  # due at 11.5 = 7.5 + 2 + 2
    assert book.send_wait("s.com", 16.0) == 0.0  # idle: tokens are back


# -- the send-time hold in the Scrapy glue (SendGate) ---------------------------------
def _run(coro):
    """Drive a coroutine whose only awaits are the patched, instant sleep."""
    try:
        while True:
            coro.send(None)
    except StopIteration as done:
        return done.value


def _budget_middleware(monkeypatch, during_hold=lambda runtime: None):
    from scrapy import Spider
    from scrapy.utils.test import get_crawler

    from politecrawl.middlewares.downloader import budget as glue, send
    from politecrawl.middlewares.runtime import Runtime

    crawler = get_crawler(Spider, settings_dict={
        "POLITECRAWL_CONTACT": "https://example.org/bot", "POLITECRAWL_STATE": "memory://",
        "POLITECRAWL_SITE_TRAFFIC": {"s.com": 86_400 * 1.5},  # 0.5 req/s, burst 2
        "POLITECRAWL_PACE_MARGIN": 0,
    })
    runtime = Runtime.of(crawler)
    clock = FakeClock(1000.0)
    runtime.clock = clock
    slept, oversleep = [], []

    async def instant_sleep(seconds):
        slept.append(seconds)
        clock.advance(seconds + (oversleep.pop() if oversleep else 0.0))
        during_hold(runtime)

    monkeypatch.setattr(send, "sleep", instant_sleep)
    glue.BudgetMiddleware.from_crawler(crawler)  # the ledger the send gate holds requests to
    return send.SendGate.from_crawler(crawler), clock, slept, oversleep


def test_an_early_request_is_held_for_the_rest_of_its_turn_then_sent(monkeypatch):
    from scrapy import Request

    mw, clock, slept, oversleep = _budget_middleware(monkeypatch)
    assert mw.process_request(Request("https://s.com/1")) is None  # a token: sent now
    clock.advance(1.5)
    held = mw.process_request(Request("https://s.com/2"))  # 1.5 s after: 0.5 s early
    assert _run(held) is None and slept == [pytest.approx(0.5)]
    clock.advance(0.1)
    assert mw.process_request(Request("https://s.com/3")) is not None  # would wait 1.9 s > 1 s
    clock.advance(1.9)  # t = 1004.0: a token is back, sent at once
    assert mw.process_request(Request("https://s.com/4")) is None
    clock.advance(1.0)  # t = 1005.0: /5 is due at 1006.0 ...
    held = mw.process_request(Request("https://s.com/5"))
    oversleep.append(0.3)  # ... but a busy event loop wakes it 0.3 s late
    assert _run(held) is None and clock() == pytest.approx(1006.3)
    # the next one keeps its 2 s from when /5 really left (1006.3), not from when it was due
    clock.advance(1.2)  # t = 1007.5
    assert mw.ledger.send_wait("s.com", clock()) == pytest.approx(0.8)
    stats = mw.runtime.stats
    assert stats.get_value("politecrawl/budget/held_for_pace") == 2
    assert stats.get_value("politecrawl/budget/requeued_late") == 1


def test_a_site_stopped_or_paused_during_the_hold_gets_no_request(monkeypatch):
    from scrapy import Request
    from scrapy.exceptions import IgnoreRequest

    mw, clock, *_ = _budget_middleware(
        monkeypatch, lambda runtime: runtime.pacer.stop_site("s.com", "operator", "asked by mail"))
    mw.process_request(Request("https://s.com/1"))
    clock.advance(1.5)
    with pytest.raises(IgnoreRequest):
        _run(mw.process_request(Request("https://s.com/2")))
    assert mw.runtime.stats.get_value("politecrawl/budget/refused/stopped-operator") == 1

    mw, clock, *_ = _budget_middleware(
        monkeypatch, lambda runtime: runtime.pacer.pause_site("s.com", clock() + 60, "retry-after"))
    mw.process_request(Request("https://s.com/1"))
    clock.advance(1.5)
    back = _run(mw.process_request(Request("https://s.com/2")))
    assert back is not None and back.url == "https://s.com/2" and back.dont_filter
    assert mw.runtime.stats.get_value("politecrawl/budget/requeued_paused") == 1


def test_the_pace_keeps_a_margin_below_the_rate():
    clock = FakeClock(0.0)
    settings = BudgetSettings(share=1 / 3, default_daily_requests=10_000, max_site_rate=1.0, burst=1,
                              pace_margin=0.03)
    book = ledger(clock, {"s.com": TrafficEstimate(86_400 * 1.5, None, "x")}, settings)  # 0.5/s
    assert book.site("s.com").cap == pytest.approx(0.5)  # the cap and the reports keep the rate
    assert book.acquire("s.com", 0.0) == 0.0
    assert book.acquire("s.com", 2.0) == pytest.approx(0.03)  # 2 s + 0.03 s between two requests
    assert book.acquire("s.com", 2.03) == 0.0
    assert book.send_wait("s.com", 0.0) == 0.0
    assert book.send_wait("s.com", 2.0) == pytest.approx(0.03)
    # never more than 2 % of the interval: at 10/s, 0.002 s, not 0.03 s
    fast = ledger(clock, {"f.com": TrafficEstimate(86_400 * 30, None, "x")},
                  BudgetSettings(share=1 / 3, max_site_rate=10.0, burst=1, pace_margin=0.03))
    assert fast.site("f.com").pace == pytest.approx(1 / 0.102)


def test_pace_margin_setting_is_checked():
    from scrapy.settings import Settings

    from politecrawl.middlewares.downloader.budget import budget_settings

    assert budget_settings(Settings({"POLITECRAWL_PACE_MARGIN": "0.1"})).pace_margin == 0.1
    assert budget_settings(Settings()).pace_margin == 0.03
    for bad in ("-1", "soon", "600"):
        with pytest.raises(ConfigError, match="POLITECRAWL_PACE_MARGIN"):
            budget_settings(Settings({"POLITECRAWL_PACE_MARGIN": bad}))
