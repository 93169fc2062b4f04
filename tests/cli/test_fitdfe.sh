#!/usr/bin/env bash
# test_fitdfe.sh: the fitted flow settings of the bundled configs are what
# scripts/fit-dfe.py makes of the committed DfE copies (tests/data/dfe-891):
# rerun the script for the baseline and the 2019 back-test and compare every
# generated file byte for byte. Skipped (exit 77) without python3.
#
# Env: CARECAP_ROOT (the source tree).
set -u
: "${CARECAP_ROOT:?set CARECAP_ROOT to the source tree}"
command -v python3 >/dev/null || { echo "test_fitdfe: python3 not found, skipped"; exit 77; }
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$CARECAP_ROOT" || exit 1
data=tests/data/dfe-891

# name | base config | arguments (as in each generated file's header)
cases=(
    "nottinghamshire-fit|config/nottinghamshire.cfg|--cutoff 2022 --years 3 --stock-ages config"
    "nottinghamshire-2019-fit|config/nottinghamshire-2019.cfg|--cutoff 2019 --years 3 --stock-ages england --initial"
)
for c in "${cases[@]}"; do
    IFS='|' read -r name base args <<<"$c"
    # shellcheck disable=SC2086
    if ! python3 scripts/fit-dfe.py "$data" --base "$base" --out "$tmp/$name" $args 2>"$tmp/err"; then
        bad "$name: fit-dfe.py failed: $(cat "$tmp/err")"
        continue
    fi
    if diff -r "config/$name" "$tmp/$name" >"$tmp/diff"; then
        ok
    else
        bad "$name: config/$name differs from what scripts/fit-dfe.py writes (rerun it; first differences below)"
        head -20 "$tmp/diff"
    fi
    # every generated include is cited by its config
    for f in "config/$name"/*.inc; do
        grep -q "@include \"$name/$(basename "$f")\"" "$base" && ok || bad "$base does not include $f"
    done
done

# the extract keeps exactly the rows the fit reads: filtering the copies again
# changes nothing
python3 scripts/fit-dfe.py "$data" --extract "$tmp/again" && diff -r "$data" "$tmp/again" >/dev/null && ok ||
    bad "tests/data/dfe-891 is not a fixed point of --extract"

# a suppressed cell is missing, not zero: with the 2022 SGO total suppressed the
# fit must stop (the SGO rate cannot be fitted), not fit 0
cp -r "$data" "$tmp/supp"
f="$tmp/supp/release-2024/la_cla_placement_stability.csv"
sed -i 's/^\(2022,.*,CLA on 31 March,Total children,\)[0-9]*,/\1c,/' "$f"
sed -i 's/^\(2022,.*,Children looked after at 31 March,Total children,\)[0-9]*,/\1c,/' "$tmp/supp/release-2022/la_cla_at_31_march_placement_stability_indicator.csv"
if python3 scripts/fit-dfe.py "$tmp/supp" --base config/nottinghamshire.cfg --out "$tmp/o" 2>"$tmp/err"; then
    bad "a suppressed 31 March 2022 stock was read as a number"
else
    grep -q "no 31 March 2022 stock" "$tmp/err" && ok || bad "unexpected message: $(cat "$tmp/err")"
fi

echo "test_fitdfe: $pass passed, $fail failed"
[ $fail -eq 0 ]
