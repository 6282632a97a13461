"""`politecrawl report` / `status` on a state store, and the POLITECRAWL_AUDIT_* settings."""

from __future__ import annotations

import io
import json

import pytest
from helpers import politecrawl_command

from politecrawl.audit import AuditTrail
from politecrawl.audit.settings import AuditSettings
from politecrawl.cli import main
from politecrawl.clock import FakeClock
from politecrawl.config import ConfigError
from politecrawl.state import SQLiteStateStore, open_store

T0 = 1_700_000_040.0


def run(*argv):
    out, err = io.StringIO(), io.StringIO()
    rc = main(list(argv), out=out, err=err)
    return rc, out.getvalue(), err.getvalue()


@pytest.fixture
def state(tmp_path):
    url = f"sqlite:///{tmp_path / 'state.db'}"
    store = open_store(url)
    clock = FakeClock(T0)
    old = AuditTrail(store, "20231114T221400Z-aaaaaa", clock)
    old.start({"user_agent": "bot/1", "purpose": "research"})
    old.sent("a.com", T0)
    clock.advance(60)
    old.end("finished")
    running = AuditTrail(store, "20231114T221500Z-bbbbbb", clock, flush_interval=0)
    running.start({"user_agent": "bot/1", "purpose": "research"})
    running.sent("b.com", T0 + 61)
    running.sent("b.com", T0 + 62)
    clock.advance(60)
    running.flush()  # the minute is over: its counts are written
    store.close()
    return url


def test_report_latest_by_default_and_by_prefix(state, tmp_path):
    rc, out, err = run("report", "--state", state, "--json", str(tmp_path / "r.json"),
                       "--html", str(tmp_path / "r.html"))
    assert rc == 0, err
    assert out.startswith("crawl 20231114T221500Z-bbbbbb:")
    data = json.loads((tmp_path / "r.json").read_text())
    assert [(s["site"], s["requests"]) for s in data["sites"]] == [("b.com", 2)]
    assert (tmp_path / "r.html").read_text().startswith("<!DOCTYPE html>")
    rc, out, _ = run("report", "--state", state, "--crawl", "20231114T2214")
    assert rc == 0 and "ended 2023-11-14 22:15:00.0 UTC (finished)" in out
    rc, out, _ = run("report", "--state", state, "--list")
    assert out.splitlines() == [
        "20231114T221400Z-aaaaaa  started 2023-11-14 22:14:00 UTC  ended 2023-11-14 22:15:00 UTC",
        "20231114T221500Z-bbbbbb  started 2023-11-14 22:15:00 UTC  ended running or not closed",
    ]


def test_status_and_missing_crawls(state, tmp_path):
    rc, out, _ = run("status", "--state", state)
    assert rc == 0 and ", running" in out.splitlines()[0] and "b.com" in out
    rc, _, err = run("report", "--state", state, "--crawl", "2023")  # ambiguous prefix
    assert rc == 2 and "has no crawl '2023'" in err
    rc, _, err = run("report", "--state", f"sqlite:///{tmp_path / 'empty.db'}")
    assert rc == 2 and f"no state database at {tmp_path / 'empty.db'}" in err  # read-only: never made
    assert not (tmp_path / "empty.db").exists()
    SQLiteStateStore(tmp_path / "empty.db").close()
    rc, _, err = run("report", "--state", f"sqlite:///{tmp_path / 'empty.db'}")
    assert rc == 1 and "empty.db has no crawl yet" in err


@pytest.mark.parametrize(("values", "expected"), [
    ({}, AuditSettings(5.0, 60, False)),
    ({"POLITECRAWL_AUDIT_FLUSH_INTERVAL": "0.5", "POLITECRAWL_AUDIT_BUCKET": "5",
      "POLITECRAWL_AUDIT_PER_REQUEST": "true"}, AuditSettings(0.5, 5, True)),
    ({"POLITECRAWL_AUDIT_BUCKET": 30.0, "POLITECRAWL_AUDIT_PER_REQUEST": False}, AuditSettings(5.0, 30, False)),
])
def test_settings(values, expected):
    assert AuditSettings.from_settings(lambda name, default=None: values.get(name, default)) == expected


@pytest.mark.parametrize(("name", "value", "rule"), [
    ("POLITECRAWL_AUDIT_FLUSH_INTERVAL", "0", "more than 0 and at most 3600"),
    ("POLITECRAWL_AUDIT_FLUSH_INTERVAL", "soon", "a number of seconds"),
    ("POLITECRAWL_AUDIT_BUCKET", "7", "divides a minute"),
    ("POLITECRAWL_AUDIT_BUCKET", "2.5", "divides a minute"),
    ("POLITECRAWL_AUDIT_PER_REQUEST", "maybe", "True or False"),
])
def test_bad_settings_name_setting_value_and_rule(name, value, rule):
    with pytest.raises(ConfigError) as info:
        AuditSettings.from_settings(lambda n, default=None: value if n == name else default)
    assert name in str(info.value) and repr(value) in str(info.value) and rule in str(info.value)


def test_crawl_refuses_a_bad_audit_setting_before_starting(tmp_path):
    # a subprocess: Scrapy's project-settings lookup writes to os.environ
    proc = politecrawl_command(
        "crawl", "http://example.com/",
        "-s", "POLITECRAWL_CONTACT=https://example.org/x", "-s", f"POLITECRAWL_STATE=sqlite:///{tmp_path / 's.db'}",
        "-s", "POLITECRAWL_AUDIT_BUCKET=7", timeout=60, cwd=tmp_path,
    )
    assert proc.returncode == 2 and "POLITECRAWL_AUDIT_BUCKET ('7')" in proc.stderr
