"""Run ``politecrawl`` in this process and print its peak resident memory at exit.

``python tests/peak_rss.py crawl URL ...`` runs as ``python -m politecrawl.cli crawl URL ...``
(``python tests/peak_rss.py --scrapy ARGS`` as ``python -m scrapy ARGS``),
then writes ``PEAK_RSS_KIB <n>`` to stderr: the process's high-water resident set (``VmHWM`` of
/proc/self/status, which starts afresh at exec; ``ru_maxrss`` would also hold the parent's
resident set at the fork, kept across exec by Linux).
"""

import atexit
import resource
import runpy
import sys


def _peak_kib() -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _report() -> None:
    print(f"PEAK_RSS_KIB {_peak_kib()}", file=sys.stderr, flush=True)


atexit.register(_report)
if sys.argv[1:2] == ["--scrapy"]:  # plain Scrapy's command line instead (bench/hostile_bench.py)
    sys.argv = ["scrapy", *sys.argv[2:]]
    runpy.run_module("scrapy", run_name="__main__")
else:
    sys.argv = ["politecrawl", *sys.argv[1:]]
    runpy.run_module("politecrawl.cli", run_name="__main__")
