import io

import pytest

from politecrawl.clock import FakeClock
from politecrawl.cli import main
from politecrawl.state import SQLiteStateStore
from politecrawl.cli.stops import resolve_state_url
from politecrawl.stops.registry import StopRegistry


def run(argv):
    out, err = io.StringIO(), io.StringIO()
    rc = main(argv, out, err)
    return rc, out.getvalue(), err.getvalue()


def test_stop_list_resume(tmp_path):
    state = f"sqlite:///{tmp_path / 's.db'}"
    rc, out, err = run(["stop", "https://News.Example.com.cn:8443/a?b", "--reason", "mail from owner",
                        "--by", "ops", "--state", state, "--create"])
    assert rc == 0, err
    assert "normalised to site example.com.cn" in out
    assert "stopped example.com.cn (stop-1," in out
    reg = StopRegistry(SQLiteStateStore(tmp_path / "s.db"), FakeClock())
    stop = reg.active("example.com.cn")
    assert (stop.id, stop.by, stop.source, stop.reason) == ("stop-1", "ops", "operator", "mail from owner")

    rc, out, _ = run(["stops", "--state", state])
    assert rc == 0
    lines = out.splitlines()
    assert lines.pop(0) == f"politecrawl: state {tmp_path / 's.db'} (running crawls: none)"
    assert lines[0].split() == ["id", "site", "since", "by", "source", "reason"]
    assert lines[1].startswith("stop-1  example.com.cn")
    assert lines[1].endswith("ops  operator  mail from owner")

    rc, out, err = run(["resume", "example.com.cn", "--reason", "", "--state", state])
    assert rc == 2 and "a reason is required" in err
    rc, out, err = run(["resume", "www.example.com.cn", "--reason", "owner agreed", "--state", state])
    assert rc == 0 and f"resumed example.com.cn in {tmp_path / 's.db'} (ended stop-1" in out
    rc, out, err = run(["resume", "example.com.cn", "--reason", "again", "--state", state])
    assert rc == 1 and "no active stop" in err
    rc, out, _ = run(["stops", "--state", state, "--history"])
    assert "no active stops" in out and "resume" in out and "owner agreed" in out


def test_bare_site_is_not_announced_as_normalised(tmp_path):
    rc, out, _ = run(["stop", "example.org", "--reason", "x", "--state", f"sqlite:///{tmp_path / 's.db'}",
                      "--create"])
    assert rc == 0 and "normalised" not in out


def test_bad_site_and_missing_reason(tmp_path):
    rc, _, err = run(["stop", "http://", "--reason", "x", "--state", f"sqlite:///{tmp_path / 's.db'}"])
    assert rc == 2 and "is not a host or an http(s) URL" in err
    with pytest.raises(SystemExit):
        run(["stop", "example.org"])


def test_state_resolution(monkeypatch):
    monkeypatch.delenv("POLITECRAWL_STATE", raising=False)
    assert resolve_state_url("memory://", lambda: {"POLITECRAWL_STATE": "x"}) == "memory://"
    assert resolve_state_url(None, lambda: {"POLITECRAWL_STATE": "sqlite:///p.db"}) == "sqlite:///p.db"
    assert resolve_state_url(None, lambda: {}) == "sqlite:///.politecrawl/state.db"
    monkeypatch.setenv("POLITECRAWL_STATE", "sqlite:///env.db")
    assert resolve_state_url(None, lambda: {"POLITECRAWL_STATE": "sqlite:///p.db"}) == "sqlite:///env.db"


def test_unopenable_state(tmp_path):
    (tmp_path / "f").write_text("x")
    rc, _, err = run(["stops", "--state", f"sqlite:///{tmp_path / 'f' / 's.db'}"])
    assert rc == 2 and f"no state database at {tmp_path / 'f' / 's.db'}" in err
    rc, _, err = run(["stop", "x.org", "--reason", "r", "--create", "--state", f"sqlite:///{tmp_path / 'f' / 's.db'}"])
    assert rc == 1 and "cannot open the state store" in err and len(err.splitlines()) == 1
