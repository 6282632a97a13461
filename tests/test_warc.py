"""The WARC writer: records read back with warcio, digests checked; an existing file never overwritten."""

from __future__ import annotations

import pytest
from warcio.archiveiterator import ArchiveIterator

from politecrawl.archive import NOT_MODIFIED_PROFILE, WarcArchive, warc_path_problem
from politecrawl.recrawl import payload_digest

URL = "http://shop-a.com/p/1?x=1"


def _records(path):
    out = []
    with open(path, "rb") as handle:
        for r in ArchiveIterator(handle, check_digests=True):
            body = r.content_stream().read()
            out.append((r.rec_type, r.rec_headers, r.http_headers, body, r.digest_checker.passed))
    return out


@pytest.mark.parametrize("name", ["a.warc", "a.warc.gz"])
def test_exchanges_and_revisits(tmp_path, name):
    path = tmp_path / name
    archive = WarcArchive(str(path), software="politecrawl/test", operator="https://example.org/bot")
    body = b"<html>page</html>"
    archive.fetched(URL, method="GET", target="/p/1?x=1", request_headers=[("Host", "shop-a.com")], status=200,
                    response_headers=[("Content-Type", "text/html"), ("Transfer-Encoding", "chunked")],
                    body=body, when=1_700_000_000.5, ip="127.0.0.1")
    archive.fetched(URL, method="GET", target="/p/1?x=1", request_headers=[("If-None-Match", '"a"')], status=304,
                    response_headers=[("ETag", '"a"')], body=b"", when=1_700_000_100.0,
                    revisit_of=(NOT_MODIFIED_PROFILE, 1_700_000_000.5, payload_digest(body)))
    archive.close()
    (info, response, request, revisit, request2) = _records(path)
    assert info[0] == "warcinfo" and b"operator: https://example.org/bot" in info[3]
    assert response[0] == "response" and response[3] == body and response[4] is True
    assert response[1].get_header("WARC-Payload-Digest") == payload_digest(body)
    assert response[2].get_header("Transfer-Encoding") is None  # the body is kept de-chunked
    assert response[1].get_header("WARC-IP-Address") == "127.0.0.1"
    assert request[0] == "request" and request[2].protocol == "GET" and request[2].statusline.startswith("/p/1?x=1")
    assert request[1].get_header("WARC-Concurrent-To") == response[1].get_header("WARC-Record-ID")
    assert revisit[0] == "revisit" and revisit[2].get_statuscode() == "304"
    assert revisit[1].get_header("WARC-Profile") == NOT_MODIFIED_PROFILE
    assert revisit[1].get_header("WARC-Refers-To-Target-URI") == URL
    assert revisit[1].get_header("WARC-Refers-To-Date") == response[1].get_header("WARC-Date")
    assert revisit[1].get_header("WARC-Payload-Digest") == payload_digest(body)
    assert request2[2].get_header("If-None-Match") == '"a"'


def test_never_overwrites(tmp_path):
    path = tmp_path / "old.warc.gz"
    path.write_bytes(b"kept")
    assert "exists; politecrawl never overwrites an archive" in warc_path_problem(str(path))
    with pytest.raises(FileExistsError):
        WarcArchive(str(path), software="x")
    assert path.read_bytes() == b"kept"
    assert "does not exist" in warc_path_problem(str(tmp_path / "no" / "a.warc"))
    assert warc_path_problem(str(tmp_path / "new.warc")) == ""


def test_warcio_is_imported_only_when_an_archive_is_written():
    """The crawl's modules (preflight, the add-on, the WARC middleware) leave warcio unimported (issue 21: ~0.8 MB)."""
    import subprocess
    import sys

    code = ("import sys, politecrawl.preflight, politecrawl.middlewares.addon, politecrawl.middlewares.downloader.warc\n"
            "assert not [m for m in sys.modules if m.startswith('warcio')], 'warcio imported'\n"
            "from politecrawl.archive import WarcArchive\n"
            "assert 'warcio' in sys.modules and WarcArchive.__module__ == 'politecrawl.archive.warc'\n")
    subprocess.run([sys.executable, "-c", code], check=True)
