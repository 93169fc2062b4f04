#!/usr/bin/env bash
# test_sensitivity.sh: `carecap sensitivity` as users meet it: a small run
# writes sensitivity.csv (tidy, one nominal mean and a rank per input),
# sensitivity.txt and charts/tornado.dat and tornado.gp, whose script holds
# no input name (names are data); the files are byte-identical on -j 1 and
# -j 2; errors: an unknown series (exit 2), no --output (2), a config with
# no uncertainty_of (3), each before anything is run or written.
#
# Env: CARECAP (the binary), CARECAP_ROOT (the source tree).
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cfg=$CARECAP_ROOT/config/nottinghamshire.cfg
out='looked_after/all at 2023-06-30'
for j in 1 2; do
    expect_rc 0 "small run -j $j" -- "$CARECAP" sensitivity "$cfg" --output "$out" -r 3 --sobol 2 --sobol-reps 2 \
        --sobol-inputs 2 -s 4 -j $j --no-charts -o "$tmp/j$j"
done
for f in sensitivity.csv charts/tornado.dat charts/tornado.gp; do
    cmp -s "$tmp/j1/$f" "$tmp/j2/$f" && ok || bad "$f differs between -j 1 and -j 2"
done
# sensitivity.txt: the same but for its command line
cmp -s <(sed 1d "$tmp/j1/sensitivity.txt") <(sed 1d "$tmp/j2/sensitivity.txt") && ok ||
    bad "sensitivity.txt differs between -j 1 and -j 2 beyond the command"
[ "$(head -n 1 "$tmp/j1/sensitivity.csv")" = "analysis,output,input,statistic,value" ] && ok ||
    bad "header: $(head -n 1 "$tmp/j1/sensitivity.csv")"
n=$("$CARECAP" check "$cfg" | sed -n 's/^uncertainty: \([0-9]*\) settings.*/\1/p')
[ "$(grep -c ',rank,' "$tmp/j1/sensitivity.csv")" = "$n" ] && ok || bad "not one rank per input ($n inputs)"
[ "$(grep -c '^sobol,.*,total_order,' "$tmp/j1/sensitivity.csv")" = 2 ] && ok || bad "not two Sobol inputs"
grep -q '^nominal,looked_after/all at 2023-06-30,,mean,' "$tmp/j1/sensitivity.csv" && ok || bad "no nominal mean"
grep -q '"entries.rate' "$tmp/j1/charts/tornado.dat" && ok || bad "tornado.dat has no entries.rate input"
grep -q 'entries\.\|exits\.' "$tmp/j1/charts/tornado.gp" && bad "tornado.gp holds an input name" || ok
grep -q "^rank input" "$tmp/j1/sensitivity.txt" && ok || bad "sensitivity.txt has no table"

expect_rc 2 "unknown series" -- "$CARECAP" sensitivity "$cfg" --output 'looked_after/everyone at 2023-06-30' -o "$tmp/bad"
grep -q "^carecap: sensitivity: --output 1: 'looked_after/everyone' is not a series of this run (expected" "$tmp/err" &&
    ok || bad "unknown series: $(cat "$tmp/err")"
expect_rc 2 "a condition" -- "$CARECAP" sensitivity "$cfg" --output 'looked_after/all <= 3 at 2023-06-30' -o "$tmp/bad"
expect_rc 2 "no --output" -- "$CARECAP" sensitivity "$cfg" -o "$tmp/bad"
expect_rc 2 "--sobol-inputs 21" -- "$CARECAP" sensitivity "$cfg" --output "$out" --sobol-inputs 21 -o "$tmp/bad"
expect_rc 3 "no uncertainty" -- "$CARECAP" sensitivity "$CARECAP_ROOT/tests/data/cli-mini.cfg" \
    --output 'looked_after/all at 2021-06-30' -o "$tmp/bad"
grep -q "uncertainty_of: the config states no uncertainty, so there is nothing to vary (expected" "$tmp/err" && ok ||
    bad "no uncertainty: $(cat "$tmp/err")"
[ ! -e "$tmp/bad" ] && ok || bad "an error wrote $tmp/bad"

echo "test_sensitivity.sh: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
