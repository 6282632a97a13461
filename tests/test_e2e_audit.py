"""The compliance report after a real crawl agrees with what the sites saw (the sandbox's request log).

One crawl exercises robots.txt refusals, a budget-bound site, an operator stop issued mid-crawl and
planted personal data; the report's numbers come from the audit trail only.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from collections import Counter

import pytest
from helpers import CONTACT, crawl_env, politecrawl_command, wait_for

from politecrawl.sandbox import SiteSpec
from politecrawl.state import open_store
from politecrawl.stops import StopRegistry

pytestmark = pytest.mark.e2e

RATE = 2.0  # the budget-bound site's cap, requests per second
# The crawl's length: long enough that `status` and `stop`, typed while it runs, land before it ends
# on a loaded machine (each command starts a Python with Scrapy: seconds under load); under a minute.
CRAWL_SECONDS = 30
PLANTED_EMAIL = "zhang.san@example.com"
PLANTED_PHONE = "13800138000"

SITES = [
    SiteSpec("robots-shop.com", pages=12, robots="User-agent: *\nDisallow: /p/1\nDisallow: /p/3\n"),
    SiteSpec("bound-shop.com", pages=400),
    SiteSpec("stop-shop.com", pages=2000, latency=0.2),
    SiteSpec("pii-shop.com", pages=4,
             body_extra=f"<p>mail {PLANTED_EMAIL} phone {PLANTED_PHONE}</p>"),
]


def cli(*args, tmp_path, timeout=120):
    return politecrawl_command(*args, timeout=timeout, cwd=tmp_path)




@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    """One crawl of the four sites with a stop mid-crawl; returns what the report and the sites say."""
    from politecrawl.sandbox import SandboxWeb

    tmp_path = tmp_path_factory.mktemp("audit")
    state = f"sqlite:///{tmp_path / 'state.db'}"
    with SandboxWeb(SITES) as web:
        settings = {
            "POLITECRAWL_STATE": state,
            "POLITECRAWL_CONTACT": CONTACT,
            "POLITECRAWL_DEFAULT_DAILY_REQUESTS": "1e12",
            "POLITECRAWL_MAX_SITE_RATE": "1000",
            "POLITECRAWL_BURST": "2",
            "POLITECRAWL_SITE_TRAFFIC": json.dumps({"bound-shop.com": RATE * 86_400 * 3}),
            "POLITECRAWL_AUDIT_BUCKET": "5",
            "POLITECRAWL_AUDIT_FLUSH_INTERVAL": "1",
            "CLOSESPIDER_TIMEOUT": str(CRAWL_SECONDS),
            "LOG_LEVEL": "INFO",
            **web.settings(),
        }
        args = [sys.executable, "-m", "politecrawl.cli", "crawl", *(web.url(s.host) for s in SITES),
                "-o", str(tmp_path / "items.jsonl")]
        for name, value in settings.items():
            args += ["-s", f"{name}={value}"]
        proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                cwd=tmp_path, env=crawl_env())
        try:
            assert wait_for(lambda: len(web.requests(site="stop-shop.com")) >= 15), "the crawl did not start"
            # while it runs, `politecrawl status` shows the crawl as running
            status = cli("status", "--state", state, tmp_path=tmp_path)
            stop = cli("stop", "stop-shop.com", "--reason", "mail from the owner", "--state", state,
                       tmp_path=tmp_path)
            assert stop.returncode == 0, stop.stderr
            out, err = proc.communicate(timeout=150)
        finally:
            if proc.poll() is None:
                proc.kill()
        assert proc.returncode == 0, err[-3000:]
        seen = web.requests()
    report_run = cli("report", "--state", state, "--json", str(tmp_path / "report.json"),
                     "--html", str(tmp_path / "report.html"), tmp_path=tmp_path)
    assert report_run.returncode == 0, report_run.stderr
    report = json.loads((tmp_path / "report.json").read_text())
    store = open_store(state)
    (registered,) = [e for e in StopRegistry(store, time.time).history("stop-shop.com") if e.event == "stop"]
    store.close()
    return {"report": report, "seen": seen, "status": status, "report_run": report_run,
            "stop": registered, "tmp": tmp_path, "log": err}


def site(report, name):
    return next(s for s in report["sites"] if s["site"] == name)


def test_per_site_request_counts_equal_the_sandbox_log(crawled):
    report, seen = crawled["report"], crawled["seen"]
    by_site = Counter(r["site"] for r in seen)
    assert {s["site"]: s["requests"] for s in report["sites"] if s["requests"]} == dict(by_site)
    assert report["totals"]["requests"] == len(seen)
    # bytes too: the bodies the sandbox sent
    for name in by_site:
        assert site(report, name)["bytes"] == sum(r["bytes"] for r in seen if r["site"] == name), name


def test_robots_fetches_and_refusals_by_rule(crawled):
    report, seen = crawled["report"], crawled["seen"]
    robots = site(report, "robots-shop.com")["robots"]
    fetched = [r for r in seen if r["site"] == "robots-shop.com" and r["path"] == "/robots.txt"]
    assert len(robots["fetches"]) == len(fetched) == 1
    assert robots["fetches"][0]["status"] == 200 and robots["fetches"][0]["version"]
    by_rule = robots["refusals"]["http://robots-shop.com:80"]
    assert set(by_rule) <= {"disallow:/p/1", "disallow:/p/3"} and by_rule.get("disallow:/p/1", 0) >= 1
    assert robots["refused"] == sum(by_rule.values())
    # nothing the rules refused reached the site
    paths = {r["path"] for r in seen if r["site"] == "robots-shop.com"}
    assert not {p for p in paths if p.startswith(("/p/1", "/p/3"))}


def test_budget_bound_site_stayed_within_its_cap(crawled):
    report = crawled["report"]
    bound = site(report, "bound-shop.com")
    assert bound["cap"]["per_second"] == pytest.approx(RATE)
    assert bound["cap"]["estimate_source"] and bound["cap"]["burst"] == 2
    assert bound["within_cap"] is True
    # it was bound: ~RATE per second for the crawl's length, far from its 400 pages
    assert 10 <= bound["requests"] <= RATE * (CRAWL_SECONDS + 2) + 2
    assert bound["peak_minute"]["requests"] == bound["requests"]  # a crawl shorter than a minute
    assert report["summary"]["all_within_cap"] is True


def test_operator_stop_time_to_honour_matches(crawled):
    report, seen, registered = crawled["report"], crawled["seen"], crawled["stop"]
    (stop,) = site(report, "stop-shop.com")["stops"]
    assert stop["source"] == "operator" and stop["signal"] == "mail from the owner"
    assert stop["stop_id"] == registered.stop_id
    assert stop["received_at"] == registered.at  # the time the registry took the stop
    assert stop["time_to_honour"] == pytest.approx(stop["honoured_at"] - stop["received_at"])
    assert 0 <= stop["time_to_honour"] <= 3.0  # the registry is polled every second
    assert stop["honoured"] is True and stop["sent_after"] == 0
    times = [r["t"] for r in seen if r["site"] == "stop-shop.com"]
    # what the site saw: nothing started after the stop was honoured (0.5 s for the request to arrive)
    assert max(times) <= stop["honoured_at"] + 0.5
    # the requests it got after the owner asked are those the report says were sent meanwhile
    # (the site's clock stamps a request when it handles it: 0.5 s of slack at each end)
    surely_between = [t for t in times if stop["received_at"] + 0.5 <= t <= stop["honoured_at"]]
    maybe_between = [t for t in times if stop["received_at"] - 0.5 <= t <= stop["honoured_at"] + 0.5]
    assert len(surely_between) <= stop["sent_between"] <= len(maybe_between)
    assert stop["dropped"] > 0
    assert report["summary"]["all_stops_honoured"] is True


def test_personal_data_counted_by_type_and_field_never_valued(crawled):
    report, tmp = crawled["report"], crawled["tmp"]
    pii = site(report, "pii-shop.com")["pii"]
    assert pii["by_type"].get("email", 0) >= 1 and pii["by_type"].get("phone", 0) >= 1
    assert pii["by_field"].get("text", 0) >= 2
    for path in ("report.json", "report.html", "state.db"):
        raw = (tmp / path).read_bytes()
        assert PLANTED_EMAIL.encode() not in raw and PLANTED_PHONE.encode() not in raw, path


def test_status_while_running_and_report_summary(crawled):
    status, report_run = crawled["status"], crawled["report_run"]
    assert status.returncode == 0, status.stderr
    assert ", running" in status.stdout.splitlines()[0]
    assert "stop-shop.com" in status.stdout
    text = report_run.stdout
    assert "with a traffic cap stayed within it" in text
    assert re.search(r"(The (stop|pause) was|All [\w ]+ were) honoured: no request was sent", text)
    assert f"politecrawl: HTML report written to {crawled['tmp'] / 'report.html'}" in text
