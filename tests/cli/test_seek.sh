#!/usr/bin/env bash
# test_seek.sh: `carecap seek`'s errors and exit codes as users see them: no
# setting in the range meets the targets (exit 1, seek.txt says so), a bad
# range, a target on an unknown series or with bad words (exit 2, before
# anything runs), a lever or setting the scenario lacks and a setting out of
# the lever's range (exit 3, file:line), and a found answer (exit 0) whose
# files are byte-identical on -j 1 and -j 2.
#
# Env: CARECAP (the binary), CARECAP_ROOT (the source tree).
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cat >"$tmp/recruit.cfg" <<CFG
name = "recruit";
baseline = "$CARECAP_ROOT/config/nottinghamshire.cfg";
levers = (
  { lever = "foster_recruitment"; extra_per_year = 0.0; from = "2023-04-01"; }
);
CFG
target='kpi_pct/external_foster <= 40 at 2025-03-31 with p >= 0.8'
seek() { "$CARECAP" seek "$tmp/recruit.cfg" -r 20 --max-reps 80 -s 3 "$@"; }

# no setting meets: exit 1, and the files say what was tried
expect_rc 1 "no setting meets" -- seek --vary foster_recruitment.extra_per_year=0:2 --target "$target" -j 2 -o "$tmp/none"
grep -q "no setting of foster_recruitment.extra_per_year up to 2 meets every target" "$tmp/err" && ok ||
    bad "no-answer message: $(cat "$tmp/err")"
grep -q "^answer: none" "$tmp/none/seek.txt" && ok || bad "seek.txt has no 'answer: none'"
[ "$(head -n 1 "$tmp/none/seek.csv")" = "evaluation,value,replications,target,statistic,estimate,low95,high95,required,verdict" ] &&
    ok || bad "seek.csv header: $(head -n 1 "$tmp/none/seek.csv")"

# bad ranges: usage errors, nothing run
for r in "0" "0:" "0:abc" "5:5" "0:10:0" "0:10:3" "0:10:-1"; do
    expect_rc 2 "range $r" -- seek --vary "foster_recruitment.extra_per_year=$r" --target "$target" -o "$tmp/bad"
    grep -q "^carecap: --vary: 'foster_recruitment.extra_per_year=$r': .*(expected" "$tmp/err" && ok ||
        bad "range $r: $(cat "$tmp/err")"
done
expect_rc 2 "no dot" -- seek --vary extra_per_year=0:4 --target "$target"
expect_rc 2 "no --vary" -- seek --target "$target"
expect_rc 2 "no --target" -- seek --vary foster_recruitment.extra_per_year=0:4
expect_rc 2 "two --vary" -- seek --vary a.b=0:1 --vary a.b=0:1 --target "$target"
expect_rc 2 "--max-reps below -r" -- seek --max-reps 10 --vary foster_recruitment.extra_per_year=0:4 --target "$target"
expect_rc 2 "--unit-cost" -- seek --unit-cost -3 --vary foster_recruitment.extra_per_year=0:4 --target "$target"
[ ! -e "$tmp/bad" ] && ok || bad "a usage error wrote $tmp/bad"

# targets: an unknown series and other mistakes, each named by its number
expect_rc 2 "unknown series" -- seek --vary foster_recruitment.extra_per_year=0:4 --target "$target" \
    --target 'kpi_pct/external_fooster <= 40 at 2025-03-31 with p >= 0.8' -o "$tmp/bad"
grep -q "^carecap: seek: --target 2: 'kpi_pct/external_fooster' is not a series of this run (expected metric/group" \
    "$tmp/err" && ok || bad "unknown series: $(cat "$tmp/err")"
expect_rc 2 "no probability" -- seek --vary foster_recruitment.extra_per_year=0:4 \
    --target 'kpi_pct/external_foster <= 40 at 2025-03-31' -o "$tmp/bad"
grep -q "^carecap: seek: --target 1: has no probability (expected 'with p >= P'" "$tmp/err" && ok ||
    bad "no probability: $(cat "$tmp/err")"
expect_rc 2 "after the run" -- seek -y 1 --vary foster_recruitment.extra_per_year=0:4 --target "$target" -o "$tmp/bad"
grep -q "(expected -y at least 3, at most 100)" "$tmp/err" && ok || bad "-y too short: $(cat "$tmp/err")"
[ ! -e "$tmp/bad" ] && ok || bad "a target error wrote $tmp/bad"

# the lever or setting is not in the scenario; a setting out of the lever's range
expect_rc 3 "no such lever" -- seek --vary new_home.beds=1:4 --target "$target" -o "$tmp/bad"
grep -q "recruit.cfg:3: levers: has no lever new_home (expected" "$tmp/err" && ok || bad "no lever: $(cat "$tmp/err")"
expect_rc 3 "no such setting" -- seek --vary 1.resignation_multiplier=1:0.5:0.1 --target "$target" -o "$tmp/bad"
grep -q "recruit.cfg:4: levers\[0\].resignation_multiplier: is not a number this lever has in the file (expected" "$tmp/err" && ok ||
    bad "no setting: $(cat "$tmp/err")"
expect_rc 3 "out of the lever's range" -- seek --vary foster_recruitment.extra_per_year=0:-4 --target "$target" -o "$tmp/bad"
grep -q "recruit.cfg:4: levers\[0\].extra_per_year: .*(expected a number in \[0, 100000\])" "$tmp/err" && ok ||
    bad "out of range: $(cat "$tmp/err")"
[ ! -e "$tmp/bad" ] && ok || bad "a file error wrote $tmp/bad"

# an answer, the same whatever -j
for j in 1 2; do
    expect_rc 0 "answer -j $j" -- seek --vary foster_recruitment.extra_per_year=0:40 --target "${target%0.8}0.5" \
        --unit-cost 25000 -j $j -o "$tmp/j$j"
done
cmp -s "$tmp/j1/seek.csv" "$tmp/j2/seek.csv" && ok || bad "seek.csv differs between -j 1 and -j 2"
grep -q "^answer: foster_recruitment.extra_per_year = [0-9]* (.*), cost [0-9]*$" "$tmp/j1/seek.txt" && ok ||
    bad "seek.txt answer: $(cat "$tmp/j1/seek.txt")"
grep -q "^runner_up: " "$tmp/j1/seek.txt" && ok || bad "seek.txt has no runner_up"
grep -q "^evaluations: [0-9]* ([0-9]* settings, [0-9]* replications" "$tmp/j1/seek.txt" && ok || bad "seek.txt has no evaluations"

echo "test_seek.sh: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
