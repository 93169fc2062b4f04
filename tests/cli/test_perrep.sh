#!/usr/bin/env bash
# test_perrep.sh: `carecap run --per-rep` writes per_replication.csv.gz:
# byte-identical for -j 1 and -j 3, one row per replication, series and
# date, values that give monthly.csv's mean and median again; an unknown
# metric is a usage error before the run; no file without the option.
#
# Env: CARECAP (the binary), CARECAP_ROOT (the source tree).
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cfg=$CARECAP_ROOT/config/nottinghamshire.cfg
reps=37
years=2

for j in 1 3; do
    "$CARECAP" run --no-charts "$cfg" -r $reps -y $years -s 9 -j $j -q --per-rep looked_after/all,spend \
        -o "$tmp/j$j" >/dev/null 2>"$tmp/err" || bad "-j $j: run failed: $(cat "$tmp/err")"
done
if cmp -s "$tmp/j1/per_replication.csv.gz" "$tmp/j3/per_replication.csv.gz"; then ok; else bad "per_replication.csv.gz differs between -j 1 and -j 3"; fi
gzip -dc "$tmp/j1/per_replication.csv.gz" >"$tmp/per.csv" 2>"$tmp/err" || bad "not a gzip file: $(cat "$tmp/err")"
[ "$(head -n 1 "$tmp/per.csv")" = "replication,date,metric,group,value" ] && ok || bad "header: $(head -n 1 "$tmp/per.csv")"

# rows: replications x chosen series x dates, the series being those of monthly.csv
dates=$((12 * years + 1))
nser=$(awk -F, 'NR > 1 && (($3 == "looked_after" && $4 == "all") || $3 == "spend") { print $3 "/" $4 }' \
    "$tmp/j1/monthly.csv" | sort -u | wc -l)
[ "$nser" -gt 2 ] && ok || bad "monthly.csv has $nser spend and looked_after/all series"
rows=$(($(wc -l <"$tmp/per.csv") - 1))
[ "$rows" -eq $((reps * nser * dates)) ] && ok || bad "$rows rows, expected $reps x $nser x $dates"
[ "$(cut -d, -f1 "$tmp/per.csv" | sed 1d | sort -un | tr '\n' ' ')" = "$(seq -s ' ' 1 $reps) " ] && ok ||
    bad "replications are not 1..$reps"

# the mean and the median of looked_after/all at every date are monthly.csv's
awk -F, 'NR > 1 && $3 == "looked_after" && $4 == "all" { print $2, $5, $9 }' "$tmp/j1/monthly.csv" | sort >"$tmp/want"
awk -F, -v n=$reps 'NR > 1 && $3 == "looked_after" { s[$2] += $5; v[$2, ++c[$2]] = $5 }
    END {
        for (d in s) {
            m = c[d]; for (i = 1; i <= m; i++) x[i] = v[d, i]
            for (i = 2; i <= m; i++) { t = x[i]; for (k = i - 1; k >= 1 && x[k] > t; k--) x[k + 1] = x[k]; x[k + 1] = t }
            med = (m % 2) ? x[(m + 1) / 2] : (x[m / 2] + x[m / 2 + 1]) / 2
            mean = sprintf("%.4f", s[d] / n); sub(/0+$/, "", mean); sub(/\.$/, "", mean)
            md = sprintf("%.4f", med); sub(/0+$/, "", md); sub(/\.$/, "", md)
            print d, mean, md
        }
    }' "$tmp/per.csv" | sort >"$tmp/got"
[ "$(wc -l <"$tmp/want")" -eq $dates ] && ok || bad "monthly.csv: $(wc -l <"$tmp/want") looked_after/all rows"
if cmp -s "$tmp/want" "$tmp/got"; then ok; else bad "means/medians differ from monthly.csv: $(diff "$tmp/want" "$tmp/got" | head -4)"; fi

# an unknown metric: exit 2 before the run, nothing written
"$CARECAP" run --no-charts "$cfg" -r 2 -y 1 -q --per-rep looked_after,no_such_metric -o "$tmp/bad" >/dev/null 2>"$tmp/err"
rc=$?
[ $rc -eq 2 ] && ok || bad "unknown metric: exit $rc, expected 2"
grep -q "^carecap: --per-rep: 'no_such_metric' is not a metric of this run" "$tmp/err" && ok || bad "message: $(cat "$tmp/err")"
[ ! -e "$tmp/bad" ] && ok || bad "an output folder was made for a usage error"
# compare does not take it
"$CARECAP" compare --no-charts "$cfg" "$CARECAP_ROOT/config/nottinghamshire.cfg" -r 2 -y 1 -q --per-rep looked_after \
    -o "$tmp/cmp" >/dev/null 2>&1
rc=$?
[ $rc -eq 2 ] && ok || bad "compare --per-rep: exit $rc, expected 2"
# off by default
[ ! -e "$tmp/none/per_replication.csv.gz" ] || bad "stale"
"$CARECAP" run --no-charts "$cfg" -r 2 -y 1 -q -o "$tmp/none" >/dev/null 2>&1 || bad "plain run failed"
[ ! -e "$tmp/none/per_replication.csv.gz" ] && ok || bad "per_replication.csv.gz written without --per-rep"

echo "test_perrep: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
