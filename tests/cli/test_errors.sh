#!/usr/bin/env bash
# test_errors.sh: every config error a user can see, checked word for word.
#
# Each tests/bad/NAME.cfg is a small valid config (tests/data/cli-mini.cfg)
# with one or more mistakes; tests/bad/NAME.expected is the exact text that
# `carecap check NAME.cfg` must print on stderr (run from tests/bad so the
# file names are short). Every bad config must exit 3 and print nothing on
# stdout. Then `run` on a few of them must exit 3 and leave the output
# directory exactly as it was.
#
# Env: CARECAP (the binary), CARECAP_ROOT (the source tree).
set -u
: "${CARECAP:?set CARECAP to the carecap binary}"
: "${CARECAP_ROOT:?set CARECAP_ROOT to the source tree}"
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The bad configs are checked in a copy of tests/bad (with config/ and
# tests/data/ beside it as in the source tree), where the files that cannot
# live in git are made: a FIFO, a link to /dev/zero and a file over 1 MiB,
# each @included by a tests/bad config. Every check runs under `timeout`, so
# a file that makes carecap hang fails the test instead of stopping it.
mkdir -p "$tmp/tree/tests"
cp -R "$CARECAP_ROOT/tests/bad" "$tmp/tree/tests/bad"
ln -s "$CARECAP_ROOT/config" "$tmp/tree/config"
ln -s "$CARECAP_ROOT/tests/data" "$tmp/tree/tests/data"
cd "$tmp/tree/tests/bad" || exit 1
mkfifo include/fifo.inc
ln -s /dev/zero include/zero.inc
head -c 1048577 /dev/zero | tr '\0' ' ' >include/big.inc
n=0
for cfg in *.cfg; do
    name=${cfg%.cfg}
    n=$((n + 1))
    if [ ! -f "$name.expected" ]; then
        bad "$name: no $name.expected"
        continue
    fi
    timeout 20 "$CARECAP" check "$cfg" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ $rc -ne 3 ]; then
        bad "$name: exit $rc (expected 3)"
    else ok; fi
    if [ -s "$tmp/out" ]; then
        bad "$name: printed on stdout:"; cat "$tmp/out"
    else ok; fi
    if cmp -s "$tmp/err" "$name.expected"; then ok; else
        bad "$name: stderr differs from $name.expected:"
        diff "$name.expected" "$tmp/err"
    fi
done
[ $n -ge 15 ] && ok || bad "only $n bad configs found in tests/bad"

# Every error line names file:line (or file) and a setting, and says what was
# expected, so a user can find and fix it. Check the form on every .expected.
for exp in *.expected; do
    while IFS= read -r line; do
        case "$line" in
        carecap:*) continue ;;
        esac
        if ! printf '%s\n' "$line" | grep -Eq '^[^ :]+(:[0-9]+)?: [^ ]+.*\(expected .*\)$|only applies to'; then
            bad "$exp: line not of the form file:line: setting: problem (expected ...): $line"
        else ok; fi
    done <"$exp"
done

# The acceptance cases: a misspelled setting, a negative rate and shares that
# sum to 0.9, each with file, line and setting named.
grep -q '^misspelled-setting.cfg:35: initial.resi_againts_plan: unknown setting' misspelled-setting.expected && ok || bad "misspelled-setting.expected lacks file:line: setting"
grep -q '^negative-rate.cfg:71: exits.sgo.rate.age_4_6: value -0.1 is out of range' negative-rate.expected && ok || bad "negative-rate.expected lacks file:line: setting"
grep -q '^shares-sum.cfg:25: initial.placement_mix.age_4_6: shares sum to 0.9' shares-sum.expected && ok || bad "shares-sum.expected lacks file:line: setting"

# A file with several mistakes reports all of them, not just the first.
count=$(grep -vc '^carecap:' several-errors.expected)
[ "$count" -ge 5 ] && ok || bad "several-errors: only $count errors reported"
grep -q "^carecap: several-errors.cfg: $count errors; nothing was run$" several-errors.expected && ok || bad "several-errors: summary line does not count $count errors"

# `run` with an invalid config: exit 3, and the output directory is untouched,
# whether it exists already (contents unchanged) or not (not created).
for name in misspelled-setting negative-rate shares-sum several-errors; do
    out="$tmp/out-$name"
    mkdir -p "$out"
    echo "keep me" >"$out/monthly.csv"
    find "$out" -printf '%p %s %T@\n' | sort >"$tmp/before"
    "$CARECAP" run --no-charts "$name.cfg" -r 2 -y 1 -o "$out" -q >/dev/null 2>"$tmp/err"
    rc=$?
    [ $rc -eq 3 ] && ok || bad "run $name: exit $rc (expected 3)"
    find "$out" -printf '%p %s %T@\n' | sort >"$tmp/after"
    cmp -s "$tmp/before" "$tmp/after" && ok || bad "run $name: output directory changed"
    [ "$(cat "$out/monthly.csv")" = "keep me" ] && ok || bad "run $name: monthly.csv overwritten"
    # run reports the same errors as check
    "$CARECAP" check "$name.cfg" 2>"$tmp/check-err"
    cmp -s "$tmp/err" "$tmp/check-err" && ok || bad "run $name: errors differ from check"
    "$CARECAP" run --no-charts "$name.cfg" -r 2 -y 1 -o "$tmp/never-$name" -q 2>/dev/null
    [ ! -e "$tmp/never-$name" ] && ok || bad "run $name: created the output directory"
done

# A config file that cannot be read: exit 4, file named.
"$CARECAP" check "$tmp/no-such.cfg" 2>"$tmp/err"
rc=$?
[ $rc -eq 4 ] && ok || bad "missing config: exit $rc (expected 4)"
grep -q "no-such.cfg: cannot read config file: No such file or directory" "$tmp/err" && ok || bad "missing config: message: $(cat "$tmp/err")"
"$CARECAP" run --no-charts "$tmp/no-such.cfg" -o "$tmp/never" -q 2>/dev/null
rc=$?
[ $rc -eq 4 ] && ok || bad "run missing config: exit $rc (expected 4)"
[ ! -e "$tmp/never" ] && ok || bad "run missing config: created the output directory"

# `check` and `run` on a file that is not a regular file of at most 1 MiB:
# refused at once (exit 3, file named), never read, never a hang.
mkfifo "$tmp/fifo.cfg"
head -c 1048577 /dev/zero | tr '\0' ' ' >"$tmp/big.cfg"
mkdir "$tmp/dir.cfg"
special() { # FILE, what it is
    timeout 10 "$CARECAP" check "$1" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    [ $rc -eq 3 ] && ok || bad "check $1: exit $rc (expected 3)"
    printf '%s: cannot read config file: %s\ncarecap: %s: 1 error; nothing was run\n' "$1" "$2" "$1" >"$tmp/want"
    cmp -s "$tmp/err" "$tmp/want" && ok || { bad "check $1: stderr:"; diff "$tmp/want" "$tmp/err"; }
    timeout 10 "$CARECAP" run --no-charts "$1" -r 2 -y 1 -q -o "$tmp/never-special" >/dev/null 2>"$tmp/err"
    rc=$?
    [ $rc -eq 3 ] && ok || bad "run $1: exit $rc (expected 3)"
    cmp -s "$tmp/err" "$tmp/want" && ok || bad "run $1: stderr: $(cat "$tmp/err")"
    [ ! -e "$tmp/never-special" ] && ok || bad "run $1: created the output directory"
    timeout 10 "$CARECAP" compare --no-charts "$CARECAP_ROOT/config/nottinghamshire.cfg" "$1" -r 2 -y 1 -q \
        -o "$tmp/never-special" >/dev/null 2>"$tmp/err"
    rc=$?
    [ $rc -eq 3 ] && ok || bad "compare with scenario $1: exit $rc (expected 3)"
    grep -q "^$1: cannot read scenario file: $2\$" "$tmp/err" && ok || bad "compare with scenario $1: stderr: $(cat "$tmp/err")"
}
special "$tmp/fifo.cfg" "is a named pipe (FIFO) (expected a regular file of at most 1 MiB)"
special /dev/zero "is a device (expected a regular file of at most 1 MiB)"
special "$tmp/dir.cfg" "is a directory (expected a regular file of at most 1 MiB)"
special "$tmp/big.cfg" "is 1048577 bytes (expected at most 1048576 bytes, 1 MiB)"

# The scan for @include follows libconfig's scanner: an @include inside a
# comment or a string is text (not followed, so the named pipe there is
# harmless), one indented on its own line is followed (and refused).
mini="$CARECAP_ROOT/tests/data/cli-mini.cfg"
{
    cat "$mini"
    printf '# @include "include/fifo.inc"\n// @include "include/fifo.inc"\n/*\n@include "include/fifo.inc"\n*/\n'
    printf 'scenario = "multi\n@include \\"include/fifo.inc\\"\nline";\n'
} >"$tmp/tree/tests/bad/include-as-text.cfg.txt"
timeout 10 "$CARECAP" check include-as-text.cfg.txt >"$tmp/out" 2>"$tmp/err"
rc=$?
# the multi-line scenario label is refused after parsing: no hang, no include
[ $rc -eq 3 ] && ok || bad "@include in comments and strings: exit $rc (expected 3): $(cat "$tmp/err")"
grep -q 'scenario: is not a usable label' "$tmp/err" && ok || bad "@include in a string: $(cat "$tmp/err")"
! grep -q 'fifo' "$tmp/err" && ok || bad "@include in a comment or string was followed: $(cat "$tmp/err")"
# a string that starts on the line before: `@include "` at the start of a line
# is still string text (the quote closes the string; then a syntax error)
{ cat "$mini"; printf 'scenario = "two\n@include "include/fifo.inc";\n'; } >"$tmp/tree/tests/bad/include-in-string.cfg.txt"
timeout 10 "$CARECAP" check include-in-string.cfg.txt >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 3 ] && ok || bad "@include in a string: exit $rc (expected 3): $(cat "$tmp/err")"
grep -q '^include-in-string.cfg.txt:[0-9]*: cannot parse the file: syntax error' "$tmp/err" && ok || bad "@include in a string was followed: $(cat "$tmp/err")"
{ cat "$mini"; printf '  \t @include "include/fifo.inc"\n'; } >"$tmp/tree/tests/bad/include-indented.cfg.txt"
timeout 10 "$CARECAP" check include-indented.cfg.txt >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 3 ] && ok || bad "indented @include: exit $rc (expected 3)"
grep -q '^include-indented.cfg.txt:[0-9]*: @include "include/fifo.inc": is a named pipe' "$tmp/err" && ok || bad "indented @include not followed: $(cat "$tmp/err")"

# The bundled configs and test data are valid.
for cfg in "$CARECAP_ROOT"/config/*.cfg "$CARECAP_ROOT"/tests/data/*.cfg; do
    if "$CARECAP" check "$cfg" >"$tmp/out" 2>"$tmp/err"; then ok; else
        bad "check $cfg failed:"; cat "$tmp/err"
    fi
done

echo "test_errors: $pass passed, $fail failed"
[ $fail -eq 0 ]
