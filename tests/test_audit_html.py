"""The HTML report: self-contained, its charts render in headless Chromium, and opening it makes no request."""

from __future__ import annotations

import re

import pytest
from chromium import CHROMIUM, RecordingProxy, page_requests, run
from lxml import html as lxml_html

from politecrawl.audit import AuditTrail, build_report, find_crawl, records, render_html
from politecrawl.audit.html import CSP
from politecrawl.clock import FakeClock
from politecrawl.state import MemoryStateStore

T0 = 1_700_000_040.0
BAR = (0x3A, 0x6E, 0xA5)  # the request bars' fill, #3a6ea5
CAP = (0xA3, 0x12, 0x1B)  # the cap line, #a3121b


def sample_report(charts=20):
    """Four sites over 10 minutes: a capped one, a stopped one, a paused one, one with a <script> in its rule."""
    clock = FakeClock(T0)
    store = MemoryStateStore(clock)
    trail = AuditTrail(store, "crawl-html", clock, bucket=30)
    trail.start({"bot_name": "bot", "contact": "https://example.org/bot", "user_agent": "bot/1 (+https://example.org/bot)",
                 "purpose": "research", "share": 1 / 3, "spider": "reviews",
                 "settings": {"POLITECRAWL_LOAD_SHARE": 1 / 3, "ROBOTSTXT_OBEY": True, "JOBDIR": None}})
    trail.budget("capped.com", estimate_per_day=259_200, source="estimate file", cap=1.0, burst=2, share=1 / 3)
    trail.budget("stopped.org", estimate_per_day=86_400, source="default", cap=0.3333, burst=2, share=1 / 3)
    for i in range(600):
        trail.sent("capped.com", T0 + i)
        if i % 3 == 0 and i < 300:
            trail.sent("stopped.org", T0 + i)
        if i % 5 == 0:
            trail.sent("paused.net", T0 + i if not 200 <= i < 320 else T0 + 320 + i / 100)
    trail.stop("stopped.org", source="operator", signal="mail from the owner", received_at=T0 + 299.2,
               honoured_at=T0 + 300.1, dropped=12, stop_id="stop-1")
    trail.pause("paused.net", source="retry-after", signal="429 Retry-After: 120", received_at=T0 + 200,
                honoured_at=T0 + 200, until=T0 + 320)
    trail.robots_fetch("https://odd-rules.com:443", 200, "abc123")
    trail.robots_fetch("https://paused.net:443", 404, "unavailable:404", kind="unavailable")
    trail.robots_refused("https://odd-rules.com:443", "disallow:/<script>alert(1)</script>")
    trail.sent("odd-rules.com", T0 + 5)
    clock.advance(600)
    trail.end("finished")
    entry = find_crawl(store)
    return build_report(entry, records(store, entry.crawl_id), charts=charts)


def test_html_is_self_contained():
    page = render_html(sample_report())
    assert f'<meta http-equiv="Content-Security-Policy" content="{CSP}">' in page
    assert "default-src 'none'" in CSP
    assert "<script" not in page.lower()  # the site-given rule is escaped
    assert "&lt;script&gt;" in page
    # no attribute that could load anything, no CSS import or url()
    assert not re.search(r"""\b(src|href|srcset|action|poster|data)\s*=""", page, re.I)
    assert "@import" not in page and "url(" not in page
    assert not re.search(r"<(link|img|iframe|object|embed|audio|video|source|base|form)\b", page, re.I)


def test_only_the_busiest_sites_are_charted():
    report = sample_report(charts=2)
    assert [s["site"] for s in report["sites"] if s["charted"]] == ["capped.com", "paused.net"]
    doc = lxml_html.fromstring(render_html(report).encode())
    assert len(doc.xpath("//svg")) == 2
    # the stopped site has its section (stops are always detailed) but no chart beyond the limit
    assert doc.xpath('//div[@id="site-stopped.org"]') and not doc.xpath('//div[@id="site-stopped.org"]//svg')


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (scripts/test.sh installs it)")
def test_charts_render_in_chromium_and_no_request_leaves_the_page(tmp_path):
    from PIL import Image

    report = sample_report()
    charted = [s["site"] for s in report["sites"] if s["charted"]]
    assert len(charted) == 4
    page = tmp_path / "report.html"
    page.write_text(render_html(report), encoding="utf-8")
    proxy = RecordingProxy()
    try:
        # a control page that does load something: the proxy must see it (the check can fail)
        control = tmp_path / "control.html"
        control.write_text('<!doctype html><img src="http://example.invalid/pixel.png">', encoding="utf-8")
        run(control, tmp_path / "profile-control", proxy, "--dump-dom", "--virtual-time-budget=3000")
        assert any("example.invalid" in line for line in page_requests(proxy.seen)), proxy.seen
        proxy.seen.clear()

        dom = run(page, tmp_path / "profile", proxy, "--dump-dom", "--virtual-time-budget=3000")
        shot = tmp_path / "report.png"
        run(page, tmp_path / "profile", proxy, f"--screenshot={shot}", "--window-size=1000,5200",
            "--virtual-time-budget=3000")
        assert page_requests(proxy.seen) == [], f"the report page made requests: {proxy.seen}"
    finally:
        proxy.close()

    # the DOM Chromium built: one chart per charted site, its bars a non-empty SVG path
    doc = lxml_html.fromstring(dom.encode())
    # no bar the budget allowed rises above the cap line (its steady rate plus the burst)
    for site in charted:
        cap = doc.xpath(f'//div[@id="site-{site}"]//*[local-name()="path"][@class="cap"]/@d')
        bars = doc.xpath(f'//div[@id="site-{site}"]//*[local-name()="path"][@class="requests"]/@d')[0]
        if cap:
            cap_y = float(re.match(r"M[\d.]+ ([\d.]+)H", cap[0]).group(1))
            tops = [float(v) for v in re.findall(r"V([\d.]+)H", bars)]
            assert tops and min(tops) >= cap_y, (site, cap_y, min(tops))
    for site in charted:
        paths = doc.xpath(f'//div[@id="site-{site}"]//*[local-name()="path"][@class="requests"]/@d')
        assert len(paths) == 1 and re.match(r"M[\d.]+ [\d.]+V[\d.]+H[\d.]+V[\d.]+Z", paths[0]), site
    assert doc.xpath('//div[@id="site-capped.com"]//*[local-name()="path"][@class="cap"]')
    assert doc.xpath('//div[@id="site-stopped.org"]//*[local-name()="path"][@class="stop"]')
    assert doc.xpath('//div[@id="site-paused.net"]//*[local-name()="rect"][@class="pause"]')

    # the pixels: one band of bar-coloured rows per chart, and the red cap lines
    image = Image.open(shot).convert("RGB")
    width, height = image.size
    pixels = image.load()

    def near(p, c):
        return all(abs(a - b) <= 12 for a, b in zip(p, c))

    bar_rows = [y for y in range(height) if sum(near(pixels[x, y], BAR) for x in range(0, width, 2)) >= 3]
    bands = [y for i, y in enumerate(bar_rows) if i == 0 or y - bar_rows[i - 1] > 1]
    assert len(bands) == len(charted), f"{len(bands)} bar bands for {len(charted)} charts"
    red = sum(near(pixels[x, y], CAP) for x in range(0, width, 3) for y in range(0, height, 2))
    assert red > 100


def test_the_page_names_the_spider_and_reads_as_written():
    report = sample_report()
    page = render_html(report)
    doc = lxml_html.fromstring(page.encode())
    assert doc.xpath("//h1")[0].text_content().startswith("Compliance report — spider reviews, crawl crawl-html")
    assert "spider reviews" in doc.xpath("//title")[0].text_content()
    rows = {tr[0].text_content(): tr[1].text_content() for tr in doc.xpath("//h2[.='Settings']/following::table[1]//tr")}
    assert "obeyed by politecrawl" in rows["ROBOTSTXT_OBEY"] and "has no effect" in rows["ROBOTSTXT_OBEY"]
    assert rows["JOBDIR"] == "not set"
    assert "unavailable:" not in page and "no robots.txt, so everything is allowed" in page
    assert "version abc123" in page
    assert not re.search(r"\b1 (requests|sites|pieces)\b", doc.text_content())
    # the verdict and the figures agree: a site within its cap is never shown above 100 %
    for site in report["sites"]:
        for peak in (site["peak_minute"], site["peak_hour"]):
            if site["within_cap"]:
                assert peak["share"] <= 1
