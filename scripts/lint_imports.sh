#!/usr/bin/env bash
# The import contracts of pyproject.toml ([tool.importlinter]), checked by lint-imports.
# The glue lives in middlewares/ and spiders/ at the top of the repository and is installed as
# politecrawl.middlewares and politecrawl.spiders; import-linter reads a package's modules from
# its one directory, so the check runs on a copy of the three folders laid out as installed.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
tree=$(mktemp -d)
trap 'rm -rf "$tree"' EXIT
cp -r politecrawl "$tree/politecrawl"
cp -r middlewares "$tree/politecrawl/middlewares"
cp -r spiders "$tree/politecrawl/spiders"
cp scripts/import_contracts.py "$tree/"
find "$tree" -name __pycache__ -prune -exec rm -rf {} +
cd "$tree"
PYTHONPATH="$tree" "$root/.venv/bin/lint-imports" "$root/pyproject.toml" --no-cache "$@"
