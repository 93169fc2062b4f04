#!/usr/bin/env bash
# test_mpi.sh: `mpirun -n 3 carecap run|compare` (replications shared among
# three local ranks, each with one or two threads, the accumulators merged
# on rank 0) writes the same bytes as -j 1 in one process: monthly.csv,
# annual.csv, variance.csv, comparison.csv; with parameter uncertainty on
# (draw groups split across ranks) and off. --per-rep is refused under MPI.
# Skipped (exit 77) when carecap was built without MPI or mpirun is absent.
#
# Env: CARECAP (the binary), CARECAP_ROOT (the source tree), CARECAP_MPI (1
# when the build has MPI).
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
if [ "${CARECAP_MPI:-0}" != 1 ] || ! command -v mpirun >/dev/null; then
    echo "test_mpi: SKIPPED (carecap built without MPI, or no mpirun; scripts/deps.sh --test installs Open MPI)"
    exit 77
fi
# mpirun refuses root unless told; oversubscribe: three ranks on two cores
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
# Under AddressSanitizer, Open MPI's own plugins leak (dlopened, unloaded at
# MPI_Finalize, so the stacks cannot even be attributed): leak checks are off
# for the mpirun runs only. The accumulators' packing and merging
# run leak-checked in test_acc, and the single-process runs here are checked.
mpi() { ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" mpirun --oversubscribe -n 3 -x ASAN_OPTIONS "$@"; }
cfg=$CARECAP_ROOT/config/nottinghamshire.cfg
scen=$CARECAP_ROOT/tests/data/small-lever.cfg

same() { # same <what> <file a> <file b>
    if cmp -s "$2" "$3"; then ok; else bad "$1: $(basename "$2") differs: $(diff "$2" "$3" | head -3)"; fi
}

for unc in off on; do
    "$CARECAP" run --no-charts "$cfg" -r 13 -y 2 -s 5 -j 1 -q --uncertainty $unc -o "$tmp/one-$unc" >/dev/null \
        2>"$tmp/err" || bad "-j 1 run ($unc): $(cat "$tmp/err")"
    for j in 1 2; do
        mpi "$CARECAP" run --no-charts "$cfg" -r 13 -y 2 -s 5 -j $j -q --uncertainty $unc -o "$tmp/mpi-$unc-$j" \
            >/dev/null 2>"$tmp/err" || bad "mpirun -n 3 run -j $j ($unc): $(head -5 "$tmp/err")"
        for f in monthly.csv annual.csv variance.csv; do
            same "uncertainty $unc, 3 ranks x $j threads" "$tmp/one-$unc/$f" "$tmp/mpi-$unc-$j/$f"
        done
    done
done
# the rank-0 results folder only: nothing else written beside it
[ "$(ls "$tmp" | grep -c '^\.carecap')" -eq 0 ] && ok || bad "temporary folders left behind"

if [ -f "$scen" ]; then
    "$CARECAP" compare --no-charts "$cfg" "$scen" -r 7 -y 2 -s 3 -j 1 -q -o "$tmp/cmp1" >/dev/null 2>"$tmp/err" ||
        bad "compare -j 1: $(cat "$tmp/err")"
    mpi "$CARECAP" compare --no-charts "$cfg" "$scen" -r 7 -y 2 -s 3 -j 1 -q -o "$tmp/cmpm" >/dev/null 2>"$tmp/err" ||
        bad "mpirun compare: $(head -5 "$tmp/err")"
    for f in monthly.csv annual.csv comparison.csv; do
        same "compare" "$tmp/cmp1/$f" "$tmp/cmpm/$f"
    done
else
    bad "no scenario $scen"
fi

# --per-rep needs one process
mpi "$CARECAP" run --no-charts "$cfg" -r 4 -y 1 -q --per-rep looked_after -o "$tmp/per" >/dev/null 2>"$tmp/err"
rc=$?
[ $rc -ne 0 ] && ok || bad "--per-rep under mpirun: exit 0"
grep -q "cannot be used with more than one MPI rank" "$tmp/err" && ok || bad "--per-rep message: $(head -3 "$tmp/err")"
[ ! -e "$tmp/per" ] && ok || bad "--per-rep under mpirun made an output folder"
echo "test_mpi: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
