#!/usr/bin/env bash
# test_region.sh: regions (docs/region.md). A region of one council is that
# council run alone, byte for byte; with unlimited shared markets each
# council matches its solo run (the first byte for byte, the second in
# distribution); with scarce shared places every council places more
# children outside the region; one council's new homes show in the other
# council's paired comparison; market levers; the same bytes on -j 1 and
# -j 2; the council column; errors in region files; plot on a region.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"
data="$CARECAP_ROOT/tests/data/region"
county="$CARECAP_ROOT/config/nottinghamshire.cfg"
R=40
Y=3

# mean and sd of metric/group at date D of council C in a results CSV
stat() { # file date metric group council -> "mean sd"
    awk -F, -v d="$2" -v m="$3" -v g="$4" -v c="$5" \
        '$2 == d && $3 == m && $4 == g && (c == "" || $NF == c) { print $5, $6; exit }' "$1"
}

# ---- a region of one council is the council alone ----
expect_rc 0 "solo run" -- "$CARECAP" run "$county" -r $R -y $Y -s 5 -j 1 -o "$tmp/solo" --no-charts -q
expect_rc 0 "region of one" -- "$CARECAP" run "$data/one.cfg" -r $R -y $Y -s 5 -j 2 -o "$tmp/one" --no-charts -q
for f in monthly.csv annual.csv; do
    if cmp -s "$tmp/solo/$f" "$tmp/one/councils/nottinghamshire/$f"; then ok; else
        bad "a region of one council: councils/nottinghamshire/$f differs from the council run alone"
    fi
done
last=$(awk -F, 'NR > 1 { d = $2 } END { print d }' "$tmp/solo/monthly.csv")

# ---- the council column ----
if head -1 "$tmp/one/monthly.csv" | grep -qx 'scenario,date,metric,group,mean,sd,p05,p25,p50,p75,p95,council'; then ok; else
    bad "monthly.csv header: $(head -1 "$tmp/one/monthly.csv")"
fi
cols=$(awk -F, 'NR > 1 { print $NF }' "$tmp/one/monthly.csv" | sort -u | tr '\n' ' ')
if [ "$cols" = "nottinghamshire region " ]; then ok; else bad "council column of monthly.csv holds: $cols"; fi
cols=$(awk -F, 'NR > 1 { print $NF }' "$tmp/one/annual.csv" | sort -u | tr '\n' ' ')
if [ "$cols" = "nottinghamshire region " ]; then ok; else bad "council column of annual.csv holds: $cols"; fi
# the region's own rows are the sum of its councils' (here: the one)
a=$(stat "$tmp/one/monthly.csv" "$last" looked_after all nottinghamshire)
b=$(stat "$tmp/one/monthly.csv" "$last" looked_after all region)
if [ -n "$a" ] && [ "$a" = "$b" ]; then ok; else bad "region total of looked_after/all ($b) is not the council's ($a)"; fi

# ---- unlimited shared markets ----
expect_rc 0 "unlimited markets" -- "$CARECAP" run "$data/unlimited.cfg" -r $R -y $Y -s 5 -j 2 -o "$tmp/unl" --no-charts -q
if cmp -s "$tmp/solo/monthly.csv" "$tmp/unl/councils/first/monthly.csv"; then ok; else
    bad "unlimited markets: the first council's monthly.csv is not its solo run's"
fi
for mg in "looked_after all" "placed_outside d2n2" "placed residential" "placed foster" "kpi external_foster"; do
    set -- $mg
    s=$(stat "$tmp/solo/monthly.csv" "$last" "$1" "$2" "")
    u=$(stat "$tmp/unl/councils/second/monthly.csv" "$last" "$1" "$2" "")
    if awk -v s="$s" -v u="$u" -v n=$R 'BEGIN { split(s, a, " "); split(u, b, " ");
            se = sqrt((a[2] ^ 2 + b[2] ^ 2) / n); d = b[1] - a[1]; if (d < 0) d = -d;
            exit !(se > 0 ? d <= 4 * se : d == 0) }'; then ok; else
        bad "unlimited markets: the second council's $1/$2 ($u) is not its solo run's ($s) in distribution"
    fi
done

# ---- scarce shared places: more children placed outside the region, for every council ----
expect_rc 0 "scarce markets" -- "$CARECAP" run "$data/scarce.cfg" -r $R -y $Y -s 5 -j 2 -o "$tmp/sc" --no-charts -q
for c in first second; do
    s=$(stat "$tmp/solo/monthly.csv" "$last" placed_outside d2n2 "")
    u=$(stat "$tmp/sc/councils/$c/monthly.csv" "$last" placed_outside d2n2 "")
    if awk -v s="$s" -v u="$u" -v n=$R 'BEGIN { split(s, a, " "); split(u, b, " ");
            se = sqrt((a[2] ^ 2 + b[2] ^ 2) / n); exit !(b[1] - a[1] > 3 * se) }'; then ok; else
        bad "scarce markets: council $c's placed_outside/d2n2 ($u) is not above its solo run's ($s)"
    fi
done
# who holds the places: every holder's column adds up to the occupied places
held=$(awk -F, -v d="$last" '$2 == d && $3 == "market_held" && $4 ~ /^ifa:/ { s += $5 } END { printf "%.4f", s }' "$tmp/sc/monthly.csv")
occ=$(awk -F, -v d="$last" '$2 == d && $3 == "market_occupied" && $4 == "ifa" { printf "%.4f", $5 }' "$tmp/sc/monthly.csv")
if [ -n "$occ" ] && [ "$held" = "$occ" ]; then ok; else bad "market ifa: holders add up to $held, occupied $occ"; fi

# ---- the same bytes on -j 1 and -j 2 ----
expect_rc 0 "scarce markets -j 1" -- "$CARECAP" run "$data/scarce.cfg" -r $R -y $Y -s 5 -j 1 -o "$tmp/sc1" --no-charts -q
for f in monthly.csv annual.csv councils/first/monthly.csv region/annual.csv; do
    if cmp -s "$tmp/sc/$f" "$tmp/sc1/$f"; then ok; else bad "-j 1 and -j 2 give different $f"; fi
done

# ---- one council opens homes: the other's out-of-region placements in the paired comparison ----
expect_rc 0 "compare a region scenario" -- "$CARECAP" compare "$data/tight.cfg" "$data/tight-homes.cfg" \
    -r $R -y $Y -s 5 -j 2 -o "$tmp/cmp" --no-charts -q
if head -1 "$tmp/cmp/comparison.csv" | grep -q ',share_better,council$'; then ok; else
    bad "comparison.csv header: $(head -1 "$tmp/cmp/comparison.csv")"
fi
d=$(stat "$tmp/cmp/comparison.csv" "$last" placed_outside d2n2 second)
if awk -v d="$d" -v n=$R 'BEGIN { split(d, a, " "); exit !(a[1] < 0 && a[1] < -2 * a[2] / sqrt(n)) }'; then ok; else
    bad "the first council's new homes: the second council's paired change in placed_outside/d2n2 is $d (expected below 0)"
fi
if [ -f "$tmp/cmp/councils/second/comparison.csv" ] && [ -f "$tmp/cmp/region/comparison.csv" ]; then ok; else
    bad "compare on a region: councils/second/comparison.csv or region/comparison.csv missing"
fi

# ---- market levers: a joint block keeps the background out of its places; a campaign adds places ----
expect_rc 0 "market levers" -- "$CARECAP" compare "$data/scarce.cfg" "$data/scarce-levers.cfg" \
    -r $R -y $Y -s 5 -j 2 -o "$tmp/lev" --no-charts -q
p95=$(awk -F, -v d="$last" '$1 == "joint-block-and-recruitment" && $2 == d && $3 == "market_held" &&
        $4 == "private_homes:background" { print $11 }' "$tmp/lev/monthly.csv")
if awk -v p="$p95" 'BEGIN { exit !(p != "" && p <= 20) }'; then ok; else
    bad "joint block of 20 of 40 beds: the background holds $p95 (p95; expected at most 20)"
fi
pl=$(awk -F, -v d="$last" '$1 == "joint-block-and-recruitment" && $2 == d && $3 == "market_places" && $4 == "ifa" { print $5 }' "$tmp/lev/monthly.csv")
if [ "$pl" = "260" ]; then ok; else bad "recruitment campaign of 60 places: the ifa market has $pl places (expected 260)"; fi

# ---- check and errors ----
expect_rc 0 "check a region" -- "$CARECAP" check "$data/scarce.cfg"
if grep -q "scarce.cfg: ok" "$tmp/out"; then ok; else bad "check: $(cat "$tmp/out")"; fi
expect_rc 2 "check --resolved on a region" -- "$CARECAP" check --resolved "$data/scarce.cfg"
if grep -q "check --resolved takes a council config, not a region file" "$tmp/err"; then ok; else
    bad "check --resolved on a region: $(cat "$tmp/err")"
fi
expect_rc 2 "export-903 on a region" -- "$CARECAP" export-903 "$data/scarce.cfg" -o "$tmp/x903"
cd "$data" || exit 1
expect_rc 3 "region errors" -- "$CARECAP" check bad-markets.cfg
for want in \
    'bad-markets.cfg:3: colour: unknown setting (expected one of: name, description, councils, markets)' \
    'bad-markets.cfg:6: councils[1].key: "first" is the key of another council too (expected unique keys)' \
    "bad-markets.cfg:7: councils[2].key: \"region\" names the region's own rows (expected another key)" \
    'bad-markets.cfg:10: markets[0].places: missing required setting (expected a number of places, or unlimited = true)' \
    'bad-markets.cfg:13: markets[1].size: unknown setting' \
    'bad-markets.cfg:12: markets[1].location: unknown value "nearby" (expected one of: d2n2, outside)' \
    'bad-markets.cfg:14: markets[2].places: given with unlimited = true (expected one of places and unlimited)' \
    'bad-markets.cfg:16: markets[2].background.per_year: value -1 is out of range' \
    'carecap: bad-markets.cfg: 8 errors; nothing was run'; do
    if grep -qF -- "$want" "$tmp/err"; then ok; else bad "region errors: no line: $want"; cat "$tmp/err"; fi
done
expect_rc 3 "tier errors" -- "$CARECAP" check bad-tiers.cfg
for want in \
    'bad-tiers.cfg:8: markets[0].providers: "IFA D2N2" in first is not an external residential tier' \
    'bad-tiers.cfg:8: markets[0].providers: "Oakhurst" in first is not an external residential tier' \
    'bad-tiers.cfg:8: markets[0].providers: "No such tier" is a tier of none of the councils' \
    'bad-tiers.cfg:10: markets[1].providers: "Residential spot" in first is unlimited, a last resort'; do
    if grep -qF -- "$want" "$tmp/err"; then ok; else bad "tier errors: no line: $want"; cat "$tmp/err"; fi
done
expect_rc 4 "missing council config" -- "$CARECAP" check bad-config.cfg
if grep -qF 'bad-config.cfg:4: councils[0].config: no-such-council.cfg cannot be loaded (expected a council config)' "$tmp/err"; then ok; else
    bad "missing council config: $(cat "$tmp/err")"
fi
expect_rc 3 "region scenario errors" -- "$CARECAP" check bad-levers.cfg
for want in \
    'bad-levers.cfg:5: levers[0].market: "nowhere" is not a market of the region (expected one of its names)' \
    "bad-levers.cfg:6: levers[1].places: 500 is more than market private_homes's 40 places (expected at most its places)" \
    "bad-levers.cfg:7: levers[2].from: is not after the region's first start date (expected a later date)" \
    'bad-levers.cfg:8: levers[3].council: "third" is not a council of the region (expected one of its keys)' \
    'bad-levers.cfg:9: levers[4].lever: unknown value "rebrand"'; do
    if grep -qF -- "$want" "$tmp/err"; then ok; else bad "region scenario errors: no line: $want"; cat "$tmp/err"; fi
done
# a failed region run writes nothing
expect_rc 3 "run a bad region" -- "$CARECAP" run bad-markets.cfg -r 2 -y 1 -o "$tmp/none" -q
if [ ! -e "$tmp/none" ]; then ok; else bad "a bad region file left $tmp/none"; fi
# a region scenario of another region is refused by compare
expect_rc 3 "scenario of another region" -- "$CARECAP" compare "$data/unlimited.cfg" "$data/scarce-levers.cfg" \
    -r 2 -y 1 -o "$tmp/none" -q

# ---- charts, report and plot on a region ----
expect_rc 0 "region with charts" -- "$CARECAP" run "$data/scarce.cfg" -r 4 -y 1 -s 5 -j 2 -o "$tmp/ch" -q
for f in report.html region/report.html councils/first/report.html councils/second/report.html; do
    if [ -s "$tmp/ch/$f" ]; then ok; else bad "region run: $f missing"; fi
done
if grep -q 'councils/second/report.html' "$tmp/ch/report.html" && grep -q 'region/report.html' "$tmp/ch/report.html"; then ok; else
    bad "report.html does not link each council and the region"
fi
rm -f "$tmp/ch/councils/first/report.html"
expect_rc 0 "plot a region" -- "$CARECAP" plot "$tmp/ch"
if [ -s "$tmp/ch/councils/first/report.html" ]; then ok; else bad "plot did not redraw councils/first/report.html"; fi

echo "test_region: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
