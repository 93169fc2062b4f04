#!/usr/bin/env bash
# serve.sh: install what is missing, build carecap (Release) and start the
# browser workbench (`carecap serve`, docs/workbench.md) on
# http://127.0.0.1:8017/ over the configs in config/ and scenarios/. Extra
# arguments are passed to `carecap serve` (e.g. --port 8080). Ctrl-C stops it.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
bash scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
exec ./build/sim/carecap serve "$@"
