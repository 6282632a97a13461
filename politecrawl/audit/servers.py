"""The servers that bound a crawl, in its report (from the trail's ``server`` records).

A ``server`` record is written when a server's bucket (``POLITECRAWL_MAX_IP_RATE``,
docs/budget.md) first holds a request back, and again at the end of the crawl
with what it did: the requests it let go and how often it held one back. The
last record of each server from each node counts (a cluster's nodes add up).
"""

from __future__ import annotations

from html import escape
from typing import Any

from .words import plural

__all__ = ["server_entries", "servers_html", "servers_line"]


def server_entries(records: dict[tuple[str, str], dict[str, Any]]) -> list[dict[str, Any]]:
    """One entry per server that bound the crawl, most waits first (JSON-ready), from the last
    record of each (server, node): a cluster's nodes each write their own, added up here."""
    servers: dict[str, dict[str, Any]] = {}
    for (server, _node), data in sorted(records.items()):
        entry = servers.setdefault(server, {
            "server": server, "basis": data.get("basis", ""), "rate": data.get("rate"),
            "burst": data.get("burst"), "sites": [], "held_sites": [], "requests": None, "waits": None,
        })
        entry["sites"] = sorted(set(entry["sites"]) | set(data.get("sites") or []))
        entry["held_sites"] = sorted(set(entry["held_sites"]) | set(data.get("held_sites") or data.get("sites") or []))
        for count in ("requests", "waits"):
            if data.get(count) is not None:
                entry[count] = (entry[count] or 0) + data[count]
    return sorted(servers.values(), key=lambda e: (-(e["waits"] or 0), e["server"]))


def _rate(entry: dict[str, Any]) -> str:
    return f"{entry['rate']:.4g} req/s" if isinstance(entry["rate"], (int, float)) else "its rate"


def servers_line(servers: list[dict[str, Any]]) -> str:
    """The summary's sentence: which servers held requests back, or ``""`` if none did."""
    if not servers:
        return ""
    named = "; ".join(
        f"{e['server']} ({plural(len(e['sites']), 'site')}: {', '.join(e['sites'][:5])}"
        f"{', …' if len(e['sites']) > 5 else ''}; at most {_rate(e)})" for e in servers[:5])
    more = f"; and {len(servers) - 5} more" if len(servers) > 5 else ""
    return (f"{plural(len(servers), 'server')} held requests back, so that each got no more than "
            f"POLITECRAWL_MAX_IP_RATE whatever its sites' caps: {named}{more}.")


def servers_html(servers: list[dict[str, Any]]) -> str:
    """The report's table of servers that bound the crawl (empty if none did)."""
    if not servers:
        return ""
    rows = "".join(
        f"<tr><td>{escape(e['server'])}</td><td>{escape(e['basis'])}</td><td>{escape(', '.join(e['sites']))}</td>"
        f"<td class=n>{escape(_rate(e))}</td><td class=n>{'-' if e['requests'] is None else e['requests']}</td>"
        f"<td class=n>{'-' if e['waits'] is None else e['waits']}</td></tr>" for e in servers)
    return (
        "<h2>Servers that bound the crawl</h2>"
        "<table><tr><th>server</th><th>known by</th><th>sites on it</th><th class=n>at most</th>"
        "<th class=n>requests</th><th class=n>times it held a request back</th></tr>" + rows + "</table>"
        '<p class="legend">Every request also takes a token from its server\'s bucket (its address, or its '
        "host name where the crawler does not know the address): a server gets at most POLITECRAWL_MAX_IP_RATE "
        "requests a second plus the burst, however many sites it hosts.</p>"
    )
