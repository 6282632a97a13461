import datetime as dt
import math

from politecrawl.pacing import Pacer, next_window_opening

SITE, ORIGIN = "shop-a.com", "http://shop-a.com:80"


def test_no_limits_means_ready_now():
    pacer = Pacer()
    assert pacer.acquire(SITE, ORIGIN, 100.0) == 0.0
    assert pacer.acquire(SITE, ORIGIN, 100.0) == 0.0


def test_min_interval_spaces_requests_per_origin():
    pacer = Pacer()
    pacer.set_min_interval(ORIGIN, 2.0, "robots")
    assert pacer.acquire(SITE, ORIGIN, 100.0) == 0.0
    assert pacer.acquire(SITE, ORIGIN, 101.5) == 0.5
    assert pacer.ready_at(SITE, ORIGIN, 101.5) == 102.0
    assert pacer.acquire(SITE, ORIGIN, 102.0) == 0.0
    # another origin of the same site is not held by this origin's interval
    assert pacer.acquire(SITE, "https://shop-a.com:443", 102.0) == 0.0


def test_pause_holds_the_whole_site_and_only_extends():
    pacer = Pacer()
    changed = []
    pacer.subscribe(changed.append)
    pacer.pause_site(SITE, 130.0, "retry-after")
    pacer.pause_site(SITE, 120.0, "retry-after")  # shorter: ignored
    assert pacer.paused_until(SITE) == 130.0
    assert pacer.acquire(SITE, ORIGIN, 100.0) == 30.0
    assert pacer.acquire(SITE, "https://www.shop-a.com:443", 129.0) == 1.0
    assert pacer.acquire(SITE, ORIGIN, 130.0) == 0.0
    assert changed == [SITE]


def test_stop_is_infinite_until_resumed():
    pacer = Pacer()
    pacer.stop_site(SITE, "operator", "owner asked", "stop-1", 5.0)
    assert math.isinf(pacer.acquire(SITE, ORIGIN, 100.0))
    assert pacer.stopped(SITE).stop_id == "stop-1"
    pacer.resume_site(SITE)
    assert pacer.acquire(SITE, ORIGIN, 100.0) == 0.0


class Budget:
    def __init__(self, wait):
        self.wait = wait
        self.spent = 0

    def acquire(self, site, now):
        if self.wait:
            return self.wait
        self.spent += 1
        return 0.0

    def ready_at(self, site, now):
        return now + self.wait


def test_budget_is_asked_last_and_only_when_otherwise_ready():
    budget = Budget(0.0)
    pacer = Pacer(budget)
    pacer.set_min_interval(ORIGIN, 1.0, "robots")
    assert pacer.acquire(SITE, ORIGIN, 10.0) == 0.0
    assert pacer.acquire(SITE, ORIGIN, 10.5) == 0.5
    assert budget.spent == 1  # not spent while the interval holds
    budget.wait = 3.0
    assert pacer.acquire(SITE, ORIGIN, 11.0) == 3.0
    assert pacer.ready_at(SITE, ORIGIN, 11.0) == 14.0


def _ts(hh, mm=0):
    return dt.datetime(2026, 11, 29, hh, mm, tzinfo=dt.timezone.utc).timestamp()


def test_visit_window():
    start, end = dt.time(1, 0), dt.time(6, 0)
    assert next_window_opening(_ts(2), start, end) == _ts(2)
    assert next_window_opening(_ts(7), start, end) == _ts(1) + 86400
    assert next_window_opening(_ts(0, 30), start, end) == _ts(1)
    # wrapping past midnight
    assert next_window_opening(_ts(23, 30), dt.time(23, 0), dt.time(1, 0)) == _ts(23, 30)
    assert next_window_opening(_ts(12), dt.time(23, 0), dt.time(1, 0)) == _ts(23)
    pacer = Pacer()
    pacer.set_visit_window(ORIGIN, start, end)
    assert pacer.acquire(SITE, ORIGIN, _ts(7)) == _ts(1) + 86400 - _ts(7)
    pacer.set_visit_window(ORIGIN, None, None)
    assert pacer.acquire(SITE, ORIGIN, _ts(7)) == 0.0
