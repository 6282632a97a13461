"""The pre-flight check: every bad setting is one line naming it, the value and the rule."""

from __future__ import annotations

import pytest
from bad_settings import BAD_SETTINGS, write_scratch_files

from politecrawl.config import ConfigError, bool_setting
from politecrawl.preflight import IGNORE_SETTING, SETTINGS, as_getter, check_settings

GOOD = {"POLITECRAWL_CONTACT": "ops@example.org"}


def check(values):
    values = {**GOOD, **values}
    return check_settings(as_getter(values), values)


def test_good_settings_pass():
    assert check({}) == []
    assert check({"POLITECRAWL_BURST": "5", "POLITECRAWL_LOAD_SHARE": "1/2",
                  "POLITECRAWL_GC_FREEZE": "false", "POLITECRAWL_BUDGET_ENABLED": True,
                  "POLITECRAWL_SITE_TRAFFIC": {"shop-a.com": 30000},
                  "POLITECRAWL_SANDBOX": "127.0.0.1:8080"}) == []


@pytest.mark.parametrize(("name", "value", "fragment"), BAD_SETTINGS,
                         ids=[f"{n}={v}" for n, v, _ in BAD_SETTINGS])
def test_each_bad_setting_is_one_line_naming_it(tmp_path, name, value, fragment):
    write_scratch_files(tmp_path)
    value = value.replace("{tmp}", str(tmp_path))
    lines = check({name: value})
    assert len(lines) == 1, lines
    line = lines[0]
    assert line.startswith(name), line
    assert fragment in line
    assert "\n" not in line
    if name != "POLITECRAWL_BURTS" and not value.startswith("{"):  # a JSON value: its bad part is named
        assert value in line or repr(value) in line or str(tmp_path) in line, line


def test_missing_contact():
    lines = check_settings(as_getter({}), [])
    assert len(lines) == 1 and lines[0].startswith("POLITECRAWL_CONTACT is not set")


def test_every_bad_value_gets_its_own_line_even_in_one_reader():
    lines = check({"POLITECRAWL_BURST": "abc", "POLITECRAWL_MAX_SITE_RATE": "0", "POLITECRAWL_LOAD_SHARE": "x",
                   "POLITECRAWL_BOT_NAME": "a b", "POLITECRAWL_PURPOSE": "fun", "POLITECRAWL_GC_FREEZE": "?"})
    assert sorted(line.split(" ", 1)[0] for line in lines) == sorted(
        ["POLITECRAWL_BURST", "POLITECRAWL_MAX_SITE_RATE", "POLITECRAWL_LOAD_SHARE", "POLITECRAWL_BOT_NAME",
         "POLITECRAWL_PURPOSE", "POLITECRAWL_GC_FREEZE"])


def test_a_missing_contact_does_not_hide_the_other_core_settings():
    lines = check_settings(as_getter({"POLITECRAWL_PURPOSE": "fun"}), ["POLITECRAWL_PURPOSE"])
    assert [line.split(" ", 1)[0] for line in lines] == ["POLITECRAWL_CONTACT", "POLITECRAWL_PURPOSE"]


def test_unknown_names_are_refused_unless_the_project_keeps_them():
    [line] = check({"POLITECRAWL_BURTS": "3"})
    assert "did you mean POLITECRAWL_BURST?" in line and IGNORE_SETTING in line
    [line] = check({"POLITECRAWL_MY_OWN_THING": "3"})
    assert "did you mean" not in line and line.startswith("POLITECRAWL_MY_OWN_THING is not")
    assert check({"POLITECRAWL_MY_OWN_THING": "3", IGNORE_SETTING: ["POLITECRAWL_MY_OWN_THING"]}) == []
    assert check({"POLITECRAWL_A": "3", "POLITECRAWL_B": 1, IGNORE_SETTING: "POLITECRAWL_A, POLITECRAWL_B"}) == []
    [line] = check({IGNORE_SETTING: 3})
    assert line.startswith(IGNORE_SETTING)
    assert check({"OTHER_PROJECT_SETTING": 1}) == []  # only politecrawl's prefix is ours


def test_jobdir(tmp_path):
    (tmp_path / "f").write_text("x")
    assert check({"JOBDIR": str(tmp_path / "new" / "job")}) == []
    assert check({"JOBDIR": str(tmp_path)}) == []
    [line] = check({"JOBDIR": str(tmp_path / "f" / "job")})
    assert line.startswith("JOBDIR") and "not a writable folder" in line


def test_feeds(tmp_path):
    assert check({"FEEDS": {str(tmp_path / "out.jsonl"): {"format": "jsonlines"}}}) == []
    assert check({"FEEDS": {"s3://bucket/x.json": {"format": "json"}}}) == []
    [line] = check({"FEEDS": {str(tmp_path / "out.txt"): {"format": "txt"}}})
    assert "format ('txt') must be one of" in line and "jsonlines" in line
    [line] = check({"FEEDS": {str(tmp_path): {"format": "json"}}})
    assert "is a folder" in line
    (tmp_path / "f").write_text("x")
    [line] = check({"FEEDS": {f"file://{tmp_path}/f/items-%(time)s.json": {"format": "json"}}})
    assert "is not a folder" in line


@pytest.mark.parametrize(("raw", "expected"), [
    (None, True), ("", True), (True, True), (False, False), (0, False), (1, True),
    ("false", False), ("False", False), ("TRUE", True), ("no", False), ("on", True), (" 0 ", False),
])
def test_bool_setting(raw, expected):
    assert bool_setting(lambda name: raw, "X", True) is expected


@pytest.mark.parametrize("raw", ["2", 2, "maybe", 0.5, [], "tru"])
def test_bool_setting_refuses(raw):
    with pytest.raises(ConfigError, match=r"X \(.*\) must be True or False"):
        bool_setting(lambda name: raw, "X", True)


def test_every_setting_has_a_reader():
    assert all(callable(reader) for reader in SETTINGS.values())


# -- the command line's own pure parts -------------------------------------------
def test_plan_output(tmp_path):
    from politecrawl.feeds import SCRAPY_FORMATS, plan_output  # noqa: PLC0415

    new = tmp_path / "new.jsonl"
    assert plan_output(str(new), SCRAPY_FORMATS, overwrite=False).overwrite is True  # nothing to keep
    assert plan_output(f"{tmp_path}/x.out:csv", SCRAPY_FORMATS, overwrite=False).format == "csv"
    assert plan_output(str(tmp_path / "plain"), SCRAPY_FORMATS, overwrite=False).format == "jsonlines"
    new.write_text('{"a": 1}\n')
    plan = plan_output(str(new), SCRAPY_FORMATS, overwrite=False)
    assert (plan.overwrite, plan.appends_to) == (False, 9)
    assert plan_output(str(new), SCRAPY_FORMATS, overwrite=True).overwrite is True
    kept = tmp_path / "kept.csv"
    kept.write_text("a\n1\n")
    with pytest.raises(ValueError, match="cannot be added to; give -O"):
        plan_output(str(kept), SCRAPY_FORMATS, overwrite=False)
    with pytest.raises(ValueError, match="'txt' is not known"):
        plan_output(str(tmp_path / "x.txt"), SCRAPY_FORMATS, overwrite=False)


def test_demo_folder_plan():
    from politecrawl.cli import DEMO_MARKER, demo_folder_plan  # noqa: PLC0415

    assert demo_folder_plan([]) == ([], [])
    assert demo_folder_plan(["items.jsonl", "state.db"]) == (["items.jsonl", "state.db"], [])  # an older demo's
    assert demo_folder_plan(["items.jsonl", "notes.txt"]) == (["items.jsonl"], ["notes.txt"])  # not the demo's
    assert demo_folder_plan([DEMO_MARKER, "items.jsonl", "notes.txt"]) == (["items.jsonl"], [])  # notes kept


def test_exit_codes_of_a_finished_crawl(tmp_path):
    import io  # noqa: PLC0415

    from politecrawl.cli import CrawlResult, finish  # noqa: PLC0415
    from politecrawl.feeds import OutputPlan  # noqa: PLC0415

    out, err = io.StringIO(), io.StringIO()
    written = tmp_path / "items.jsonl"
    written.write_text("")
    assert finish(CrawlResult(), OutputPlan(str(written), "jsonlines", True), out, err) == 0
    assert finish(CrawlResult(export_failures=1), OutputPlan(str(written), "jsonlines", True), out, err) == 1
    assert finish(CrawlResult(), OutputPlan(str(tmp_path / "never.jsonl"), "jsonlines", True), out, err) == 1
    assert finish(CrawlResult(failure="it could not start"), None, out, err) == 1
    assert "items written to" in out.getvalue() and "could not be written" in err.getvalue()
