"""`politecrawl crawl --warc FILE`: what the sandbox served, read back with warcio."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from helpers import run_crawl
from warcio.archiveiterator import ArchiveIterator

from politecrawl.archive import NOT_MODIFIED_PROFILE
from politecrawl.recrawl import payload_digest
from politecrawl.sandbox import SiteSpec

pytestmark = pytest.mark.e2e

DUE_AT_ONCE = {"POLITECRAWL_RECRAWL_MIN_INTERVAL": "0", "POLITECRAWL_RECRAWL_INITIAL_INTERVAL": "0"}
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
    out = tmp_path / name
    out.mkdir()
    proc, items = run_crawl(web, [web.url("shop-a.com")], out,
                            {"POLITECRAWL_STATE": f"sqlite:///{tmp_path / 'state.db'}", **DUE_AT_ONCE},
                            extra_args=("--warc", str(warc)))
    return proc, items


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


def run_report(tmp_path):
    import subprocess  # noqa: PLC0415
    import sys  # noqa: PLC0415

    from helpers import crawl_env  # noqa: PLC0415

    done = subprocess.run([sys.executable, "-m", "politecrawl.cli", "report", "--state",
                           f"sqlite:///{tmp_path / 'state.db'}"],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path, env=crawl_env())
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
