"""Nothing a user has is lost: a resumed crawl adds to its items file; the demo keeps files it did not make."""

from __future__ import annotations

import json
import subprocess
import sys

from helpers import REPO, crawl_env, politecrawl_command, run_crawl

from politecrawl.cli import DEMO_MARKER
from politecrawl.sandbox import SiteSpec

DAY = 86_400


def test_a_resumed_crawl_keeps_the_first_runs_items(sandbox, tmp_path):
    web = sandbox([SiteSpec("shop-a.com", pages=30)])
    settings = {
        "POLITECRAWL_SITE_TRAFFIC": json.dumps({"shop-a.com": 2 * 3 * DAY}),  # 2 pages a second
        "POLITECRAWL_MAX_SITE_RATE": "10",
        "POLITECRAWL_BURST": "1",
        "JOBDIR": str(tmp_path / "job"),
        "CLOSESPIDER_TIMEOUT": "4",
    }
    proc, first = run_crawl(web, [web.url("shop-a.com")], tmp_path, settings)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert 3 <= len(first) < 31
    first_text = (tmp_path / "items.jsonl").read_text(encoding="utf-8")
    settings["CLOSESPIDER_TIMEOUT"] = "60"
    proc, items = run_crawl(web, [web.url("shop-a.com")], tmp_path, settings)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert f"adding items to {tmp_path / 'items.jsonl'}" in proc.stdout
    assert f"items added to {tmp_path / 'items.jsonl'}" in proc.stdout
    assert (tmp_path / "items.jsonl").read_text(encoding="utf-8").startswith(first_text)
    urls = [item["url"] for item in items]
    assert len(urls) == len(set(urls)) == 31  # the first run's items and the rest, once each


def test_overwrite_is_asked_for_with_capital_o(sandbox, tmp_path):
    web = sandbox([SiteSpec("shop-a.com", pages=2)])
    (tmp_path / "items.jsonl").write_text('{"kept": "until -O"}\n', encoding="utf-8")
    args = [sys.executable, "-m", "politecrawl.cli", "crawl", web.url("shop-a.com"), "-O", str(tmp_path / "items.jsonl"),
            "-s", "POLITECRAWL_CONTACT=ops@example.org", "-s", f"POLITECRAWL_STATE=sqlite:///{tmp_path / 's.db'}"]
    for name, value in web.settings().items():
        args += ["-s", f"{name}={value}"]
    proc = subprocess.run(args, capture_output=True, text=True, timeout=180, cwd=tmp_path, env=crawl_env())
    assert proc.returncode == 0, proc.stderr[-3000:]
    text = (tmp_path / "items.jsonl").read_text(encoding="utf-8")
    assert "kept" not in text and len(text.splitlines()) == 3


def test_demo_keeps_a_file_it_did_not_make(tmp_path):
    folder = tmp_path / "demo"
    folder.mkdir()
    (folder / DEMO_MARKER).write_text("")
    (folder / "notes.txt").write_text("my notes\n", encoding="utf-8")
    (folder / "items.jsonl").write_text('{"old": 1}\n', encoding="utf-8")
    proc = politecrawl_command("demo", "--dir", folder, "--seconds", "2", cwd=REPO, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert (folder / "notes.txt").read_text(encoding="utf-8") == "my notes\n"
    items = (folder / "items.jsonl").read_text(encoding="utf-8")
    assert '"old"' not in items and items  # the demo's own file is replaced


def test_demo_refuses_a_folder_it_did_not_make(tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "thesis.tex").write_text("years of work\n", encoding="utf-8")
    proc = politecrawl_command("demo", "--dir", folder, cwd=REPO, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.strip() == (f"politecrawl: error: --dir {str(folder)!r} holds files the demo did not make "
                                   "(thesis.tex); give a new or empty folder")
    assert (folder / "thesis.tex").read_text(encoding="utf-8") == "years of work\n"
    assert sorted(p.name for p in folder.iterdir()) == ["thesis.tex"]
