"""One detector module of another tree (main's) against this checkout's, in one process, passes alternating.

    mkdir /tmp/main_tree && git archive main politecrawl | tar -x -C /tmp/main_tree
    nice -n 10 taskset -c 0 .venv/bin/python bench/pii_module_ab.py /tmp/main_tree names find_person_names
    nice -n 10 taskset -c 0 .venv/bin/python bench/pii_module_ab.py /tmp/main_tree accounts find_accounts

The other tree's `politecrawl/pii/<module>.py` is loaded under another name beside this checkout's (its imports of
other politecrawl modules resolve to this checkout's: compare a change confined to that module).  Prints µs a text
of the function (the thread's CPU clock) over the same 3,000 folded texts of corpus 1 (seed 1) and corpus 3 (seed
21), the two taking turns; jieba's and the module's own caches are emptied before each pass ("cold", as on new text).
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from pii_bench import Corpus  # noqa: E402
from pii_dev import DevCorpus  # noqa: E402

from politecrawl.pii.detect import fold  # noqa: E402


def _cold(mod) -> None:
    if hasattr(mod, "_chinese"):
        zh = mod._chinese()
        zh.candidates.cache_clear()
        zh.doubtful.cache_clear()
        if hasattr(zh, "hmm_name"):  # since session 10 (pii-names)
            zh.hmm_name.cache_clear()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("tree")
    ap.add_argument("module", help="a module of politecrawl.pii: names, accounts ...")
    ap.add_argument("function")
    ap.add_argument("--texts", type=int, default=3000)
    ap.add_argument("--passes", type=int, default=4)
    a = ap.parse_args()
    new = importlib.import_module(f"politecrawl.pii.{a.module}")
    spec = importlib.util.spec_from_file_location(f"{a.module}_other",
                                                  os.path.join(a.tree, "politecrawl", "pii", f"{a.module}.py"))
    old = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(old)
    print(f"load average {os.getloadavg()[0]:.1f}")
    for corpus, texts in (("1", Corpus(1).make(a.texts)), ("3", DevCorpus(21).make(a.texts))):
        folded = [fold(t.text) for t in texts]
        times: dict[str, list[float]] = {"other": [], "this": []}
        for mod in (old, new):  # load dictionaries, warm the interpreter
            for text in folded[:200]:
                list(getattr(mod, a.function)(text))
        for rep in range(a.passes):
            pair = (("other", old), ("this", new)) if rep % 2 == 0 else (("this", new), ("other", old))
            for name, mod in pair:
                _cold(mod)
                f = getattr(mod, a.function)
                t0 = time.thread_time_ns()
                for text in folded:
                    list(f(text))
                times[name].append((time.thread_time_ns() - t0) / 1000 / len(folded))
        o, t = statistics.median(times["other"]), statistics.median(times["this"])
        print(f"corpus {corpus}: {a.function} µs a text: other tree {o:.1f}, this {t:.1f}, ratio {t / o:.3f} "
              f"(passes {[round(x, 1) for x in times['other']]} / {[round(x, 1) for x in times['this']]})")


if __name__ == "__main__":
    main()
