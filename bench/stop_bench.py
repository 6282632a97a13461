"""Time to stop: from `politecrawl stop` returning to the last request the site saw.

Each trial crawls a sandbox site of 600 pages (0.2 s per answer, so hundreds of
requests are queued) plus a small second site, issues `politecrawl stop` with
the CLI once the big site has seen 20 requests, and reads the sandbox log.

Two modes:

* ``wake`` (the default): the crawl runs in one folder on its default state; the
  stop is typed in another folder without ``--state``, finds the crawl in the
  per-user list of running crawls, writes the stop and wakes it (one UDP datagram).
* ``poll``: the stop names the state with ``--state`` but cannot see the crawl's
  entry (another ``XDG_STATE_HOME``), so the crawl learns of it only at its
  registry poll (``POLITECRAWL_STOPS_POLL_INTERVAL``, 0.5 s): the fail-safe.

Run: `python bench/stop_bench.py [--trials 20] [--mode wake|poll]` (about 5 s a trial).
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
from politecrawl.state import SQLiteStateStore  # noqa: E402
from politecrawl.stops.registry import StopRegistry  # noqa: E402


def trial(web: SandboxWeb, n: int, workdir: Path, mode: str) -> dict[str, float]:
    big, small = f"big-{n}.com", f"small-{n}.com"
    web.add(SiteSpec(big, pages=600, latency=0.2))
    web.add(SiteSpec(small, pages=3))
    project, elsewhere = workdir / f"project-{n}", workdir / f"elsewhere-{n}"
    project.mkdir()
    elsewhere.mkdir()
    env = {**crawl_env(), "XDG_STATE_HOME": str(workdir / "xdg")}
    env.pop("POLITECRAWL_STATE", None)
    settings = {"POLITECRAWL_CONTACT": CONTACT, "LOG_LEVEL": "INFO", **NON_BINDING_BUDGET, **web.settings()}
    args = [sys.executable, "-m", "politecrawl.cli", "crawl", web.url(big), web.url(small)]
    for name, value in settings.items():
        args += ["-s", f"{name}={value}"]
    crawl = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             cwd=project, env=env)
    deadline = time.time() + 60
    while len(web.requests(site=big)) < 20:
        if time.time() > deadline:
            crawl.kill()
            raise RuntimeError("the crawl did not start")
        time.sleep(0.02)
    issued = time.time()
    command = [sys.executable, "-m", "politecrawl.cli", "stop", big, "--reason", "bench"]
    stop_env = env
    if mode == "poll":  # the stop cannot see the crawl's entry: no wake-up, the poll finds it
        command += ["--state", f"sqlite:///{project / '.politecrawl' / 'state.db'}"]
        stop_env = {**env, "XDG_STATE_HOME": str(workdir / "other-xdg")}
    stop = subprocess.run(command, capture_output=True, text=True, cwd=elsewhere, env=stop_env, timeout=60)
    returned = time.time()
    assert stop.returncode == 0, stop.stderr
    assert ("told at once" in stop.stdout) == (mode == "wake"), stop.stdout
    _, err = crawl.communicate(timeout=180)
    seen = web.requests(site=big)
    last = max(r["t"] for r in seen)
    store = SQLiteStateStore(project / ".politecrawl" / "state.db")
    written = StopRegistry(store, time.time).history(big)[0].at  # when the stop was written
    store.close()
    dropped = int(err.split("queued requests dropped")[0].rsplit(": ", 1)[1]) if "queued requests dropped" in err else 0
    return {
        "after_return": last - returned,
        "after_write": last - written,
        "after_issue": last - issued,
        "cli_seconds": returned - issued,
        "requests": len(seen),
        "dropped": dropped,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--mode", choices=("wake", "poll"), default="wake")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as tmp, SandboxWeb([SiteSpec("warmup.com", pages=1)]) as web:
        for n in range(args.trials):
            r = trial(web, n, Path(tmp), args.mode)
            results.append(r)
            print(json.dumps({k: round(v, 3) for k, v in r.items()}), flush=True)
    after = [r["after_return"] for r in results]
    written = [r["after_write"] for r in results]
    print(f"[{args.mode}] time to stop after `politecrawl stop` returned, {len(after)} trials: "
          f"median {statistics.median(after):.3f} s, max {max(after):.3f} s; "
          f"after the stop was written: median {statistics.median(written):.3f} s, max {max(written):.3f} s; "
          f"CLI run time median {statistics.median(r['cli_seconds'] for r in results):.3f} s; "
          f"queued requests dropped median {statistics.median(r['dropped'] for r in results):.0f}")


if __name__ == "__main__":
    main()
