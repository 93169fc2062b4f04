#!/usr/bin/env bash
# test_fitdfe.sh: the fitted flow settings of the bundled configs are what
# scripts/fit-dfe.py makes of the committed DfE copies (tests/data/dfe-NNN,
# dfe-eng): rerun the script for every fit folder in config/ and compare every
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

# name | base config | data | arguments (as in each generated file's header).
# Every fit folder in config/ must be listed: a new one without a case fails.
cases=(
    "nottinghamshire-fit|config/nottinghamshire.cfg|tests/data/dfe-891|--cutoff 2022 --years 3 --stock-ages config"
    "nottinghamshire-2019-fit|config/nottinghamshire-2019.cfg|tests/data/dfe-891|--cutoff 2019 --years 3 --stock-ages england --initial"
    "nottingham-fit|config/nottingham.cfg|tests/data/dfe-892|--la 892 --cutoff 2022 --years 3 --stock-ages england --initial"
    "nottingham-2019-fit|config/nottingham-2019.cfg|tests/data/dfe-892|--la 892 --cutoff 2019 --years 3 --stock-ages england --initial"
    "derby-fit|config/derby.cfg|tests/data/dfe-831|--la 831 --cutoff 2022 --years 3 --stock-ages england --initial --placement-mix england"
    "derby-2019-fit|config/derby-2019.cfg|tests/data/dfe-831|--la 831 --cutoff 2019 --years 3 --stock-ages england --initial --placement-mix england"
    "derbyshire-fit|config/derbyshire.cfg|tests/data/dfe-830|--la 830 --cutoff 2022 --years 3 --stock-ages england --initial --placement-mix england"
    "derbyshire-2019-fit|config/derbyshire-2019.cfg|tests/data/dfe-830|--la 830 --cutoff 2019 --years 3 --stock-ages england --initial --placement-mix england"
    "england-fit|config/england.cfg|tests/data/dfe-eng|--national --cutoff 2022 --years 3 --stock-ages england --initial --placement-mix england"
)
listed=" "
for c in "${cases[@]}"; do
    IFS='|' read -r name base d args <<<"$c"
    listed="$listed$name "
    # shellcheck disable=SC2086
    if ! python3 scripts/fit-dfe.py "$d" --base "$base" --out "$tmp/$name" $args 2>"$tmp/err"; then
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
for dir in config/*-fit; do
    [[ "$listed" == *" $(basename "$dir") "* ]] && ok || bad "$dir: no case in tests/cli/test_fitdfe.sh (its regeneration is not checked)"
done

# the extract keeps exactly the rows the fit reads: filtering the copies again
# changes nothing
for la in 891 892 831 830; do
    python3 scripts/fit-dfe.py "tests/data/dfe-$la" --la "$la" --extract "$tmp/again-$la" &&
        diff -r "tests/data/dfe-$la" "$tmp/again-$la" >/dev/null && ok ||
        bad "tests/data/dfe-$la is not a fixed point of --extract --la $la"
done
python3 scripts/fit-dfe.py tests/data/dfe-eng --national --extract "$tmp/again-eng" &&
    diff -r tests/data/dfe-eng "$tmp/again-eng" >/dev/null && ok ||
    bad "tests/data/dfe-eng is not a fixed point of --extract --national"

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
