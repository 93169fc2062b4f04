#!/usr/bin/env bash
# test.sh: install what is missing, build carecap twice (Release, and with
# AddressSanitizer + UndefinedBehaviorSanitizer) and run the whole CTest
# suite in both builds; then, when clang and its libFuzzer runtime are
# there, build the fuzz targets (build-fuzz/) and run each for a fixed
# number of inputs with a fixed seed (tests/fuzz/run.sh). Exits non-zero if
# anything fails.
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
# libFuzzer needs clang and its runtime: try a one-line harness
fuzzok=0
if command -v clang >/dev/null; then
  ftmp=$(mktemp -d)
  echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return (int)(d && n) * 0; }' >"$ftmp/t.c"
  clang -fsanitize=fuzzer "$ftmp/t.c" -o "$ftmp/t" >/dev/null 2>&1 && fuzzok=1
  rm -rf "$ftmp"
fi
if [ $fuzzok = 1 ]; then
  echo "== Fuzz targets (libFuzzer, ASan + UBSan; fixed seed and number of inputs)"
  CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCARECAP_FUZZ=ON >/dev/null
  cmake --build build-fuzz -j"$jobs" >/dev/null
  flog=$(mktemp)
  ctest --test-dir build-fuzz -V -j"$jobs" >"$flog" 2>&1 || status=1
  # each harness's line (executions, coverage) and, on a failure, its report
  grep -E '^[0-9]+: (fuzz |FAIL|    |==|/)' "$flog" | sed 's/^[0-9]*: /  /'  || true
  grep -E 'tests passed|tests failed|[*]Failed|Timeout' "$flog" || true
  rm -f "$flog"
else
  echo "== Fuzz targets: SKIPPED (clang with libFuzzer is not installed; bash scripts/deps.sh --test installs it)"
fi
exit $status
