#!/usr/bin/env bash
# test.sh: install what is missing, build carecap twice (Release, and with
# AddressSanitizer + UndefinedBehaviorSanitizer) and run the whole CTest
# suite in both builds. Exits non-zero if anything fails.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
bash scripts/deps.sh --test
jobs=$(nproc)
echo "== Release build"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$jobs" >/dev/null
echo "== Sanitizer build (ASan + UBSan)"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCARECAP_SANITIZE=ON >/dev/null
cmake --build build-asan -j"$jobs" >/dev/null
status=0
echo "== Tests: Release"
ctest --test-dir build --output-on-failure -j"$jobs" || status=1
echo "== Tests: ASan + UBSan"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -j"$jobs" || status=1
exit $status
