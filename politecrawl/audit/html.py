"""The compliance report as one self-contained HTML page.

Inline CSS and inline SVG only: no script, no web font, no image file, no
link to anything. A Content-Security-Policy meta tag forbids the page to load
anything at all, so opening it makes no request. It prints on A4/Letter
(charts are not split across pages).
"""

from __future__ import annotations

import html
import json
from typing import Any

from .report import fmt_bytes, fmt_duration, fmt_time, pct, reserved
from .nodes import nodes_html
from .servers import servers_html

__all__ = ["CSP", "render_html"]

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"

CSS = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;color:#1b1f24;
 margin:0 auto;max-width:60rem;padding:1.5rem}
h1{font-size:1.5rem;margin:0 0 .3rem}h2{font-size:1.2rem;margin:2rem 0 .5rem;border-bottom:1px solid #ccd}
h3{font-size:1.05rem;margin:1.4rem 0 .3rem}
.muted{color:#555}.ok{color:#11632a}.bad{color:#a3121b;font-weight:600}
.verdict{border-radius:6px;padding:.8rem 1rem;margin:1rem 0;border:2px solid #11632a;background:#eef8f0}
.verdict.fail{border-color:#a3121b;background:#fdf0f0}.verdict p{margin:.3rem 0}
table{border-collapse:collapse;width:100%;font-size:.8rem;margin:.4rem 0}
th,td{border-bottom:1px solid #dde;padding:.2rem .3rem;text-align:left;vertical-align:top}
th{font-weight:600;font-size:.75rem}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}td.n{white-space:nowrap}
.site{break-inside:avoid;page-break-inside:avoid;margin-bottom:1.2rem}
svg{display:block;max-width:100%;height:auto}
.legend{font-size:.8rem;color:#444}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.1rem 1rem;font-size:.9rem}dt{color:#555}dd{margin:0}
@media print{body{max-width:none;padding:0;font-size:11pt}h2{break-after:avoid}a{color:inherit}}
"""

W, H = 720, 200
PAD_L, PAD_R, PAD_T, PAD_B = 52, 12, 12, 30


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _strip_label(text: str) -> str:
    """A cell under the header "to keep it knowingly" does not say it again."""
    head, sep, rest = str(text).partition(": ")
    return rest if sep and head.lower() == "to keep it knowingly" else text


def _plural(n: float, word: str) -> str:
    return f"{_n(n)} {word}" + ("" if n == 1 else "s")


def _or(value: Any, empty: str) -> Any:
    """*value*, or the words a person would write when it is missing."""
    return empty if value is None or value == "" or value == [] or value == {} else value


def _n(value: float) -> str:
    """``1,234``, ``9.72``, ``10`` (not ``10.00``)."""
    text = f"{value:,.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _pct(peak: dict[str, Any] | None) -> str:
    if not peak or peak.get("share") is None:
        return "-"
    cls = "ok" if peak.get("within", True) else "bad"
    return f'<span class="{cls}">{pct(peak["share"])}</span>'


def _chart(site: dict[str, Any], t0: float, t1: float, bucket: int) -> str:
    """Requests per time bucket (bars, one SVG path) against the cap's steady rate (dashed line)."""
    series = site["series"]
    cap = site["cap"]
    # what the budget allows in one bucket: the steady rate over the bucket plus the burst
    steady = cap["per_second"] * bucket if cap else None
    allowed = steady + cap["burst"] if cap else None
    top = max([n for _, n in series] + ([allowed] if allowed else []) + [1]) * 1.15
    span = max(t1 - t0, float(bucket))
    iw, ih = W - PAD_L - PAD_R, H - PAD_T - PAD_B

    def x(t: float) -> float:
        return PAD_L + (t - t0) / span * iw

    def y(v: float) -> float:
        return PAD_T + ih - v / top * ih

    base = y(0)
    bars = " ".join(
        f"M{x(t):.1f} {base:.1f}V{y(n):.1f}H{max(x(t + bucket) - 0.6, x(t) + 0.8):.1f}V{base:.1f}Z"
        for t, n in series if n
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" role="img" '
        f'aria-label="requests to {_e(site["site"])} per {bucket} s">',
        f'<rect x="{PAD_L}" y="{PAD_T}" width="{iw}" height="{ih}" fill="#f7f8fa"/>',
    ]
    for hold in site["pauses"]:
        start = max(hold["honoured_at"], t0)
        end = min(hold["until"] if hold.get("until") else t1, t1)
        if end > start:
            parts.append(f'<rect class="pause" x="{x(start):.1f}" y="{PAD_T}" width="{x(end) - x(start):.1f}" '
                         f'height="{ih}" fill="#f3d9a4" opacity="0.6"/>')
    if allowed:  # the burst allowance: a band from the steady rate up to the cap's line
        parts.append(f'<rect class="burst" x="{PAD_L}" y="{y(allowed):.1f}" width="{iw}" '
                     f'height="{y(steady) - y(allowed):.1f}" fill="#f6dcdc"/>')
    parts.append(f'<path class="requests" d="{bars}" fill="#3a6ea5"/>')
    if allowed:
        parts.append(f'<path class="cap" d="M{PAD_L} {y(allowed):.1f}H{W - PAD_R}" stroke="#a3121b" '
                     f'stroke-width="1.5" stroke-dasharray="6 4" fill="none"/>')
        parts.append(f'<text x="{W - PAD_R - 4}" y="{y(allowed) - 4:.1f}" text-anchor="end" '
                     f'font-size="11" fill="#a3121b">cap: {_n(allowed)} per {bucket} s '
                     f'({_n(steady)} steady + burst {_n(cap["burst"])})</text>')
    for hold in site["stops"]:
        at = max(hold["honoured_at"], t0)
        parts.append(f'<path class="stop" d="M{x(at):.1f} {PAD_T}V{base:.1f}" stroke="#000" stroke-width="2"/>')
        parts.append(f'<text x="{x(at) + 3:.1f}" y="{PAD_T + 11}" font-size="11">stop ({_e(hold["source"])})</text>')
    parts += [
        f'<path d="M{PAD_L} {PAD_T}V{base:.1f}H{W - PAD_R}" stroke="#333" fill="none"/>',
        f'<text x="{PAD_L - 4}" y="{base:.1f}" text-anchor="end" font-size="11">0</text>',
        f'<text x="{PAD_L - 4}" y="{PAD_T + 10}" text-anchor="end" font-size="11">{_n(round(top, 1))}</text>',
        f'<text x="{PAD_L}" y="{H - 10}" font-size="11">{_e(fmt_time(t0)[11:19])}</text>',
        f'<text x="{W - PAD_R}" y="{H - 10}" text-anchor="end" font-size="11">{_e(fmt_time(t1)[11:19])} UTC</text>',
        f'<text x="{(PAD_L + W) / 2:.0f}" y="{H - 10}" text-anchor="middle" font-size="11">'
        f'requests per {bucket} s</text>',
        "</svg>",
    ]
    return "".join(parts)


def _holds_table(site: dict[str, Any]) -> str:
    holds = [("stop", h) for h in site["stops"]] + [("pause", h) for h in site["pauses"]]
    if not holds:
        return ""
    rows = []
    for kind, h in holds:
        if h["honoured"] is True:
            verdict = '<span class="ok">honoured</span>'
        elif h["honoured"] is False:
            verdict = f'<span class="bad">NOT honoured: {h["sent_after"]} sent after</span>'
        else:
            verdict = _e(h.get("outcome", "unknown"))
        until = f" until {_e(fmt_time(h['until']))}" if kind == "pause" and h.get("until") else ""
        rows.append(
            f"<tr><td>{kind}{until}</td><td>{_e(h['source'])}</td><td>{_e(h['signal'])}</td>"
            f"<td>{_e(fmt_time(h['received_at']))}{' (before this crawl)' if h['before_crawl'] else ''}</td>"
            f"<td>{_e(fmt_time(h['honoured_at']))}</td><td class=n>{_e(fmt_duration(h['time_to_honour']))}</td>"
            f"<td class=n>{h['dropped']}</td><td class=n>{'-' if h['sent_between'] is None else h['sent_between']}</td>"
            f"<td>{verdict}</td></tr>"
        )
    return (
        "<table><tr><th>what</th><th>source</th><th>signal</th><th>received</th><th>honoured</th>"
        "<th class=n>time to honour</th><th class=n>queued requests dropped</th>"
        "<th class=n>sent while it was being applied</th><th>outcome</th></tr>" + "".join(rows) + "</table>"
    )


def _counts(title: str, counts: dict[str, Any]) -> str:
    if not counts:
        return ""
    items = ", ".join(f"{_e(k)}: {_n(v)}" for k, v in sorted(counts.items()))
    return f"<p><b>{_e(title)}</b>: {items}</p>"


def _removals_table(removals: list[dict[str, Any]]) -> str:
    """Personal data removed, per field and type, with how to keep the field knowingly."""
    if not removals:
        return ""
    rows = "".join(
        f"<tr><td>{_e(r['field'])}</td><td>{_e(r['type'])}</td><td class=n>{_n(r['count'])}</td>"
        f"<td>{_e(_strip_label(r['keep']))}</td></tr>"
        for r in sorted(removals, key=lambda r: (-r["count"], r["field"], r["type"]))
    )
    return ("<table><thead><tr><th>field</th><th>removed as</th><th>count</th><th>to keep it knowingly</th></tr>"
            f"</thead><tbody>{rows}</tbody></table>")


def _removals_section(sites: list[dict[str, Any]]) -> str:
    """Personal data removed over the crawl, per field and type (all sites), with how to keep each field."""
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for site in sites:
        for r in site["pii"].get("removals", []):
            row = merged.setdefault((r["field"], r["type"]), {**r, "count": 0})
            row["count"] += r["count"]
    if not merged:
        return ""
    return ("<h2>Personal data removed, by field</h2>" + _removals_table(list(merged.values()))
            + '<p class="legend">Each field removed from items or cleaned of personal data, how it was found, and '
              "how to keep it if the study needs it and may lawfully have it.</p>")


def _site_section(site: dict[str, Any], t0: float, t1: float, bucket: int) -> str:
    cap = site["cap"]
    parts = [f'<div class="site" id="site-{_e(site["site"])}"><h3>{_e(site["site"])}</h3>']
    if cap:
        parts.append(
            f'<p class="muted">Cap {cap["per_day"]:,.0f} requests/day ({cap["per_second"]:.4g} per second, '
            f'burst {_n(cap["burst"])}), from an estimate of {_n(cap["estimate_per_day"] or 0)} requests/day '
            f'({_e(_or(cap["estimate_source"], "source not recorded"))}){_limited(cap)}. Busiest minute: '
            f'{_plural(site["peak_minute"]["requests"], "request")} ({_pct(site["peak_minute"])} of what the cap '
            f'allows in a minute); busiest hour: {_plural(site["peak_hour"]["requests"], "request")} '
            f'({_pct(site["peak_hour"])}).</p>'
        )
    else:
        parts.append('<p class="muted">No traffic cap was recorded for this site (budget off).</p>')
    if site.get("charted"):
        parts.append(_chart(site, t0, t1, bucket))
    robots = site["robots"]
    if robots["fetches"]:
        fetches = "; ".join(_fetch(f) for f in robots["fetches"])
        parts.append(f"<p><b>robots.txt fetched</b>: {fetches}</p>")
    if robots["refusals"]:
        rules = "; ".join(
            f"{_e(origin)} {_e(rule)}: {n}" for origin, by_rule in sorted(robots["refusals"].items())
            for rule, n in sorted(by_rule.items())
        )
        parts.append(f"<p><b>refused by robots.txt</b> ({robots['refused']} disallowed, "
                     f"{robots.get('unreachable', 0)} robots.txt unreachable): {rules}</p>")
    for stop in robots["stop_requests"]:
        parts.append(
            f"<p><b>robots.txt asks us to stay away</b>: {_e(stop['origin'])} disallows everything for this "
            f"crawler ({_e(_version(stop.get('version')))}, seen {_e(fmt_time(stop['at']))}); "
            "no page of it was requested after that.</p>"
        )
    parts.append(_holds_table(site))
    parts.append(_counts("reservations honoured (requests not sent)", site["reservations"]))
    parts.append(_counts("items withheld", site["items_withheld"]))
    parts.append(_counts("requests dropped by stops", site["dropped"]))
    parts.append(_counts("throttled answers", site["throttled"]))
    pii = site["pii"]
    if pii["removed"]:
        parts.append(_counts(f"personal data removed ({pii['removed']}) by type", pii["by_type"]))
        parts.append(_counts("by field", pii["by_field"]))
        parts.append(_removals_table(pii.get("removals", [])))
    if site["waiting"]:
        waiting = site["waiting"]
        parts.append(f"<p>{_plural(waiting, 'request')} {'was' if waiting == 1 else 'were'} still waiting for the "
                     "site's budget at the end.</p>")
    parts.append("</div>")
    return "".join(parts)


def _version(version: Any) -> str:
    """A robots.txt version as a person reads it (a content hash, or why there was none)."""
    text = str(version or "")
    kind, _, status = text.partition(":")
    if kind == "unavailable":
        return f"no robots.txt (HTTP {status}): everything allowed"
    if kind == "unreachable" or not text:
        return "could not be read"
    return f"version {text[:12]}"


def _fetch(f: dict[str, Any]) -> str:
    """One robots.txt fetch: origin, what came back, when."""
    kind, status = f.get("kind"), f.get("status")
    if kind == "unreachable" or status is None:
        what = f"unreachable ({f.get('reason') or 'no answer'}): nothing else is fetched from it meanwhile"
    elif kind == "unavailable":
        what = f"HTTP {status}: no robots.txt, so everything is allowed"
    else:
        what = f"HTTP {status}, {_version(f.get('version'))}"
    return f"{_e(f['origin'])} → {_e(what)} ({_e(fmt_time(f['at'])[11:21])})"


def _detailed(site: dict[str, Any]) -> bool:
    """Charted sites, and any site with a stop, a pause or a cap overrun, get a section."""
    return bool(site.get("charted") or site["stops"] or site["pauses"] or site["within_cap"] is False)


def _limited(cap: dict[str, Any]) -> str:
    return " — limited by POLITECRAWL_MAX_SITE_RATE" if cap.get("limited_by") == "max_site_rate" else ""


def render_html(report: dict[str, Any]) -> str:
    crawl = report["crawl"]
    summary = report["summary"]
    sites = report["sites"]
    bucket = int(crawl.get("bucket_seconds", 60))
    starts = [t for s in sites for t, _ in s["series"]]
    t0 = min([crawl["started_at"], *starts])
    t1 = max([crawl.get("ended_at") or 0, *(t + bucket for t in starts), t0 + bucket])
    good = summary["all_within_cap"] is not False and summary["all_stops_honoured"] is not False
    verdict = "".join(f"<p>{_e(line)}</p>" for line in summary["text"])
    rows = []
    for s in sites:
        cap = s["cap"]
        holds = s["stops"] + s["pauses"]
        per_day = f"{cap['per_day']:,.0f}" if cap else "none"
        rows.append(
            f'<tr><td>{_e(s["site"])}</td><td class=n>{s["requests"]:,}</td><td class=n>{_e(fmt_bytes(s["bytes"]))}</td>'
            f'<td class=n>{per_day}</td>'
            f'<td class=n>{_pct(s["peak_minute"])}</td>'
            f'<td class=n>{_pct(s["peak_hour"])}</td><td class=n>{len(s["robots"]["fetches"])}</td>'
            f'<td class=n>{s["robots"]["refused"]}</td><td class=n>{len(s["stops"])}/{len(s["pauses"])}</td>'
            f'<td class=n>{_e(fmt_duration(max(h["time_to_honour"] for h in holds))) if holds else "-"}</td>'
            f'<td class=n>{reserved(s)}</td>'
            f'<td class=n>{s["pii"]["removed"]}</td></tr>'
        )
    spider = _or(crawl.get("spider"), "")
    ended = "still running" if crawl["running"] else fmt_time(crawl["ended_at"]) + (
        f" ({_ENDS.get(crawl['end_reason'], crawl['end_reason'])})" if crawl.get("end_reason") else "")
    identity = [
        ("spider", _or(spider, "not recorded")),
        ("crawl id", crawl["id"]),
        ("started", fmt_time(crawl["started_at"])),
        ("ended", ended),
        ("crawler (User-Agent)", _or(crawl.get("user_agent"), "not recorded")),
        ("contact for site owners", _or(crawl.get("contact"), "not recorded")),
        ("purpose", _or(crawl.get("purpose"), "not recorded")),
        ("share of each site's traffic", _share(crawl.get("share"))),
        ("politecrawl version", _or(crawl.get("version"), "not recorded")),
    ]
    settings = crawl.get("settings") or {}
    title = f"spider {spider}, crawl {crawl['id']}" if spider else f"crawl {crawl['id']}"
    charted = [s for s in sites if s.get("charted")]
    return "".join([
        "<!DOCTYPE html><html lang=en><head><meta charset=utf-8>",
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name=viewport content="width=device-width,initial-scale=1">',
        f"<title>politecrawl compliance report — {_e(title)}</title>",
        f"<style>{CSS}</style></head><body>",
        f"<h1>Compliance report — {_e(title)}</h1>",
        '<p class="muted">Made by politecrawl from the crawl\'s audit trail. Times are UTC.</p>',
        f'<div class="verdict{"" if good else " fail"}">{verdict}</div>',
        "<h2>Who crawled, and why</h2><dl>",
        "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in identity),
        "</dl>",
        "<h2>Sites</h2>",
        "<table><tr><th>site</th><th class=n>requests</th><th class=n>bytes</th><th class=n>cap per day</th>"
        "<th class=n>busiest minute</th><th class=n>busiest hour</th><th class=n>robots.txt fetched</th>"
        "<th class=n>robots.txt refused</th><th class=n>stops / pauses</th><th class=n>time to honour</th>"
        "<th class=n>reserved</th><th class=n>personal data</th></tr>",
        "".join(rows),
        "</table>",
        '<p class="legend">Busiest minute / hour: the most requests the site got in any minute / hour, as a '
        "share of what its cap allows in that time (the steady rate over the time, plus the burst the "
        "budget allows); over 100 % would be a breach. "
        "Robots.txt refused: requests not sent because robots.txt disallowed them, or because it was "
        "unreachable (counted apart: not a disallow). Reserved: requests not "
        "sent and items not kept because the site reserved them for this purpose. Personal data: pieces "
        "removed from items (counted by type and field name, never kept).</p>",
        nodes_html(report.get("nodes", []), _ENDS),
        servers_html(report.get("servers", [])),
        _removals_section(sites),
        f"<h2>Requests over time ({len(charted)} busiest sites)</h2>",
        '<p class="legend">Blue bars: requests sent per time bucket. Dashed red line: the cap, what the '
        "budget allows in one bucket (the steady rate plus the burst; the pink band is the burst). "
        "Orange shading: pauses. Black line: a stop.</p>",
        "".join(_site_section(s, t0, t1, bucket) for s in sites if _detailed(s)),
        "<h2>Settings</h2>",
        '<p class="legend">The politecrawl settings of the crawl and a few of Scrapy\'s, as in force.</p><table>',
        "".join(f"<tr><td>{_e(k)}</td><td>{_e(_setting(k, v))}</td></tr>" for k, v in sorted(settings.items())),
        "</table></body></html>\n",
    ])


#: Scrapy's close reasons, as a person says them.
_ENDS = {"finished": "finished", "closespider_timeout": "stopped after its time limit",
         "closespider_itemcount": "stopped after its item limit", "closespider_pagecount": "stopped after its page limit",
         "shutdown": "interrupted", "cancelled": "cancelled"}


def _setting(name: str, value: Any) -> str:
    """A setting's value as in force, in words where a bare value would mislead or say nothing."""
    if name == "ROBOTSTXT_OBEY":
        # politecrawl's add-on removes Scrapy's RobotsTxtMiddleware: this flag switches nothing on or off
        return ("robots.txt is obeyed by politecrawl (RFC 9309, fails closed); Scrapy's own robots.txt "
                f"middleware is replaced, so ROBOTSTXT_OBEY ({value}) has no effect")
    if value is None:
        return "not set"
    if value == "" or value == [] or value == {}:
        return "empty"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _share(share: Any) -> str:
    try:
        return f"{float(share):.4g} (at most this share of a site's estimated daily requests)"
    except (TypeError, ValueError):
        return "not recorded (budget off)"
