#!/usr/bin/env bash
# test_calibrate.sh: the SSDA903 reader is forgiving where councils' files
# differ and strict where they are wrong.
# - a byte-order mark, CRLF line ends, quoted fields, extra columns and any
#   column order give exactly the same fitted config;
# - a missing required column is an error naming it (exit 3);
# - unparseable dates and unknown children are reported by line and column,
#   and the rows skipped;
# - no CHILD, UPN or postcode appears in the fitted config.
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
cfg="$CARECAP_ROOT/tests/data/roundtrip.cfg"
"$CARECAP" export-903 "$cfg" -s 3 -y 5 -o "$tmp/e" >/dev/null 2>&1 && ok || bad "export-903"
"$CARECAP" calibrate "$tmp/e/episodes.csv" "$tmp/e/header.csv" --districts "$tmp/e/districts.csv" -o "$tmp/a.cfg" >/dev/null 2>"$tmp/err" && ok || bad "calibrate: $(cat "$tmp/err")"
"$CARECAP" check "$tmp/a.cfg" >/dev/null 2>&1 && ok || bad "the fitted config is not valid"

# with a baseline's supply, matching and costs: a complete config that runs
"$CARECAP" export-903 "$CARECAP_ROOT/config/nottinghamshire.cfg" -s 2 -y 3 -o "$tmp/n" >/dev/null 2>&1
"$CARECAP" calibrate "$tmp/n/episodes.csv" "$tmp/n/header.csv" --districts "$tmp/n/districts.csv" \
    --baseline "$CARECAP_ROOT/config/nottinghamshire.cfg" -o "$tmp/s.cfg" >/dev/null 2>"$tmp/err" && ok || bad "calibrate --baseline: $(cat "$tmp/err")"
"$CARECAP" run --no-charts "$tmp/s.cfg" -r 5 -y 2 -q -o "$tmp/srun" >/dev/null 2>"$tmp/err" && ok || bad "the fitted config with supply does not run: $(cat "$tmp/err")"
grep -q ',spend,total,' "$tmp/srun/annual.csv" && ok || bad "the fitted config has no spend"

# the same data, written awkwardly
mkdir -p "$tmp/x"
{ printf '\xef\xbb\xbf'; sed 's/$/\r/' "$tmp/e/header.csv"; } >"$tmp/x/header.csv"
awk -F, 'BEGIN { OFS = "," } { print "\"" $8 "\"", $1, "x" NR, $2, $3, $4, $5, $6, $7, $9, $10, $11, $12, $13 }' \
    "$tmp/e/episodes.csv" | sed '1s/^"DEC",CHILD,x1,/"DEC",CHILD,EXTRA,/' >"$tmp/x/episodes.csv"
"$CARECAP" calibrate "$tmp/x/episodes.csv" "$tmp/x/header.csv" --districts "$tmp/e/districts.csv" -o "$tmp/b.cfg" >/dev/null 2>"$tmp/err" && ok || bad "calibrate awkward files: $(cat "$tmp/err")"
cmp -s "$tmp/a.cfg" "$tmp/b.cfg" && ok || bad "BOM/CRLF/quotes/extra column/order changed the fit: $(diff "$tmp/a.cfg" "$tmp/b.cfg" | head -5)"

# a missing column
cut -d, -f1-5,7- "$tmp/e/episodes.csv" >"$tmp/noplace.csv"
"$CARECAP" calibrate "$tmp/noplace.csv" "$tmp/e/header.csv" -o "$tmp/c.cfg" >/dev/null 2>"$tmp/err"
[ $? = 3 ] && ok || bad "missing column: not exit 3"
grep -q "noplace.csv:1: column PLACE is missing" "$tmp/err" && ok || bad "missing column message: $(cat "$tmp/err")"

# bad dates and unknown children: reported, skipped
awk -F, 'BEGIN { OFS = "," } NR == 3 { $2 = "31/02/2023" } NR == 4 { $1 = "NOBODY" } { print }' "$tmp/e/episodes.csv" >"$tmp/bad.csv"
"$CARECAP" calibrate "$tmp/bad.csv" "$tmp/e/header.csv" -o "$tmp/d.cfg" >/dev/null 2>"$tmp/err" && ok || bad "bad rows: not exit 0"
grep -q 'bad.csv:3: column DECOM: "31/02/2023" is not a date' "$tmp/err" && ok || bad "bad date message: $(cat "$tmp/err")"
grep -q 'bad.csv:4: column CHILD: the child is not in' "$tmp/err" && ok || bad "unknown child message: $(cat "$tmp/err")"
! grep -q 'NOBODY' "$tmp/err" && ok || bad "an identifier appears in a message"

# no identifiers or postcodes in the output
! grep -Eq 'C[0-9]{7}|A[0-9]{12}|ZZ[0-9]+ 0AA' "$tmp/a.cfg" "$tmp/a.cfg.fit.csv" && ok || bad "an identifier or postcode in the fitted config"
echo "test_calibrate: $pass passed, $fail failed"
[ $fail -eq 0 ]
