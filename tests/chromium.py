"""Headless Chromium for tests of the HTML report: DOM dump, screenshot, and a proxy that catches requests.

Chromium is Debian's ``chromium`` package (scripts/test.sh installs it). Every run gets its own profile
directory and is pointed at a local "proxy" that only records what reaches it, so a page that tried to
load anything over the network would show up there instead of reaching the internet.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
from pathlib import Path

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

#: Chromium's own service endpoints, which it contacts whatever page it shows (component updates, Google
#: sign-in, network time) even with --disable-background-networking. Requests to these exact hosts are the
#: browser's, not the page's; any other request that reaches the proxy came from the page.
BROWSER_HOSTS = frozenset({"update.googleapis.com", "accounts.google.com", "clients2.google.com"})

QUIET_FLAGS = (
    "--disable-features=NetworkTimeServiceQuerying,OptimizationHints,MediaRouter,Translate,"
    "AutofillServerCommunication,CertificateTransparencyComponentUpdater",
    "--no-pings", "--disable-client-side-phishing-detection", "--disable-domain-reliability",
    "--no-default-browser-check", "--disable-breakpad", "--metrics-recording-only",
    "--safebrowsing-disable-auto-update", "--disable-field-trial-config", "--password-store=basic",
)


def request_host(line: str) -> str:
    """The host a proxy request line asks for (``GET http://h/... HTTP/1.1`` or ``CONNECT h:443 HTTP/1.1``)."""
    parts = line.split()
    if len(parts) < 2:
        return line
    target = parts[1]
    if "://" in target:
        target = target.split("://", 1)[1]
    return target.split("/", 1)[0].rsplit(":", 1)[0]


def page_requests(seen: list[str]) -> list[str]:
    """The recorded requests that did not come from Chromium's own services."""
    return [line for line in seen if request_host(line) not in BROWSER_HOSTS]


class RecordingProxy:
    """A TCP listener on 127.0.0.1 that records the first line of every connection and answers 502."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.seen: list[str] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(2)
                try:
                    first = conn.recv(4096).split(b"\r\n", 1)[0].decode("latin-1")
                    conn.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                except OSError:
                    first = "(no request line)"
                self.seen.append(first)

    def close(self) -> None:
        self.sock.close()


def run(page: Path, profile: Path, proxy: RecordingProxy, *extra: str, timeout: float = 90) -> str:
    """Open *page* in headless Chromium with *extra* flags; return its stdout."""
    assert CHROMIUM, "chromium is not installed (scripts/test.sh installs it)"
    args = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-extensions",
        "--disable-default-apps", "--hide-scrollbars", f"--user-data-dir={profile}",
        f"--proxy-server=http://127.0.0.1:{proxy.port}", "--proxy-bypass-list=<-loopback>",
        *QUIET_FLAGS, *extra, page.resolve().as_uri(),
    ]
    proc = subprocess.run(args, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout
