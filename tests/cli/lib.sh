# lib.sh: what the CLI test scripts share, sourced at their top. Needs
# CARECAP (the binary) and CARECAP_ROOT (the source tree) in the environment.
# Gives: pass/fail counters with ok and bad, a temporary folder $tmp removed
# at exit (made writable first: some tests make read-only files), and
# expect_rc WANT DESCRIPTION -- COMMAND... (stdout in $tmp/out, stderr in
# $tmp/err; a wrong exit status is a failure that shows stderr).
set -u
: "${CARECAP:?set CARECAP to the carecap binary}"
: "${CARECAP_ROOT:?set CARECAP_ROOT to the source tree}"
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
expect_rc() {
    local want=$1 what=$2
    shift 3
    "$@" >"$tmp/out" 2>"$tmp/err"
    local rc=$?
    if [ $rc -eq "$want" ]; then ok; else
        bad "$what: exit $rc (expected $want)"; cat "$tmp/err"
    fi
}
