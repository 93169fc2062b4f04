#!/usr/bin/env bash
# test_backtest.sh: `carecap backtest` as a user meets it, on the filtered
# copies of the DfE's published tables in tests/data/dfe: backtest.csv's
# exact header, the years compared (whole April-March years only; a year the
# files lack is not invented), inside_90, error_pct and the score line agree
# with the table, a published figure inside and one outside the band, the
# measures the model cannot produce listed, the same result for any -j, the
# charts and the report section, and every error a user can see, word for
# word, with nothing written.
#
# Env: CARECAP (the binary), CARECAP_ROOT (the source tree).
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# same_text FILE EXPECTED DESCRIPTION
same_text() {
    if [ "$(cat "$1")" == "$2" ]; then ok; else
        bad "$3: got"; cat "$1"; echo "expected"; echo "$2"
    fi
}

data="$CARECAP_ROOT/tests/data/dfe"
mini="$CARECAP_ROOT/tests/data/cli-mini.cfg"
# the small config from 31 March 2019, and from mid-year (31 July 2020)
sed 's/^start_date = "2021-03-31";/start_date = "2019-03-31";/' "$mini" >"$tmp/mini2019.cfg"
sed 's/^start_date = "2021-03-31";/start_date = "2020-07-31";/' "$mini" >"$tmp/mid.cfg"
sed 's/^start_date = "2021-03-31";/start_date = "2022-03-31";/' "$mini" >"$tmp/late.cfg"
grep -q '2019-03-31' "$tmp/mini2019.cfg" || bad "could not make the 2019 config"
header='measure,year,actual,mean,sd,p05,p50,p95,inside_90,error_pct'

# ---- a back-test from 31 March 2019: the years to March 2020-2022 ----
expect_rc 0 "backtest" -- "$CARECAP" backtest "$tmp/mini2019.cfg" "$data" --la 891 -r 40 -s 7 -j 2 -o "$tmp/a" --no-charts
cp "$tmp/out" "$tmp/a.out"
cp "$tmp/err" "$tmp/a.err"
csv="$tmp/a/backtest.csv"
if [ "$(head -1 "$csv")" == "$header" ]; then ok; else bad "header: $(head -1 "$csv")"; fi
years=$(tail -n +2 "$csv" | cut -d, -f2 | sort -u | tr '\n' ' ')
if [ "$years" == "2020 2021 2022 " ]; then ok; else bad "years compared: $years (expected 2020 2021 2022)"; fi
if grep -q '^years: 3$' "$tmp/a/manifest.txt"; then ok; else bad "-y by default runs to the files' last year"; fi
for f in backtest.txt monthly.csv annual.csv config.cfg manifest.txt; do
    if [ -s "$tmp/a/$f" ]; then ok; else bad "$f not written"; fi
done
# every measure name is a documented one
for m in $(tail -n +2 "$csv" | cut -d, -f1 | sort -u); do
    if grep -q "^| \`$m\`" "$CARECAP_ROOT/docs/backtest.md"; then ok; else bad "measure $m is not in docs/backtest.md"; fi
done
# inside_90 and error_pct agree with the columns; the score line with the rows
awk -F, 'NR > 1 && $3 != "" && $4 != "" {
        n++; ins = ($3 >= $6 && $3 <= $8) ? 1 : 0
        if ($9 != ins) { print "inside_90 wrong on line " NR; exit 1 }
        if ($3 != 0) { e = 100 * ($4 - $3) / $3; if (e - $10 > 0.001 || $10 - e > 0.001) { print "error_pct wrong on line " NR; exit 1 }
                       m += (e < 0 ? -e : e); k++ }
        inside += ins }
    NR > 1 && ($3 == "" || $4 == "") && ($9 != "" || $10 != "") { print "inside_90 or error_pct without both figures on line " NR; exit 1 }
    END { printf "%d of %d measure-years inside the 90%% band (%.0f%%); mean absolute error %.1f%%\n", inside, n, 100 * inside / n, m / k }' \
    "$csv" >"$tmp/score" || bad "$(cat "$tmp/score")"
# the band's ends are sample values (order statistics, docs/backtest.md), so a
# count's band has whole-number ends: no interpolation between two replications
awk -F, 'NR > 1 && $4 != "" && $1 != "staying_put_18_pct" && ($6 != int($6) || $8 != int($8)) { print "band ends not whole on line " NR ": " $0; bad = 1 } END { exit bad }' \
    "$csv" >"$tmp/whole" && ok || bad "$(cat "$tmp/whole")"
want="carecap: backtest Mini Council against 891, years to 31 March 2020-2022: $(cat "$tmp/score"); results in $tmp/a/"
same_text "$tmp/a.out" "$want" "score line"
# measures the model cannot produce: rows with empty model columns, and a note
if grep -q '^short_term_only,2022,12,,,,,,,$' "$csv"; then ok; else bad "short_term_only row: $(grep short_term "$csv")"; fi
if grep -q '^placed_outside_31_march,2022,395,,,,,,,$' "$csv"; then ok; else bad "placed_outside without a supply section"; fi
if grep -qx "carecap: note: short_term_only: the model cannot produce it (the model does not simulate series of short-term (respite) placements); its rows have empty model columns" "$tmp/a.err"; then ok; else bad "short_term_only note"; cat "$tmp/a.err"; fi
if grep -qx "carecap: note: placed_outside_31_march: the model cannot produce it (the config has no supply section, so no child has a place inside or outside the county); its rows have empty model columns" "$tmp/a.err"; then ok; else bad "placed_outside note"; fi
if grep -q "^note: short_term_only: the model cannot produce it" "$tmp/a/backtest.txt"; then ok; else bad "backtest.txt note"; fi
# a suppressed published figure: a row with an empty actual and the model's figures
if grep -q '^ceased_returned_home,2021,,[0-9]' "$csv"; then ok; else bad "suppressed returned home 2021: $(grep '^ceased_returned_home,2021' "$csv")"; fi
if grep -qx "carecap: note: ceased_returned_home: no published figure for the years to 31 March 2020, 2021 (it, or a part of it, is suppressed in the files); they are not scored" "$tmp/a.err"; then ok; else bad "suppressed note"; fi
# the same result for any number of threads
expect_rc 0 "backtest -j 1" -- "$CARECAP" backtest "$tmp/mini2019.cfg" "$data" --la Nottinghamshire -r 40 -s 7 -j 1 -o "$tmp/a1" --no-charts
if cmp -s "$csv" "$tmp/a1/backtest.csv"; then ok; else bad "-j 1 and -j 2 (and code vs name) differ"; fi

# the back-test counts are added series only: every other series is run's
expect_rc 0 "run with the same seed" -- "$CARECAP" run "$tmp/mini2019.cfg" -r 40 -y 3 -s 7 -j 2 -o "$tmp/r" --no-charts
if grep -v ',dfe_' "$tmp/a/monthly.csv" | cmp -s - "$tmp/r/monthly.csv"; then ok; else bad "backtest changed run's monthly.csv values"; fi
if grep -v ',dfe_' "$tmp/a/annual.csv" | cmp -s - "$tmp/r/annual.csv"; then ok; else bad "backtest changed run's annual.csv values"; fi
if grep -q ',dfe_starts,under_1,' "$tmp/a/monthly.csv"; then ok; else bad "no back-test series in monthly.csv"; fi

# ---- a published figure inside the band and one outside it ----
p50=$(awk -F, '$1 == "in_care_31_march" && $2 == 2020 { printf "%d", $7 + 0.5 }' "$csv")
far=$(awk -F, '$1 == "in_care_31_march" && $2 == 2021 { printf "%d", 10 * $8 + 1000 }' "$csv")
mkdir -p "$tmp/fx"
{
    echo 'time_period,time_identifier,geographic_level,country_code,country_name,region_code,region_name,old_la_code,la_name,new_la_code,cla_group,placement_stability,number,percentage'
    echo "2020,Reporting year,Local authority,E92000001,England,E12000004,East Midlands,891,Nottinghamshire,E10000024,CLA on 31 March,Total children,$p50,100"
    echo "2021,Reporting year,Local authority,E92000001,England,E12000004,East Midlands,891,Nottinghamshire,E10000024,CLA on 31 March,Total children,$far,100"
} >"$tmp/fx/la_cla_placement_stability.csv"
expect_rc 0 "backtest on one table" -- "$CARECAP" backtest "$tmp/mini2019.cfg" "$tmp/fx/la_cla_placement_stability.csv" --la 891 -r 40 -s 7 -j 2 -o "$tmp/b" --no-charts
if grep -q "^in_care_31_march,2020,$p50,.*,1,[-0-9.]*\$" "$tmp/b/backtest.csv"; then ok; else bad "the median is inside the band: $(cat "$tmp/b/backtest.csv")"; fi
if grep -q "^in_care_31_march,2021,$far,.*,0,[-0-9.]*\$" "$tmp/b/backtest.csv"; then ok; else bad "ten times the 95th percentile is outside the band"; fi
# a year the files lack is not invented
if [ "$(tail -n +2 "$tmp/b/backtest.csv" | wc -l)" -eq 2 ] && ! grep -q ',2022,' "$tmp/b/backtest.csv"; then ok; else
    bad "rows for years or measures the file lacks: $(cat "$tmp/b/backtest.csv")"; fi
if grep -q "^carecap: backtest Mini Council against 891, years to 31 March 2020-2021: 1 of 2 measure-years inside the 90% band (50%); mean absolute error [0-9.]*%; results in $tmp/b/\$" "$tmp/out"; then ok; else bad "score of one in, one out: $(cat "$tmp/out")"; fi
for m in starts ceased_cao staying_put_18_pct; do
    if grep -qx "carecap: note: $m: not in the files for the years to 31 March 2020-2021" "$tmp/err"; then ok; else bad "note that $m is not in the files"; fi
done

# ---- a config from mid-year: whole April-March years, and the 31 March stocks of a part-year ----
expect_rc 0 "backtest from 31 July" -- "$CARECAP" backtest "$tmp/mid.cfg" "$data" --la 891 -y 2 -r 10 -o "$tmp/c" --no-charts
years=$(tail -n +2 "$tmp/c/backtest.csv" | cut -d, -f2 | sort -u | tr '\n' ' ')
if [ "$years" == "2021 2022 " ]; then ok; else bad "mid-year start compares $years (expected 2021 and 2022)"; fi
m21=$(awk -F, '$2 == 2021 { print $1 }' "$tmp/c/backtest.csv" | sort | tr '\n' ' ')
if [ "$m21" == "in_care_31_march placed_outside_31_march " ]; then ok; else bad "the part-year 2021 compares $m21 (expected the 31 March stocks only)"; fi
if grep -qx "carecap: note: the year to 31 March 2021 is only partly inside the run (from 2020-07-31): only the children in care and placed outside the council at 31 March are compared" "$tmp/err"; then ok; else bad "partial year note"; cat "$tmp/err"; fi

# ---- with a supply section: placed outside the county is modelled ----
sed 's/^start_date = "2022-07-31";/start_date = "2021-03-31";/' "$CARECAP_ROOT/config/nottinghamshire.cfg" >"$tmp/notts.cfg"
cp -r "$CARECAP_ROOT/config/nottinghamshire-fit" "$tmp/"   # the baseline @includes its fitted rates from there
expect_rc 0 "backtest with supply" -- "$CARECAP" backtest "$tmp/notts.cfg" "$data" --la E10000024 -r 20 -o "$tmp/d"
if grep -q '^placed_outside_31_march,2022,395,[0-9]' "$tmp/d/backtest.csv"; then ok; else bad "placed outside with supply: $(grep placed_outside "$tmp/d/backtest.csv")"; fi
if grep -q '^placements_3plus,2022,26,[0-9]' "$tmp/d/backtest.csv"; then ok; else bad "3+ placements"; fi
if grep -q '^staying_put_18_pct,2022,81.25,[0-9]' "$tmp/d/backtest.csv"; then ok; else bad "staying put %"; fi
# starts by age add up to all starts in every replication's year (monthly.csv means)
awk -F, '$1 == "baseline" && $3 == "dfe_starts" { s[$2] += $5 } $1 == "baseline" && $3 == "entries" && $4 == "all" { e[$2] = $5 }
    END { for (d in e) if (s[d] - e[d] > 0.01 || e[d] - s[d] > 0.01) { print "starts by age do not add up on " d; exit 1 } }' \
    "$tmp/d/monthly.csv" >"$tmp/sum" || bad "$(cat "$tmp/sum")"
if command -v gnuplot >/dev/null; then
    if [ -s "$tmp/d/charts/backtest-in_care_31_march.svg" ]; then ok; else bad "no back-test chart"; fi
    if grep -q 'id="backtest"' "$tmp/d/report.html" && grep -q 'id="backtest-in_care_31_march"' "$tmp/d/report.html"; then ok; else bad "no back-test section in report.html"; fi
    # gnuplot scripts hold no text from the inputs (the council's name)
    if grep -l "Nottinghamshire\|E10000024" "$tmp/d/charts/"backtest-*.gp >/dev/null 2>&1; then bad "input text in a gnuplot script"; else ok; fi
fi

# ---- errors: exact text, exit code, nothing written ----
# expect_error WANT_RC DESCRIPTION EXPECTED_STDERR -- command...
expect_error() {
    local want=$1 what=$2 text=$3
    shift 4
    rm -rf "$tmp/e"
    "$@" >"$tmp/out" 2>"$tmp/err"
    local rc=$?
    if [ $rc -eq "$want" ]; then ok; else bad "$what: exit $rc (expected $want)"; fi
    same_text "$tmp/err" "$text" "$what"
    if [ -s "$tmp/out" ]; then bad "$what: printed on stdout: $(cat "$tmp/out")"; else ok; fi
    if [ -z "$(ls -A "$tmp/e" 2>/dev/null)" ]; then ok; else bad "$what: wrote $(ls "$tmp/e")"; fi
}
usage="Try 'carecap --help' for more information."
expect_error 2 "no --la" "carecap: backtest needs --la CODE_OR_NAME (the council, region or England)
$usage" -- "$CARECAP" backtest "$tmp/mini2019.cfg" "$data" -o "$tmp/e"
expect_error 2 "no files" "carecap: backtest needs a config and at least one published file or folder
$usage" -- "$CARECAP" backtest "$tmp/mini2019.cfg" --la 891 -o "$tmp/e"
expect_error 2 "no config" "carecap: backtest needs a config file
$usage" -- "$CARECAP" backtest --la 891 -o "$tmp/e"
expect_error 2 "--la without a value" "carecap: option '--la' needs a value
$usage" -- "$CARECAP" backtest "$tmp/mini2019.cfg" "$data" --la
expect_error 2 "--la with run" "carecap: unknown option '--la'
$usage" -- "$CARECAP" run "$tmp/mini2019.cfg" --la 891 -o "$tmp/e"
expect_error 3 "unknown council" "carecap: --la Nowhere: no figures for that council in the files (expected an old_la_code such as 891, a new_la_code such as E10000024, a council or region name, or England)" \
    -- "$CARECAP" backtest "$tmp/mini2019.cfg" "$data" --la Nowhere -r 5 -o "$tmp/e"
expect_error 3 "not a DfE table" "carecap: $mini:1: not a DfE table (expected a header row time_period,time_identifier,geographic_level,country_code,country_name,... with a number column)
carecap: backtest: 1 error in the published figures; nothing was run" \
    -- "$CARECAP" backtest "$tmp/mini2019.cfg" "$data" "$mini" --la 891 -r 5 -o "$tmp/e"
expect_error 4 "missing file" "carecap: $tmp/none.csv: cannot read: No such file or directory
carecap: backtest: 1 error in the published figures; nothing was run" \
    -- "$CARECAP" backtest "$tmp/mini2019.cfg" "$tmp/none.csv" --la 891 -r 5 -o "$tmp/e"
truncate -s 300M "$tmp/big.csv"
expect_error 3 "too big a file" "carecap: $tmp/big.csv: larger than 256 MB (expected a DfE CSV file of at most that size)
carecap: backtest: 1 error in the published figures; nothing was run" \
    -- "$CARECAP" backtest "$tmp/mini2019.cfg" "$tmp/big.csv" --la 891 -r 5 -o "$tmp/e"
rm -f "$tmp/big.csv"
mkfifo "$tmp/fifo.csv"
expect_error 3 "not a regular file" "carecap: $tmp/fifo.csv: not a regular file or folder (expected a DfE CSV file or a folder of them)
carecap: backtest: 1 error in the published figures; nothing was run" \
    -- "$CARECAP" backtest "$tmp/mini2019.cfg" "$tmp/fifo.csv" --la 891 -r 5 -o "$tmp/e"
mkdir -p "$tmp/fy"
{
    echo 'time_period,time_identifier,geographic_level,country_code,country_name,region_code,region_name,old_la_code,la_name,new_la_code,characteristic,number'
    echo '2022,Reporting year,Local authority,E92000001,England,E12000004,East Midlands,891,Nottinghamshire,E10000024,2. Children who are the responsibility of this LA placed outside the LA boundary,395'
    echo '20x2,Reporting year,Local authority,E92000001,England,E12000004,East Midlands,891,Nottinghamshire,E10000024,2. Children who are the responsibility of this LA placed outside the LA boundary,395'
    echo '2021,Calendar year,Local authority,E92000001,England,E12000004,East Midlands,891,Nottinghamshire,E10000024,2. Children who are the responsibility of this LA placed outside the LA boundary,390'
    echo '2022,Reporting year,Local authority,E92000001,England,E12000004,East Midlands,891,Nottinghamshire,E10000024,2. Children who are the responsibility of this LA placed outside the LA boundary,393'
} >"$tmp/fy/la_cla_on_31_march_la_of_placement_netgain.csv"
f="$tmp/fy/la_cla_on_31_march_la_of_placement_netgain.csv"
expect_error 3 "bad cells" "carecap: $f:3:1: time_period: not a year ending 31 March 1990-2100 (expected YYYY such as 2022, or YYYYYY such as 202122)
carecap: $f:4:2: time_identifier: not an April-March year (expected \"Reporting year\" or \"Financial year\")
carecap: $f:5: the same year and breakdown as line 2 (expected one row for each)
carecap: backtest: 3 errors in the published figures; nothing was run" \
    -- "$CARECAP" backtest "$tmp/mini2019.cfg" "$tmp/fy" --la 891 -r 5 -o "$tmp/e"
if grep -q "20x2\|Calendar\|393" "$tmp/err"; then bad "an error message repeats a cell's value"; else ok; fi
expect_error 3 "files end before the start" "carecap: $CARECAP_ROOT/config/nottinghamshire.cfg: the published figures end with the year to 31 March 2022, before the config's start date 2022-07-31; nothing was run (expected figures for a year after the start date)" \
    -- "$CARECAP" backtest "$CARECAP_ROOT/config/nottinghamshire.cfg" "$data" --la 891 -r 5 -o "$tmp/e"
# a one-year run from mid-year: only the 31 March stocks of its part-year
expect_rc 0 "one year from 31 July" -- "$CARECAP" backtest "$tmp/mid.cfg" "$data" --la 891 -y 1 -r 5 -o "$tmp/e" --no-charts
years=$(tail -n +2 "$tmp/e/backtest.csv" | cut -d, -f2 | sort -u | tr '\n' ' ')
if [ "$years" == "2021 " ]; then ok; else bad "one year from 31 July compares $years (expected 2021)"; fi
expect_error 3 "no year in common" "carecap: no published figure falls inside the run (2022-03-31 to 2023-03-31): the files have the years to 31 March 2018-2022 (expected a run that holds a 31 March of those years)
carecap: $tmp/late.cfg: nothing to compare; nothing was written" \
    -- "$CARECAP" backtest "$tmp/late.cfg" "$data" --la 891 -y 1 -r 5 -o "$tmp/e"

echo "test_backtest: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
