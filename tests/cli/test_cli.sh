#!/usr/bin/env bash
# test_cli.sh: the command line as a user meets it: help, version, usage
# errors, exit codes, the files a run writes, the manifest, atomic output,
# progress on a terminal only, and byte-identical results for any -j,
# including the acceptance run on the bundled baseline.
#
# Env: CARECAP (the binary), CARECAP_ROOT (the source tree).
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

mini="$CARECAP_ROOT/tests/data/cli-mini.cfg"
base="$CARECAP_ROOT/config/nottinghamshire.cfg"

# --- help, version, usage errors ------------------------------------------
expect_rc 0 "--help" -- "$CARECAP" --help
grep -q '^Usage: carecap COMMAND' "$tmp/out" && ok || bad "--help: no usage line on stdout"
grep -q 'Exit codes: 0 success' "$tmp/out" && ok || bad "--help: exit codes not documented"
# the help text is printed as it is, not as a printf format
grep -q '%%' "$tmp/out" && bad "--help prints a doubled %: $(grep '%%' "$tmp/out")" || ok
grep -q '95% intervals' "$tmp/out" && ok || bad "--help: no '95% intervals'"
expect_rc 0 "-h" -- "$CARECAP" -h
expect_rc 0 "--version" -- "$CARECAP" --version
grep -Eq '^carecap [0-9]+\.[0-9]+\.[0-9]+$' "$tmp/out" && ok || bad "--version: $(cat "$tmp/out")"

# Usage errors: exit 2, a message and exactly one hint line, nothing on stdout.
usage_case() {
    local what=$1
    shift
    "$CARECAP" "$@" >"$tmp/out" 2>"$tmp/err"
    local rc=$?
    [ $rc -eq 2 ] && ok || bad "$what: exit $rc (expected 2)"
    [ ! -s "$tmp/out" ] && ok || bad "$what: wrote to stdout"
    [ "$(grep -c "^Try 'carecap --help' for more information.$" "$tmp/err")" = 1 ] && ok || bad "$what: no single hint line: $(cat "$tmp/err")"
    [ "$(wc -l <"$tmp/err")" = 2 ] && ok || bad "$what: expected 2 lines on stderr, got: $(cat "$tmp/err")"
}
usage_case "no arguments"
usage_case "unknown command" frobnicate
usage_case "run without config" run
usage_case "check without config" check
usage_case "unknown option" run "$mini" --bogus
usage_case "reps not a number" run "$mini" -r abc
usage_case "reps zero" run "$mini" -r 0
usage_case "years too large" run "$mini" -y 1000
usage_case "threads zero" run "$mini" -j 0
usage_case "seed negative" run "$mini" -s -5
usage_case "option without value" run "$mini" -o
usage_case "two configs" run "$mini" "$mini"
grep -q "reps" /dev/null # keep shellcheck quiet
"$CARECAP" run --no-charts "$mini" -r abc 2>"$tmp/err"
grep -q "^carecap: -r: 'abc' is not a number of replications (expected 1 to 1000000)$" "$tmp/err" && ok || bad "-r abc message: $(cat "$tmp/err")"

# --- a small run: files, formats, manifest ---------------------------------
out="$tmp/mini"
expect_rc 0 "run mini" -- "$CARECAP" run --no-charts "$mini" -r 40 -y 3 -s 7 -j 2 -o "$out"
grep -q "results in $out" "$tmp/out" && ok || bad "run does not say where the results went: $(cat "$tmp/out")"
[ ! -s "$tmp/err" ] && ok || bad "run printed on stderr although stderr is not a terminal: $(cat "$tmp/err")"
for f in monthly.csv annual.csv manifest.txt config.cfg; do
    [ -s "$out/$f" ] && ok || bad "run mini: $f missing or empty"
done
[ -z "$(find "$out" -name '*.tmp*' -o -name '.*' -type f)" ] && ok || bad "temporary files left: $(ls -a "$out")"
header='scenario,date,metric,group,mean,sd,p05,p25,p50,p75,p95'
[ "$(head -1 "$out/monthly.csv")" = "$header" ] && ok || bad "monthly.csv header"
[ "$(head -1 "$out/annual.csv")" = "$header" ] && ok || bad "annual.csv header"
# monthly dates: the start date and 36 month ends
dates=$(tail -n +2 "$out/monthly.csv" | cut -d, -f2 | sort -u)
[ "$(echo "$dates" | wc -l)" = 37 ] && ok || bad "monthly.csv: $(echo "$dates" | wc -l) dates (expected 37)"
[ "$(echo "$dates" | head -1)" = 2021-03-31 ] && ok || bad "monthly.csv: first date $(echo "$dates" | head -1)"
[ "$(echo "$dates" | tail -1)" = 2024-03-31 ] && ok || bad "monthly.csv: last date $(echo "$dates" | tail -1)"
echo "$dates" | grep -q '^2022-02-28$' && ok || bad "monthly.csv: no 2022-02-28 month end"
[ "$(tail -n +2 "$out/annual.csv" | cut -d, -f2 | sort -u | tr '\n' ' ')" = "2022-03-31 2023-03-31 2024-03-31 " ] && ok || bad "annual.csv: dates"
# the documented metric/group names are all there
for mg in looked_after,all looked_after,0-3 looked_after,4-6 looked_after,7-11 looked_after,12-15 \
    looked_after,16-17 looked_after,North looked_after,South looked_after,foster looked_after,residential \
    entries,all entries,0-3 entries,16-17 exits,all exits,return_home exits,adoption exits,sgo exits,cao \
    exits,age_18 exits,other moves,all; do
    grep -q "^baseline,[0-9-]*,$mg," "$out/monthly.csv" && ok || bad "monthly.csv: no $mg rows"
done
for mg in entries,all entries,12-15 exits,sgo exits,age_18 moves,all transitions_16,semi_independent \
    transitions_18,staying_put transitions_18,supported transitions_18,independent; do
    grep -q "^baseline,[0-9-]*,$mg," "$out/annual.csv" && ok || bad "annual.csv: no $mg rows"
done
# every row has 11 fields; percentiles are ordered
awk -F, 'NR > 1 && (NF != 11 || $7 > $8 || $8 > $9 || $9 > $10 || $10 > $11) { bad++ } END { exit bad > 0 }' \
    "$out/monthly.csv" && ok || bad "monthly.csv: a row with the wrong field count or unordered percentiles"
# start date: the configured 52 children, exactly, in every statistic
grep -q '^baseline,2021-03-31,looked_after,all,52,0,52,52,52,52,52$' "$out/monthly.csv" && ok || bad "mini: t=0 population is not exactly 52"
# manifest
for key in program command config config_fnv1a64 seed generator gsl_version libconfig_version \
    replications years start_date end_date threads events wall_seconds summary_add_seconds summary_merge_seconds; do
    grep -q "^$key: ." "$out/manifest.txt" && ok || bad "manifest: no $key"
done
grep -q '^seed: 7$' "$out/manifest.txt" && ok || bad "manifest: seed"
grep -q '^replications: 40$' "$out/manifest.txt" && ok || bad "manifest: replications"
grep -q '^threads: 2$' "$out/manifest.txt" && ok || bad "manifest: threads"
# the resolved config is itself a valid config that gives the same results
expect_rc 0 "check resolved config" -- "$CARECAP" check "$out/config.cfg"
expect_rc 0 "run resolved config" -- "$CARECAP" run --no-charts "$out/config.cfg" -r 40 -y 3 -s 7 -j 1 -o "$tmp/resolved" -q
cmp -s "$out/monthly.csv" "$tmp/resolved/monthly.csv" && ok || bad "resolved config gives different monthly.csv"

# --- determinism -------------------------------------------------------------
expect_rc 0 "run mini -j1" -- "$CARECAP" run --no-charts "$mini" -r 40 -y 3 -s 7 -j 1 -o "$tmp/j1" -q
expect_rc 0 "run mini -j3" -- "$CARECAP" run --no-charts "$mini" -r 40 -y 3 -s 7 -j 3 -o "$tmp/j3" -q
for f in monthly.csv annual.csv; do
    cmp -s "$out/$f" "$tmp/j1/$f" && ok || bad "mini: $f differs between -j2 and -j1"
    cmp -s "$out/$f" "$tmp/j3/$f" && ok || bad "mini: $f differs between -j2 and -j3"
done
expect_rc 0 "run mini seed 8" -- "$CARECAP" run --no-charts "$mini" -r 40 -y 3 -s 8 -o "$tmp/s8" -q
cmp -s "$out/monthly.csv" "$tmp/s8/monthly.csv" && bad "seeds 7 and 8 give the same monthly.csv" || ok

# --- output that cannot be written: exit 4, clear message ------------------
touch "$tmp/a-file"
expect_rc 4 "out dir is a file" -- "$CARECAP" run --no-charts "$mini" -r 2 -y 1 -o "$tmp/a-file" -q
grep -q "a-file" "$tmp/err" && ok || bad "out dir is a file: message does not name it: $(cat "$tmp/err")"
if [ "$(id -u)" != 0 ]; then
    mkdir "$tmp/ro" && chmod a-w "$tmp/ro"
    expect_rc 4 "read-only out dir" -- "$CARECAP" run --no-charts "$mini" -r 2 -y 1 -o "$tmp/ro/x" -q
fi
# an existing good result is replaced whole, never left half-written
expect_rc 0 "rerun into same dir" -- "$CARECAP" run --no-charts "$mini" -r 40 -y 3 -s 7 -o "$out" -q
cmp -s "$out/monthly.csv" "$tmp/j1/monthly.csv" && ok || bad "rerun into the same directory changed monthly.csv"

# (compare keeps no replication's values, so it refuses no number of
# replications for memory: test_cmpmem.sh checks its memory stays flat)

# --- progress on a terminal only ---------------------------------------------
if command -v script >/dev/null 2>&1; then
    script -qec "'$CARECAP' run '$mini' -r 200 -y 1 -o '$tmp/tty'" /dev/null >"$tmp/tty.log" 2>&1
    grep -q 'replications (100%)' "$tmp/tty.log" && ok || bad "no progress line on a terminal"
    script -qec "'$CARECAP' run '$mini' -r 200 -y 1 -o '$tmp/tty' --quiet" /dev/null >"$tmp/tty.log" 2>&1
    grep -q 'replications (' "$tmp/tty.log" && bad "--quiet still shows progress" || ok
fi

# --- compare: scenarios with common random numbers ---------------------------
usage_case "compare without scenarios" compare "$base"
expect_rc 0 "compare" -- "$CARECAP" compare --no-charts "$base" "$CARECAP_ROOT/tests/data/no-levers.cfg" \
    "$CARECAP_ROOT/scenarios/edge-of-care.cfg" -r 30 -y 3 -s 4 -o "$tmp/cmp" -q
for f in monthly.csv annual.csv comparison.csv manifest.txt; do
    [ -s "$tmp/cmp/$f" ] && ok || bad "compare: no $f"
done
[ "$(head -1 "$tmp/cmp/comparison.csv")" = "scenario,date,metric,group,mean,sd,p05,p25,p50,p75,p95,share_better" ] && ok || bad "comparison.csv header"
# no levers: every paired difference is exactly zero (the business case's
# payback year and cost per week are not differences: never, and none)
awk -F, '$1 == "no-levers" && $3 != "payback_year" && $3 != "cost_per_gap_week" && ($5 != 0 || $6 != 0 || $7 != 0 || $11 != 0) { bad++ } END { exit bad > 0 }' \
    "$tmp/cmp/comparison.csv" && ok || bad "compare: the no-levers scenario differs from the baseline"
grep -q '^no-levers,[0-9-]*,payback_year,all,4,0,4,4,4,4,4,$' "$tmp/cmp/comparison.csv" && \
    grep -q '^no-levers,[0-9-]*,cost_per_gap_week,all,,,,,,,,$' "$tmp/cmp/comparison.csv" \
    && ok || bad "compare: no levers, yet a payback year or a cost per week of gap closed"
[ "$(grep -c '^no-levers,' "$tmp/cmp/comparison.csv")" -gt 1000 ] && ok || bad "compare: too few no-levers rows"
# the scenarios' rows in monthly.csv equal the baseline's for no levers
diff <(grep '^baseline,' "$tmp/cmp/monthly.csv" | cut -d, -f2-) <(grep '^no-levers,' "$tmp/cmp/monthly.csv" | cut -d, -f2-) >/dev/null \
    && ok || bad "compare: no-levers monthly rows differ from the baseline's"
# edge of care: fewer children in care at the end, in most replications
awk -F, '$1 == "edge-of-care" && $2 == "2025-07-31" && $3 == "looked_after" && $4 == "all" { f = 1; if (!($5 < 0 && $12 > 0.5)) bad = 1 } END { exit !(f && !bad) }' \
    "$tmp/cmp/comparison.csv" && ok || bad "compare: edge-of-care does not lower looked_after/all"
grep -q '^scenario: edge-of-care ' "$tmp/cmp/manifest.txt" && ok || bad "compare: manifest does not list the scenario"
# variance.csv: each scenario's spread split into parameters and process, and
# the paired difference's; the baseline draws its parameters and drift, and a
# scenario the same ones (no levers: a difference of exactly 0; a lever: the
# difference varies far less than the level, the common random numbers' gain)
[ "$(head -1 "$tmp/cmp/variance.csv")" = "scenario,what,series,date,replications,draws,total_var,parameter_share,process_share" ] \
    && ok || bad "compare: variance.csv header"
awk -F, '$1 == "no-levers" && $2 == "difference" { n++; if ($7 != 0) bad++ } END { exit !(n >= 3 && !bad) }' \
    "$tmp/cmp/variance.csv" && ok || bad "compare: no-levers difference has variance in variance.csv"
awk -F, '$3 == "looked_after/all" && $4 == "2025-07-31" { v[$1 "/" $2] = $7 }
    END { exit !(v["baseline/level"] > 0 && v["edge-of-care/difference"] > 0 && v["edge-of-care/difference"] < v["edge-of-care/level"] / 4) }' \
    "$tmp/cmp/variance.csv" && ok || bad "compare: the paired difference does not vary far less than the level"
# -q: no finishing line on stdout (run, compare, export-903); without -q there is one
[ ! -s "$tmp/out" ] && ok || bad "compare -q printed: $(cat "$tmp/out")"
expect_rc 0 "run -q" -- "$CARECAP" run --no-charts "$mini" -r 2 -y 1 -o "$tmp/quiet-run" -q
[ ! -s "$tmp/out" ] && [ ! -s "$tmp/err" ] && ok || bad "run -q printed: $(cat "$tmp/out" "$tmp/err")"
expect_rc 0 "export-903 -q" -- "$CARECAP" export-903 "$mini" -y 1 -o "$tmp/quiet-903" --quiet
[ ! -s "$tmp/out" ] && [ ! -s "$tmp/err" ] && ok || bad "export-903 -q printed: $(cat "$tmp/out" "$tmp/err")"
expect_rc 0 "export-903" -- "$CARECAP" export-903 "$mini" -y 1 -o "$tmp/loud-903"
grep -q "^carecap: SSDA903 episodes" "$tmp/out" && ok || bad "export-903 without -q: no finishing line"
# a scenario for another baseline is refused
expect_rc 3 "compare with another baseline" -- "$CARECAP" compare --no-charts "$mini" "$CARECAP_ROOT/tests/data/no-levers.cfg" -r 2 -y 1 -o "$tmp/cmp2" -q
grep -q "no-levers.cfg: baseline: the scenario applies to" "$tmp/err" && ok || bad "compare: baseline mismatch message: $(cat "$tmp/err")"
[ ! -e "$tmp/cmp2" ] && ok || bad "compare: output directory created for an invalid comparison"
expect_rc 0 "check a scenario" -- "$CARECAP" check "$CARECAP_ROOT/scenarios/combined.cfg"

# --- export-903: a replication as SSDA903 files ------------------------------
expect_rc 0 "export-903" -- "$CARECAP" export-903 "$base" -s 1 -y 3 -o "$tmp/e903"
[ "$(head -1 "$tmp/e903/episodes.csv")" = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN" ] && ok || bad "episodes.csv header"
[ "$(head -1 "$tmp/e903/header.csv")" = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB" ] && ok || bad "header.csv header"
# every episode's child is in the header file; every closed episode ends on or after it starts
awk -F, 'FNR == 1 { next } FILENAME ~ /header/ { h[$1] = 1; next }
  { if (!($1 in h)) bad++; if ($8 != "") { split($2, a, "/"); split($8, b, "/"); if (b[3] b[2] b[1] < a[3] a[2] a[1]) bad++ } }
  END { exit bad > 0 }' "$tmp/e903/header.csv" "$tmp/e903/episodes.csv" && ok || bad "episodes: unknown child or DEC before DECOM"
# the same replication run normally: its exits equal the episodes that end care
expect_rc 0 "run for export" -- "$CARECAP" run --no-charts "$base" -r 1 -y 3 -s 1 -j 1 -q --uncertainty off -o "$tmp/e903run"
want=$(awk -F, '$3 == "exits" && $4 == "all" { s += $5 } END { print s }' "$tmp/e903run/annual.csv")
got=$(awk -F, 'NR > 1 && $9 ~ /^E/ { n++ } END { print n }' "$tmp/e903/episodes.csv")
[ "$want" = "$got" ] && ok || bad "export-903: $got episodes end care, the run has $want exits"

# --- acceptance on the bundled baseline: 1000 x 10 years, -j1 == -j2 ---------
expect_rc 0 "baseline -j1" -- "$CARECAP" run --no-charts "$base" -r 1000 -y 10 -s 1 -j 1 -o "$tmp/b1" -q
expect_rc 0 "baseline -j2" -- "$CARECAP" run --no-charts "$base" -r 1000 -y 10 -s 1 -j 2 -o "$tmp/b2" -q
for f in monthly.csv annual.csv; do
    cmp -s "$tmp/b1/$f" "$tmp/b2/$f" && ok || bad "baseline: $f differs between -j1 and -j2"
done
grep -q '^baseline,2022-07-31,looked_after,all,953,0,953,953,953,953,953$' "$tmp/b1/monthly.csv" && ok || bad "baseline: t=0 looked_after/all is not exactly 953"
# cohort counts at the start, read from the config itself
for c in 0_3 4_6 7_11 12_15 16_17; do
    want=$(sed -n '/^initial/,/^};/p' "$base" | sed -n '/count *= *{/,/};/p' | grep -E "^\s*age_$c\s*=" | sed -E 's/.*=\s*([0-9]+).*/\1/')
    label=${c/_/-}
    grep -q "^baseline,2022-07-31,looked_after,$label,$want,0,$want,$want,$want,$want,$want\$" "$tmp/b1/monthly.csv" && ok || bad "baseline: t=0 cohort $label is not exactly $want"
done
[ "$(sed -n '/^initial/,/^};/p' "$base" | sed -n '/count *= *{/,/};/p' | grep -oE '=\s*[0-9]+' | tr -dc "0-9\n" | awk "{s+=\$1} END {print s}")" = 953 ] && ok || bad "baseline: configured cohort counts do not sum to 953"

# the supply side at the start date: the seeds' July 2022 KPIs, exactly
for kv in kpi,kinship,84 kpi,external_foster,303 kpi,resi_against_plan,39 kpi,family_based_12_15,204 \
    kpi,outside_d2n2,290 placed_outside,county,493 placed,foster,525 placed,residential,163; do
    IFS=, read -r m g v <<<"$kv"
    grep -q "^baseline,2022-07-31,$m,$g,$v,0,$v,$v,$v,$v,$v\$" "$tmp/b1/monthly.csv" && ok || bad "baseline: t=0 $m/$g is not exactly $v"
done
for m in needing placed shortfall capacity vacancies gap; do
    for g in kinship foster residential semi_independent secure with_parents adoption other; do
        grep -q "^baseline,2032-07-31,$m,$g," "$tmp/b1/monthly.csv" && ok || bad "baseline: no $m/$g rows"
    done
done
for mg in kpi_pct,kinship kpi_pct,outside_d2n2 moves,breakdown moves,planned fostering,households \
    "occupancy,Oakhurst" "placements,IFA national"; do
    grep -q "^baseline,2032-07-31,$mg," "$tmp/b1/monthly.csv" && ok || bad "baseline: no $mg rows"
done
grep -q '^baseline,2023-07-31,exits,sgo,' "$tmp/b1/annual.csv" && ok || bad "annual.csv: no exits/sgo"
# money: spend by financial year, the workbook
[ -s "$tmp/b1/spend.xlsx" ] && ok || bad "baseline: no spend.xlsx"
for mg in spend,total spend,fixed spend,variable spend,council_homes spend,ifa unit_cost_week,foster gap_cost,all fy_months,covered; do
    grep -q "^baseline,2024-03-31,$mg," "$tmp/b1/annual.csv" && ok || bad "annual.csv: no FY 2023-24 $mg"
done
[ ! -e "$tmp/mini/spend.xlsx" ] && ok || bad "a config without costs wrote spend.xlsx"

# --uncertainty: a bad value is a usage error; with it on, the same bytes on
# -j 1 and -j 2, the manifest records it, and variance.csv has the split
expect_rc 2 "--uncertainty maybe" -- "$CARECAP" run "$base" --uncertainty maybe -o "$tmp/unc-bad"
[ "$(cat "$tmp/err")" = "carecap: --uncertainty: 'maybe' is not a switch (expected on or off)
Try 'carecap --help' for more information." ] && ok || bad "--uncertainty maybe: $(cat "$tmp/err")"
for j in 1 2; do
    expect_rc 0 "run --uncertainty on -j $j" -- "$CARECAP" run --no-charts "$base" -r 6 -y 2 -s 3 -j $j -q \
        --uncertainty on -o "$tmp/unc-j$j"
done
for f in monthly.csv annual.csv variance.csv; do
    cmp -s "$tmp/unc-j1/$f" "$tmp/unc-j2/$f" && ok || bad "uncertainty on: $f differs between -j 1 and -j 2"
done
grep -q "^uncertainty: on " "$tmp/unc-j1/manifest.txt" && ok || bad "manifest does not record uncertainty on"
awk -F, 'NR > 1 && $1 == "looked_after/all" && $4 == 3 && $6 > 0 { n++ } END { exit !(n >= 1) }' \
    "$tmp/unc-j1/variance.csv" && ok || bad "variance.csv: no parameter share for looked_after/all over 3 draws"
expect_rc 0 "run --uncertainty off" -- "$CARECAP" run --no-charts "$base" -r 2 -y 1 -q --uncertainty off -o "$tmp/unc-off"
grep -q "^uncertainty: off (the config carries some)" "$tmp/unc-off/manifest.txt" && ok ||
    bad "manifest does not record uncertainty off"

# --- the manifest's config hash covers the files the config includes ---
mkdir -p "$tmp/inc"
sed '/^entries = {/,$d' "$mini" >"$tmp/inc/main.cfg"
printf '@include "entries.inc"\n' >>"$tmp/inc/main.cfg"
sed -n '/^entries = {/,$p' "$mini" >"$tmp/inc/entries.inc"
"$CARECAP" run "$tmp/inc/main.cfg" -r 2 -y 1 -q --no-charts -o "$tmp/inc-a" 2>"$tmp/err" || bad "run with an include: $(cat "$tmp/err")"
sed -i '0,/trend = [0-9.]*;/s//trend = 0.01;/' "$tmp/inc/entries.inc"
"$CARECAP" run "$tmp/inc/main.cfg" -r 2 -y 1 -q --no-charts -o "$tmp/inc-b" 2>"$tmp/err" || bad "run with a changed include: $(cat "$tmp/err")"
ha=$(grep '^config_fnv1a64:' "$tmp/inc-a/manifest.txt"); hb=$(grep '^config_fnv1a64:' "$tmp/inc-b/manifest.txt")
[ -n "$ha" ] && [ "$ha" != "$hb" ] && ok || bad "config hash unchanged when an included file changes ($ha, $hb)"

echo "test_cli: $pass passed, $fail failed"
[ $fail -eq 0 ]
