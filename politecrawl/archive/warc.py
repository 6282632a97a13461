"""A WARC file of what the sites served: request and response records, revisit records for what
did not change.

:class:`WarcArchive` takes plain values (URL, method, header pairs, status, body,
times) and writes them with warcio (WARC/1.1, gzipped per record when the name
ends in ``.gz``): a ``warcinfo`` record first, then for each answer a ``request``
record (the headers as sent) and, concurrent to it, a ``response`` record with
warcio's block and payload digests; a ``revisit`` record instead of the response
when the site answered ``304 Not Modified`` (profile ``server-not-modified``,
referring to the last full fetch) or sent the same payload as last time (profile
``identical-payload-digest``). The file is created exclusively: an existing file
is never overwritten.

A WARC holds pages *as served*: personal data included, untouched by the item
filter. See docs/recrawl.md.
"""

from __future__ import annotations

import datetime as dt
import http
import os
from collections.abc import Iterable
from io import BytesIO
from typing import BinaryIO

from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.warcwriter import WARCWriter

from .paths import IDENTICAL_PROFILE, NOT_MODIFIED_PROFILE, warc_path_problem

__all__ = ["IDENTICAL_PROFILE", "NOT_MODIFIED_PROFILE", "WarcArchive", "warc_path_problem"]

#: Response headers left out of the record: the body is kept de-chunked as received.
_DROPPED = frozenset({"transfer-encoding"})

Headers = Iterable[tuple[str, str]]


def _iso(when: float) -> str:
    return datetime_to_iso_date(dt.datetime.fromtimestamp(when, dt.timezone.utc), use_micros=True)


def _reason(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


class WarcArchive:
    """One WARC file, written record by record (not thread-safe: one crawl's event loop writes it)."""

    def __init__(self, path: str, *, software: str, operator: str = "", description: str = "") -> None:
        self.path = os.path.abspath(path)
        self._file: BinaryIO = open(self.path, "xb")  # noqa: SIM115 - closed by close(); "x": never overwrite
        self._writer = WARCWriter(self._file, gzip=self.path.endswith(".gz"), warc_version="1.1")
        self.records = 0
        info = {"software": software, "format": "WARC File Format 1.1",
                "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"}
        if operator:
            info["operator"] = operator
        if description:
            info["description"] = description
        self._write(self._writer.create_warcinfo_record(os.path.basename(self.path), info))

    def _write(self, record: object) -> None:
        self._writer.write_record(record)
        self.records += 1

    def _request(self, url: str, method: str, target: str, headers: Headers, body: bytes, when: float,
                 concurrent_to: str) -> None:
        http_headers = StatusAndHeaders(f"{method} {target} HTTP/1.1", list(headers), is_http_request=True)
        record = self._writer.create_warc_record(
            url, "request", payload=BytesIO(body), length=len(body), http_headers=http_headers,
            warc_headers_dict={"WARC-Date": _iso(when), "WARC-Concurrent-To": concurrent_to},
        )
        self._write(record)

    def fetched(
        self, url: str, *, method: str, target: str, request_headers: Headers, request_body: bytes = b"",
        status: int, response_headers: Headers, body: bytes, when: float, ip: str | None = None,
        revisit_of: tuple[str, float, str] | None = None,
    ) -> str:
        """Write one exchange: the request, and the response or a revisit; the response record's id.

        *target* is the request target (path and query). *revisit_of* is
        ``(profile, date of the last full fetch, its payload digest)`` for an answer that
        revisits a page (a 304, or the same payload as last time).
        """
        headers = [(k, v) for k, v in response_headers if k.lower() not in _DROPPED]
        status_line = f"{status} {_reason(status)}"
        http_headers = StatusAndHeaders(status_line, headers, protocol="HTTP/1.1")
        warc_headers = {"WARC-Date": _iso(when)}
        if ip:
            warc_headers["WARC-IP-Address"] = ip
        if revisit_of is not None:
            profile, refers_date, digest = revisit_of
            record = self._writer.create_revisit_record(url, digest, url, _iso(refers_date),
                                                        http_headers=http_headers, warc_headers_dict=warc_headers)
            record.rec_headers.replace_header("WARC-Profile", profile)
        else:
            record = self._writer.create_warc_record(url, "response", payload=BytesIO(body), length=len(body),
                                                     http_headers=http_headers, warc_headers_dict=warc_headers)
        record_id = record.rec_headers.get_header("WARC-Record-ID")
        self._write(record)
        self._request(url, method, target, request_headers, request_body, when, record_id)
        return record_id

    def flush(self) -> None:
        self._file.flush()

    def close(self) -> None:
        if not self._file.closed:
            self._file.close()
