"""How many requests per second the sandbox web serves (it must never limit a benchmark).

    .venv/bin/python bench/sandbox_bench.py [--clients 4] [--seconds 5]

Clients are separate processes with keep-alive connections, each spread over
50 sites; the figure is what the sandbox's own request log counted.
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import time

from politecrawl.sandbox import SandboxWeb, SiteSpec


def client(port: int, seconds: float, worker: int) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port)
    done = 0
    deadline = time.time() + seconds
    while time.time() < deadline:
        host = f"site-{(worker * 7 + done) % 50}.example.com"
        conn.request("GET", f"/p/{done % 100}", headers={"Host": host, "User-Agent": "bench/1"})
        conn.getresponse().read()
        done += 1
    conn.close()
    return done


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    sites = [SiteSpec(f"site-{i}.example.com", pages=100) for i in range(50)]
    with SandboxWeb(sites) as web:
        with multiprocessing.Pool(args.clients) as pool:
            started = time.time()
            counts = pool.starmap(client, [(web.port, args.seconds, w) for w in range(args.clients)])
            elapsed = time.time() - started
        logged = len(web.requests())
    print(f"clients={args.clients} answered={sum(counts)} logged={logged} "
          f"elapsed={elapsed:.2f}s rate={logged / elapsed:.0f} req/s")


if __name__ == "__main__":
    main()
