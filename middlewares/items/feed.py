"""Scrapy glue: the JSON-lines feed written with orjson.

``FEED_EXPORTERS = {"jsonlines": "politecrawl.middlewares.items.feed.OrjsonLinesItemExporter"}``
(the add-on sets it unless the project names its own ``jsonlines`` exporter).
Each line is the same JSON object Scrapy's ``JsonLinesItemExporter`` writes,
encoded by orjson (~10× faster than the standard library's encoder): non-ASCII
text is written as UTF-8 rather than ``\\uXXXX`` escapes, which every JSON reader
reads the same. Values orjson does not know (``Decimal``, sets, requests, …)
go through Scrapy's ``ScrapyJSONEncoder.default``. Options orjson cannot honour
(an encoding other than UTF-8, other ``json.dumps`` keywords) fall
back to Scrapy's encoder.
"""

from __future__ import annotations

from typing import Any

import orjson
from scrapy.exporters import JsonLinesItemExporter

_OPTIONS = orjson.OPT_APPEND_NEWLINE | orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATACLASS


class OrjsonLinesItemExporter(JsonLinesItemExporter):
    """Scrapy's JSON-lines exporter with orjson as the encoder."""

    def __init__(self, file: Any, **kwargs: Any) -> None:
        super().__init__(file, **kwargs)
        plain = set(self._kwargs) <= {"ensure_ascii"}
        self._fast = plain and (self.encoding or "utf-8").lower().replace("_", "-") in {"utf-8", "utf8"}

    def export_item(self, item: Any) -> None:
        if not self._fast:
            super().export_item(item)
            return
        fields = dict(self.get_serialized_fields(item))
        self.file.write(orjson.dumps(fields, default=self.encoder.default, option=_OPTIONS))
