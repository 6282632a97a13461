"""Search crawls end to end: `politecrawl crawl` against the sandbox web, judged by its request log."""

from __future__ import annotations

import json

import pytest
from helpers import REPO, politecrawl_command, run_crawl

from politecrawl.sandbox import SiteSpec

pytestmark = pytest.mark.e2e

PDF_BYTES = 20_000_000


def _dir(tmp_path, name):
    path = tmp_path / name
    path.mkdir()
    return path


def _paths(seen: list[dict], site: str | None = None) -> list[str]:
    return [r["path"] for r in seen if site is None or r["site"] == site]


def test_sitemaps_files_and_duplicates(sandbox, tmp_path):
    spec = SiteSpec(
        "shop-a.com", pages=12, sitemap="index", sitemap_path="/maps/index.xml", sitemap_pages=4,
        file_links=2, download_links=1, large_pdf=PDF_BYTES, tracking_links=True, canonical=True,
        robots="User-agent: *\nDisallow: /s/3\nSitemap: http://shop-a.com/maps/index.xml\n",
    )
    web = sandbox([spec])
    proc, items = run_crawl(web, [web.url("shop-a.com")], tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    seen = web.requests()
    paths = _paths(seen)
    # the sitemap named in robots.txt, its index's plain and gzipped parts; not the default one
    for sitemap in ("/maps/index.xml", "/sitemaps/part-0.xml", "/sitemaps/part-1.xml.gz"):
        assert paths.count(sitemap) == 1, sitemap
    assert "/sitemap.xml" not in paths
    # every page once, sitemap-only ones included; the one robots.txt disallows never
    pages = ["/"] + [f"/p/{i}" for i in range(12)] + ["/s/0", "/s/1", "/s/2"]
    assert sorted(p for p in paths if p.startswith(("/p/", "/s/")) or p == "/") == sorted(pages)
    assert "/s/3" not in paths
    # no duplicate spelled with tracking or session parameters
    assert not [p for p in paths if "utm_" in p or "jsessionid" in p.lower() or "PHPSESSID" in p]
    # files with obvious extensions are not requested, the big PDF's link included
    assert not [p for p in paths if p.startswith("/files/")]
    # a link without an extension is requested and cut at its headers: little of the PDF is read
    (big,) = [r for r in seen if r["path"] == "/download/big"]
    assert big["bytes"] < PDF_BYTES / 4, big["bytes"]
    # one item per page, none for the downloads
    assert sorted(item["url"] for item in items) == sorted(f"http://shop-a.com{p}" for p in pages)
    # the cut downloads are counted in the summary (and so in the audit trail)
    downloads = len([p for p in paths if p.startswith("/download/")])
    assert f"search:content_type={downloads}" in proc.stdout, proc.stdout
    # nothing was asked for twice (a connection closed by a cut is never reused)
    assert len(paths) == len(set(paths)), paths


def test_canonical_url_is_recorded_and_not_fetched_again(sandbox, tmp_path):
    # /a/15 is linked from the home page (depth 1); /p/15 only from depth-2 pages
    web = sandbox([SiteSpec("shop-a.com", pages=20, canonical=True, aliases=[15], tracking_links=True)])
    proc, items = run_crawl(web, [web.url("shop-a.com")], tmp_path, {"CONCURRENT_REQUESTS": "1"})
    assert proc.returncode == 0, proc.stderr[-3000:]
    paths = _paths(web.requests())
    assert "/a/15" in paths and "/p/15" not in paths
    urls = {item["url"]: item for item in items}
    assert urls["http://shop-a.com/p/15"]["fetched_url"] == "http://shop-a.com/a/15"
    assert set(urls) == {"http://shop-a.com/"} | {f"http://shop-a.com/p/{i}" for i in range(20)}
    assert "search:canonical_seen=" in proc.stdout


def test_default_sitemap_and_turning_sitemaps_off(sandbox, tmp_path):
    spec = SiteSpec("news.example.de", pages=3, sitemap="urlset", sitemap_pages=3, robots=None)
    web = sandbox([spec])
    proc, _ = run_crawl(web, [web.url("news.example.de")], _dir(tmp_path, "on"))
    assert proc.returncode == 0, proc.stderr[-3000:]
    paths = _paths(web.requests())
    assert paths.count("/sitemap.xml") == 1  # robots.txt names none (it is a 404)
    assert {"/s/0", "/s/1", "/s/2"} <= set(paths)

    off = sandbox([spec])
    proc, _ = run_crawl(off, [off.url("news.example.de")], _dir(tmp_path, "off"), {"POLITECRAWL_SITEMAPS": "False"})
    assert proc.returncode == 0, proc.stderr[-3000:]
    paths = _paths(off.requests())
    assert "/sitemap.xml" not in paths and not [p for p in paths if p.startswith("/s/")]
    assert {f"/p/{i}" for i in range(3)} <= set(paths)


def _bfs_depths(pages: int) -> dict[str, int]:
    depth = {"/": 0}
    frontier = [(f"/p/{i}", None) for i in range(min(pages, 5))]
    level = 1
    while frontier:
        nxt = []
        for path, _ in frontier:
            if path in depth:
                continue
            depth[path] = level
            i = int(path[3:])
            nxt += [(f"/p/{j}", None) for j in (i + 1, 2 * i + 1, 2 * i + 2) if j < pages]
        frontier, level = nxt, level + 1
    return depth


def test_breadth_first_order_depth_limit_and_host_scope(sandbox, tmp_path):
    sites = [
        SiteSpec("blog.example.com", pages=40, extra_links=["http://www.example.com/"]),
        SiteSpec("www.example.com", pages=3),
    ]
    web = sandbox(sites)
    # one request at a time, so the order the site sees is the frontier's order
    proc, _ = run_crawl(web, [web.url("blog.example.com")], _dir(tmp_path, "bfs"),
                        {"CONCURRENT_REQUESTS": "1", "POLITECRAWL_SCOPE": "host"})
    assert proc.returncode == 0, proc.stderr[-3000:]
    seen = web.requests()
    assert {r["site"] for r in seen} == {"blog.example.com"}  # host scope: not www.example.com
    depth = _bfs_depths(40)
    order = [depth[p] for p in _paths(seen) if p in depth]
    assert len(order) == 41 and order == sorted(order), order

    web2 = sandbox(sites)
    proc, _ = run_crawl(web2, [web2.url("blog.example.com")], _dir(tmp_path, "depth"),
                        {"POLITECRAWL_DEPTH_LIMIT": "2"})
    assert proc.returncode == 0, proc.stderr[-3000:]
    pages = {p for p in _paths(web2.requests(), "blog.example.com") if p in depth}
    assert pages == {p for p, d in depth.items() if d <= 2}
    assert "search:depth_limit=" in proc.stdout


def test_site_page_quota_is_in_the_summary_and_the_report(sandbox, tmp_path):
    web = sandbox([SiteSpec("shop-a.com", pages=30, sitemap="urlset", sitemap_pages=5)])
    state = f"sqlite:///{tmp_path / 'state.db'}"
    proc, items = run_crawl(web, [web.url("shop-a.com")], tmp_path, {"POLITECRAWL_SITE_PAGE_QUOTA": "10"})
    assert proc.returncode == 0, proc.stderr[-3000:]
    pages = [p for p in _paths(web.requests()) if p == "/" or p.startswith(("/p/", "/s/"))]
    assert len(pages) == 10 and len(items) == 10
    assert "search:page_quota=" in proc.stdout
    report_json = tmp_path / "report.json"
    run = politecrawl_command("report", "--state", state, "--json", report_json, cwd=REPO, timeout=60)
    assert run.returncode == 0, run.stderr
    (site,) = [s for s in json.loads(report_json.read_text())["sites"] if s["site"] == "shop-a.com"]
    assert site["dropped"].get("search:page_quota", 0) > 0


def test_a_bad_search_setting_is_one_line_and_no_request(sandbox, tmp_path):
    web = sandbox([SiteSpec("shop-a.com", pages=2)])
    proc, _ = run_crawl(web, [web.url("shop-a.com")], tmp_path, {"POLITECRAWL_SCOPE": "galaxy"})
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "politecrawl: error: POLITECRAWL_SCOPE ('galaxy') must be one of domain, host, prefix"
    ]
    assert web.requests() == []
