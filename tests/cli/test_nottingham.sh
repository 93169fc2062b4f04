#!/usr/bin/env bash
# test_nottingham.sh: config/nottingham.cfg (Nottingham City) starts from its
# published position. On the start date the model holds the city's published
# number in care at 31 March 2022 (read from tests/data/dfe-892, the 2024
# release), and its placements by type are the seed's placement counts
# ([S004] data appendix, 31/03/2016) scaled to that total by largest
# remainder; the council's own homes, semi-independent homes and in-house
# carers hold the seed's internal counts scaled the same way ([S004], [S001]
# 6.4: 55% of unrelated foster placements in-house), and the block contract
# is full (10 places, [S001] 6.11). Also: the other bundled councils start
# from their published 31 March 2022 totals.
#
# Env: CARECAP (the binary), CARECAP_ROOT (the source tree).
. "$(dirname "$0")/lib.sh"
cd "$CARECAP_ROOT" || exit 1

# published: LA's 31 March YEAR total in its 2024-release stability table
published() {
    awk -F, -v la="$1" -v y="$2" '$1 == y && $8 == la && $11 == "CLA on 31 March" && $12 == "Total children" {print $13}' \
        "tests/data/dfe-$1/release-2024/la_cla_placement_stability.csv"
}
# the model's mean of METRIC/GROUP on DATE in monthly.csv of run DIR
model() {
    awk -F, -v d="$2" -v m="$3" -v g="$4" '$2 == d && $3 == m && $4 == g {print $5}' "$1/monthly.csv"
}
run() { # config -> output folder; one replication is enough for the start date
    "$CARECAP" run --no-charts "$1" -r 2 -y 1 -s 1 -q -o "$2" >/dev/null 2>"$tmp/err" || { bad "$1 does not run: $(cat "$tmp/err")"; return 1; }
}

cfg=${CARECAP_NOTTINGHAM_CONFIG:-config/nottingham.cfg}
start=$(sed -n 's/^start_date = "\([0-9-]*\)".*/\1/p' "$cfg")
[ "$start" = 2022-03-31 ] && ok || bad "$cfg: start_date $start (expected the published position, 2022-03-31)"
run "$cfg" "$tmp/n" || { echo "test_nottingham: $pass passed, $fail failed"; exit 1; }
total=$(published 892 2022)
[ -n "$total" ] && ok || bad "no published 31 March 2022 total for 892 in tests/data/dfe-892"
n=$(model "$tmp/n" "$start" looked_after all)
[ "$n" = "$total" ] && ok || bad "in care on $start: model $n, published $total"

# [S004] placements at 31/03/2016: fostering (internal 194 + external 262),
# residential (15 + 52), independent living (12 + 14), secure, placed for
# adoption, placed with parent, other (parent and child 2, health 1); 598 in all
seed="foster 456
residential 67
semi_independent 26
secure 6
adoption 39
with_parents 1
other 3"
expect=$(echo "$seed" | awk -v t="$total" '
    { name[NR] = $1; v[NR] = $2; s += $2 }
    END {
        for (i = 1; i <= NR; i++) { x = t * v[i] / s; b[i] = int(x); r[i] = x - b[i]; left += b[i] }
        left = t - left
        while (left-- > 0) { k = 0; for (i = 1; i <= NR; i++) if (!used[i] && (k == 0 || r[i] > r[k])) k = i; used[k] = 1; b[k]++ }
        for (i = 1; i <= NR; i++) print name[i], b[i]
    }')
while read -r type want; do
    got=$(model "$tmp/n" "$start" placed "$type")
    [ "$type" = foster ] && got=$(awk -v a="$got" -v b="$(model "$tmp/n" "$start" placed kinship)" 'BEGIN {print a + b}')
    [ "$got" = "$want" ] && ok || bad "placed $type on $start: model $got, the seed's count scaled to $total: $want"
done <<<"$expect"

scaled() { awk -v x="$1" -v t="$total" 'BEGIN {printf "%d", x * t / 598 + 0.5}'; }
homes=$(awk -F, -v d="$start" '$2 == d && $3 == "occupancy" && $4 ~ /^City home / {s += $5} END {print s + 0}' "$tmp/n/monthly.csv")
[ "$homes" = "$(scaled 15)" ] && ok || bad "children in the city's homes: $homes (the seed's 15 internal residential scaled: $(scaled 15))"
semi=$(model "$tmp/n" "$start" occupancy "City semi-independent homes")
[ "$semi" = "$(scaled 12)" ] && ok || bad "children in the city's semi-independent homes: $semi (the seed's 12 scaled: $(scaled 12))"
block=$(model "$tmp/n" "$start" occupancy "Residential block contract")
[ "$block" = 10 ] && ok || bad "block contract: $block children (expected its 10 places full)"
inhouse=$(model "$tmp/n" "$start" occupancy inhouse_foster)
want=$(awk -v f="$(model "$tmp/n" "$start" placed foster)" 'BEGIN {printf "%d", 0.55 * f + 0.5}')
[ "$inhouse" = "$want" ] && ok || bad "in-house foster: $inhouse (55% of the unrelated foster placements: $want)"

# the other councils' baselines start from their published totals too
for c in 831:derby 830:derbyshire; do
    la=${c%%:*} name=${c##*:}
    run "config/$name.cfg" "$tmp/$name" || continue
    want=$(published "$la" 2022)
    got=$(model "$tmp/$name" 2022-03-31 looked_after all)
    [ -n "$want" ] && [ "$got" = "$want" ] && ok || bad "$name on 2022-03-31: model $got, published $want"
done

echo "test_nottingham: $pass passed, $fail failed"
[ $fail -eq 0 ]
