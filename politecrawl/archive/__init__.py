"""Archives of what a crawl fetched: WARC files (ISO 28500), written with warcio."""

from __future__ import annotations

from .warc import NOT_MODIFIED_PROFILE, WarcArchive, warc_path_problem

__all__ = ["NOT_MODIFIED_PROFILE", "WarcArchive", "warc_path_problem"]
