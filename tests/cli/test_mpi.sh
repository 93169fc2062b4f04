#!/usr/bin/env bash
# test_mpi.sh: `mpirun -n 3 carecap run|compare` (replications shared among
# three local ranks, each with one or two threads, the accumulators merged
# on rank 0) writes the same bytes as -j 1 in one process: monthly.csv,
# annual.csv, variance.csv, comparison.csv; with parameter uncertainty on
# (draw groups split across ranks) and off, with more replications than
# the accumulators keep exactly, and with more than they keep in unmerged
# bins (acc.h CCAC_BINS); the same for a region's run and
# compare (every council, the region, the markets). --per-rep is refused
# under MPI.
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
# more replications than acc.h keeps exactly (CCAC_DISTINCT): money and
# ratios in sparse log bins on every rank, packed, sent and merged on rank 0
"$CARECAP" run --no-charts "$cfg" -r 900 -y 1 -s 9 -j 1 -q -o "$tmp/one-binned" >/dev/null 2>"$tmp/err" ||
    bad "-j 1 run, 900 replications: $(cat "$tmp/err")"
mpi "$CARECAP" run --no-charts "$cfg" -r 900 -y 1 -s 9 -j 2 -q -o "$tmp/mpi-binned" >/dev/null 2>"$tmp/err" ||
    bad "mpirun -n 3 run, 900 replications: $(head -5 "$tmp/err")"
for f in monthly.csv annual.csv variance.csv; do
    same "900 replications (binned on every rank), 3 ranks x 2 threads" "$tmp/one-binned/$f" "$tmp/mpi-binned/$f"
done
# more replications than acc.h keeps in unmerged bins (CCAC_BINS): the ranks'
# bins have merged in pairs to different levels before rank 0 merges them
"$CARECAP" run --no-charts "$cfg" -r 1500 -y 1 -s 9 -j 1 -q -o "$tmp/one-merged" >/dev/null 2>"$tmp/err" ||
    bad "-j 1 run, 1500 replications: $(cat "$tmp/err")"
mpi "$CARECAP" run --no-charts "$cfg" -r 1500 -y 1 -s 9 -j 2 -q -o "$tmp/mpi-merged" >/dev/null 2>"$tmp/err" ||
    bad "mpirun -n 3 run, 1500 replications: $(head -5 "$tmp/err")"
for f in monthly.csv annual.csv variance.csv; do
    same "1500 replications (merged bins), 3 ranks x 2 threads" "$tmp/one-merged/$f" "$tmp/mpi-merged/$f"
done
awk -F': ' '$1 == "percentile_error_bound" && $2 > 0.0001 { f = 1 } END { exit !f }' "$tmp/mpi-merged/manifest.txt" &&
    ok || bad "1500 replications: no bins merged (percentile_error_bound not above 1e-4), the test sees nothing"
grep -q '^mpi_ranks: 3$' "$tmp/mpi-binned/manifest.txt" && grep -q '^mpi_bytes_received: [1-9]' "$tmp/mpi-binned/manifest.txt" &&
    ok || bad "the manifest of an MPI run does not say what sharing cost (mpi_ranks, mpi_bytes_received)"
! grep -q '^mpi_' "$tmp/one-binned/manifest.txt" && ok || bad "a run without MPI has mpi_ lines in its manifest"

# the rank-0 results folder only: nothing else written beside it
[ "$(ls "$tmp" | grep -c '^\.carecap')" -eq 0 ] && ok || bad "temporary folders left behind"

if [ -f "$scen" ]; then
    "$CARECAP" compare --no-charts "$cfg" "$scen" -r 7 -y 2 -s 3 -j 1 -q -o "$tmp/cmp1" >/dev/null 2>"$tmp/err" ||
        bad "compare -j 1: $(cat "$tmp/err")"
    mpi "$CARECAP" compare --no-charts "$cfg" "$scen" -r 7 -y 2 -s 3 -j 1 -q -o "$tmp/cmpm" >/dev/null 2>"$tmp/err" ||
        bad "mpirun compare: $(head -5 "$tmp/err")"
    for f in monthly.csv annual.csv comparison.csv variance.csv; do
        same "compare" "$tmp/cmp1/$f" "$tmp/cmpm/$f"
    done
    # a paired run's accumulators of the differences (pairs.h), binned past
    # CCAC_DISTINCT replications, with draw groups split among the ranks:
    # packed on each rank and merged on rank 0
    "$CARECAP" compare --no-charts "$cfg" "$scen" -r 300 -y 1 -s 4 -j 1 -q --uncertainty on -o "$tmp/cmpb1" \
        >/dev/null 2>"$tmp/err" || bad "compare -j 1, 300 replications: $(cat "$tmp/err")"
    mpi "$CARECAP" compare --no-charts "$cfg" "$scen" -r 300 -y 1 -s 4 -j 2 -q --uncertainty on -o "$tmp/cmpbm" \
        >/dev/null 2>"$tmp/err" || bad "mpirun compare, 300 replications: $(head -5 "$tmp/err")"
    for f in monthly.csv annual.csv comparison.csv variance.csv; do
        same "compare, 300 replications, 3 ranks x 2 threads" "$tmp/cmpb1/$f" "$tmp/cmpbm/$f"
    done
else
    bad "no scenario $scen"
fi

# A region (regionrun.c): each run's replications shared among the ranks,
# rank 0 gathers every council's values, totals and the markets' series.
# Every file but manifest.txt (command line, wall time, threads) and
# spend.xlsx (its workbook's time stamp) must be the same bytes. 9
# replications: draw groups of 2 split 1/2/2 among three ranks.
region=$CARECAP_ROOT/tests/data/region
same_tree() { # same_tree <what> <folder a> <folder b>
    local n=0 f
    while IFS= read -r f; do
        n=$((n + 1))
        same "$1" "$2/$f" "$3/$f"
    done < <(cd "$2" && find . -type f ! -name manifest.txt ! -name spend.xlsx | sort)
    [ "$n" -ge 10 ] && ok || bad "$1: only $n files in $2"
    [ "$(cd "$2" && find . -type f | sort)" = "$(cd "$3" && find . -type f | sort)" ] && ok ||
        bad "$1: not the same files"
}
for unc in on off; do
    "$CARECAP" run --no-charts "$region/scarce.cfg" -r 9 -y 2 -s 5 -j 1 -q --uncertainty $unc -o "$tmp/rg1-$unc" \
        >/dev/null 2>"$tmp/err" || bad "region -j 1 ($unc): $(cat "$tmp/err")"
    mpi "$CARECAP" run --no-charts "$region/scarce.cfg" -r 9 -y 2 -s 5 -j 2 -q --uncertainty $unc -o "$tmp/rgm-$unc" \
        >/dev/null 2>"$tmp/err" || bad "region under mpirun ($unc): $(head -5 "$tmp/err")"
    same_tree "region run, uncertainty $unc" "$tmp/rg1-$unc" "$tmp/rgm-$unc"
done
"$CARECAP" compare --no-charts "$region/tight.cfg" "$region/tight-homes.cfg" -r 7 -y 2 -s 3 -j 1 -q -o "$tmp/rgc1" \
    >/dev/null 2>"$tmp/err" || bad "region compare -j 1: $(cat "$tmp/err")"
mpi "$CARECAP" compare --no-charts "$region/tight.cfg" "$region/tight-homes.cfg" -r 7 -y 2 -s 3 -j 1 -q \
    -o "$tmp/rgcm" >/dev/null 2>"$tmp/err" || bad "region compare under mpirun: $(head -5 "$tmp/err")"
same_tree "region compare" "$tmp/rgc1" "$tmp/rgcm"
# a results folder rank 0 cannot make (below a file): every rank stops,
# non-zero, nothing written
: >"$tmp/afile"
mpi "$CARECAP" run --no-charts "$region/scarce.cfg" -r 4 -y 1 -q -o "$tmp/afile/out" >/dev/null 2>"$tmp/err"
rc=$?
[ $rc -ne 0 ] && ok || bad "region under mpirun into an unwritable folder: exit 0"
[ ! -s "$tmp/afile" ] && ok || bad "region under mpirun into an unwritable folder wrote something"
[ "$(ls -A "$tmp" | grep -c '^\.carecap')" -eq 0 ] && ok || bad "region: temporary folders left behind"

# --per-rep needs one process
mpi "$CARECAP" run --no-charts "$cfg" -r 4 -y 1 -q --per-rep looked_after -o "$tmp/per" >/dev/null 2>"$tmp/err"
rc=$?
[ $rc -ne 0 ] && ok || bad "--per-rep under mpirun: exit 0"
grep -q "cannot be used with more than one MPI rank" "$tmp/err" && ok || bad "--per-rep message: $(head -3 "$tmp/err")"
[ ! -e "$tmp/per" ] && ok || bad "--per-rep under mpirun made an output folder"
echo "test_mpi: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
