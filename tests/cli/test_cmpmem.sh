#!/usr/bin/env bash
# test_cmpmem.sh: `carecap compare` keeps no replication's values (the
# paired differences are accumulated as replications finish, sim/pairs.h),
# so its peak memory does not grow with the number of replications: ten
# times the replications (6,000 against 600, one year, the county and a
# scenario) may take at most 1.5 times the peak resident memory. (Both runs
# fill each thread's batch of values, 128 replications: at 200, 100 a
# thread, the batch was not yet all touched, and the ratio, 1.35-1.51x in
# runs of the same binary, measured that rather than growth.) Keeping
# both runs' values, as compare did before, took about 75 MB more at 2,000
# replications. Also: the result is the same with one thread and two.
# Skipped (exit 77) without GNU time (/usr/bin/time); the memory bound is
# not checked when CARECAP_SANITIZED=1 (the ASan build's test environment).
#
# Env: CARECAP (the binary), CARECAP_ROOT (the source tree).
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
if [ ! -x /usr/bin/time ]; then
    echo "test_cmpmem: SKIPPED (no /usr/bin/time; Debian package 'time')"
    exit 77
fi
cfg=$CARECAP_ROOT/config/nottinghamshire.cfg
scen=$CARECAP_ROOT/tests/data/small-lever.cfg

declare -A rss
for n in 600 6000; do
    /usr/bin/time -f '%M' -o "$tmp/rss-$n" "$CARECAP" compare --no-charts "$cfg" "$scen" -r $n -y 1 -s 2 -j 2 -q \
        -o "$tmp/cmp-$n" >/dev/null 2>"$tmp/err" || bad "compare -r $n failed: $(cat "$tmp/err")"
    rss[$n]=$(tail -n 1 "$tmp/rss-$n")
done
case "${rss[600]}${rss[6000]}" in
*[!0-9]* | '') bad "peak RSS not measured: '${rss[600]}' '${rss[6000]}'" ;;
*)
    if [ "${CARECAP_SANITIZED:-0}" = 1 ]; then
        echo "test_cmpmem: the memory bound is not checked in a sanitizer build (shadow memory, quarantine)"
    elif [ $((2 * rss[6000])) -le $((3 * rss[600])) ]; then
        ok
    else
        bad "compare's peak RSS grew with replications: ${rss[600]} KB at 600, ${rss[6000]} KB at 6,000 (limit 1.5x)"
    fi
    ;;
esac
echo "test_cmpmem: peak RSS ${rss[600]} KB at 600 replications, ${rss[6000]} KB at 6,000"
# the 600 replications' accumulators are binned for money (more than 256
# distinct values): still the same bytes with one thread
"$CARECAP" compare --no-charts "$cfg" "$scen" -r 600 -y 1 -s 2 -j 1 -q -o "$tmp/cmp-j1" >/dev/null 2>"$tmp/err" ||
    bad "compare -j 1 failed: $(cat "$tmp/err")"
for f in monthly.csv annual.csv comparison.csv variance.csv; do
    cmp -s "$tmp/cmp-600/$f" "$tmp/cmp-j1/$f" && ok || bad "$f differs between -j 2 and -j 1"
done
grep -q '^small-lever,.*,cost_per_gap_week,' "$tmp/cmp-6000/comparison.csv" && ok || bad "no business case rows"

echo "test_cmpmem: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
