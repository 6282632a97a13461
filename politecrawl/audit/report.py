"""The compliance report of one crawl, computed from its audit records only.

:func:`build_report` is pure: records in, a JSON-ready dict out. Per site it
gives requests and bytes against the cap, the busiest minute and hour as a
share of the cap, robots.txt fetches and refusals, pauses and stops with
their time to honour, reservations, personal data removed; and a summary in
plain words.

"Within its cap" is the budget's own promise (docs/budget): over any window
of W seconds a site gets at most ``cap × W + burst`` requests. The report
checks it for every minute and every hour of the crawl (sliding, on the
trail's time buckets).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

from politecrawl.pii.removals import how_to_keep

from .holds import hold_entry
from .read import AuditRecord, CrawlEntry
from .recrawl import recrawl_lines
from .servers import server_entries, servers_line
from .words import fmt_bytes, fmt_duration, fmt_time, pct, plural as _plural, were as _were

__all__ = ["build_report", "fmt_bytes", "fmt_duration", "fmt_time", "pct", "reserved", "window_peak"]

MINUTE = 60
HOUR = 3600


def window_peak(series: dict[int, int], width: int) -> tuple[int, int | None]:
    """The most requests in any window of *width* seconds, and where that window starts.

    *series* maps bucket start times to counts; a window is moved to start at
    its first non-empty bucket without losing any count, so only those starts
    need trying.
    """
    starts = sorted(t for t, n in series.items() if n)
    best, best_at = 0, None
    j, total = 0, 0
    for start in starts:
        while j < len(starts) and starts[j] < start + width:
            total += series[starts[j]]
            j += 1
        if total > best:
            best, best_at = total, start
        total -= series[start]
    return best, best_at


def _site_entry(site: str) -> dict[str, Any]:
    return {
        "site": site,
        "requests": 0,
        "bytes": 0,
        "responses": 0,
        "statuses": {},
        "cap": None,
        "peak_minute": None,
        "peak_hour": None,
        "within_cap": None,
        "series": [],
        "robots": {"fetches": [], "refusals": {}, "refused": 0, "unreachable": 0, "stop_requests": []},
        "refusals": {},
        "dropped": {},
        "reservations": {},
        "items_withheld": {},
        "throttled": {},
        "pauses": [],
        "stops": [],
        "pii": {"by_type": {}, "by_field": {}, "removed": 0, "removals": []},
        "waiting": 0,
        "recrawl": {},
    }


class _Builder:
    def __init__(self, crawl: CrawlEntry) -> None:
        self.crawl = crawl
        self.start: dict[str, Any] = {}
        self.end: dict[str, Any] | None = None
        self.bucket = MINUTE
        self.series: defaultdict[str, Counter[int]] = defaultdict(Counter)
        self.totals: defaultdict[str, Counter[tuple[str, str]]] = defaultdict(Counter)
        self.budgets: dict[str, dict[str, Any]] = {}
        self.fetches: defaultdict[str, list[dict[str, Any]]] = defaultdict(list)
        self.robots_stops: defaultdict[str, list[dict[str, Any]]] = defaultdict(list)
        self.holds: list[tuple[str, str, float, dict[str, Any], str]] = []  # kind, site, at, data, node
        self.outcomes: dict[tuple[str, str, str, float], dict[str, Any]] = {}
        self.requests: int = 0
        self.nodes: dict[str, dict[str, Any]] = {}  # a cluster's nodes, by name
        self.servers: dict[tuple[str, str], dict[str, Any]] = {}  # (server, node) -> its last record

    def add(self, rec: AuditRecord) -> None:
        kind, data, site = rec.kind, rec.data, rec.site
        node = self._node(rec.node, rec.at) if rec.node else None
        if kind == "counts":
            bucket = int(data.get("bucket", rec.at))
            for name, rows in data.get("sites", {}).items():
                totals, series = self.totals[name], self.series[name]
                for metric, key, n in rows:
                    totals[(metric, key)] += n
                    if metric == "requests":
                        series[bucket] += int(n)
                        if node is not None:
                            node["requests"] += int(n)
                    elif metric in ("bytes", "responses") and node is not None:
                        node[metric] += int(n)
        elif kind == "crawl-start":
            self.start = self.start or data
            self.bucket = int(data.get("bucket", MINUTE))
        elif kind == "crawl-end":
            if self.end is None or rec.at >= self.end["at"]:
                self.end = {**data, "at": rec.at}
            if node is not None:
                node.update(ended_at=rec.at, end_reason=data.get("reason"))
        elif kind == "budget":
            self.budgets[site] = data
        elif kind == "robots-fetch":
            self.fetches[site].append({**data, "at": rec.at})
        elif kind == "robots-stop":
            self.robots_stops[site].append({**data, "at": rec.at})
        elif kind in ("stop", "pause"):
            self.holds.append((kind, site, rec.at, data, rec.node))
        elif kind in ("stop-outcome", "pause-outcome"):
            key = (kind.split("-")[0], site, str(data.get("stop_id", "")), float(data["honoured_at"]))
            self.outcomes[key] = data
        elif kind == "request":
            self.requests += 1
        elif kind == "server":
            self.servers[(str(data.get("server", "")), rec.node)] = data

    def _node(self, name: str, at: float) -> dict[str, Any]:
        node = self.nodes.get(name)
        if node is None:
            node = self.nodes[name] = {"node": name, "started_at": at, "ended_at": None,
                                       "end_reason": None, "requests": 0, "responses": 0, "bytes": 0}
        return node

    def running(self) -> bool:
        """Whether the crawl runs: no end record, or (a cluster) some node has not ended."""
        if self.nodes:
            return any(n["ended_at"] is None for n in self.nodes.values())
        return self.end is None


def _cap(budget: dict[str, Any] | None, bucket: int) -> dict[str, Any] | None:
    if not budget or not budget.get("cap"):
        return None
    rate = float(budget["cap"])
    burst = float(budget.get("burst") or 0)
    return {
        "per_second": rate,
        "per_minute": rate * MINUTE,
        "per_hour": rate * HOUR,
        "per_day": rate * 86_400,
        "burst": burst,
        "estimate_per_day": budget.get("estimate_per_day"),
        "estimate_source": budget.get("source"),
        "bytes_per_day": budget.get("bytes_per_day"),
        "share": budget.get("share"),
        "limited_by": budget.get("limited_by"),
    }


def _peak(series: dict[int, int], width: int, cap: dict[str, Any] | None) -> dict[str, Any]:
    n, at = window_peak(series, width)
    peak: dict[str, Any] = {"requests": n, "start": at, "seconds": width}
    if cap is not None:
        steady = cap["per_second"] * width
        peak["allowance"] = steady + cap["burst"]
        # the share of what the budget allows in the window (steady rate plus burst): over 100 % is a breach
        peak["share"] = n / peak["allowance"] if peak["allowance"] else None
        peak["share_of_rate"] = n / steady if steady else None
        peak["within"] = n <= peak["allowance"] + 1e-9
    return peak


def _split_key(key: str) -> tuple[str, str]:
    origin, _, rule = key.partition(" ")
    return origin, rule or "(no rule)"


def build_report(crawl: CrawlEntry, recs: Iterable[AuditRecord], *, charts: int = 20) -> dict[str, Any]:
    """The report of *crawl* from its audit records (JSON-ready)."""
    b = _Builder(crawl)
    for rec in recs:
        b.add(rec)
    running = b.running()
    sites = sorted(set(b.totals) | set(b.budgets) | set(b.fetches) | {h[1] for h in b.holds})
    out_sites = []
    for site in sites:
        e = _site_entry(site)
        totals = b.totals.get(site, Counter())
        for (metric, key), n in sorted(totals.items()):
            n = int(n) if float(n).is_integer() else n
            if metric in ("requests", "bytes", "responses"):
                e[metric] += n
            elif metric == "status":
                e["statuses"][key] = e["statuses"].get(key, 0) + n
            elif metric == "robots-refused":
                origin, rule = _split_key(key)
                e["robots"]["refusals"].setdefault(origin, {})[rule] = n
                # "unreachable:<why>": not sent because robots.txt could not be read, not disallowed
                e["robots"]["unreachable" if rule.startswith("unreachable") else "refused"] += n
            elif metric == "pii-type":
                e["pii"]["by_type"][key] = n
                e["pii"]["removed"] += n
            elif metric == "pii-field":
                e["pii"]["by_field"][key] = n
            elif metric == "pii-removal":  # "<type> <field path>": what was removed where, and how to keep it
                type_, _, path = key.partition(" ")
                e["pii"]["removals"].append({"field": path, "type": type_, "count": n,
                                             "keep": how_to_keep(path, [type_])})
            elif metric == "tally":
                _tally(e, key, n)
        series = dict(b.series.get(site, {}))
        e["series"] = sorted([t, n] for t, n in series.items())
        e["cap"] = _cap(b.budgets.get(site), b.bucket)
        e["peak_minute"] = _peak(series, MINUTE, e["cap"])
        e["peak_hour"] = _peak(series, HOUR, e["cap"])
        if e["cap"] is not None:
            e["within_cap"] = bool(e["peak_minute"]["within"] and e["peak_hour"]["within"])
        e["robots"]["fetches"] = b.fetches.get(site, [])
        e["robots"]["stop_requests"] = b.robots_stops.get(site, [])
        for kind, hsite, _at, data, node in b.holds:
            if hsite != site:
                continue
            key = (kind, site, str(data.get("stop_id", "")), float(data.get("honoured_at", 0)))
            entry = hold_entry(kind, site, data, b.outcomes.get(key), crawl.started_at,
                               not running, node)
            e["stops" if kind == "stop" else "pauses"].append(entry)
        out_sites.append(e)
    out_sites.sort(key=lambda s: (-s["requests"], s["site"]))
    for rank, e in enumerate(out_sites):
        e["charted"] = rank < charts and bool(e["series"])
    crawl_info = {
        "id": crawl.crawl_id,
        "started_at": crawl.started_at,
        "ended_at": b.end["at"] if b.end and not running else crawl.ended_at,
        "end_reason": b.end.get("reason") if b.end and not running else None,
        "running": running,
        "bucket_seconds": b.bucket,
        "per_request_records": b.requests,
        **{k: v for k, v in b.start.items() if k not in ("bucket",)},
    }
    report = {
        "format": "politecrawl-audit-report/1",
        "crawl": crawl_info,
        "nodes": sorted(b.nodes.values(), key=lambda n: (n["started_at"], n["node"])),
        "sites": out_sites,
        "servers": server_entries(b.servers),
        "totals": {
            "sites": len(out_sites),
            "requests": sum(s["requests"] for s in out_sites),
            "bytes": sum(s["bytes"] for s in out_sites),
            "robots_refused": sum(s["robots"]["refused"] for s in out_sites),
            "robots_unreachable": sum(s["robots"].get("unreachable", 0) for s in out_sites),
            "pii_removed": sum(s["pii"]["removed"] for s in out_sites),
            "stops": sum(len(s["stops"]) for s in out_sites),
            "pauses": sum(len(s["pauses"]) for s in out_sites),
        },
    }
    report["summary"] = summarise(report)
    return report


def _pii_fields(report: dict[str, Any]) -> list[str]:
    """One line per field personal data was removed from (all sites), with the count, the types and how to keep
    the field knowingly."""
    fields: dict[str, Counter[str]] = {}
    for site in report["sites"]:
        for r in site["pii"].get("removals", []):
            fields.setdefault(r["field"], Counter())[r["type"]] += r["count"]
    lines = []
    for path, types in sorted(fields.items(), key=lambda kv: (-sum(kv[1].values()), kv[0])):
        kinds = ", ".join(f"{t} {n:,}" for t, n in types.most_common())
        lines.append(f"Removed from field {path!r}: {sum(types.values()):,} ({kinds}); "
                     f"{how_to_keep(path, list(types))}.")
    return lines


def _tally(e: dict[str, Any], name: str, n: int) -> None:
    """Fold a runtime tally (``refused:<component>:<reason>``, ``dropped:<source>``, ...) into *e*."""
    head, _, rest = name.partition(":")
    if head == "refused":
        component, _, reason = rest.partition(":")
        e["refusals"][rest] = e["refusals"].get(rest, 0) + n
        if component == "reservations":
            e["reservations"][reason] = e["reservations"].get(reason, 0) + n
    elif head == "dropped":
        e["dropped"][rest] = e["dropped"].get(rest, 0) + n
    elif head == "items_dropped":
        e["items_withheld"][rest] = e["items_withheld"].get(rest, 0) + n
    elif head == "throttled":
        e["throttled"][rest] = e["throttled"].get(rest, 0) + n
    elif head == "waiting":
        e["waiting"] += n
    elif head == "recrawl":  # the verdict on an answer: new, changed, unchanged, not-modified
        e["recrawl"][rest] = e["recrawl"].get(rest, 0) + n


def summarise(report: dict[str, Any]) -> dict[str, Any]:
    """Whether every site stayed within its cap and every stop was honoured, in plain words."""
    sites = report["sites"]
    running = report["crawl"]["running"]
    capped = [s for s in sites if s["cap"] is not None and s["requests"]]
    over = [s["site"] for s in capped if s["within_cap"] is False]
    uncapped = [s["site"] for s in sites if s["cap"] is None and s["requests"]]
    holds = [(s["site"], h) for s in sites for h in s["stops"] + s["pauses"]]
    stops = [(s["site"], h) for s in sites for h in s["stops"]]
    broken = [f"{site} ({h['source']})" for site, h in holds if h["honoured"] is False]
    unknown = [f"{site} ({h['source']})" for site, h in holds if h["honoured"] is None]
    lines = []
    if running:
        lines.append("This crawl is still running (or ended without closing its audit trail): "
                     "the figures are those written so far.")
    n_req = report["totals"]["requests"]
    n_sites = len([s for s in sites if s["requests"]])
    lines.append(f"{_plural(n_req, 'request')} {_were(n_req)} sent to {_plural(n_sites, 'site')}.")
    if not capped and not uncapped:
        lines.append("No site received a request.")
    elif not over:
        peak = max((s["peak_minute"].get("share") or 0 for s in capped), default=0)
        every = "The site" if len(capped) == 1 else "Every site"
        lines.append(
            f"{every} with a traffic cap stayed within it in every minute and every hour "
            f"(the busiest minute used {pct(peak)} of what the cap allows in a minute, its steady rate "
            "plus the burst)." if capped else ""
        )
    else:
        lines.append(f"{_plural(len(over), 'site')} went over the cap (its steady rate plus the burst): "
                     f"{', '.join(over)}.")
    if uncapped:
        lines.append(f"{_plural(len(uncapped), 'site')} had no traffic cap recorded (budget off): "
                     f"{', '.join(uncapped)}.")
    lines.append(servers_line(report.get("servers", [])))
    if not holds:
        lines.append("No site asked the crawler to stop or pause.")
    else:
        slowest = max((h["time_to_honour"] for _, h in holds), default=0.0)
        if not broken and not unknown:
            n_pauses = len(holds) - len(stops)
            kinds = [_plural(n, kind) for n, kind in ((len(stops), "stop"), (n_pauses, "pause")) if n]
            what = " or ".join(k for n, k in ((len(stops), "stop"), (n_pauses, "pause")) if n)
            lines.append(
                (f"The {what} was honoured" if len(holds) == 1 else f"All {' and '.join(kinds)} were honoured")
                + f": no request was sent to a site after its {what} took effect; the longest time from "
                f"receiving a {what} to honouring it was {fmt_duration(slowest)}."
            )
        if broken:
            lines.append(f"NOT honoured ({len(broken)}): {', '.join(broken)} — requests were sent after "
                         "the stop took effect or during the pause.")
        if unknown:
            lines.append(f"No outcome recorded yet for {_plural(len(unknown), 'stop or pause', 'stops or pauses')}: "
                         f"{', '.join(unknown)}.")
    lines.extend(recrawl_lines(report))
    pii = report["totals"]["pii_removed"]
    if pii:
        lines.append(f"{_plural(pii, 'piece')} of personal data {_were(pii)} removed from items before they "
                     "were kept.")
        lines.extend(_pii_fields(report))
    refused = report["totals"]["robots_refused"]
    if refused:
        lines.append(f"{_plural(refused, 'request')} {_were(refused)} not sent because robots.txt disallowed "
                     f"{'it' if refused == 1 else 'them'}.")
    unreachable = report["totals"].get("robots_unreachable", 0)
    if unreachable:
        why = sorted({rule.partition(":")[2] or "unreachable"
                      for s in report["sites"] for rules in s["robots"]["refusals"].values()
                      for rule in rules if rule.startswith("unreachable")})
        lines.append(f"{_plural(unreachable, 'request')} {_were(unreachable)} not sent because robots.txt was unreachable "
                     f"({', '.join(why)}); that is not a disallow, and not a page crawled.")
    return {
        "all_within_cap": None if not capped else not over,
        "sites_over_cap": over,
        "sites_without_cap": uncapped,
        "all_stops_honoured": None if unknown else not broken,
        "stops_not_honoured": broken,
        "stops_without_outcome": unknown,
        "text": [line for line in lines if line],
    }


def reserved(site: dict[str, Any]) -> int:
    """Requests not sent and items not kept because the site reserved them for this purpose."""
    items = sum(n for reason, n in site["items_withheld"].items() if reason != "operator-stop")
    return sum(site["reservations"].values()) + items
