"""A cluster crawl's nodes, in the HTML report: each node's requests, answers, bytes, start and end."""

from __future__ import annotations

from html import escape
from typing import Any

from .words import fmt_bytes, fmt_time

__all__ = ["nodes_html"]


def _end(node: dict[str, Any], ends: dict[str, str]) -> str:
    if node["ended_at"] is None:
        return "still running"
    reason = node.get("end_reason")
    return fmt_time(node["ended_at"]) + (f" ({ends.get(reason, reason)})" if reason else "")


def nodes_html(nodes: list[dict[str, Any]], ends: dict[str, str] | None = None) -> str:
    """The report's table of a cluster's nodes (empty for a single-process crawl); *ends* names close reasons."""
    if not nodes:
        return ""
    ends = ends or {}
    rows = "".join(
        f"<tr><td>{escape(n['node'])}</td><td class=n>{n['requests']:,}</td>"
        f"<td class=n>{n.get('responses', 0):,}</td><td class=n>{escape(fmt_bytes(n['bytes']))}</td>"
        f"<td>{escape(fmt_time(n['started_at']))}</td><td>{escape(_end(n, ends))}</td></tr>" for n in nodes)
    return (
        f"<h2>Nodes ({len(nodes)})</h2>"
        "<table><tr><th>node</th><th class=n>requests</th><th class=n>answers</th><th class=n>bytes</th>"
        "<th>started</th><th>ended</th></tr>" + rows + "</table>"
        '<p class="legend">A cluster crawl: these processes shared one frontier and one crawl id, and the '
        "tables above are the whole cluster's. Each node's counts appear as its time buckets end.</p>"
    )
