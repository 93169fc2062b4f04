#!/usr/bin/env bash
# run.sh: one fuzz test of the suite. Runs harness BIN (target NAME) first on
# each reproducer in tests/fuzz/regress/NAME/, then for RUNS executions with
# seed 1 over its seed corpus, reproducers and dictionary (deterministic: the
# same inputs every time). New inputs go to a temporary folder, never into the
# repo. Fails on any crash, leak, sanitizer report or timeout; a crashing
# input is kept as ./crash-NAME-* (the test's build folder) and named.
# Usage: run.sh BIN NAME RUNS   Env: CARECAP_ROOT (the source tree).
set -u
bin=$1 name=$2 runs=$3
: "${CARECAP_ROOT:?set CARECAP_ROOT to the source tree}"
src="$CARECAP_ROOT/tests/fuzz"
corpus="$src/corpus/$name" regress="$src/regress/$name" dict="$src/$name.dict"
work=$(mktemp -d)
# the harness's folder: in memory when possible (the plot target writes a
# dozen files an input), named after this build folder so that it is the
# same every run and apart from other builds' runs
shm=/dev/shm
[ -d "$shm" ] && [ -w "$shm" ] || shm=$PWD
fixed="$shm/carecap-fuzz-$(printf '%s' "$PWD" | cksum | cut -d' ' -f1)-$name"
rm -rf "$fixed"
trap 'rm -rf "$work" "$fixed"' EXIT
export TMPDIR="$work"
opts=(-seed=1 -reload=0 -timeout=30 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$PWD/crash-$name-")
[ -f "$dict" ] && opts+=(-dict="$dict")
# What makes two runs of the same seed differ, taken away: address
# randomisation (libFuzzer takes compared values, some of them addresses,
# into its mutations), the temporary folder's random name (paths reach
# messages and comparisons: CARECAP_FUZZ_DIR fixes it), the process id (in
# temporary file names: a PID namespace makes it 1, where allowed) and the
# re-reading of the output corpus each second (-reload=0).
norand=()
setarch "$(uname -m)" -R true 2>/dev/null && norand=(setarch "$(uname -m)" -R)
unshare -pf true 2>/dev/null && norand=(unshare -pf "${norand[@]}")
status=0
if [ -d "$regress" ] && [ -n "$(ls -A "$regress")" ]; then
    if "$bin" "${opts[@]}" "$regress"/* >"$work/regress.log" 2>&1; then
        echo "fuzz $name: $(ls "$regress" | wc -l) reproducers in tests/fuzz/regress/$name pass"
    else
        echo "FAIL: fuzz $name: a reproducer in tests/fuzz/regress/$name fails:"
        grep -E 'Running:|ERROR|SUMMARY|runtime error' "$work/regress.log" | head -20
        status=1
    fi
fi
mkdir "$work/new"
dirs=("$work/new" "$corpus")
[ -d "$regress" ] && dirs+=("$regress")
CARECAP_FUZZ_DIR="$fixed" "${norand[@]}" "$bin" "${opts[@]}" -runs="$runs" "${dirs[@]}" >"$work/fuzz.log" 2>&1
rc=$?
last=$(grep -E '^#[0-9]+[[:space:]]+(DONE|pulse|NEW|REDUCE|INITED)' "$work/fuzz.log" | tail -1)
cov=$(echo "$last" | grep -oE 'cov: [0-9]+ ft: [0-9]+')
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/fuzz.log")
echo "fuzz $name: ${execs:-?} executions (seed 1), ${cov:-no coverage line}"
if [ $rc -ne 0 ]; then
    echo "FAIL: fuzz $name: exit $rc"
    grep -E 'ERROR|SUMMARY|runtime error|Test unit written|^ +#[0-9]' "$work/fuzz.log" | head -40
    status=1
fi
exit $status
