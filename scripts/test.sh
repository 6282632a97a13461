#!/usr/bin/env bash
# Set up everything the tests need, check the import contracts (lint-imports) and pyflakes, then run the
# whole test suite. A broken contract fails the run; pytest's "no tests collected" (exit 5) too.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
need_apt=()
command -v redis-server >/dev/null 2>&1 || need_apt+=(redis-server)
# the compliance report's HTML is opened in headless Chromium (tests/test_audit_html.py)
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
if [ ${#need_apt[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
    else
        echo "scripts/test.sh: please install: ${need_apt[*]}" >&2
        exit 1
    fi
fi
bash scripts/lint_imports.sh
# undefined names, unused imports, dead f-strings: pyflakes reads the code without running it
.venv/bin/python -m pyflakes politecrawl middlewares spiders bench scripts tests
set +e
.venv/bin/python -m pytest "$@"
rc=$?
set -e
if [ "$rc" = 5 ]; then
    echo "scripts/test.sh: pytest collected no tests: failing" >&2
    exit 1
fi
exit "$rc"
