"""Run a bench script against another checkout's `politecrawl` (for A/B of two commits in alternating processes).

    mkdir /tmp/main_tree && git archive main politecrawl | tar -x -C /tmp/main_tree
    taskset -c 0 .venv/bin/python bench/run_tree.py /tmp/main_tree bench/pii_bench.py --seed 1 --texts 3000

`PYTHONPATH` is not enough: the editable install's finder sits on `sys.meta_path` and would import this checkout's
code whatever the path says; it is taken out here, and the tree given is put first on `sys.path`.
"""

from __future__ import annotations

import os
import runpy
import sys


#: Set to the tree while a script runs under this: a bench whose children import politecrawl runs them with
#: :func:`child_command`, or they would measure this checkout's code.
TREE_ENV = "POLITECRAWL_BENCH_TREE"


def child_command(script: str) -> list[str]:
    """The command that runs *script* in a child process with the same code as this one (the tree, if any)."""
    tree = os.environ.get(TREE_ENV)
    if not tree:
        return [sys.executable, script]
    return [sys.executable, os.path.abspath(__file__), tree, script]


def main() -> None:
    if len(sys.argv) < 3:
        sys.exit("usage: run_tree.py TREE SCRIPT [ARGS...]")
    tree, script = sys.argv[1], sys.argv[2]
    sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != "_EditableFinder"]
    sys.path.insert(0, tree)
    os.environ[TREE_ENV] = tree  # a bench that runs its measures in child processes starts them through here too
    sys.argv = [script, *sys.argv[3:]]
    runpy.run_path(script, run_name="__main__")


if __name__ == "__main__":
    main()
