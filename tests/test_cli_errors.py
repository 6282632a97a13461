"""Every mistake on the command line: one line naming it, exit code 2, no traceback, no request.

The real ``politecrawl`` command in subprocesses, against a sandbox web whose
request log must stay empty. The cases run a few at a time (each is a new
Python process); each test then reads its own case's result.
"""

from __future__ import annotations

import socket
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from bad_settings import BAD_SETTINGS, write_scratch_files
from helpers import CONTACT, crawl_env, politecrawl_command, project_settings

from politecrawl.sandbox import SandboxWeb, SiteSpec

#: (case id, arguments, a fragment of the one error line). {tmp}: the case's folder;
#: {busy}: a port in use; a crawl's arguments get the sandbox settings added.
BAD_ARGUMENTS: list[tuple[str, list[str], str]] = [
    ("crawl -o unknown format", ["crawl", "URL", "-o", "items.txt"], "the feed format 'txt' is not known"),
    ("crawl -o a folder", ["crawl", "URL", "-o", "{tmp}"], "is a folder; name a file"),
    ("crawl -o under a file", ["crawl", "URL", "-o", "{tmp}/a-file/items.jsonl"], "is not a folder"),
    ("crawl -o a JSON file with items", ["crawl", "URL", "-o", "{tmp}/kept.json"], "give -O"),
    ("crawl -o and -O", ["crawl", "URL", "-o", "a.jsonl", "-O", "b.jsonl"], "not both"),
    ("crawl -s without =", ["crawl", "URL", "-s", "NOEQUALS"], "-s expects NAME=VALUE"),
    ("crawl -L unknown", ["crawl", "URL", "-L", "LOUD"], "argument -L/--loglevel"),
    ("crawl no good seed", ["crawl", "ftp://x.org/"], "nothing to crawl"),
    ("sandbox --spec missing", ["sandbox", "--spec", "{tmp}/missing.json"], "--spec"),
    ("sandbox --spec not JSON", ["sandbox", "--spec", "{tmp}/bad.json"], "not valid JSON"),
    ("sandbox --port 99999", ["sandbox", "--port", "99999"], "argument --port"),
    ("sandbox --port in use", ["sandbox", "--port", "{busy}"], "cannot listen"),
    ("report --html a folder", ["report", "--html", "{tmp}", "--state", "sqlite:///{tmp}/s.db"], "is a folder"),
    ("report --json under a file", ["report", "--json", "{tmp}/a-file/r.json"], "is not a folder"),
    ("report --charts x", ["report", "--charts", "x"], "argument --charts"),
    ("demo --dir a file", ["demo", "--dir", "{tmp}/a-file"], "is a file"),
    ("demo --dir a foreign folder", ["demo", "--dir", "{tmp}/mine"], "files the demo did not make"),
    ("demo --seconds -1", ["demo", "--seconds", "-1"], "argument --seconds"),
    ("demo --seconds x", ["demo", "--seconds", "x"], "argument --seconds"),
    ("demo -s bad setting", ["demo", "--dir", "{tmp}/d", "-s", "POLITECRAWL_BURST=abc"], "POLITECRAWL_BURST"),
    ("stops --state unknown scheme", ["stops", "--state", "bogus://x"], "unknown scheme"),
    ("status --state unknown scheme", ["status", "--state", "bogus://x"], "unknown scheme"),
    ("stop not a site", ["stop", "not a url", "--reason", "x"], "SITE"),
    ("resume without --reason", ["resume", "shop-a.com"], "--reason"),
    ("no command", [], "required: command"),
    ("unknown command", ["crawlx"], "invalid choice"),
]


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return politecrawl_command(*args, timeout=120, cwd=cwd)


def _crawl_args(web: SandboxWeb, folder: Path, extra: dict[str, str]) -> list[str]:
    settings = {"POLITECRAWL_CONTACT": CONTACT, "POLITECRAWL_STATE": f"sqlite:///{folder / 'state.db'}",
                **web.settings(), **extra}
    args = ["crawl", web.url("shop-a.com")]
    for name, value in settings.items():
        args += ["-s", f"{name}={value}"]
    return args


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    """Run every case; (web requests seen, {case id: (process, folder)})."""
    web = SandboxWeb([SiteSpec("shop-a.com", pages=5)]).start()
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen()
    jobs = {}
    try:
        for name, value, _ in BAD_SETTINGS:
            folder = tmp_path_factory.mktemp("setting")
            write_scratch_files(folder)
            jobs[f"{name}={value}"] = (_crawl_args(web, folder, {name: value.replace("{tmp}", str(folder))}),
                                      folder)
        for case, args, _ in BAD_ARGUMENTS:
            folder = tmp_path_factory.mktemp("argument")
            write_scratch_files(folder)
            (folder / "kept.json").write_text('[{"a": 1}]\n', encoding="utf-8")
            (folder / "mine").mkdir()
            (folder / "mine" / "notes.txt").write_text("mine\n", encoding="utf-8")
            args = [a.replace("{tmp}", str(folder)).replace("{busy}", str(busy.getsockname()[1])) for a in args]
            if args[:2] == ["crawl", "URL"]:
                args = [*_crawl_args(web, folder, {}), *args[2:]]
            jobs[case] = (args, folder)
        with ThreadPoolExecutor(max_workers=4) as pool:
            done = dict(zip(jobs, pool.map(lambda job: _run(*job), jobs.values())))
        seen = web.requests()
    finally:
        busy.close()
        web.stop()
    return seen, {case: (done[case], jobs[case][1]) for case in jobs}


def _one_line_exit_2(proc: subprocess.CompletedProcess[str], fragment: str) -> str:
    assert proc.returncode == 2, (proc.returncode, proc.stdout[-2000:], proc.stderr[-2000:])
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert fragment in lines[0], lines[0]
    assert proc.stdout == ""
    return lines[0]


@pytest.mark.parametrize(("name", "value", "fragment"), BAD_SETTINGS,
                         ids=[f"{n}={v}" for n, v, _ in BAD_SETTINGS])
def test_a_bad_setting_is_one_line_and_exit_2(results, name, value, fragment):
    proc, _ = results[1][f"{name}={value}"]
    line = _one_line_exit_2(proc, fragment)
    assert line.startswith(f"politecrawl: error: {name}")


@pytest.mark.parametrize(("case", "args", "fragment"), BAD_ARGUMENTS, ids=[c for c, _, _ in BAD_ARGUMENTS])
def test_a_bad_argument_is_one_line_and_exit_2(results, case, args, fragment):
    proc, folder = results[1][case]
    _one_line_exit_2(proc, fragment)
    assert (folder / "kept.json").read_text(encoding="utf-8") == '[{"a": 1}]\n'  # never overwritten
    assert (folder / "mine" / "notes.txt").read_text(encoding="utf-8") == "mine\n"  # never deleted
    assert not (folder / "s.db").exists()  # report made no state database


def test_no_case_sent_a_request(results):
    assert results[0] == []


def test_a_closed_output_pipe_ends_quietly(tmp_path):
    """``politecrawl report --list | head -1``: the reader has gone; no BrokenPipeError traceback."""
    from politecrawl.state import open_store  # noqa: PLC0415

    store = open_store(f"sqlite:///{tmp_path / 's.db'}")
    store.close()
    proc = subprocess.Popen([sys.executable, "-m", "politecrawl.cli", "stops", "--history", "--state",
                             f"sqlite:///{tmp_path / 's.db'}"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            cwd=tmp_path, env=crawl_env())
    proc.stdout.close()  # as `head` does once it has its line
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 0
    assert stderr == ""


def test_main_ends_quietly_when_the_reader_has_gone(tmp_path, monkeypatch):
    from politecrawl import cli  # noqa: PLC0415
    from politecrawl.state import open_store  # noqa: PLC0415

    class Gone:
        def write(self, text):
            raise BrokenPipeError(32, "Broken pipe")

        def flush(self):
            raise BrokenPipeError(32, "Broken pipe")

        def fileno(self):
            raise OSError("not a file")

    # reading the project settings sets SCRAPY_SETTINGS_MODULE; later tests' subprocesses must not inherit it
    monkeypatch.setenv("SCRAPY_SETTINGS_MODULE", "politecrawl.middlewares.project_settings")
    url = f"sqlite:///{tmp_path / 's.db'}"
    open_store(url).close()
    assert cli.main(["stops", "--state", url], out=Gone()) == 0


def test_scrapy_crawl_in_a_project_refuses_bad_settings_in_one_line_each(tmp_path):
    """A plain Scrapy project with the add-on: `scrapy crawl` stops before any request, exit 2, no traceback."""
    web = SandboxWeb([SiteSpec("shop-a.com", pages=2)]).start()
    try:
        (tmp_path / "scrapy.cfg").write_text("[settings]\ndefault = myproject_settings\n")
        (tmp_path / "myproject_settings.py").write_text(
            'SPIDER_MODULES = ["politecrawl.spiders"]\n' + project_settings(web, tmp_path / "state.db")
        )
        env = crawl_env()
        env["PYTHONPATH"] = str(tmp_path)
        env.pop("SCRAPY_SETTINGS_MODULE", None)
        proc = subprocess.run(
            [sys.executable, "-m", "scrapy", "crawl", "generic", "-a", f"urls={web.url('shop-a.com')}",
             "-s", "POLITECRAWL_BURST=abc", "-s", "POLITECRAWL_GC_FREEZE=maybe", "-s", "POLITECRAWL_BURTS=1"],
            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=180,
        )
        seen = web.requests()
    finally:
        web.stop()
    assert proc.returncode == 2, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr and "Task exception" not in proc.stderr
    errors = [line for line in proc.stderr.splitlines() if " ERROR: " in line]
    assert len(errors) == 3, errors
    for name in ("POLITECRAWL_BURST ('abc')", "POLITECRAWL_GC_FREEZE ('maybe')", "POLITECRAWL_BURTS is not"):
        assert sum(name in line for line in errors) == 1, (name, errors)
    assert seen == []
