#!/usr/bin/env bash
# The main job on embedded defaults: set up, start a local sandbox web, crawl it politely, summarise.
# No Redis, no internet.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/politecrawl demo "$@"
