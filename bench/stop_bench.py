"""Time to stop: from `politecrawl stop` returning to the last request the site saw.

Each trial crawls a sandbox site of 600 pages (0.2 s per answer, so hundreds of
requests are queued) plus a small second site, issues `politecrawl stop` with
the CLI once the big site has seen 20 requests, and reads the sandbox log.
Run once: `python bench/stop_bench.py [--trials 20]` (about 5 s a trial).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from helpers import CONTACT, NON_BINDING_BUDGET, crawl_env  # noqa: E402

from politecrawl.sandbox import SandboxWeb, SiteSpec  # noqa: E402


def trial(web: SandboxWeb, n: int, workdir: Path) -> dict[str, float]:
    big, small = f"big-{n}.com", f"small-{n}.com"
    web.add(SiteSpec(big, pages=600, latency=0.2))
    web.add(SiteSpec(small, pages=3))
    state = f"sqlite:///{workdir / f'state-{n}.db'}"
    settings = {"POLITECRAWL_STATE": state, "POLITECRAWL_CONTACT": CONTACT, "LOG_LEVEL": "INFO",
                **NON_BINDING_BUDGET,
                **web.settings()}
    args = [sys.executable, "-m", "politecrawl.cli", "crawl", web.url(big), web.url(small)]
    for name, value in settings.items():
        args += ["-s", f"{name}={value}"]
    crawl = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             cwd=workdir, env=crawl_env())
    deadline = time.time() + 60
    while len(web.requests(site=big)) < 20:
        if time.time() > deadline:
            crawl.kill()
            raise RuntimeError("the crawl did not start")
        time.sleep(0.02)
    issued = time.time()
    stop = subprocess.run([sys.executable, "-m", "politecrawl.cli", "stop", big, "--reason", "bench",
                           "--state", state], capture_output=True, text=True, cwd=workdir,
                          env=crawl_env(), timeout=60)
    returned = time.time()
    assert stop.returncode == 0, stop.stderr
    _, err = crawl.communicate(timeout=180)
    seen = web.requests(site=big)
    last = max(r["t"] for r in seen)
    dropped = int(err.split("queued requests dropped")[0].rsplit(": ", 1)[1]) if "queued requests dropped" in err else 0
    return {
        "after_return": last - returned,
        "after_issue": last - issued,
        "cli_seconds": returned - issued,
        "requests": len(seen),
        "dropped": dropped,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, default=20)
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as tmp, SandboxWeb([SiteSpec("warmup.com", pages=1)]) as web:
        for n in range(args.trials):
            r = trial(web, n, Path(tmp))
            results.append(r)
            print(json.dumps({k: round(v, 3) for k, v in r.items()}), flush=True)
    after = [r["after_return"] for r in results]
    print(f"time to stop after `politecrawl stop` returned, {len(after)} trials: "
          f"median {statistics.median(after):.3f} s, max {max(after):.3f} s; "
          f"CLI run time median {statistics.median(r['cli_seconds'] for r in results):.3f} s; "
          f"queued requests dropped median {statistics.median(r['dropped'] for r in results):.0f}")


if __name__ == "__main__":
    main()
