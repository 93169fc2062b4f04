#!/usr/bin/env bash
# fuzz.sh: run each libFuzzer harness of tests/fuzz/ for SECONDS seconds (two
# at a time), with ASan + UBSan, and print per harness its executions, the
# coverage reached (cov: edges, ft: features, from libFuzzer's last status
# line) and the crashes found. Builds build-fuzz/ with clang if needed.
# Corpora grow in output/fuzz/corpus/NAME/ (kept between runs, outside the
# repo; the repo's seeds and reproducers are read too); a crashing input is
# written to output/fuzz/crashes/NAME/ and the log to output/fuzz/NAME.log.
# Exits 1 if any harness crashed, 2 on a usage or build problem.
# Usage: scripts/fuzz.sh SECONDS [NAME...]
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
secs=${1:-}
if ! [[ "$secs" =~ ^[1-9][0-9]*$ ]]; then
    echo "usage: scripts/fuzz.sh SECONDS [NAME...]  (each harness runs SECONDS seconds)" >&2
    exit 2
fi
shift
if ! command -v clang >/dev/null; then
    echo "fuzz.sh: clang is not installed (bash scripts/deps.sh --test installs it)" >&2
    exit 2
fi
if [ $# -gt 0 ]; then
    names=("$@")
else
    names=()
    for f in tests/fuzz/fuzz_*.c; do
        n=${f#tests/fuzz/fuzz_}
        names+=("${n%.c}")
    done
fi
CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCARECAP_FUZZ=ON >/dev/null || exit 2
cmake --build build-fuzz -j2 >/dev/null || exit 2
out="$root/output/fuzz"
one() {
    local name=$1 bin="$root/build-fuzz/tests/fuzz/fuzz_$1"
    local corpus="$out/corpus/$name" crashes="$out/crashes/$name" tmp
    mkdir -p "$corpus" "$crashes"
    tmp=$(mktemp -d -p /dev/shm 2>/dev/null || mktemp -d) # in memory when possible
    local args=(-max_total_time="$secs" -timeout=30 -rss_limit_mb=2048 -print_final_stats=1
        -artifact_prefix="$crashes/" "$corpus" "tests/fuzz/corpus/$name")
    [ -f "tests/fuzz/$name.dict" ] && args+=(-dict="tests/fuzz/$name.dict")
    [ -d "tests/fuzz/regress/$name" ] && args+=("tests/fuzz/regress/$name")
    TMPDIR="$tmp" CARECAP_ROOT="$root" "$bin" "${args[@]}" >"$out/$name.log" 2>&1
    echo $? >"$out/$name.rc"
    rm -rf "$tmp"
}
report() {
    local name=$1 log="$out/$1.log" rc last execs rate cov ft
    rc=$(cat "$out/$name.rc")
    last=$(grep -E '^#[0-9]+[[:space:]]+(DONE|pulse|NEW|REDUCE|INITED)' "$log" | tail -1)
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
    cov=$(echo "$last" | grep -oE 'cov: [0-9]+' | grep -oE '[0-9]+')
    ft=$(echo "$last" | grep -oE 'ft: [0-9]+' | grep -oE '[0-9]+')
    local crash=0
    [ "$rc" != 0 ] && crash=1
    printf '%-10s %12s %8s %7s %7s %8s\n' "$name" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "$crash"
    if [ "$crash" = 1 ]; then
        grep -E '^==[0-9]+==ERROR|runtime error|SUMMARY|Test unit written' "$log" | head -5 | sed 's/^/    /'
    fi
    return "$crash"
}
echo "fuzzing ${names[*]} for ${secs}s each, two at a time (logs in output/fuzz/)"
i=0
while [ $i -lt ${#names[@]} ]; do
    one "${names[$i]}" &
    [ $((i + 1)) -lt ${#names[@]} ] && one "${names[$((i + 1))]}" &
    wait
    i=$((i + 2))
done
printf '%-10s %12s %8s %7s %7s %8s\n' harness executions exec/s cov ft crashes
status=0
for n in "${names[@]}"; do
    report "$n" || status=1
done
exit $status
