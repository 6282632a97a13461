"""Real crawls of pages with planted personal data: the feed output, every item pipeline and the log hold none
of the planted values; what the sandbox served proves the pages were crawled."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import CONTACT, crawl_env, run_crawl

from politecrawl.sandbox import PROTOCOL_PATHS, SiteSpec

pytestmark = pytest.mark.e2e

TESTS = Path(__file__).resolve().parent

# Planted values, as written on the pages.
PLANTED = {
    "phone": ["13800138000", "+86 139 0013 9000", "010-1234-5678", "(415) 555-2671"],
    "email": ["zhang.san@example.com", "li.si(at)example(dot)com", "wang_wu＠163.com"],
    "cn_resident_id": ["11010119900307803X"],
    "payment_card": ["4111 1111 1111 1111"],
    "iban": ["DE89 3704 0044 0532 0130 00"],
    "ip": ["203.0.113.7"],
}
ALL = [v for vs in PLANTED.values() for v in vs]
NICKNAME = "小明同学"  # found only by field name
USER_ID = 90817263  # found only by field name


def leaks(text: str, values: list[str]) -> list[str]:
    """Planted values found in `text`, also with separators removed (so "4111111111111111" counts)."""
    compact_text = re.sub(r"[\s\-()]", "", text)
    found = []
    for v in values:
        compact = re.sub(r"[\s\-()]", "", v)
        if v in text or (len(compact) >= 7 and compact in compact_text):
            found.append(v)
    return found


def pii_settings(tmp_path: Path) -> dict[str, str]:
    return {
        "ITEM_PIPELINES": json.dumps({"pii_probe.ProbePipeline": 300}),
        "PII_PROBE_PATH": str(tmp_path / "probe.jsonl"),
        "LOG_LEVEL": "DEBUG",  # Scrapy's DEBUG "Scraped from" lines print every item: they must be clean too
    }


def test_generic_crawl_output_pipeline_and_log_hold_no_planted_value(sandbox, tmp_path, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(TESTS))
    body = (
        f"<p>联系我{ALL[0]}，或者 {ALL[1]}。韩国 {ALL[2]}, US {ALL[3]}</p>"
        f"<p>mail {ALL[4]} / {ALL[5]} / {ALL[6]}</p>"
        f"<p>身份证{ALL[7]} 卡号 {ALL[8]} IBAN {ALL[9]} from {ALL[10]}</p>"
        "<p>订单号 202405061230451234567 价格 ¥1,299.00 ISBN 978-7-111-54493-7</p>"
    )
    web = sandbox([SiteSpec("reviews.example.cn", pages=4, title_extra=f"客服 {ALL[0]}", body_extra=body)])
    proc, items = run_crawl(web, [web.url("reviews.example.cn")], tmp_path, pii_settings(tmp_path))
    assert proc.returncode == 0, proc.stderr[-3000:]
    pages = {r["path"] for r in web.requests() if r["path"] not in PROTOCOL_PATHS}
    assert pages == {"/"} | {f"/p/{i}" for i in range(4)}
    assert len(items) == 5, proc.stderr[-6000:]
    output = (tmp_path / "items.jsonl").read_text(encoding="utf-8")
    probe = (tmp_path / "probe.jsonl").read_text(encoding="utf-8")
    assert len(probe.splitlines()) == 5  # the pipeline saw every item ...
    assert leaks(output, ALL) == []
    assert leaks(probe, ALL) == []  # ... and not one planted value
    assert leaks(proc.stderr + proc.stdout, ALL) == []  # nor did the log (DEBUG prints each scraped item)
    # The text kept what is not personal, with typed markers where personal data was.
    text = items[0]["text"]
    assert "联系我[PHONE]" in text and "[EMAIL]" in text and "[CN_RESIDENT_ID]" in text
    assert "[PAYMENT_CARD]" in text and "[IBAN]" in text and "[IP]" in text
    assert "202405061230451234567" in text and "978-7-111-54493-7" in text and "¥1,299.00" in text
    assert all(item["title"].endswith("客服 [PHONE]") for item in items)
    # Stats count by type and field, never values.  Per page: phones in the title, the <h1> (which repeats the
    # title) and 4 in the body; 3 e-mails; one of each other type.
    stats = proc.stderr[proc.stderr.index("Dumping Scrapy stats") :]
    assert "'politecrawl/pii/found/phone': 30" in stats
    assert "'politecrawl/pii/found/email': 15" in stats
    assert "'politecrawl/pii/found/cn_resident_id': 5" in stats
    assert "'politecrawl/pii/field/title': 5" in stats
    assert "'politecrawl/pii/field/text': 60" in stats
    assert "'politecrawl/pii/items_with_pii': 5" in stats


def run_structured(web, tmp_path: Path, settings: dict[str, str]) -> tuple[subprocess.CompletedProcess[str], str]:
    output = tmp_path / "items.jsonl"
    all_settings = {
        "ADDONS": json.dumps({"politecrawl.Addon": 100}),
        "POLITECRAWL_CONTACT": CONTACT,
        "POLITECRAWL_STATE": f"sqlite:///{tmp_path / 'state.db'}",
        "POLITECRAWL_DEFAULT_DAILY_REQUESTS": "1e12",
        "POLITECRAWL_MAX_SITE_RATE": "1000",
        "POLITECRAWL_BURST": "50",
        **web.settings(),
        **settings,
    }
    args = [sys.executable, "-m", "scrapy", "runspider", str(TESTS / "pii_probe.py"), "-o", f"{output}:jsonlines",
            "-a", f"urls={web.url('shop.example.de')}"]
    for name, value in all_settings.items():
        args += ["-s", f"{name}={value}"]
    proc = subprocess.run(args, capture_output=True, text=True, timeout=180, cwd=tmp_path, env=crawl_env())
    return proc, output.read_text(encoding="utf-8") if output.exists() else ""


def structured_site() -> SiteSpec:
    data = {
        "contact": "+49 30 901820",
        "nickname": NICKNAME,
        "author": {"name": "Max", "email": PLANTED["email"][0], "user_id": USER_ID, "city": "Berlin"},
        "reviews": [
            {"text": f"Ruf an: {PLANTED['phone'][1]}", "stars": 5},
            {"text": f"IBAN {PLANTED['iban'][0]}", "stars": 4, "buyer_id": "b-7781"},
        ],
        "sku": "SKU-20240506-0001",
    }
    body = f'<script type="application/ld+json">{json.dumps(data, ensure_ascii=False)}</script>'
    return SiteSpec("shop.example.de", pages=2, body_extra=body)


def test_structured_items_nested_and_declared_fields(sandbox, tmp_path, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(TESTS))
    web = sandbox([structured_site()])
    proc, output = run_structured(web, tmp_path, pii_settings(tmp_path))
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert len({r["path"] for r in web.requests() if r["path"] not in PROTOCOL_PATHS}) == 3
    probe = (tmp_path / "probe.jsonl").read_text(encoding="utf-8")
    planted = [*ALL, "+49 30 901820", NICKNAME, str(USER_ID), "b-7781"]
    assert leaks(output, planted) == [] and leaks(probe, planted) == []
    assert leaks(proc.stderr, planted) == []
    items = [json.loads(line) for line in output.splitlines()]
    assert len(items) == 3
    for item in items:
        assert set(item) == {"url", "title", "reviews", "sku"}  # contact, nickname, author (the person) removed
        assert item["reviews"] == [{"text": "Ruf an: [PHONE]", "stars": 5}, {"text": "IBAN [IBAN]", "stars": 4}]
        assert item["sku"] == "SKU-20240506-0001"


def test_pseudonymize_links_records_without_values(sandbox, tmp_path, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(TESTS))
    web = sandbox([structured_site()])
    settings = {**pii_settings(tmp_path), "POLITECRAWL_PII_ACTION": "pseudonymize",
                "POLITECRAWL_PII_KEY": "a-test-key-of-32-bytes-0123456789"}
    proc, output = run_structured(web, tmp_path, settings)
    assert proc.returncode == 0, proc.stderr[-3000:]
    items = [json.loads(line) for line in output.splitlines()]
    assert len(items) == 3 and leaks(output, [*ALL, NICKNAME, str(USER_ID)]) == []
    assert len({item["nickname"] for item in items}) == 1  # same person, same pseudonym on every page
    assert re.fullmatch(r"[0-9a-f]{32}", items[0]["nickname"])
    assert re.fullmatch(r"Ruf an: \[PHONE:[0-9a-f]{32}\]", items[0]["reviews"][0]["text"])


def test_pseudonymize_without_key_refuses_to_start(sandbox, tmp_path, monkeypatch):
    monkeypatch.delenv("POLITECRAWL_PII_KEY", raising=False)
    web = sandbox([SiteSpec("shop-a.com", pages=2)])
    proc, items = run_crawl(web, [web.url("shop-a.com")], tmp_path, {"POLITECRAWL_PII_ACTION": "pseudonymize"})
    assert proc.returncode == 2
    assert "POLITECRAWL_PII_KEY is not set" in proc.stderr
    assert web.requests() == [] and items == []


def test_project_item_processor_that_bypasses_the_filter_refuses(sandbox, tmp_path, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(TESTS))
    web = sandbox([structured_site()])
    proc, output = run_structured(web, tmp_path, {"ITEM_PROCESSOR": "scrapy.pipelines.ItemPipelineManager"})
    assert "would let items reach pipelines without politecrawl's personal-data filter" in proc.stderr
    assert [r for r in web.requests() if r["path"] not in PROTOCOL_PATHS] == [] and output == ""
