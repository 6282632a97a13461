"""What a WARC is checked against before warcio is imported: the revisit profiles and the path check.

Kept apart from :mod:`politecrawl.archive.warc` so that a crawl with ``POLITECRAWL_WARC`` off (the default)
never imports warcio (its modules and six: ~0.8 MB of RSS, docs/speed.md).
"""

from __future__ import annotations

import os

__all__ = ["IDENTICAL_PROFILE", "NOT_MODIFIED_PROFILE", "warc_path_problem"]

NOT_MODIFIED_PROFILE = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"
IDENTICAL_PROFILE = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"


def warc_path_problem(path: str) -> str:
    """Why a WARC cannot be written at *path* (``""`` if it can): it exists, or its folder does not."""
    if os.path.lexists(path):
        return (f"{path} exists; politecrawl never overwrites an archive: give a new file name, "
                "or move the old file away")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        return f"the folder of {path} does not exist"
    if not os.access(folder, os.W_OK):
        return f"the folder of {path} is not writable"
    return ""
