#!/usr/bin/env bash
# test_backtest2019.sh: the back-test of the calibration method. The
# Nottinghamshire config as of 31 March 2019 (config/nottinghamshire-2019.cfg,
# fitted by scripts/fit-dfe.py on the years to March 2018-2019 only) is run
# three years forward, and its means are set against the county's published
# figures for the years to March 2020-2022, read from the committed DfE copies
# (tests/data/dfe-891): the number in care at each 31 March within 5%;
# starts, ceased, returned home, adopted, SGOs and staying put at 18 each
# within 15%. The pairs listed in `explained` are the ones
# docs/calibration.md explains (events after March 2019 the fit cannot know);
# they are printed, not checked.
# Coverage (issue 13): the back-test command at a modest size (-r 200), with
# uncertainty (parameter draws and the fitted drift) on and off: with it on
# at least 80% of the published measure-years fall inside the 90% band (issue
# 13), and at least 5 more than with it off. The expected coverage is close
# to 80% itself (docs/backtest.md: 38 of 47 at seed 1, 36-38 over other
# seeds), so this checks this seed's figure, not a margin.
#
# Env: CARECAP (the binary), CARECAP_ROOT (the source tree); CARECAP_BT_CONFIG
# to back-test another config (default config/nottinghamshire-2019.cfg).
set -u
: "${CARECAP:?set CARECAP to the carecap binary}"
: "${CARECAP_ROOT:?set CARECAP_ROOT to the source tree}"
cfg=${CARECAP_BT_CONFIG:-$CARECAP_ROOT/config/nottinghamshire-2019.cfg}
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
d=$CARECAP_ROOT/tests/data/dfe-891

# measure/year pairs explained in docs/calibration.md ("The back-test")
explained=" in_care/2021 in_care/2022 returned_home/2021 ceased/2022 adopted/2020 adopted/2021 adopted/2022 staying_put/2020 staying_put/2021 staying_put/2022 "

# --uncertainty off: this checks the fitted point values, not the bands
"$CARECAP" run --no-charts "$cfg" -r 300 -y 3 -s 1 -j 2 -q --uncertainty off -o "$tmp/o" >/dev/null 2>"$tmp/err" ||
    { echo "FAIL: run failed: $(cat "$tmp/err")"; echo "test_backtest2019: 0 passed, 1 failed"; exit 1; }

# published: the county's number (field 13) in FILE on the row of YEAR whose
# breakdown columns (11 and 12) are exactly A and B; suppressed cells print
# nothing
pub() {
    awk -F, -v y="$2" -v a="$3" -v b="$4" '$1 == y && $8 == "891" && $11 == a && $12 == b && $13 ~ /^[0-9]+$/ {print $13}' "$d/$1"
}
# model: the mean of METRIC/GROUP for the date in FILE (monthly or annual)
model() {
    awk -F, -v dt="$2" -v m="$3" -v g="$4" '$2 == dt && $3 == m && $4 == g {print $5}' "$tmp/o/$1.csv"
}
check() { # name year published model tolerance
    local name=$1 y=$2 p=$3 m=$4 tol=$5
    if [ -z "$p" ] || [ -z "$m" ]; then
        bad "$name $y: no figure (published '$p', model '$m')"
        return
    fi
    local err
    err=$(awk -v p="$p" -v m="$m" 'BEGIN {printf "%.1f", 100 * (m - p) / p}')
    local inside
    inside=$(awk -v e="$err" -v t="$tol" 'BEGIN {print (e <= t && e >= -t) ? 1 : 0}')
    printf '%-14s %d  published %6s  model %8.1f  error %6s%%  (within %s%%)' "$name" "$y" "$p" "$m" "$err" "$tol"
    if [[ "$explained" == *" $name/$y "* ]]; then
        if [ "$inside" = 1 ]; then
            echo "  explained in the docs, but now within: update docs/calibration.md and this list"
        else
            echo "  explained in docs/calibration.md"
        fi
        ok
    elif [ "$inside" = 1 ]; then
        echo "  ok"
        ok
    else
        echo "  OUTSIDE"
        bad "$name $y: model $m against published $p ($err%, tolerance $tol%)"
    fi
}

R=release-2024/la_children_who_ceased_during_the_year.csv
for y in 2020 2021 2022; do
    check in_care "$y" "$(pub release-2024/la_cla_placement_stability.csv $y "CLA on 31 March" "Total children")" \
        "$(model monthly $y-03-31 looked_after all)" 5
    check starts "$y" "$(pub release-2022/la_cla_who_started_to_be_looked_after.csv $y "Age group" Total)" \
        "$(model annual $y-03-31 entries all)" 15
    check ceased "$y" "$(pub $R $y "Reason episode ceased" Total)" "$(model annual $y-03-31 exits all)" 15
    # returned home: part and not part of the care plan; a suppressed part is left out
    rh=$( (pub $R $y "Reason episode ceased" "Returned home to live with parents or other person with parental responsibility which was part of the care planning process"
        pub $R $y "Reason episode ceased" "Returned home to live with parents or other person with parental responsibility which was not part of the care planning process") |
        awk '{s += $1} END {if (NR) print s}')
    check returned_home "$y" "$rh" "$(model annual $y-03-31 exits return_home)" 15
    check adopted "$y" "$(pub $R $y "Reason episode ceased" Adopted)" "$(model annual $y-03-31 exits adoption)" 15
    check sgo "$y" "$(pub $R $y "Reason episode ceased" "Special guardianship orders")" "$(model annual $y-03-31 exits sgo)" 15
    check staying_put "$y" "$(pub release-2024/la_care_leavers_stayput.csv $y "Aged 18" "Total living with former foster carers in the current year")" \
        "$(model annual $y-03-31 transitions_18 staying_put)" 15
done

# coverage with uncertainty on and off
for u in on off; do
    "$CARECAP" backtest "$cfg" "$d" --la 891 -r 200 -y 3 -s 1 -j 2 -q --no-charts --uncertainty $u -o "$tmp/bt-$u" \
        >/dev/null 2>"$tmp/err" || bad "backtest --uncertainty $u failed: $(cat "$tmp/err")"
done
inside() { awk -F, 'NR > 1 && $9 != "" { n++; s += $9 } END { printf "%d %d\n", s, n }' "$1/backtest.csv"; }
read -r on n_on <<<"$(inside "$tmp/bt-on")"
read -r off n_off <<<"$(inside "$tmp/bt-off")"
echo "coverage: $on of $n_on measure-years inside the 90% band with uncertainty on, $off of $n_off off"
[ "$n_on" -ge 40 ] && [ "$n_on" = "$n_off" ] && ok || bad "coverage: $n_on and $n_off measure-years scored (expected the same, at least 40)"
[ $((on * 100)) -ge $((80 * n_on)) ] && ok || bad "coverage with uncertainty on: $on of $n_on (expected at least 80%)"
[ $((on - off)) -ge 5 ] && ok || bad "coverage: uncertainty on covers $on, off $off (expected at least 5 more)"

echo "test_backtest2019: $pass passed, $fail failed"
[ $fail -eq 0 ]
