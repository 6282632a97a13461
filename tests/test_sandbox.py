import base64
import time
import urllib.error
import urllib.request

from politecrawl.sandbox import SiteSpec

OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def get(web, host, path, **headers):
    request = urllib.request.Request(f"http://{web.address}{path}",
                                     headers={"Host": host, "User-Agent": "t/1", **headers})
    try:
        with OPENER.open(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def test_pages_robots_routes_and_log(sandbox):
    web = sandbox([
        SiteSpec(
            "shop-a.com", pages=3, robots="User-agent: *\nDisallow: /p/2\n",
            headers={"X-Robots-Tag": "noai"},
            routes={
                "/busy": {"status": 429, "headers": {"Retry-After": "5"}, "times": 1},
                "/bin*": {"body_b64": base64.b64encode(b"\x00\xff").decode()},
            },
        ),
        SiteSpec("other.org", robots=None),
    ])
    status, headers, body = get(web, "shop-a.com", "/p/0")
    assert status == 200 and b'href="/p/1"' in body and headers["X-Robots-Tag"] == "noai"
    assert get(web, "shop-a.com", "/robots.txt")[2] == b"User-agent: *\nDisallow: /p/2\n"
    assert get(web, "other.org", "/robots.txt")[0] == 404
    status, headers, _ = get(web, "shop-a.com", "/busy")
    assert (status, headers["Retry-After"]) == (429, "5")
    status, headers, _ = get(web, "shop-a.com", "/busy")
    assert status == 404  # the route applied to its first hit only
    assert get(web, "shop-a.com", "/bin/x")[2] == b"\x00\xff"
    assert get(web, "nowhere.net", "/")[0] == 404
    log = web.requests()
    assert [r["status"] for r in log if r["path"] == "/busy"] == [429, 404]
    assert {r["ua"] for r in log} == {"t/1"}
    assert all(r["client"] == "127.0.0.1" and r["bytes"] >= 0 for r in log)


def test_update_and_schedule(sandbox):
    web = sandbox([SiteSpec("shop-a.com", schedule=[[0.5, {"robots": "User-agent: *\nDisallow: /\n"}]])])
    assert get(web, "shop-a.com", "/robots.txt")[2] == b"User-agent: *\nAllow: /\n"
    deadline = time.time() + 10
    while get(web, "shop-a.com", "/robots.txt")[2] != b"User-agent: *\nDisallow: /\n":
        assert time.time() < deadline
        time.sleep(0.1)
    web.update("shop-a.com", latency=0.3)
    started = time.time()
    get(web, "shop-a.com", "/")
    assert time.time() - started >= 0.3
    web.add(SiteSpec("late.org", pages=1))
    assert get(web, "late.org", "/p/0")[0] == 200


def test_schedule_counted_from_the_sites_first_request():
    import pytest  # noqa: PLC0415

    from politecrawl.sandbox.server import SandboxState  # noqa: PLC0415

    state = SandboxState([SiteSpec("a.com", latency=0.0, schedule=[[3600.0, {"latency": 9.0}]],
                                   schedule_from="first-request")])
    state.started -= 7200  # two hours since the sandbox started: a "start" schedule would be due
    assert state.site_for("a.com").latency == 0.0  # due an hour after the site's first request
    state.first_request["a.com"] -= 3600
    assert state.site_for("a.com").latency == 9.0
    with pytest.raises(ValueError, match="schedule_from"):
        SandboxState([SiteSpec("b.com", schedule_from="later")])


def test_validators_304s_and_changed_pages(sandbox):
    web = sandbox([SiteSpec("shop-a.com", pages=3, validators="both"), SiteSpec("plain.org", pages=2)])
    status, headers, body = get(web, "shop-a.com", "/p/1")
    etag, modified = headers["ETag"], headers["Last-Modified"]
    assert status == 200 and etag.startswith('"') and modified == "Thu, 01 Jan 2026 00:00:00 GMT"
    assert get(web, "shop-a.com", "/p/1", **{"If-None-Match": etag})[:3:2] == (304, b"")
    assert get(web, "shop-a.com", "/p/1", **{"If-None-Match": '"other"'})[0] == 200
    assert get(web, "shop-a.com", "/p/1", **{"If-Modified-Since": modified})[0] == 304
    # If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2)
    assert get(web, "shop-a.com", "/p/1", **{"If-None-Match": '"other"', "If-Modified-Since": modified})[0] == 200
    web.update("shop-a.com", versions={"/p/1": 1})
    status, headers, body = get(web, "shop-a.com", "/p/1", **{"If-None-Match": etag, "If-Modified-Since": modified})
    assert status == 200 and b"revision 1" in body and headers["ETag"] != etag
    assert headers["Last-Modified"] == "Fri, 02 Jan 2026 00:00:00 GMT"
    assert get(web, "shop-a.com", "/p/2", **{"If-None-Match": etag})[0] == 200  # another page's tag
    assert "ETag" not in get(web, "plain.org", "/p/0")[1]
    log = web.requests(site="shop-a.com")
    assert [(r["status"], r["bytes"] > 0) for r in log][:3] == [(200, True), (304, False), (200, True)]
    assert log[1]["if_none_match"] == etag and log[3]["if_modified_since"] == modified


def test_max_in_window_counts_the_busiest_half_open_window():
    from politecrawl.sandbox import max_in_window

    times = [3.0, 0.0, 0.5, 0.99, 1.0, 2.2]  # unsorted, as a merged log may be
    assert max_in_window(times, 1.0) == 3  # 0.0, 0.5, 0.99; 1.0 falls in the next window
    assert max_in_window(times, 2.0) == 4
    assert max_in_window([], 1.0) == 0
