#!/usr/bin/env bash
# pgo.sh: a profile-guided (GCC PGO) Release build of carecap.
#
# Configures BUILD_DIR (default <repo>/build-pgo) with -DCARECAP_PGO=generate,
# builds carecap, trains it on `carecap run config/nottinghamshire.cfg -r 100
# -y 10 -j 2 --no-charts` (into a temporary folder), then reconfigures the same
# folder with -DCARECAP_PGO=use and rebuilds. The binary is
# BUILD_DIR/sim/carecap; its results are the same as an ordinary build's
# (PGO changes code layout and inlining, not arithmetic: -O2/-O3 semantics).
# Exits non-zero if any step fails.
set -euo pipefail
root=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
build=${BUILD_DIR:-$root/build-pgo}
die() { echo "pgo.sh: $*" >&2; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/carecap-pgo.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
rm -rf "$build/pgo"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DCARECAP_PGO=generate >"$tmp/log" 2>&1 ||
  { cat "$tmp/log" >&2; die "configure (generate) failed"; }
cmake --build "$build" --target carecap -j2 >"$tmp/log" 2>&1 || { cat "$tmp/log" >&2; die "build (generate) failed"; }
"$build/sim/carecap" run "$root/config/nottinghamshire.cfg" -r 100 -y 10 -s 1 -j 2 --quiet --no-charts -o "$tmp/train" ||
  die "training run failed"
cmake -S "$root" -B "$build" -DCARECAP_PGO=use >"$tmp/log" 2>&1 || { cat "$tmp/log" >&2; die "configure (use) failed"; }
cmake --build "$build" --target carecap -j2 >"$tmp/log" 2>&1 || { cat "$tmp/log" >&2; die "build (use) failed"; }
echo "pgo.sh: built $build/sim/carecap with the profile in $build/pgo"
