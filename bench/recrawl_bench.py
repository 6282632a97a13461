"""What a recrawl costs the site: ``politecrawl crawl`` twice on one state vs plain Scrapy's HTTP cache.

A sandbox site of 1,000 pages (plus its home page) that sends ``ETag`` and
``Last-Modified`` is crawled, then 10 % of its pages (chosen at random, fixed
seed) change, then it is crawled again. Figures from the sandbox's request log:
requests and body bytes the site served in the recrawl against the first crawl,
and how many of the changed pages the recrawl fetched again (anything less
serves stale content). The floor is the body bytes of the changed pages as the
site now serves them (one direct GET each, outside the measured rounds): no
recrawl that fetches them again can cost less. Header bytes are estimated from one raw 200 and one raw
304 of the same page (the log counts bodies).

Arms, each on a fresh sandbox and state:

* ``politecrawl``        ``politecrawl crawl SEED`` (defaults; recrawl on; every page due at once:
                         ``POLITECRAWL_RECRAWL_MIN_INTERVAL=0``, ``..._INITIAL_INTERVAL=0``; budget not binding)
* ``politecrawl-not-due`` the same with the default revisit schedule: the recrawl right after the first
                         crawl finds nothing due (each page is due a day after its fetch), so it measures
                         what the schedule saves against ``politecrawl`` (every page due)
* ``scrapy-rfc2616``     plain Scrapy, a spider that follows every link, ``ROBOTSTXT_OBEY``,
                         ``HTTPCACHE_ENABLED`` with ``RFC2616Policy`` (the site sends no Cache-Control:
                         Scrapy's heuristic freshness, 10 % of the page's age, applies)
* ``scrapy-rfc2616-stale`` the same against the same site sending ``Cache-Control: max-age=0`` (every
                         entry stale at once: the cache revalidates it with the stored validators)
* ``scrapy-rfc2616-nc``  the same with ``Cache-Control: no-cache``: Scrapy 2.19's ``RFC2616Policy`` returns
                         "not fresh" for it before it sets the validators, so every page is fetched in full
* ``scrapy-nocache``     plain Scrapy without a cache: a recrawl is a full crawl

Sites: ``tuned`` (1,000 pages, ETag and Last-Modified, small pages) and ``held-out``
(1,000 pages, Last-Modified only, 3 KB of padding per page, another random 10 %),
written before the first run and never tuned on.

    python bench/recrawl_bench.py [--site tuned|held-out|all] [--arms politecrawl,scrapy-rfc2616,...]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from politecrawl.sandbox import SandboxWeb, SiteSpec

CONTACT = "https://example.org/politecrawl-bench"
PAGES = 1000
CHANGED_SHARE = 0.10

SITES = {
    "tuned": (SiteSpec("shop-a.com", pages=PAGES, validators="both"), 1),
    "held-out": (SiteSpec("news.example.de", pages=PAGES, validators="last-modified", body_size=3000), 2),
}
ARMS = ("politecrawl", "politecrawl-not-due", "scrapy-rfc2616", "scrapy-rfc2616-stale", "scrapy-rfc2616-nc", "scrapy-nocache")


def _env() -> dict[str, str]:
    env = dict(os.environ)
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        env.pop(name, None)
    return env


def run_politecrawl(web: SandboxWeb, host: str, workdir: Path, due_at_once: bool = True) -> None:
    settings = {
        "POLITECRAWL_CONTACT": CONTACT, "POLITECRAWL_STATE": f"sqlite:///{workdir / 'state.db'}",
        "POLITECRAWL_DEFAULT_DAILY_REQUESTS": "1e12", "POLITECRAWL_MAX_SITE_RATE": "1000", "POLITECRAWL_BURST": "50",
        "LOG_LEVEL": "WARNING", **web.settings(),
    }
    if due_at_once:
        settings |= {"POLITECRAWL_RECRAWL_MIN_INTERVAL": "0", "POLITECRAWL_RECRAWL_INITIAL_INTERVAL": "0"}
    args = [sys.executable, "-m", "politecrawl.cli", "crawl", web.url(host)]
    for name, value in settings.items():
        args += ["-s", f"{name}={value}"]
    subprocess.run(args, check=True, cwd=workdir, capture_output=True, timeout=1800, env=_env())


def run_scrapy(web: SandboxWeb, host: str, workdir: Path, cache: bool) -> None:
    args = [sys.executable, __file__, "--plain", web.url(host), web.address, "cache" if cache else "nocache"]
    subprocess.run(args, check=True, cwd=workdir, capture_output=True, timeout=1800, env=_env())


def plain_scrapy(seed: str, address: str, cache: str) -> None:
    """Plain Scrapy: follow every link of the site, robots.txt obeyed, optionally RFC2616Policy's cache."""
    import scrapy  # noqa: PLC0415
    from scrapy.crawler import CrawlerProcess  # noqa: PLC0415

    host = seed.split("//", 1)[1].strip("/")

    class PlainSpider(scrapy.Spider):
        name = "plain"
        allowed_domains = [host]
        start_urls = [seed]

        def parse(self, response: Any) -> Any:
            yield {"url": response.url}
            for href in response.css("a::attr(href)").getall():
                yield response.follow(href, callback=self.parse)

    settings = {
        "ROBOTSTXT_OBEY": True, "LOG_LEVEL": "WARNING", "USER_AGENT": f"plainscrapy-bench (+{CONTACT})",
        "TWISTED_DNS_RESOLVER": "politecrawl.sandbox.resolver.SandboxResolver", "POLITECRAWL_SANDBOX": address,
    }
    if cache == "cache":
        settings.update(HTTPCACHE_ENABLED=True, HTTPCACHE_POLICY="scrapy.extensions.httpcache.RFC2616Policy",
                        HTTPCACHE_DIR=str(Path.cwd() / "httpcache"))
    process = CrawlerProcess(settings)
    process.crawl(PlainSpider)
    process.start()


def raw_get(address: str, host: str, path: str, extra: str = "") -> tuple[bytes, bytes]:
    """Status line and headers, and body, of one GET of *path* on *host*, straight to the sandbox."""
    with socket.create_connection(("127.0.0.1", int(address.rpartition(":")[2]))) as s:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n{extra}\r\n".encode())
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return head + b"\r\n\r\n", body


def header_bytes(address: str, host: str) -> tuple[int, int]:
    """Header bytes of a raw 200 and of a raw 304 of the site's page /p/1 (status line and headers)."""
    head, _ = raw_get(address, host, "/p/1")
    validators = [line for line in head.decode("latin-1").split("\r\n")
                  if line.lower().startswith(("etag:", "last-modified:"))]
    inm = next((v.split(":", 1)[1].strip() for v in validators if v.lower().startswith("etag:")), None)
    ims = next((v.split(":", 1)[1].strip() for v in validators if v.lower().startswith("last-modified:")), None)
    extra = (f"If-None-Match: {inm}\r\n" if inm else "") + (f"If-Modified-Since: {ims}\r\n" if ims else "")
    head304, _ = raw_get(address, host, "/p/1", extra)
    return len(head), len(head304)


def measure(log: list[dict[str, Any]], changed: set[str], heads: tuple[int, int]) -> dict[str, Any]:
    body = sum(r["bytes"] for r in log)
    statuses: dict[str, int] = {}
    for r in log:
        statuses[str(r["status"])] = statuses.get(str(r["status"]), 0) + 1
    n304 = statuses.get("304", 0)
    return {
        "requests": len(log), "body_bytes": body,
        "bytes_with_headers": body + (len(log) - n304) * heads[0] + n304 * heads[1],
        "statuses": statuses,
        "conditional": sum(1 for r in log if r.get("if_none_match") or r.get("if_modified_since")),
        "changed_fetched": len({r["path"] for r in log if r["path"] in changed and r["status"] == 200}),
    }


def bench(name: str, arms: list[str]) -> dict[str, Any]:
    spec, seed = SITES[name]
    changed = sorted(random.Random(seed).sample(range(PAGES), round(PAGES * CHANGED_SHARE)))
    changed_paths = {f"/p/{i}" for i in changed}
    result: dict[str, Any] = {"site": name, "pages": PAGES + 1, "changed": len(changed)}
    for arm in arms:
        site = dataclasses.replace(spec, versions={}, headers=dict(spec.headers))
        if arm == "scrapy-rfc2616-nc":
            site.headers["Cache-Control"] = "no-cache"
        elif arm == "scrapy-rfc2616-stale":
            site.headers["Cache-Control"] = "max-age=0"
        with tempfile.TemporaryDirectory() as tmp, SandboxWeb([site]) as web:
            heads = header_bytes(web.address, site.host)
            runs = []
            for round_ in ("first", "recrawl"):
                since = len(web.requests())
                started = time.monotonic()
                if arm.startswith("politecrawl"):
                    run_politecrawl(web, site.host, Path(tmp), due_at_once=arm == "politecrawl")
                else:
                    run_scrapy(web, site.host, Path(tmp), cache=arm != "scrapy-nocache")
                took = time.monotonic() - started
                runs.append({**measure(web.requests(since=since), changed_paths, heads), "seconds": round(took, 1)})
                if round_ == "first":
                    web.update(site.host, versions={p: 1 for p in changed_paths})
                    floor = sum(len(raw_get(web.address, site.host, p)[1]) for p in sorted(changed_paths))
        first, again = runs
        result[arm] = {
            "first": first, "recrawl": again, "header_bytes_200_304": heads,
            "changed_pages_bytes": floor, "floor_share": floor / first["body_bytes"],
            "recrawl_requests_share": again["requests"] / first["requests"],
            "recrawl_body_bytes_share": again["body_bytes"] / first["body_bytes"],
            "recrawl_bytes_with_headers_share": again["bytes_with_headers"] / first["bytes_with_headers"],
        }
    return result


def main() -> None:
    if len(sys.argv) == 5 and sys.argv[1] == "--plain":
        plain_scrapy(sys.argv[2], sys.argv[3], sys.argv[4])
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("--site", choices=[*SITES, "all"], default="all")
    parser.add_argument("--arms", default=",".join(ARMS))
    args = parser.parse_args()
    arms = [a for a in args.arms.split(",") if a]
    for name in (list(SITES) if args.site == "all" else [args.site]):
        result = bench(name, arms)
        print(json.dumps(result), flush=True)
        for arm in arms:
            r = result[arm]
            f, a = r["first"], r["recrawl"]
            print(f"{name:9} {arm:18} first: {f['requests']} req {f['body_bytes']:,} B ({f['seconds']} s) | "
                  f"recrawl: {a['requests']} req {a['body_bytes']:,} B ({a['seconds']} s) statuses {a['statuses']} "
                  f"| share: req {r['recrawl_requests_share']:.3f} body {r['recrawl_body_bytes_share']:.4f} "
                  f"with headers {r['recrawl_bytes_with_headers_share']:.4f} floor {r['floor_share']:.4f} | changed fetched "
                  f"{a['changed_fetched']}/{result['changed']}", flush=True)


if __name__ == "__main__":
    main()
