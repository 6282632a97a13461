"""`politecrawl crawl --warc FILE`: what the sandbox served, read back with warcio."""

from __future__ import annotations

import subprocess
import sys
from urllib.parse import urlsplit

import pytest
from helpers import (
    NON_BINDING_BUDGET, RECRAWL_DUE_AT_ONCE, crawl_env, crawl_on_state, politecrawl_command, project_settings,
)
from warcio.archiveiterator import ArchiveIterator

from politecrawl.archive import NOT_MODIFIED_PROFILE
from politecrawl.archive.warc import IDENTICAL_PROFILE
from politecrawl.recrawl import payload_digest
from politecrawl.sandbox import SiteSpec

pytestmark = pytest.mark.e2e

PAGES = 12


def _served(web, since=0):
    return [r for r in web.requests(since=since)]


def _path(uri):
    parts = urlsplit(uri)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _read(path):
    """(record type, URI, status, payload digest, WARC-Profile, digests passed) of every record after warcinfo."""
    records = []
    with open(path, "rb") as handle:
        for record in ArchiveIterator(handle, check_digests=True):
            body = record.content_stream().read()
            if record.rec_type == "warcinfo":
                continue
            headers = record.rec_headers
            status = record.http_headers.get_statuscode() if record.rec_type != "request" else None
            passed = record.digest_checker.passed
            records.append((record.rec_type, headers.get_header("WARC-Target-URI"), status,
                            headers.get_header("WARC-Payload-Digest"), headers.get_header("WARC-Profile"),
                            passed, body))
    return records


def _crawl(web, tmp_path, name, warc):
    return crawl_on_state(web, tmp_path, name, RECRAWL_DUE_AT_ONCE, extra_args=("--warc", str(warc)))


def test_warc_of_a_crawl_and_of_its_recrawl(sandbox, tmp_path):
    web = sandbox([SiteSpec("shop-a.com", pages=PAGES, validators="both")])
    first = tmp_path / "first.warc.gz"
    proc, _ = _crawl(web, tmp_path, "first", first)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert f"written to {first}" in proc.stdout and "personal data included" in proc.stdout
    served = _served(web)
    records = _read(first)
    responses = [r for r in records if r[0] == "response"]
    # one response record per answer the site served (pages, robots.txt, tdmrep.json, the sitemap's 404)
    assert sorted(_path(r[1]) for r in responses) == sorted(r["path"] for r in served)
    assert len([r for r in records if r[0] == "request"]) == len(responses)
    # digests valid: warcio checked block and payload digests as it read; the payload digest is the history's
    assert all(r[5] is True for r in records if r[0] == "response"), [r[:6] for r in records]
    for _, uri, status, digest, _, _, body in responses:
        assert digest == payload_digest(body)
    # the report says an archive was kept, and where
    report = run_report(tmp_path)
    assert f"was written to {first}" in report

    web.update("shop-a.com", versions={"/p/2": 1})
    second = tmp_path / "second.warc"
    since = len(web.requests())
    proc, _ = _crawl(web, tmp_path, "second", second)
    assert proc.returncode == 0, proc.stderr[-3000:]
    served = _served(web, since)
    records = _read(second)
    answers = [r for r in records if r[0] in ("response", "revisit")]
    assert sorted(_path(r[1]) for r in answers) == sorted(r["path"] for r in served)
    revisits = [r for r in answers if r[0] == "revisit"]
    assert len(revisits) == sum(1 for r in served if r["status"] == 304) == PAGES  # every page but /p/2
    assert all(r[2] == "304" and r[4] == NOT_MODIFIED_PROFILE and r[3].startswith("sha1:") for r in revisits)
    (changed,) = [r for r in answers if r[1] == "http://shop-a.com/p/2"]
    assert changed[0] == "response" and b"revision 1" in changed[6] and changed[5] is True
    # the audit trail recorded the 304s as revalidations: the report of the recrawl says so
    assert (f"{PAGES} pages were revalidated (the site answered 304 Not Modified, no body); 0 pages came back "
            "unchanged in full (same digest), 1 page changed, 0 pages were new.") in run_report(tmp_path)


def run_report(tmp_path):

    done = politecrawl_command("report", "--state", f"sqlite:///{tmp_path / 'state.db'}", timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_an_existing_file_is_never_overwritten(sandbox, tmp_path):
    web = sandbox([SiteSpec("shop-a.com", pages=3)])
    existing = tmp_path / "old.warc.gz"
    existing.write_bytes(b"an archive of last year")
    proc, _ = _crawl(web, tmp_path, "crawl", existing)
    assert proc.returncode == 2
    assert str(existing) in proc.stderr and "never overwrites" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert existing.read_bytes() == b"an archive of last year"
    assert web.requests() == []


def test_a_scrapy_project_setting_and_revisits_of_unchanged_payloads(sandbox, tmp_path):
    """POLITECRAWL_WARC in a Scrapy project's settings; a site without validators answers in full, and
    a page whose payload is the same as last time is written as an identical-payload-digest revisit."""
    web = sandbox([SiteSpec("shop-a.com", pages=PAGES)])
    (tmp_path / "scrapy.cfg").write_text("[settings]\ndefault = myproject_settings\n")
    env = {**crawl_env(), "PYTHONPATH": str(tmp_path)}

    def scrapy_crawl(warc):
        (tmp_path / "myproject_settings.py").write_text(
            'SPIDER_MODULES = ["politecrawl.spiders"]\n'
            + project_settings(web, tmp_path / "state.db", f"POLITECRAWL_WARC = {str(warc)!r}",
                               *(f"{k} = {v!r}" for k, v in {**NON_BINDING_BUDGET, **RECRAWL_DUE_AT_ONCE}.items())))
        proc = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "generic", "-a", f"urls={web.url('shop-a.com')}"],
                              cwd=tmp_path, env=env, capture_output=True, text=True, timeout=180)
        assert proc.returncode == 0, proc.stderr[-3000:]

    scrapy_crawl(tmp_path / "first.warc.gz")
    first = _read(tmp_path / "first.warc.gz")
    assert sorted(_path(r[1]) for r in first if r[0] == "response") == sorted(r["path"] for r in web.requests())
    web.update("shop-a.com", versions={"/p/1": 1})
    since = len(web.requests())
    scrapy_crawl(tmp_path / "second.warc.gz")
    served = web.requests(since=since)
    assert all(r["status"] in (200, 404) for r in served)  # no validators: every page in full
    answers = [r for r in _read(tmp_path / "second.warc.gz") if r[0] in ("response", "revisit")]
    assert sorted(_path(r[1]) for r in answers) == sorted(r["path"] for r in served)
    pages = {_path(r[1]): r for r in answers if _path(r[1]) == "/" or _path(r[1]).startswith("/p/")}
    assert len(pages) == PAGES + 1
    for path, (kind, _, status, digest, profile, passed, body) in pages.items():
        if path == "/p/1":
            assert kind == "response" and b"revision 1" in body and passed is True
        else:  # the same payload as the first crawl's response record: headers only
            assert (kind, status, profile) == ("revisit", "200", IDENTICAL_PROFILE) and body == b""
            (earlier,) = [r for r in first if r[0] == "response" and _path(r[1]) == path]
            assert digest == earlier[3]
