"""The sandbox web server: many synthetic sites behind one 127.0.0.1 port.

Run as a subprocess (``python -m politecrawl.sandbox.server --spec FILE``);
it prints ``PORT <n>`` once listening. Sites are told apart by the ``Host``
header. A site with an ``address`` of its own (in 127.0.0.0/8) is also served
there, on the same port, as if on a server of its own. Every request is
recorded (time, site, path, User-Agent, status, bytes sent, client address,
the server address it reached) and the log is served at ``/__sandbox__/log``:
the ground truth of what the sites saw.

Control endpoints (any host): ``GET /__sandbox__/log?since=N``,
``POST /__sandbox__/update`` with ``{"host": ..., "patch": {...}}``,
``POST /__sandbox__/add`` with a site spec, ``GET /__sandbox__/ping``.
"""

from __future__ import annotations

import argparse
import base64
import html
import io
import json
import sys
import time
from typing import Any

from twisted.internet import reactor
from twisted.internet.error import CannotListenError
from twisted.web import resource, server, static

from . import revisions, search_site
from .spec import Route, SiteSpec, loopback_address

#: Bodies larger than this are sent in chunks as the client reads them; the log's
#: ``bytes`` is then what left the server before the answer ended or the client hung up.
_STREAM_ABOVE = 256 * 1024

_LOREM = (
    "Polite crawlers fetch robots.txt first, keep to a budget and stop when asked. "
    "This synthetic page exists for tests and benchmarks of politecrawl. "
)


class SandboxState:
    def __init__(self, sites: list[SiteSpec]) -> None:
        #: ``listen_also(address)``: serve on one more loopback address (set by :func:`listen`).
        self.listen_also: Any = lambda address: None
        self.started = time.time()
        self.sites: dict[str, SiteSpec] = {}
        self.route_hits: dict[tuple[str, str], int] = {}
        self.first_request: dict[str, float] = {}  # host -> when it was first asked for anything
        self.log: list[dict[str, Any]] = []
        for site in sites:
            self.add(site)

    def add(self, site: SiteSpec) -> None:
        if site.schedule_from not in ("start", "first-request"):
            raise ValueError(f"schedule_from ({site.schedule_from!r}) must be 'start' or 'first-request'")
        site.schedule = sorted(site.schedule, key=lambda entry: entry[0])
        self.sites[site.host.lower()] = site

    def site_for(self, host: str) -> SiteSpec | None:
        site = self.sites.get(host)
        if site is not None and site.schedule:
            now = time.time()
            if site.schedule_from == "first-request":
                elapsed = now - self.first_request.setdefault(host, now)
            else:
                elapsed = now - self.started
            while site.schedule and site.schedule[0][0] <= elapsed:
                _, patch = site.schedule.pop(0)
                for key, value in patch.items():
                    setattr(site, key, value)
        return site


def _route_for(site: SiteSpec, path: str) -> tuple[str, Route] | None:
    spec = site.routes.get(path)
    key = path
    if spec is None:
        best = ""
        for pattern in site.routes:
            if pattern.endswith("*") and path.startswith(pattern[:-1]) and len(pattern) > len(best):
                best = pattern
        if not best:
            return None
        spec, key = site.routes[best], best
    return key, Route(**spec)


def _page(site: SiteSpec, index: int | None, path: str = "/", kind: str = "page") -> str:
    if index is None:
        title = f"{site.host} home"
        targets = [f"/p/{i}" for i in range(min(site.pages, 5))] + list(site.extra_links)
    else:
        title = f"{site.host} {kind} {index}"
        targets = [
            f"/p/{j}" for j in (index + 1, 2 * index + 1, 2 * index + 2) if j < site.pages
        ] if kind != "sitemap-only page" else []
    if site.title_extra:
        title += " " + site.title_extra
    targets = targets + search_site.extra_links(site, index, targets)
    links = "".join(f'<li><a href="{html.escape(t)}">{html.escape(t)}</a></li>' for t in targets)
    padding = ("x" * site.body_size) if site.body_size else ""
    return (
        f"<!doctype html><html><head><meta charset=utf-8><title>{html.escape(title)}</title>"
        f"{search_site.head_extra(site, path)}</head><body><h1>{html.escape(title)}</h1><p>{_LOREM}</p>"
        f"{revisions.version_text(site, path)}{site.body_extra}"
        f"<ul>{links}</ul><!--{padding}--></body></html>"
    )


class SandboxResource(resource.Resource):
    isLeaf = True

    def __init__(self, state: SandboxState) -> None:
        super().__init__()
        self.state = state

    # -- dispatch --------------------------------------------------------
    def render(self, request: server.Request) -> bytes | int:
        path = request.uri.decode("latin-1")
        proxied = path.startswith(("http://", "https://"))
        if proxied:  # a forward-proxy request: GET http://host/path
            path = "/" + path.split("://", 1)[1].partition("/")[2]
        if path.startswith("/__sandbox__/"):
            return self._control(request, path)
        host = (request.getHeader("host") or "").split(":")[0].lower().rstrip(".")
        site = self.state.site_for(host)
        reused = getattr(request.channel, "_sandbox_served", 0) > 0
        request.channel._sandbox_served = getattr(request.channel, "_sandbox_served", 0) + 1
        route = _route_for(site, path) if site is not None else None
        if route is not None and route[1].stream_bytes:
            return self._stream(request, host, path, proxied, route[1])
        status, headers, body, latency, abort = self._answer(site, host, path, reused)
        if_none_match, if_modified_since = request.getHeader("if-none-match"), request.getHeader("if-modified-since")
        if site is not None and site.validators and status == 200 and route is None and not abort:
            validators = revisions.page_validators(site, path, body)
            headers = {**headers, **validators}
            if revisions.not_modified(validators, if_none_match, if_modified_since):
                status, body = 304, b""
                headers = validators
        record = {
            "t": time.time(),
            "site": host,
            "path": path,
            "method": request.method.decode("latin-1"),
            "ua": request.getHeader("user-agent") or "",
            "status": status,
            "bytes": 0 if abort else len(body),
            "client": request.getClientAddress().host,
            "server": request.getHost().host,
            "proxied": proxied,
            "if_none_match": if_none_match,
            "if_modified_since": if_modified_since,
            "reused": reused,  # came on a connection that had carried a request before (HTTP keep-alive)
        }
        self.state.log.append(record)
        if abort:
            request.channel.transport.abortConnection()
            return server.NOT_DONE_YET
        request.setResponseCode(status)
        for name, value in headers.items():
            request.setHeader(name, value)
        if latency > 0:
            reactor.callLater(latency, _finish, request, body)
            return server.NOT_DONE_YET
        if len(body) > _STREAM_ABOVE:
            return _send_in_chunks(request, body, record)
        return body

    def _stream(self, request: server.Request, host: str, path: str, proxied: bool, spec: Route) -> int:
        """Send *spec*'s body again and again as the client reads it (see ``Route.stream_bytes``)."""
        record = {
            "t": time.time(), "site": host, "path": path, "method": request.method.decode("latin-1"),
            "ua": request.getHeader("user-agent") or "", "status": spec.status, "bytes": 0,
            "client": request.getClientAddress().host, "server": request.getHost().host, "proxied": proxied,
        }
        self.state.log.append(record)
        request.setResponseCode(spec.status)
        for name, value in {"Content-Type": "text/plain", **spec.headers}.items():
            request.setHeader(name, value)
        unit = base64.b64decode(spec.body_b64) if spec.body_b64 else spec.body.encode()
        _Streamer(request, record, unit or b"x", spec.stream_bytes)
        return server.NOT_DONE_YET

    def _answer(
        self, site: SiteSpec | None, host: str, path: str, reused: bool = False
    ) -> tuple[int, dict[str, str], bytes, float, bool]:
        if site is None:
            return 404, {"Content-Type": "text/plain"}, b"no such site in the sandbox\n", 0.0, False
        route = _route_for(site, path)
        if route is not None:
            key, spec = route
            hits = self.state.route_hits.get((host, key), 0) + 1
            self.state.route_hits[(host, key)] = hits
            if not spec.times or hits <= spec.times:
                body = base64.b64decode(spec.body_b64) if spec.body_b64 else spec.body.encode()
                headers = {"Content-Type": "text/html; charset=utf-8", **spec.headers}
                abort = spec.abort or (spec.abort_reused and reused)
                return spec.status, headers, body, spec.latency or site.latency, abort
        bare = path.split("?", 1)[0].split(";", 1)[0]
        if bare == "/robots.txt":
            return self._robots(site)
        found = search_site.answer(site, bare)
        if found is not None:
            return (*found, site.latency, False)
        headers = {"Content-Type": "text/html; charset=utf-8", **site.headers}
        if bare == "/":
            return 200, headers, _page(site, None).encode(), site.latency, False
        for prefix, count, kind in (("/p/", site.pages, "page"), ("/s/", site.sitemap_pages,
                                    "sitemap-only page"), ("/a/", site.pages, "page")):
            if bare.startswith(prefix):
                try:
                    index = int(bare[3:])
                except ValueError:
                    index = -1
                if prefix == "/a/" and index not in site.aliases:
                    index = -1
                if 0 <= index < count:
                    body = _page(site, index, bare, kind).encode()
                    return 200, headers, body, site.latency, False
        return 404, {"Content-Type": "text/plain"}, b"not found\n", site.latency, False

    @staticmethod
    def _robots(site: SiteSpec) -> tuple[int, dict[str, str], bytes, float, bool]:
        headers = {"Content-Type": "text/plain; charset=utf-8", **site.robots_headers}
        if site.robots is None and site.robots_status == 200:
            return 404, headers, b"no robots.txt\n", site.latency, False
        return site.robots_status, headers, (site.robots or "").encode(), site.latency, False

    # -- control ---------------------------------------------------------
    def _control(self, request: server.Request, path: str) -> bytes:
        request.setHeader("Content-Type", "application/json")
        command, _, query = path[len("/__sandbox__/"):].partition("?")
        if command == "ping":
            return b'{"ok": true}'
        if command == "log":
            since = int(query.split("=", 1)[1]) if query.startswith("since=") else 0
            return json.dumps(self.state.log[since:]).encode()
        if command in ("update", "add") and request.method == b"POST":
            data = json.loads(request.content.read() or b"{}")
            if command == "add":
                site = SiteSpec.from_dict(data)
                if site.address:
                    self.state.listen_also(site.address)
                self.state.add(site)
            else:
                site = self.state.sites[data["host"].lower()]
                for key, value in data["patch"].items():
                    setattr(site, key, value)
            return b'{"ok": true}'
        request.setResponseCode(404)
        return b'{"error": "unknown sandbox command"}'


class _CountingReader(io.BytesIO):
    """A body that counts what the producer has read of it (what was handed to the socket)."""

    sent = 0

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        self.sent += len(chunk)
        return chunk


def _send_in_chunks(request: server.Request, body: bytes, record: dict[str, Any]) -> int:
    """Send *body* in chunks as the client reads; note in *record* how much left."""
    source = _CountingReader(body)
    request.setHeader("Content-Length", str(len(body)))
    static.NoRangeStaticProducer(request, source).start()

    def sent(_: object) -> None:
        record["bytes"] = source.sent

    request.notifyFinish().addBoth(sent)
    return server.NOT_DONE_YET


class _Streamer:
    """A pull producer that writes a repeated unit until *total* bytes (``-1``: for ever)
    or until the client goes away, counting what it wrote in the log *record*."""

    CHUNK = 64 * 1024

    def __init__(self, request: server.Request, record: dict[str, Any], unit: bytes, total: int) -> None:
        self.request, self.record, self.total = request, record, total
        self.chunk = (unit * (self.CHUNK // len(unit) + 1))[: self.CHUNK]
        self.done = False
        request.notifyFinish().addBoth(self._gone)
        request.registerProducer(self, False)

    def _gone(self, _: Any) -> None:
        self.done = True

    def resumeProducing(self) -> None:
        if self.done:
            return
        sent = self.record["bytes"]
        left = self.CHUNK if self.total < 0 else min(self.CHUNK, self.total - sent)
        if left <= 0:
            self.done = True
            self.request.unregisterProducer()
            self.request.finish()
            return
        self.record["bytes"] = sent + left
        self.request.write(self.chunk[:left])

    def stopProducing(self) -> None:
        self.done = True

    def pauseProducing(self) -> None:
        pass


def _finish(request: server.Request, body: bytes) -> None:
    if not request.finished and not request._disconnected:
        request.write(body)
        request.finish()


class _QuietSite(server.Site):
    def log(self, request: server.Request) -> None:  # no access log on stdout
        pass


def load_spec(path: str) -> list[SiteSpec]:
    """The site specs of a JSON file (a list of objects); ``ValueError`` says what is wrong, in one line."""
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except OSError as exc:
        raise ValueError(f"{path}: {exc.strerror or exc}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: not valid JSON ({exc})") from None
    if not isinstance(data, list):
        raise ValueError(f"{path}: must hold a JSON list of site specs")
    sites = []
    for index, entry in enumerate(data, 1):
        try:
            site = SiteSpec.from_dict(entry)
            if site.address:
                loopback_address(site.address)
            sites.append(site)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ValueError(f"{path}: entry {index} is not a site spec ({type(exc).__name__}: {exc})") from None
    return sites


def _listen_tcp(port: int, site: server.Site, host: str) -> int:
    try:
        listening = reactor.listenTCP(port, site, interface=host, backlog=1024)
    except CannotListenError as exc:
        reason = getattr(exc.socketError, "strerror", None) or exc.socketError
        raise OSError(f"cannot listen on {host}:{port}: {reason}") from None
    return listening.getHost().port


def listen(sites: list[SiteSpec], port: int = 0, host: str = "127.0.0.1") -> int:
    """Listen for the sandbox web on *host*:*port*, and on the same port at every site's own
    address; the port listened on. ``OSError`` (or ``ValueError``) if it cannot."""
    addresses = {loopback_address(site.address) for site in sites if site.address}
    state = SandboxState(sites)
    site = _QuietSite(SandboxResource(state))
    port = _listen_tcp(port, site, host)
    served = {host}

    def listen_also(address: str) -> None:
        address = loopback_address(address)
        if address not in served:
            _listen_tcp(port, site, address)
            served.add(address)

    state.listen_also = listen_also
    for address in sorted(addresses):
        listen_also(address)
    return port


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="politecrawl sandbox web server")
    parser.add_argument("--spec", required=True, help="JSON file: a list of site specs")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args(argv)
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        parser.error("the sandbox listens on loopback only")
    try:
        port = listen(load_spec(args.spec), args.port, args.host)
    except (OSError, ValueError) as exc:
        parser.error(str(exc))
    print(f"PORT {port}", flush=True)
    reactor.run()


if __name__ == "__main__":
    sys.exit(main())
