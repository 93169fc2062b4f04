#!/usr/bin/env bash
# run-baseline.sh: install what is missing, build carecap (Release) and run
# the bundled Nottinghamshire baseline: 1,000 replications of 10 years.
# Extra arguments are passed to `carecap run` (e.g. -r 200 -o /tmp/out).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
bash scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
out=output/nottinghamshire
./build/sim/carecap run config/nottinghamshire.cfg -r 1000 -y 10 -s 1 -o "$out" "$@"
echo "Results: $root/$out (report.html to open first; monthly.csv, annual.csv, spend.xlsx, charts/, manifest.txt, config.cfg)"
