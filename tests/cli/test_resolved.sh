#!/usr/bin/env bash
# test_resolved.sh: `carecap check --resolved` and groups that may be left out.
#
# For every bundled and test config, the resolved copy (includes expanded,
# every default written out) is a valid config, resolves to itself, and runs
# to byte-identical monthly.csv and annual.csv. The minimal example, which
# leaves out every group that may be, checks and runs. Strings with quotes,
# backslashes, tabs and non-ASCII survive the round trip.
#
# Env: CARECAP (the binary), CARECAP_ROOT (the source tree).
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# same_run NAME CONFIG RESOLVED: both run to the same monthly.csv and annual.csv
same_run() {
    local name=$1 a=$2 b=$3 size="-r 12 -y 3"
    # the national baseline (82,000 children) is 80 times a county: a short run shows the same
    case $name in england*) size="-r 2 -y 1" ;; esac
    "$CARECAP" run --no-charts "$a" $size -s 11 -j 2 -q -o "$tmp/run-$name-a" 2>"$tmp/err" || { bad "run $a: $(cat "$tmp/err")"; return; }
    "$CARECAP" run --no-charts "$b" $size -s 11 -j 2 -q -o "$tmp/run-$name-b" 2>"$tmp/err" || { bad "run resolved $name: $(cat "$tmp/err")"; return; }
    for f in monthly.csv annual.csv; do
        cmp -s "$tmp/run-$name-a/$f" "$tmp/run-$name-b/$f" && ok || bad "$name: resolved config gives another $f"
    done
}

resolve_case() { # NAME CONFIG
    local name=$1 cfg=$2
    timeout 20 "$CARECAP" check --resolved "$cfg" >"$tmp/$name.cfg" 2>"$tmp/err"
    rc=$?
    [ $rc -eq 0 ] && ok || { bad "check --resolved $cfg: exit $rc: $(cat "$tmp/err")"; return; }
    [ ! -s "$tmp/err" ] && ok || bad "check --resolved $cfg printed on stderr: $(cat "$tmp/err")"
    "$CARECAP" check "$tmp/$name.cfg" >/dev/null 2>"$tmp/err" && ok || bad "resolved $name is not valid: $(cat "$tmp/err")"
    # resolving again changes nothing (every default is already there)
    "$CARECAP" check --resolved "$tmp/$name.cfg" >"$tmp/$name.again" 2>/dev/null
    cmp -s "$tmp/$name.cfg" "$tmp/$name.again" && ok || bad "resolved $name is not a fixed point"
    ! grep -q '@include' "$tmp/$name.cfg" && ok || bad "resolved $name still has an @include"
    same_run "$name" "$cfg" "$tmp/$name.cfg"
}

n=0
for cfg in "$CARECAP_ROOT"/config/*.cfg "$CARECAP_ROOT"/config/examples/*.cfg "$CARECAP_ROOT"/tests/data/*.cfg; do
    grep -q '^levers' "$cfg" && continue # scenarios
    grep -q '^councils' "$cfg" && continue # region files (docs/region.md)
    n=$((n + 1))
    resolve_case "$(basename "$cfg" .cfg)" "$cfg"
done
[ $n -ge 5 ] && ok || bad "only $n configs resolved"

# An included file is expanded in place.
mkdir -p "$tmp/inc/parts"
sed -n '/^moves = {/,/^};/p' "$CARECAP_ROOT/tests/data/cli-mini.cfg" >"$tmp/inc/parts/moves.inc"
sed '/^moves = {/,/^};/c\@include "parts/moves.inc"' "$CARECAP_ROOT/tests/data/cli-mini.cfg" >"$tmp/inc/with-include.cfg"
grep -q '^@include "parts/moves.inc"' "$tmp/inc/with-include.cfg" && ok || bad "test setup: no @include line"
resolve_case with-include "$tmp/inc/with-include.cfg"

# Strings that need escaping come back whole
# (and a number with 17 significant digits comes back exact)
sed 's/^name = "Mini Council";/name = "Quote \\" back\\\\slash \\t tab, Ynys Môn";/; s/^  trend = 0.0;/  trend = 0.012345678901234567;/' \
    "$CARECAP_ROOT/tests/data/cli-mini.cfg" >"$tmp/strings-in.cfg"
grep -q 'trend = 0.012345678901234567;' "$tmp/strings-in.cfg" && ok || bad "test setup: trend not replaced"
grep -q 'Ynys Môn' "$tmp/strings-in.cfg" && ok || bad "test setup: name not replaced"
resolve_case strings "$tmp/strings-in.cfg"
awk '$1 == "trend" { v = $3; sub(/;$/, "", v); found = 1; if (v + 0 != 0.012345678901234567) bad = 1 } END { exit !(found && !bad) }' \
    "$tmp/strings.cfg" && ok || bad "resolved trend is not exact: $(grep 'trend =' "$tmp/strings.cfg")"
# the manifest shell-quotes the name: read it back with bash and compare with the original
v=$(sed -n 's/^council: //p' "$tmp/run-strings-b/manifest.txt"); eval "v=$v"
[ "$v" = "$(printf 'Quote " back\\slash \t tab, Ynys Môn')" ] && ok || bad "resolved name differs: $(grep council: "$tmp/run-strings-b/manifest.txt")"
cmp -s <(grep '^council:' "$tmp/run-strings-a/manifest.txt") <(grep '^council:' "$tmp/run-strings-b/manifest.txt") && ok || bad "council name changed by resolving"

# The minimal example leaves groups out; resolved, they are written out in full.
min="$CARECAP_ROOT/config/examples/minimal.cfg"
[ "$(grep -cv '^ *\(#.*\)\?$' "$min")" -le 30 ] && ok || bad "minimal.cfg has more than 30 lines of settings"
for g in moves needs exits.adoption exits.sgo initial.needs entries.needs transitions.semi_independent initial.district_mix; do
    key=${g##*.}
    grep -q "^ *$key = {" "$tmp/minimal.cfg" && ok || bad "resolved minimal.cfg has no $g"
done
for g in moves needs initial.needs; do
    key=${g##*.}
    grep -q "^ *$key = {" "$min" && bad "minimal.cfg sets $g" || ok
done

# --resolved: an invalid config prints nothing on stdout (exit 3); a scenario is refused (exit 2).
"$CARECAP" check --resolved "$CARECAP_ROOT/tests/bad/negative-rate.cfg" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 3 ] && ok || bad "--resolved on an invalid config: exit $rc (expected 3)"
[ ! -s "$tmp/out" ] && ok || bad "--resolved on an invalid config printed on stdout"
cmp -s "$tmp/err" <(cd "$CARECAP_ROOT/tests/bad" && "$CARECAP" check negative-rate.cfg 2>&1 | sed 's|^negative-rate.cfg|'"$CARECAP_ROOT"'/tests/bad/negative-rate.cfg|; s|carecap: negative-rate.cfg|carecap: '"$CARECAP_ROOT"'/tests/bad/negative-rate.cfg|') && ok || bad "--resolved reports other errors than check: $(cat "$tmp/err")"
"$CARECAP" check --resolved "$CARECAP_ROOT/scenarios/edge-of-care.cfg" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 2 ] && ok || bad "--resolved on a scenario: exit $rc (expected 2)"
grep -q "takes a baseline config, not a scenario" "$tmp/err" && ok || bad "--resolved on a scenario: $(cat "$tmp/err")"

echo "test_resolved: $pass passed, $fail failed"
[ $fail -eq 0 ]
