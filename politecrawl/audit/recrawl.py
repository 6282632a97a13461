"""The report's lines on recrawls and archives: revalidations, unchanged pages, the WARC kept."""

from __future__ import annotations

from typing import Any

from .words import plural, were

__all__ = ["recrawl_lines"]


def recrawl_lines(report: dict[str, Any]) -> list[str]:
    """What the fetch history saved the sites, and where an archive of pages as served was kept."""
    verdicts: dict[str, int] = {}
    for site in report["sites"]:
        for verdict, n in site.get("recrawl", {}).items():
            verdicts[verdict] = verdicts.get(verdict, 0) + n
    lines = []
    revalidated = verdicts.get("not-modified", 0)
    if revalidated or verdicts.get("unchanged") or verdicts.get("changed"):
        lines.append(
            f"{plural(revalidated, 'page')} {were(revalidated)} revalidated (the site answered 304 Not Modified, "
            f"no body); {plural(verdicts.get('unchanged', 0), 'page')} came back unchanged in full "
            f"(same digest), {plural(verdicts.get('changed', 0), 'page')} changed, "
            f"{plural(verdicts.get('new', 0), 'page')} {were(verdicts.get('new', 0))} new."
        )
    warc = report["crawl"].get("warc")
    if warc:
        lines.append(f"An archive of the pages as served (WARC), personal data included, was written to {warc}.")
    return lines
