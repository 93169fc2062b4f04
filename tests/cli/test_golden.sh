#!/usr/bin/env bash
# test_golden.sh: fixed-seed runs whose complete output is stored in
# tests/golden/. Any change to the model, the random streams or the output
# format shows up here as a diff. When a change is intended, regenerate with
#   CARECAP_UPDATE_GOLDEN=1 ctest --test-dir build -R cli_golden
# and explain the change in the commit message.
#
# Env: CARECAP (the binary), CARECAP_ROOT (the source tree).
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
golden="$CARECAP_ROOT/tests/golden"

# name | config | arguments
cases=(
    "mini|tests/data/cli-mini.cfg|-r 50 -y 3 -s 42"
    "baseline|config/nottinghamshire.cfg|-r 20 -y 2 -s 2022"
    "supply-mini|tests/data/supply-mini.cfg|-r 30 -y 3 -s 5"
)
for c in "${cases[@]}"; do
    IFS='|' read -r name cfg args <<<"$c"
    # shellcheck disable=SC2086
    if ! "$CARECAP" run --no-charts "$CARECAP_ROOT/$cfg" $args -j 2 -q -o "$tmp/$name" >/dev/null 2>"$tmp/err"; then
        bad "$name: run failed: $(cat "$tmp/err")"
        continue
    fi
    for f in monthly annual; do
        want="$golden/$name-$f.csv"
        got="$tmp/$name/$f.csv"
        if [ -n "${CARECAP_UPDATE_GOLDEN:-}" ]; then
            cp "$got" "$want"
            echo "updated $want"
            ok
        elif [ ! -f "$want" ]; then
            bad "$name: no golden file $want (run with CARECAP_UPDATE_GOLDEN=1)"
        elif cmp -s "$want" "$got"; then
            ok
        else
            bad "$name: $f.csv differs from $want (first differences below)"
            diff "$want" "$got" | head -10
        fi
    done
done

echo "test_golden: $pass passed, $fail failed"
[ $fail -eq 0 ]
