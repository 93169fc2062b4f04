#!/usr/bin/env bash
# filter-dfe.sh: make the test copies of the DfE's published tables
# (tests/data/dfe/) from the full files, keeping the header row, England's
# rows and the rows of the councils given by old_la_code (default 891,
# Nottinghamshire). Only the tables carecap backtest reads are copied, plus
# one national-only table (read and passed over quietly).
#
#   scripts/filter-dfe.sh [SRC [DEST [CODE...]]]
#   (default SRC ../shared/data/dfe beside the repository, DEST
#   tests/data/dfe, CODE 891)
#
# The first ten columns of every DfE table are time_period, time_identifier,
# geographic_level, country_code, country_name, region_code, region_name,
# old_la_code, la_name, new_la_code: none of the first eight is ever quoted,
# so a plain comma split finds geographic_level ($3) and old_la_code ($8).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
src=${1:-}
if [ -z "$src" ]; then
    src=$root/../shared/data/dfe
    [ -d "$src" ] || src=$root/../../shared/data/dfe # a git worktree one level deeper
fi
dest=${2:-$root/tests/data/dfe}
shift $(( $# > 2 ? 2 : $# ))
codes=${*:-891}
[ -d "$src" ] || { echo "filter-dfe.sh: $src: not a folder" >&2; exit 2; }
tables='la_care_leavers_stayput la_children_looked_after_exclusively_under_a_series_of_short_term_placements
la_children_who_ceased_during_year la_children_who_ceased_during_the_year la_cla_at_31_march_placement_stability_indicator
la_cla_placement_stability la_cla_during_year_new_placements la_cla_on_31_march_la_of_placement_net_gain
la_cla_on_31_march_la_of_placement_netgain la_cla_who_started_to_be_looked_after cla_number_and_rate_per_10k_children
cla_time_series_1994_2024'
for rel in "$src"/release-*; do
    [ -d "$rel" ] || continue
    out="$dest/$(basename "$rel")"
    mkdir -p "$out"
    for t in $tables; do
        f="$rel/$t.csv"
        [ -f "$f" ] || continue
        LC_ALL=C awk -F, -v codes="$codes" '
            BEGIN { n = split(codes, c, " "); for (i = 1; i <= n; i++) keep[c[i]] = 1 }
            NR == 1 || $3 == "National" || ($3 == "Local authority" && ($8 in keep))' "$f" > "$out/$t.csv"
    done
done
echo "filter-dfe.sh: wrote $(find "$dest" -name '*.csv' | wc -l) files into $dest"
