"""Run a bench script against another checkout's `politecrawl` (for A/B of two commits in alternating processes).

    mkdir /tmp/main_tree && git archive main politecrawl | tar -x -C /tmp/main_tree
    taskset -c 0 .venv/bin/python bench/run_tree.py /tmp/main_tree bench/pii_bench.py --seed 1 --texts 3000

`PYTHONPATH` is not enough: the editable install's finder sits on `sys.meta_path` and would import this checkout's
code whatever the path says; it is taken out here, and the tree given is put first on `sys.path`.
"""

from __future__ import annotations

import runpy
import sys


def main() -> None:
    if len(sys.argv) < 3:
        sys.exit("usage: run_tree.py TREE SCRIPT [ARGS...]")
    tree, script = sys.argv[1], sys.argv[2]
    sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != "_EditableFinder"]
    sys.path.insert(0, tree)
    sys.argv = [script, *sys.argv[3:]]
    runpy.run_path(script, run_name="__main__")


if __name__ == "__main__":
    main()
