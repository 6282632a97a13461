"""Archives of what a crawl fetched: WARC files (ISO 28500), written with warcio.

:class:`WarcArchive` is imported on first use (module ``__getattr__``), so that importing this package, as the
preflight check and the WARC middleware do on every crawl, does not import warcio when no WARC is written.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .paths import IDENTICAL_PROFILE, NOT_MODIFIED_PROFILE, warc_path_problem

if TYPE_CHECKING:
    from .warc import WarcArchive

__all__ = ["IDENTICAL_PROFILE", "NOT_MODIFIED_PROFILE", "WarcArchive", "warc_path_problem"]


def __getattr__(name: str) -> Any:
    if name == "WarcArchive":
        from .warc import WarcArchive  # noqa: PLC0415 (warcio only when an archive is written)

        return WarcArchive
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
