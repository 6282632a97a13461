"""Budget spent on pages worth having: ``politecrawl crawl`` vs plain Scrapy's ``CrawlSpider``.

A sandbox site links non-HTML files (about 30 % of its links), duplicate URLs
(``utm_*`` parameters, ``;jsessionid=`` and ``PHPSESSID``), and has pages listed
only in its sitemap. Both crawlers get the same budget: the first *N* requests
the site received (robots.txt, sitemaps and files included; *N* = the site's
pages allowed by robots.txt × 1.1), read from the sandbox's request log.

* ``politecrawl`` ``politecrawl crawl SEED`` (defaults: sitemaps, domain scope, files
                  skipped, non-HTML cut at headers, clean URLs, breadth-first)
* ``scrapy``      plain Scrapy, ``CrawlSpider`` with ``Rule(LinkExtractor(), follow=True)``
                  (LinkExtractor defaults), ``ROBOTSTXT_OBEY = True``

Figures per crawler: *kept* = requests that brought an HTML page not seen before
(a page is its path without query or path parameters; ``/a/i`` is ``/p/i``) over
requests spent; *found* = the site's pages (allowed by robots.txt) fetched;
*sitemap-only* = pages listed only in the sitemap (allowed by robots.txt) fetched.

Sites: ``tuned`` (the one the defaults were checked on), ``held-out`` (written
before the first run, never tuned on) and ``downloads`` (the known limit: every
page also links a file whose URL has no extension).

    python bench/search_bench.py [--site tuned|held-out|downloads|all]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from protego import Protego

from politecrawl.sandbox import SandboxWeb, SiteSpec
from politecrawl.sandbox.search_site import page_paths

CONTACT = "https://example.org/politecrawl-bench"

SITES = {
    # 3 page links + 3 duplicates + 2 files + 1 extension-less download on /: files ~25-33 % of links
    "tuned": SiteSpec(
        "shop-a.com", pages=200, sitemap="index", sitemap_path="/maps/index.xml", sitemap_pages=40,
        file_links=3, tracking_links=True, canonical=True, aliases=[150, 170], large_pdf=5_000_000,
        robots="User-agent: *\nDisallow: /s/39\nSitemap: http://shop-a.com/maps/index.xml\n",
    ),
    "held-out": SiteSpec(
        "news.example.de", pages=120, sitemap="urlset", sitemap_pages=25, file_links=3,
        tracking_links=True, canonical=True, aliases=[90], large_pdf=2_000_000,
        robots="User-agent: *\nDisallow: /p/7\nDisallow: /s/2\n",
    ),
    # the limit: a file link without an extension on every page costs a token (cut at its headers)
    "downloads": SiteSpec(
        "files.example.fr", pages=120, sitemap="urlset", sitemap_pages=25, file_links=2,
        download_links=1, tracking_links=True, robots="User-agent: *\nAllow: /\n",
    ),
}


def _page_of(path: str) -> str:
    bare = path.split("?", 1)[0].split(";", 1)[0]
    return "/p/" + bare[3:] if bare.startswith("/a/") else bare


def _allowed(site: SiteSpec) -> set[str]:
    """The site's pages its robots.txt allows (protego, as the crawlers read it)."""
    rules = Protego.parse(site.robots or "")
    return {p for p in page_paths(site) if rules.can_fetch(f"http://{site.host}{p}", "politecrawl")}


def measure(site: SiteSpec, log: list[dict[str, Any]], budget: int) -> dict[str, Any]:
    spent = [r for r in log if r["site"] == site.host][:budget]
    pages = set(page_paths(site))
    allowed = _allowed(site)
    seen: set[str] = set()
    kept = 0
    for r in spent:
        page = _page_of(r["path"])
        if r["status"] == 200 and page in pages and page not in seen:
            kept += 1
            seen.add(page)
    only_sitemap = {p for p in allowed if p.startswith("/s/")}
    return {
        "requests": len(spent),
        "kept_share": kept / len(spent) if spent else 0.0,
        "found": len(seen & allowed) / len(allowed),
        "sitemap_only_found": len(seen & only_sitemap) / len(only_sitemap) if only_sitemap else 1.0,
        "files": sum(1 for r in spent if r["path"].startswith(("/files/", "/download/"))),
        "duplicates": sum(1 for r in spent if ("?" in r["path"] or ";" in r["path"])),
    }


def run_politecrawl(web: SandboxWeb, site: SiteSpec, workdir: Path) -> None:
    settings = {
        "POLITECRAWL_CONTACT": CONTACT,
        "POLITECRAWL_STATE": f"sqlite:///{workdir / 'state.db'}",
        "POLITECRAWL_DEFAULT_DAILY_REQUESTS": "1e12",
        "POLITECRAWL_MAX_SITE_RATE": "1000",
        "POLITECRAWL_BURST": "50",
        "LOG_LEVEL": "WARNING",
        **web.settings(),
    }
    args = [sys.executable, "-m", "politecrawl.cli", "crawl", web.url(site.host)]
    for name, value in settings.items():
        args += ["-s", f"{name}={value}"]
    subprocess.run(args, check=True, cwd=workdir, capture_output=True, timeout=900, env=_env())


def run_scrapy(web: SandboxWeb, site: SiteSpec, workdir: Path) -> None:
    args = [sys.executable, __file__, "--plain", web.url(site.host), web.address]
    subprocess.run(args, check=True, cwd=workdir, capture_output=True, timeout=900, env=_env())


def _env() -> dict[str, str]:
    env = dict(os.environ)
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        env.pop(name, None)
    return env


def plain_scrapy(seed: str, address: str) -> None:
    """Plain Scrapy: CrawlSpider + LinkExtractor defaults, robots.txt obeyed."""
    from scrapy.crawler import CrawlerProcess  # noqa: PLC0415
    from scrapy.linkextractors import LinkExtractor  # noqa: PLC0415
    from scrapy.spiders import CrawlSpider, Rule  # noqa: PLC0415

    host = seed.split("//", 1)[1].strip("/")

    class PlainSpider(CrawlSpider):
        name = "plain"
        allowed_domains = [host]
        start_urls = [seed]
        rules = (Rule(LinkExtractor(), callback="parse_item", follow=True),)

        def parse_item(self, response: Any) -> Any:
            yield {"url": response.url}

    process = CrawlerProcess({
        "ROBOTSTXT_OBEY": True,
        "LOG_LEVEL": "WARNING",
        "TWISTED_DNS_RESOLVER": "politecrawl.sandbox.resolver.SandboxResolver",
        "POLITECRAWL_SANDBOX": address,
        "USER_AGENT": f"plainscrapy-bench (+{CONTACT})",
    })
    process.crawl(PlainSpider)
    process.start()


def bench(name: str) -> dict[str, Any]:
    site = SITES[name]
    budget = round(len(_allowed(site)) * 1.1)
    result: dict[str, Any] = {"site": name, "budget": budget, "allowed_pages": len(_allowed(site))}
    for arm, run in (("politecrawl", run_politecrawl), ("scrapy", run_scrapy)):
        with tempfile.TemporaryDirectory() as tmp, SandboxWeb([site]) as web:
            run(web, site, Path(tmp))
            log = web.requests()
        result[arm] = {**measure(site, log, budget), "requests_total": len(log)}
    return result


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--plain":
        plain_scrapy(sys.argv[2], sys.argv[3])
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("--site", choices=[*SITES, "all"], default="all")
    args = parser.parse_args()
    names = list(SITES) if args.site == "all" else [args.site]
    for name in names:
        result = bench(name)
        print(json.dumps(result))
        for arm in ("politecrawl", "scrapy"):
            r = result[arm]
            print(f"{name:9} {arm:11} budget={result['budget']} spent={r['requests']} "
                  f"kept={r['kept_share']:.3f} found={r['found']:.3f} "
                  f"sitemap-only={r['sitemap_only_found']:.3f} files={r['files']} "
                  f"duplicates={r['duplicates']} (all requests: {r['requests_total']})")


if __name__ == "__main__":
    main()
