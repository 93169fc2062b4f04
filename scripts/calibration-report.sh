#!/usr/bin/env bash
# calibration-report.sh: run a config and print the figures the baseline is
# calibrated against (stock by cohort and type, annual flows), as a table.
# Usage: scripts/calibration-report.sh CONFIG [REPS] [YEARS]
set -euo pipefail
cfg=${1:?usage: calibration-report.sh CONFIG [REPS] [YEARS]}
reps=${2:-200}; years=${3:-10}
bin=${CARECAP:-build/sim/carecap}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$bin" run "$cfg" -r "$reps" -y "$years" -s 1 -o "$out" -q
awk -F, -v y="$years" '
  FNR == 1 { next }
  FILENAME ~ /monthly/ && !start { start = $2; split(start, s0, "-") }
  FILENAME ~ /monthly/ && $3 ~ /^looked_after/ {
    split($2, d, "-"); yr = d[1] - s0[1]
    if (d[2] == s0[2] && (yr == 0 || yr == 1 || yr == 5 || yr == y)) { k = $3 "/" $4; v[k, yr] = $5; if (!(k in keys)) { keys[k] = 1; ord[++nk] = k } }
  }
  # yearly flows from the start date (the money rows by financial year are left out)
  FILENAME ~ /annual/ && $3 !~ /^(spend|spend_by_type|child_weeks|gap_cost|unit_cost_week|fy_months)$/ {
    split($2, d, "-"); yr = d[1] - s0[1]; k = $3 "/" $4; a[k, yr] = $5; if (!(k in akeys)) { akeys[k] = 1; aord[++na] = k } }
  END {
    printf "%-34s %8s %8s %8s %8s\n", "stock (mean)", "start", "year 1", "year 5", "year " y
    for (i = 1; i <= nk; i++) printf "%-34s %8.1f %8.1f %8.1f %8.1f\n", ord[i], v[ord[i],0], v[ord[i],1], v[ord[i],5], v[ord[i],y]
    printf "\n%-34s %8s %8s %8s\n", "flow a year (mean)", "year 1", "year 5", "year " y
    for (i = 1; i <= na; i++) printf "%-34s %8.1f %8.1f %8.1f\n", aord[i], a[aord[i],1], a[aord[i],5], a[aord[i],y]
  }' "$out/monthly.csv" "$out/annual.csv"
