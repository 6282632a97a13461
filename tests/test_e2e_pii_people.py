"""A researcher's own Scrapy project with the add-on: reviews with the people behind them and a URL with
percent-encoded values.  None of the values reach the feed or the log; ordinary fields stay; the log says, per
field, what was removed and how to keep it knowingly."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote_plus

import pytest
from helpers import crawl_env, project_settings

from politecrawl.sandbox import PROTOCOL_PATHS, SiteSpec

pytestmark = pytest.mark.e2e

PROFILE = "https://m.example.cn/u/zhang.wei%40example.cn/profile?tel=%2B8613800138000&q=call+138+0013+8000&page=2"
REVIEWS = [
    {"author": "Zhang Wei", "name": "Li Na", "nickname": "小鱼儿", "reviewer": "bob_1987", "user_id": 90817263,
     "profile": PROFILE, "link": PROFILE, "stars": 5, "text": "质量很好，物流很快。Works as described."},
    {"author": "Jane Austen", "name": "王小明", "nickname": "快乐的小猪", "reviewer": "kitty_cat", "user_id": 55512345,
     "profile": PROFILE, "link": PROFILE.replace("page=2", "page=3"), "stars": 3, "text": "一般般 so-so"},
]
# Links on the home page whose URLs hold personal data: one answered with a redirect to another such URL.
LINKS = ["/go?email=zhang.wei%40example.cn", "/u/li.na%40example.cn/profile?tel=%2B8613900139000"]
REDIRECT = {"/go*": {"status": 301, "headers": {"Location": "/people/li.na%40example.cn?uid=90817263"}}}
VALUES = ["li.na", "8613900139000", "13900139000", "Zhang Wei", "Li Na", "小鱼儿", "bob_1987", "90817263", "Jane Austen", "王小明", "快乐的小猪", "kitty_cat",
          "55512345", "zhang.wei", "8613800138000", "138 0013 8000", "13800138000"]

SPIDER = '''
import json
import scrapy


class ReviewsSpider(scrapy.Spider):
    name = "reviews"

    def __init__(self, url="", *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.start_urls = [url]

    def parse(self, response):
        data = json.loads(response.css('script[type="application/ld+json"]::text').get() or "{}")
        for review in data.get("reviews", []):
            yield {"page": response.url, **review}
        for href in response.css("a::attr(href)").getall():
            yield response.follow(href, callback=self.parse)
'''


def project(tmp_path: Path, web, extra: str = "") -> Path:
    root = tmp_path / "research"
    (root / "research" / "spiders").mkdir(parents=True)
    (root / "scrapy.cfg").write_text("[settings]\ndefault = research.settings\n")
    (root / "research" / "__init__.py").write_text("")
    (root / "research" / "spiders" / "__init__.py").write_text("")
    (root / "research" / "spiders" / "reviews.py").write_text(SPIDER)
    (root / "research" / "settings.py").write_text(
        'BOT_NAME = "research"\n'
        'SPIDER_MODULES = ["research.spiders"]\n'
        + project_settings(web, tmp_path / "state.db", "POLITECRAWL_MAX_SITE_RATE = 100",
                           "POLITECRAWL_DEFAULT_DAILY_REQUESTS = 1e12", 'LOG_LEVEL = "DEBUG"',
                           "POLITECRAWL_AUDIT_PER_REQUEST = True") + extra
    )
    return root


def leaked(text: str) -> list[str]:
    decoded = unquote_plus(text)
    return [v for v in VALUES if v in text or v in decoded]


def crawl(root: Path, web, feed: Path) -> subprocess.CompletedProcess[str]:
    env = crawl_env()
    env["PYTHONPATH"] = str(root)
    return subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "reviews", "-a", f"url={web.url('reviews.example.com')}",
         "-o", f"{feed}:jsonlines"],
        cwd=root, env=env, capture_output=True, text=True, timeout=300,
    )


def test_researchers_reviews_reach_the_feed_without_the_people(sandbox, tmp_path):
    body = f'<script type="application/ld+json">{json.dumps({"reviews": REVIEWS}, ensure_ascii=False)}</script>'
    web = sandbox([SiteSpec("reviews.example.com", pages=2, body_extra=body, extra_links=LINKS, routes=REDIRECT)])
    root = project(tmp_path, web)
    feed = tmp_path / "feed.jsonl"
    proc = crawl(root, web, feed)
    assert proc.returncode == 0, proc.stderr[-3000:]
    pages = {r["path"] for r in web.requests() if r["path"] not in PROTOCOL_PATHS}
    assert pages == {"/", "/p/0", "/p/1", *LINKS, "/people/li.na%40example.cn?uid=90817263"}
    output = feed.read_text(encoding="utf-8")
    items = [json.loads(line) for line in output.splitlines()]
    assert len(items) == 6  # 2 reviews on each of 3 pages (the other pages hold none)
    assert leaked(output) == []
    for item in items:
        assert set(item) == {"page", "link", "stars", "text"}  # author, name, nickname, reviewer, user_id, profile
        assert item["stars"] in (5, 3)
        assert item["text"] in ("质量很好，物流很快。Works as described.", "一般般 so-so")
        # the URL stays a URL: its personal parts removed, written back percent-encoded
        assert item["link"].startswith("https://m.example.cn/u/") and "/profile?tel=%5BREMOVED%5D&q=" in item["link"]
        assert item["link"].endswith(("&page=2", "&page=3"))
    log = proc.stderr
    # Scrapy's DEBUG "Crawled", "Redirecting" and "Scraped from" lines print URLs, referers and items; the
    # add-on's LOG_FORMATTER and logger filters scrub them as they are written
    assert leaked(log) == []
    assert "Redirecting (301) to <GET http://reviews.example.com/people/%5B" in log and "?uid=%5BREMOVED%5D>" in log
    assert "Crawled (404) <GET http://reviews.example.com/u/%5B" in log and "/profile?tel=%5BREMOVED%5D>" in log
    # the audit trail's per-request records keep the path's shape, no value
    db = sqlite3.connect(tmp_path / "state.db")
    tables = [t for (t,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    stored = repr([db.execute(f'SELECT * FROM "{t}"').fetchall() for t in tables])
    assert "/u/%5B" in stored and leaked(stored) == []
    for field in ("author", "name", "nickname", "reviewer", "user_id", "profile"):
        assert f"personal data removed from items: field {field!r} (personal by its name)" in log
        assert f'POLITECRAWL_PII_ALLOW = ["{field}"], or declare it {field} = scrapy.Field(pii=False)' in log
        assert f"removed over the crawl from field {field!r}: 6 (field_name 6)" in log


def test_a_field_kept_knowingly_as_the_log_line_says(sandbox, tmp_path):
    """The researcher answers the log line: POLITECRAWL_PII_ALLOW keeps `author` (a public figure's name, as in
    quotesbot); every other person field is still removed."""
    body = f'<script type="application/ld+json">{json.dumps({"reviews": REVIEWS[1:]}, ensure_ascii=False)}</script>'
    web = sandbox([SiteSpec("reviews.example.com", pages=1, body_extra=body)])
    root = project(tmp_path, web, extra='POLITECRAWL_PII_ALLOW = ["author"]\n')
    feed = tmp_path / "feed.jsonl"
    proc = crawl(root, web, feed)
    assert proc.returncode == 0, proc.stderr[-3000:]
    items = [json.loads(line) for line in feed.read_text(encoding="utf-8").splitlines()]
    assert len(items) == 2 and all(item["author"] == "Jane Austen" for item in items)
    assert all(set(item) == {"page", "author", "link", "stars", "text"} for item in items)
    assert "field 'author'" not in proc.stderr and "removed over the crawl from field 'name': 2" in proc.stderr
