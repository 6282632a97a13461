"""The per-server limit, seen from the servers' side: sandbox sites on loopback addresses of their own."""

import json
import subprocess
import sys

from helpers import CONTACT, NON_BINDING_BUDGET, REPO, crawl_env, politecrawl_command, run_crawl

from politecrawl.sandbox import SiteSpec, max_in_window

DAY = 86_400
SHARED, ALONE = "127.0.0.2", "127.0.0.3"


def test_hosts_of_several_sites_on_one_server_share_its_rate(sandbox, tmp_path):
    """Three hosts of two sites on one address get the server's rate, not the sum of two caps;
    a site on an address of its own is not slowed."""
    site_rate, ip_rate, burst, seconds = 2.0, 2.0, 2, 14
    shared = ["www.shop-a.com", "img.shop-a.com", "shop-b.com"]
    web = sandbox([*(SiteSpec(host, pages=200, address=SHARED) for host in shared),
                   SiteSpec("solo.example.org", pages=200, address=ALONE)])
    traffic = {site: site_rate * 3 * DAY for site in ("shop-a.com", "shop-b.com", "example.org")}
    proc, _ = run_crawl(web, [web.url(host) for host in [*shared, "solo.example.org"]], tmp_path, {
        "POLITECRAWL_SITE_TRAFFIC": json.dumps(traffic),
        "POLITECRAWL_MAX_SITE_RATE": "10",
        "POLITECRAWL_MAX_IP_RATE": str(ip_rate),
        "POLITECRAWL_BURST": str(burst),
        "CLOSESPIDER_TIMEOUT": str(seconds),
    })
    assert proc.returncode == 0, proc.stderr[-3000:]
    log = web.requests()
    assert {r["server"] for r in log if r["site"] in shared} == {SHARED}
    assert {r["server"] for r in log if r["site"] == "solo.example.org"} == {ALONE}
    on_shared = sorted(r["t"] for r in log if r["server"] == SHARED)
    # the server's total, over windows of 1 to 10 s: its rate, never the sites' caps together (4 req/s)
    for window in (1, 2, 5, 10):
        assert max_in_window(on_shared, window) <= ip_rate * window + burst, window
    # and it gets that rate: at least 80 % of it over the crawl's first 10 s there
    first = on_shared[0]
    assert len([t for t in on_shared if t < first + 10]) >= 0.8 * ip_rate * 10
    # both sites on the shared server got requests (neither starved)
    for site in ("shop-a.com", "shop-b.com"):
        assert sum(1 for r in log if r["server"] == SHARED and r["site"].endswith(site)) >= 5, site
    # the site alone on its server gets its own cap (2 req/s), as if the busy server did not exist
    alone = sorted(r["t"] for r in log if r["server"] == ALONE)
    in_ten = [t for t in alone if t < alone[0] + 10]
    assert 0.85 * (site_rate * 10 + burst) <= len(in_ten) <= site_rate * 10 + burst, len(in_ten)
    # the stats and the log say which server bound the crawl
    assert "'politecrawl/budget/servers_bound': 1" in proc.stderr
    assert f"server {SHARED} (address) bound the crawl" in proc.stderr
    assert f"server {ALONE}" not in proc.stderr
    # the compliance report names the server, its sites and how often it held a request back
    report_run = politecrawl_command("report", "--state", f"sqlite:///{tmp_path / 'state.db'}",
                                     "--json", tmp_path / "report.json", cwd=tmp_path, timeout=120)
    assert report_run.returncode == 0, report_run.stderr
    servers = json.loads((tmp_path / "report.json").read_text())["servers"]
    assert [(s["server"], s["sites"]) for s in servers] == [(SHARED, ["shop-a.com", "shop-b.com"])]
    # tokens taken: every request it saw, and at most those the crawl's end cut before they were sent
    assert len(on_shared) <= servers[0]["requests"] <= len(on_shared) + 2
    assert servers[0]["waits"] > 0
    assert "1 server held requests back" in report_run.stdout and SHARED in report_run.stdout


def test_each_host_is_looked_up_once_through_scrapys_dns_cache(sandbox, tmp_path):
    """With Scrapy's own caching resolver (here counting its real lookups), a host is looked up once,
    when its first request leaves the frontier: the downloads find the address in Scrapy's DNS cache.
    ``localhost`` resolves offline (the hosts file)."""
    web = sandbox([SiteSpec("localhost", pages=6)])
    env = crawl_env()
    env["PYTHONPATH"] = str(REPO / "tests")
    proc = subprocess.run(
        [sys.executable, "-m", "politecrawl.cli", "crawl", *(f"http://localhost:{web.port}/p/{i}" for i in range(6)),
         "-o", str(tmp_path / "items.jsonl"),
         "-s", f"POLITECRAWL_CONTACT={CONTACT}", "-s", f"POLITECRAWL_STATE=sqlite:///{tmp_path / 's.db'}",
         "-s", "TWISTED_DNS_RESOLVER=counting_resolver.CountingResolver",
         *(arg for name, value in NON_BINDING_BUDGET.items() for arg in ("-s", f"{name}={value}"))],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=180,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert len([r for r in web.requests() if r["path"].startswith("/p/")]) == 6  # every page: many downloads
    lookups = json.loads(proc.stderr.rpartition("LOOKUPS ")[2].splitlines()[0])
    assert lookups == {"localhost": 1}
    assert "'politecrawl/budget/servers': 1" in proc.stderr
    assert "servers_keyed_by_host" not in proc.stderr  # known by its address
