"""A real, unmodified-style Scrapy project keeps its own identity under politecrawl (sandbox log)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from helpers import NON_BINDING_BUDGET, crawl_env

from politecrawl import __version__
from politecrawl.sandbox import SiteSpec

pytestmark = pytest.mark.e2e

SETTINGS = '''BOT_NAME = "quotesbot"
SPIDER_MODULES = ["quotesbot.spiders"]
ADDONS = {"politecrawl.Addon": 100}
USER_AGENT = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36"
'''
SPIDER = '''import scrapy


class Quotes(scrapy.Spider):
    name = "quotes"
    start_urls = ["http://quotes.test/", "http://other.test/"]

    def parse(self, response):
        yield {"url": response.url}
'''


def make_project(root, version='__version__ = "1.0"\n'):
    (root / "quotesbot" / "spiders").mkdir(parents=True)
    (root / "scrapy.cfg").write_text("[settings]\ndefault = quotesbot.settings\n")
    (root / "quotesbot" / "__init__.py").write_text(version)
    (root / "quotesbot" / "settings.py").write_text(SETTINGS)
    (root / "quotesbot" / "spiders" / "__init__.py").write_text("")
    (root / "quotesbot" / "spiders" / "quotes.py").write_text(SPIDER)


def scrapy_crawl(root, web, **settings):
    args = [sys.executable, "-m", "scrapy", "crawl", "quotes"]
    for name, value in {**NON_BINDING_BUDGET, **web.settings(), "POLITECRAWL_STATE": "sqlite:///state.db",
                        **settings}.items():
        args += ["-s", f"{name}={value if isinstance(value, str) else json.dumps(value)}"]
    env = {**crawl_env(), "PYTHONPATH": str(root)}
    return subprocess.run(args, capture_output=True, text=True, cwd=root, env=env, timeout=180)


def test_project_bot_name_version_and_robots_token(sandbox, tmp_path):
    web = sandbox([
        SiteSpec("quotes.test", pages=2),
        # rules written for quotesbot apply to it (and a rule for politecrawl does not)
        SiteSpec("other.test", pages=2, robots="User-agent: quotesbot\nDisallow: /\n\nUser-agent: politecrawl\nAllow: /\n"),
    ])
    make_project(tmp_path)
    proc = scrapy_crawl(tmp_path, web, POLITECRAWL_CONTACT="mailto:ops@example.org")
    assert proc.returncode == 0, proc.stderr[-3000:]
    ua = f"quotesbot/1.0 (+mailto:ops@example.org; politecrawl/{__version__})"
    seen = web.requests()
    assert seen and {r["ua"] for r in seen} == {ua}
    assert {r["path"] for r in seen if r["site"] == "other.test"} == {"/robots.txt"}
    assert {r["path"] for r in seen if r["site"] == "quotes.test"} >= {"/robots.txt", "/"}
    # the browser User-Agent is replaced, with one line that says why
    replaced = [line for line in proc.stderr.splitlines() if "USER_AGENT" in line and "replaced" in line]
    assert len(replaced) == 1 and "poses as a web browser" in replaced[0]
    assert "carried another User-Agent" not in proc.stderr


def test_missing_contact_is_one_line_without_traceback(sandbox, tmp_path):
    web = sandbox([SiteSpec("quotes.test", pages=2)])
    make_project(tmp_path)
    proc = scrapy_crawl(tmp_path, web)
    assert proc.returncode == 2  # a settings error (README: exit codes)
    errors = [line for line in proc.stderr.splitlines() if "POLITECRAWL_CONTACT" in line]
    assert len(errors) == 1 and "POLITECRAWL_CONTACT is not set" in errors[0]
    assert "Traceback" not in proc.stderr and "Task exception was never retrieved" not in proc.stderr
    assert web.requests() == []
