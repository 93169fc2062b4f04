#!/usr/bin/env bash
# test_calibrate.sh: the SSDA903 reader is forgiving where councils' files
# differ and strict where they are wrong.
# - a byte-order mark, CRLF line ends, quoted fields, extra columns and any
#   column order give exactly the same fitted config;
# - a missing required column is an error naming it (exit 3);
# - unparseable dates and unknown children are reported by line and column,
#   and the rows skipped;
# - bad rows (an end before the start, unknown codes, a birth date that
#   differs between files) are errors by file, line and column: exit 3 and
#   nothing written;
# - a year's extract per file pair, with the episodes that span years
#   repeated (open in the first year, closed in the next), fits exactly as
#   the whole file does; so does a districts table by outward code;
# - with --baseline the config is complete (supply, matching, costs with
#   their source comments; start counts fitted) and runs;
# - no CHILD, UPN or postcode appears in the fitted config or any message.
# Env: CARECAP (the binary), CARECAP_ROOT (the source tree).
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# calibrate, its messages in $tmp/err and, for the identifier check, all of them in $tmp/all.err
calib() {
    "$CARECAP" calibrate "$@" 2>"$tmp/err"
    local rc=$?
    cat "$tmp/err" >>"$tmp/all.err"
    return $rc
}
cfg="$CARECAP_ROOT/tests/data/roundtrip.cfg"
"$CARECAP" export-903 "$cfg" -s 3 -y 5 -o "$tmp/e" >/dev/null 2>&1 && ok || bad "export-903"
calib "$tmp/e/episodes.csv" "$tmp/e/header.csv" --districts "$tmp/e/districts.csv" -o "$tmp/a.cfg" >/dev/null && ok || bad "calibrate: $(cat "$tmp/err")"
"$CARECAP" check "$tmp/a.cfg" >/dev/null 2>&1 && ok || bad "the fitted config is not valid"

# with a baseline's supply, matching and costs: a complete config that runs
"$CARECAP" export-903 "$CARECAP_ROOT/config/nottinghamshire.cfg" -s 2 -y 3 -o "$tmp/n" >/dev/null 2>&1
calib "$tmp/n/episodes.csv" "$tmp/n/header.csv" --districts "$tmp/n/districts.csv" \
    --baseline "$CARECAP_ROOT/config/nottinghamshire.cfg" -o "$tmp/s.cfg" >/dev/null && ok || bad "calibrate --baseline: $(cat "$tmp/err")"
"$CARECAP" run --no-charts "$tmp/s.cfg" -r 5 -y 2 -q -o "$tmp/srun" >/dev/null 2>"$tmp/err" && ok || bad "the fitted config with supply does not run: $(cat "$tmp/err")"
grep -q ',spend,total,' "$tmp/srun/annual.csv" && ok || bad "the fitted config has no spend"

# the fitted config's comments: every estimated number has its events and a 95% interval
! grep -E '^ *[a-z_0-9]+ = [0-9.e+-]+;' "$tmp/a.cfg" | grep -v -E '# .*(95%|counted|assumption)' | grep -v '^ *trend' | grep -q . \
    && ok || bad "an estimated number without its interval: $(grep -E '^ *[a-z_0-9]+ = [0-9.e+-]+;' "$tmp/a.cfg" | grep -v -E '# .*(95%|counted|assumption)' | head -3)"
head -1 "$tmp/a.cfg.fit.csv" | grep -qx 'setting,kind,estimate,lo95,hi95,events,exposure' && ok || bad "fit table header: $(head -1 "$tmp/a.cfg.fit.csv")"

# the fitted config carries the uncertainty of every fitted rate: each rate row
# of the fit table with an exposure (the per-district rows aside) has an
# uncertainty_of entry with the same events and exposure, and each at_16
# share its counts [with, without]; check reports it; draws change a run
awk -F, 'NR > 1 && $2 == "rate" && $7 > 0 && $1 !~ /\[/ { printf "%s %g %.3f\n", $1, $6, $7 }
         NR > 1 && $2 == "share" && $1 ~ /^transitions\.semi_independent\.at_16\./ { printf "%s [%g, %g]\n", $1, $6, $7 - $6 }' \
    "$tmp/a.cfg.fit.csv" | sort >"$tmp/unc.want"
sed -n 's/^ *{ setting = "\([^"]*\)"; events = \([0-9.e+]*\); exposure = \([0-9.]*\);.*/\1 \2 \3/p;
        s/^ *{ setting = "\(transitions[^"]*\)"; counts = \(\[[^]]*\]\);.*/\1 \2/p' "$tmp/a.cfg" | sort >"$tmp/unc.got"
[ -s "$tmp/unc.want" ] && diff "$tmp/unc.want" "$tmp/unc.got" >"$tmp/unc.diff" && ok ||
    bad "uncertainty_of does not match the fit table: $(head -5 "$tmp/unc.diff")"
grep -q '{ setting = "entries.placement_mix.age_0_3"; counts = \[' "$tmp/a.cfg" && ok || bad "no counts for the entrants' placement mix"
"$CARECAP" check "$tmp/a.cfg" >"$tmp/chk" 2>&1
n=$(grep -c '^  { setting = "' "$tmp/a.cfg")
grep -q "^uncertainty: $n settings in uncertainty_of" "$tmp/chk" && [ "$n" -gt "$(wc -l <"$tmp/unc.want")" ] && ok ||
    bad "check does not report the fitted uncertainty: $(grep uncertainty "$tmp/chk")"
grep -qE '^  exits\.\*\.rate +([0-9]+) of +\1$' "$tmp/chk" && ok || bad "check: not every exit rate carries uncertainty"
for u in on off; do
    "$CARECAP" run --no-charts "$tmp/a.cfg" -r 4 -y 2 -s 5 -q --uncertainty $u -o "$tmp/u$u" >/dev/null 2>&1 || bad "run --uncertainty $u"
done
! cmp -s "$tmp/uon/annual.csv" "$tmp/uoff/annual.csv" && ok || bad "--uncertainty on gives the same run as off"

# the baseline's comments travel with its numbers; start counts fitted
grep -q 'price_week = 820.0;   # \[CMA 2021\] IFA about 820 a week' "$tmp/s.cfg" && ok || bad "a baseline source comment was lost"
grep -q 'start_rest = true;   # fitted: takes the other' "$tmp/s.cfg" && ok || bad "no fitted start_rest tier"
grep -q '^ *start = [0-9]*;   # fitted: ' "$tmp/s.cfg" && ok || bad "no fitted start count"
"$CARECAP" check "$tmp/s.cfg" >/dev/null 2>&1 && ok || bad "the config with the baseline's supply is not valid"
# an invalid baseline: its errors, exit 3, nothing written
printf 'name = "x";\nstart_date = "2022-07-31";\nbogus = 1;\n' >"$tmp/badbase.cfg"
calib "$tmp/n/episodes.csv" "$tmp/n/header.csv" --baseline "$tmp/badbase.cfg" -o "$tmp/t.cfg" >/dev/null
[ $? = 3 ] && ok || bad "invalid baseline: not exit 3"
grep -q "badbase.cfg:3: bogus: unknown setting" "$tmp/err" && ok || bad "invalid baseline message: $(cat "$tmp/err")"
[ ! -e "$tmp/t.cfg" ] && [ ! -e "$tmp/t.cfg.fit.csv" ] && ok || bad "an invalid baseline left output"
[ -z "$(find "$tmp" -maxdepth 1 -name '.t.cfg*')" ] && ok || bad "temporary files left behind"

# one file pair a year: episodes spanning the cut are in both, open in the first
cut=01/04/2024
awk -F, -v OFS=, 'function d(s) { split(s, a, "/"); return a[3] a[2] a[1] }
  NR == 1 { print > "'"$tmp"'/y1.csv"; print > "'"$tmp"'/y2.csv"; next }
  { s = d($2); e = $8 == "" ? "99999999" : d($8); c = "20240401"
    if (s < c) { r = $0; if (e >= c) { $8 = ""; $9 = "" } print > "'"$tmp"'/y1.csv"; $0 = r }
    if (e >= c) print > "'"$tmp"'/y2.csv" }' "$tmp/e/episodes.csv"
calib "$tmp/y1.csv" "$tmp/e/header.csv" "$tmp/y2.csv" "$tmp/e/header.csv" --districts "$tmp/e/districts.csv" \
    -o "$tmp/y.cfg" >"$tmp/out" && ok || bad "calibrate two years: $(cat "$tmp/err")"
cmp -s "$tmp/a.cfg" "$tmp/y.cfg" && ok || bad "two years' extracts fit differently from one file: $(diff "$tmp/a.cfg" "$tmp/y.cfg" | head -6)"
grep -q 'repeated episodes merged' "$tmp/out" && ok || bad "repeated episodes not reported: $(cat "$tmp/out")"

# a districts table by outward code; an unknown HOME_POST is reported, spread
printf 'HOME_POST,district\nZZ1,North\n"zz2",South\n' >"$tmp/outward.csv"
calib "$tmp/e/episodes.csv" "$tmp/e/header.csv" --districts "$tmp/outward.csv" -o "$tmp/o.cfg" >/dev/null && ok || bad "outward table: $(cat "$tmp/err")"
cmp -s "$tmp/a.cfg" "$tmp/o.cfg" && ok || bad "an outward-code table fits differently: $(diff "$tmp/a.cfg" "$tmp/o.cfg" | head -4)"
printf 'HOME_POST,district\nZZ1,North\nZZ3,South\nZZ20,South\n' >"$tmp/partial.csv"
calib "$tmp/e/episodes.csv" "$tmp/e/header.csv" --districts "$tmp/partial.csv" -o "$tmp/p.cfg" >/dev/null && ok || bad "partial table: not exit 0"
grep -q "episodes.csv:[0-9]*: column HOME_POST: not in .*partial.csv (the child is spread over the districts in proportion)" "$tmp/err" && ok || bad "unknown HOME_POST message: $(head -3 "$tmp/err")"
grep -q "warning: ... and [0-9]* more rows whose HOME_POST is not in the districts table" "$tmp/err" && ok || bad "no count of the further unknown HOME_POST rows"

# bad rows: errors by file, line and column; exit 3; nothing written
awk -F, 'BEGIN { OFS = "," } NR == 3 { $8 = "01/01/2000" } NR == 4 { $6 = "Q9" } NR == 5 { $3 = "Z" } NR == 6 { $9 = "E99" } NR == 7 { $7 = "PR9" } { print }' \
    "$tmp/e/episodes.csv" >"$tmp/rows.csv"
calib "$tmp/rows.csv" "$tmp/e/header.csv" -o "$tmp/r.cfg" >/dev/null
[ $? = 3 ] && ok || bad "bad rows: not exit 3"
for want in 'rows.csv:3: column DEC: the episode ends before it starts (expected DEC on or after DECOM)' \
    'rows.csv:4: column PLACE: not an SSDA903 placement code (a value of 2 characters; expected one of U1-U6,' \
    'rows.csv:5: column RNE: not an SSDA903 reason for a new episode (a value of 1 character; expected S, P, B, T, L or U)' \
    'rows.csv:6: column REC: not an SSDA903 reason for the episode ending (a value of 3 characters; expected X1 or an E code' \
    'rows.csv:7: column PLACE_PROVIDER: not a provider code (a value of 3 characters; expected PR0 to PR5)' \
    'carecap: 5 errors in the input files; nothing was written'; do
    grep -qF "$want" "$tmp/err" && ok || bad "missing message: $want"
done
[ ! -e "$tmp/r.cfg" ] && [ ! -e "$tmp/r.cfg.fit.csv" ] && ok || bad "bad rows left output"
# a child whose birth date differs between two header files; an episode before birth
awk -F, 'BEGIN { OFS = "," } NR == 2 { $3 = "01/01/1990" } { print }' "$tmp/e/header.csv" >"$tmp/h2.csv"
calib "$tmp/e/episodes.csv" "$tmp/e/header.csv" "$tmp/e/episodes.csv" "$tmp/h2.csv" -o "$tmp/r.cfg" >/dev/null
[ $? = 3 ] && ok || bad "differing DOB: not exit 3"
grep -Eq 'header.csv:2: column DOB: differs from the same child.s row at .*h2.csv:2 \(expected one date of birth\)|h2.csv:2: column DOB: differs from the same child.s row at .*header.csv:2' "$tmp/err" && ok || bad "differing DOB message: $(cat "$tmp/err")"
awk -F, 'BEGIN { OFS = "," } NR == 2 { $3 = "01/01/2030" } { print }' "$tmp/e/header.csv" >"$tmp/h3.csv"
calib "$tmp/e/episodes.csv" "$tmp/h3.csv" -o "$tmp/r.cfg" >/dev/null
[ $? = 3 ] && grep -q "column DECOM: the episode starts before the child's date of birth in .*h3.csv (expected a date after DOB)" "$tmp/err" && ok || bad "episode before birth: $(cat "$tmp/err")"
printf 'CHILD,DOB\nC1,31/02/2010\n' >"$tmp/h4.csv"
calib "$tmp/e/episodes.csv" "$tmp/h4.csv" -o "$tmp/r.cfg" >/dev/null
[ $? = 3 ] && grep -qF 'h4.csv:2: column DOB: not a date (a value of 10 characters; expected DD/MM/YYYY)' "$tmp/err" && ok || bad "bad DOB: $(cat "$tmp/err")"

# the window
calib "$tmp/e/episodes.csv" "$tmp/e/header.csv" --to 2040-01-01 -o "$tmp/r.cfg" >/dev/null
[ $? = 3 ] && grep -qx -- '--to: 2040-01-01 is after the last date in the episodes files (expected a date the data covers)' "$tmp/err" && ok || bad "--to past the data: $(cat "$tmp/err")"
calib "$tmp/e/episodes.csv" "$tmp/e/header.csv" --from 2021-13-01 -o "$tmp/r.cfg" >/dev/null
[ $? = 3 ] && grep -qF -- '--from: "2021-13-01" is not a date (expected YYYY-MM-DD)' "$tmp/err" && ok || bad "--from not a date: $(cat "$tmp/err")"
calib "$tmp/e/episodes.csv" "$tmp/e/header.csv" --from 2025-06-01 -o "$tmp/r.cfg" >/dev/null
[ $? = 3 ] && grep -q 'the window, [0-9]* days, is too short (expected at least a year of episodes between --from and --to)' "$tmp/err" && ok || bad "short window: $(cat "$tmp/err")"
# usage: files come in pairs
calib "$tmp/e/episodes.csv" "$tmp/e/header.csv" "$tmp/y1.csv" -o "$tmp/r.cfg" >/dev/null
[ $? = 2 ] && grep -q "y1.csv' has no header file" "$tmp/err" && ok || bad "odd file count: $(cat "$tmp/err")"

# a same-day episode (a legal status settled on the day) followed by the
# placement from that day: not a repeat; the child's period runs on
cat >"$tmp/sd.csv" <<'CSV'
CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN
A1,01/04/2020,S,C2,N1,U4,PR1,01/04/2020,X1,,,,
A1,01/04/2020,L,C2,N1,U4,PR1,01/03/2022,E4A,,,,
B1,01/06/2020,S,C2,N1,U4,PR1,30/06/2022,E4A,,,,
CSV
printf 'CHILD,DOB\nA1,01/06/2010\nB1,01/06/2010\n' >"$tmp/sdh.csv"
calib "$tmp/sd.csv" "$tmp/sdh.csv" --from 2020-04-01 -o "$tmp/sd.cfg" >/dev/null && ok || bad "same-day episodes: $(cat "$tmp/err")"
grep -q '^exits.return_home.rate.age_7_11,rate,[0-9.e-]*,[0-9.e-]*,[0-9.e-]*,1,' "$tmp/sd.cfg.fit.csv" && ok || bad "same-day episodes: the return home at 11 is lost: $(grep return_home.rate.age_7_11 "$tmp/sd.cfg.fit.csv")"
! grep -q 'X1, but no episode' "$tmp/err" && ok || bad "same-day episodes: the second was taken for a repeat: $(cat "$tmp/err")"

# the same data, written awkwardly
mkdir -p "$tmp/x"
{ printf '\xef\xbb\xbf'; sed 's/$/\r/' "$tmp/e/header.csv"; } >"$tmp/x/header.csv"
awk -F, 'BEGIN { OFS = "," } { print "\"" $8 "\"", $1, "\"x, \"\"" NR "\"\"\"", $2, $3, $4, $5, $6, $7, $9, $10, $11, $12, $13 }' \
    "$tmp/e/episodes.csv" | sed '1s/^"DEC",CHILD,"x, ""1""",/"DEC",CHILD,EXTRA,/' >"$tmp/x/episodes.csv"
calib "$tmp/x/episodes.csv" "$tmp/x/header.csv" --districts "$tmp/e/districts.csv" -o "$tmp/b.cfg" >/dev/null && ok || bad "calibrate awkward files: $(cat "$tmp/err")"
cmp -s "$tmp/a.cfg" "$tmp/b.cfg" && ok || bad "BOM/CRLF/quotes/extra column/order changed the fit: $(diff "$tmp/a.cfg" "$tmp/b.cfg" | head -5)"

# a missing column
cut -d, -f1-5,7- "$tmp/e/episodes.csv" >"$tmp/noplace.csv"
calib "$tmp/noplace.csv" "$tmp/e/header.csv" -o "$tmp/c.cfg" >/dev/null
[ $? = 3 ] && ok || bad "missing column: not exit 3"
grep -q "noplace.csv:1: column PLACE is missing" "$tmp/err" && ok || bad "missing column message: $(cat "$tmp/err")"

# bad dates and unknown children: reported, skipped
awk -F, 'BEGIN { OFS = "," } NR == 3 { $2 = "31/02/2023" } NR == 4 { $1 = "NOBODY" } { print }' "$tmp/e/episodes.csv" >"$tmp/bad.csv"
calib "$tmp/bad.csv" "$tmp/e/header.csv" -o "$tmp/d.cfg" >/dev/null && ok || bad "bad rows: not exit 0"
grep -qF 'bad.csv:3: column DECOM: not a date (a value of 10 characters; expected DD/MM/YYYY; row skipped)' "$tmp/err" && ok || bad "bad date message: $(cat "$tmp/err")"
grep -q 'bad.csv:4: column CHILD: the child is not in' "$tmp/err" && ok || bad "unknown child message: $(cat "$tmp/err")"
! grep -q 'NOBODY' "$tmp/err" && ok || bad "an identifier appears in a message"

# no identifiers or postcodes in the output
! grep -Eq 'C[0-9]{7}|A[0-9]{12}|ZZ[0-9]+ 0AA' "$tmp/a.cfg" "$tmp/a.cfg.fit.csv" "$tmp/s.cfg" "$tmp/s.cfg.fit.csv" && ok || bad "an identifier or postcode in the fitted config"
[ -s "$tmp/all.err" ] && ! grep -Eq 'C[0-9]{7}|A[0-9]{12}|ZZ[0-9]+ 0AA' "$tmp/all.err" && ok || bad "an identifier or postcode in a message"
# privacy: distinctive identifiers (QZX...) planted in every column, on every
# error and warning path; none may appear in a message, the config or the fit
# table (a message may give a value's length or that it is not ASCII)
pv="$tmp/pv"
mkdir -p "$pv"
EH='CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN'
printf 'CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n' >"$pv/h.csv"
for i in 1 2 3 4 5 6; do printf 'QZX000%d,1,01/01/2010,QZXE%d,QZXU%d,QZXM%d,QZXD%d\n' $i $i $i $i $i >>"$pv/h.csv"; done
printf 'HOME_POST,district\nQZP1,North\nQZP2,South\n' >"$pv/d.csv"
{ echo "$EH"
  echo 'QZX0001,01/01/2019,S,QZXLS1,QZXCIN1,U4,PR1,01/06/2020,E4A,QZXR1,QZP1 1AB,QZXPL1,QZXURN1'
  echo 'QZX0002,01/02/2019,S,C2,N1,U4,PR1,,,,QZXHP2 1AB,QZXPL2,QZXURN2'
  echo 'QZX0003,01/03/2019,S,C2,N1,U4,PR1,01/06/2020,E4A,,QZP2 1AB,,'
  echo 'QZX0003,01/03/2020,P,C2,N1,U5,PR1,,,,QZP2 1AB,,'
  echo 'QZX0004,01/03/2019,S,C2,N1,U4,PR1,,,,QZP2 1AB,,'
  echo 'QZX0004,01/04/2020,P,C2,N1,U5,PR1,01/03/2021,E4A,,QZP2 1AB,,'
  echo 'QZX0005,01/03/2019,S,C2,N1,U4,PR1,01/04/2020,X1,,QZP2 1AB,,'
  echo 'QZX0006,01/03/2019,S,C2,N1,U4,PR1,01/06/2021,E4A,,QZP2 1AB,,'
  echo 'QZX9999,01/01/2020,S,C2,N1,U4,PR1,,,,,,'
  echo 'QZX0001,QZX0501,S,C2,N1,U4,PR1,,,,,,'
  echo 'QZX0001,01/01/2020,S,C2,N1,U4,PR1,QZX0601,E4A,,,,'
} >"$pv/w.csv"
calib "$pv/w.csv" "$pv/h.csv" --districts "$pv/d.csv" -o "$pv/w.cfg" >"$pv/w.out"
cat "$pv/w.out" >>"$tmp/all.err"
[ -s "$pv/w.cfg" ] && ok || bad "privacy: the warnings-only files did not fit: $(cat "$tmp/err")"
for k in 'the child is not in the header' 'is still open when this one starts' 'overlaps the child' \
    'column HOME_POST: not in' 'column REC: X1, but no episode' 'column DECOM: not a date' 'column DEC: not a date'; do
    grep -qF "$k" "$tmp/err" && ok || bad "privacy: warning path not reached: $k"
done
# every error path: the header, the episodes, the districts table
printf 'CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\nQZX0001,1,01/01/2010,,,,\nQZX0002,1,QZX0801,,,,\nQZX0003,1,01/01/2010,,,,\n,1,01/01/2010,,,,\n' >"$pv/he.csv"
printf 'CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\nQZX0001,1,02/01/2010,,,,\n' >"$pv/he2.csv"
{ echo "$EH"
  echo 'QZX0001,01/01/2019,QZX0901,C2,N1,U4,PR1,,,,,,'
  echo 'QZX0001,01/01/2019,S,C2,N1,QZX1001,PR1,,,,,,'
  echo 'QZX0001,01/01/2019,S,C2,N1,U4,QZX1101,,,,,,'
  echo 'QZX0001,01/01/2019,S,C2,N1,U4,PR1,01/01/2020,QZX1201,,,,'
  echo 'QZX0001,01/01/2019,S,C2,N1,U4,PR1,01/01/2018,E4A,,,,'
  echo 'QZX0001,01/01/2009,S,C2,N1,U4,PR1,,,,,,'
  printf 'QZX0001,01/01/2019,S,C2,N1,\xff\xfeQZX1301,PR1,,,,,,\n'
  printf 'QZX0001,01/01/2019,S,C2,N1,QZX'; head -c 10000000 /dev/zero | tr '\0' 'Q'; echo ',PR1,,,,,,'
  echo 'QZX0001,01/01/2019,S,C2,N1,"QZX1401'
  echo 'QZX1501,01/01/2019,S,C2,N1,U4,PR1,,,,,,'
} >"$pv/e.csv"
# (a row shifted by one comma: CHILD blank, the identifier in DECOM)
sed -i '2i ,QZX0701,01/01/2020,S,C2,N1,U4,PR1,,,,,' "$pv/e.csv"
printf 'HOME_POST,district\nQZP1,"Nor""QZX1601"\n,QZX1701\nQZX1801,\nQZP3,North\nQZP3,South\n' >"$pv/de.csv"
calib "$pv/e.csv" "$pv/he.csv" "$pv/e.csv" "$pv/he2.csv" --districts "$pv/de.csv" -o "$pv/e.cfg" >>"$tmp/all.err"
[ $? = 3 ] && ok || bad "privacy: the bad files were not refused"
[ ! -e "$pv/e.cfg" ] && ok || bad "privacy: the bad files left output"
for k in 'column DOB: not a date' 'column CHILD: blank' 'column DOB: differs' 'column RNE: not' 'column PLACE: not' \
    'column PLACE_PROVIDER: not' 'column REC: not' 'column DEC: the episode ends before' 'before the child.s date of birth' \
    'bytes, not all printable ASCII' 'a quoted field is not closed' 'column district: not a district name' \
    'column district: blank' 'column HOME_POST: blank' 'column HOME_POST: given twice'; do
    grep -q "$k" "$tmp/err" && ok || bad "privacy: error path not reached: $k"
done
[ "$(wc -c <"$tmp/err")" -lt 20000 ] && ok || bad "privacy: a 10 MB cell made $(wc -c <"$tmp/err") bytes of messages"
! grep -aq 'QZX\|QZP' "$tmp/all.err" && ok || bad "privacy: an identifier in a message: $(grep -a 'QZX\|QZP' "$tmp/all.err" | cut -c1-160 | head -3)"
! grep -aq $'\xff' "$tmp/all.err" && ok || bad "privacy: invalid UTF-8 echoed in a message"
! grep -aq 'QZX\|QZP' "$pv/w.cfg" "$pv/w.cfg.fit.csv" && ok || bad "privacy: an identifier in the fitted config or fit table"

# -o must not name an input (by device and inode: another path to the same
# file too), nor may the fit table; inputs must be regular files
cp "$tmp/e/episodes.csv" "$tmp/in.csv"
ln -s "$tmp/in.csv" "$tmp/in-link.csv"
for o in "$tmp/in.csv" "$tmp/in-link.csv" "$tmp/e/header.csv"; do
    calib "$tmp/in.csv" "$tmp/e/header.csv" -o "$o" >/dev/null
    [ $? = 2 ] && grep -q "is the input file" "$tmp/err" && ok || bad "-o $o overwrote an input: $(cat "$tmp/err")"
done
cmp -s "$tmp/in.csv" "$tmp/e/episodes.csv" && ok || bad "-o changed the input"
cp "$tmp/e/districts.csv" "$tmp/dd.cfg.fit.csv"
calib "$tmp/in.csv" "$tmp/e/header.csv" --districts "$tmp/dd.cfg.fit.csv" -o "$tmp/dd.cfg" >/dev/null
[ $? = 2 ] && grep -q "the fit table .*dd.cfg.fit.csv is the input file" "$tmp/err" && ok || bad "the fit table overwrote --districts: $(cat "$tmp/err")"
cp "$CARECAP_ROOT/config/nottinghamshire.cfg" "$tmp/base.cfg"
calib "$tmp/in.csv" "$tmp/e/header.csv" --baseline "$tmp/base.cfg" -o "$tmp/base.cfg" >/dev/null
[ $? = 2 ] && cmp -s "$tmp/base.cfg" "$CARECAP_ROOT/config/nottinghamshire.cfg" && ok || bad "-o overwrote --baseline: $(cat "$tmp/err")"
mkfifo "$tmp/fifo.csv"
timeout 10 "$CARECAP" calibrate "$tmp/fifo.csv" "$tmp/e/header.csv" -o "$tmp/f.cfg" >/dev/null 2>"$tmp/err"
[ $? = 4 ] && grep -q "fifo.csv: cannot read: is not a regular file" "$tmp/err" && ok || bad "a FIFO: $(cat "$tmp/err")"
timeout 10 "$CARECAP" calibrate /dev/zero "$tmp/e/header.csv" -o "$tmp/f.cfg" >/dev/null 2>"$tmp/err"
[ $? = 4 ] && grep -q "/dev/zero: cannot read: is not a regular file" "$tmp/err" && ok || bad "/dev/zero: $(cat "$tmp/err")"
"$CARECAP" calibrate "$tmp/e/episodes.csv" "$tmp/e/header.csv" --districts "$tmp" -o "$tmp/f.cfg" >/dev/null 2>"$tmp/err"
[ $? = 4 ] && grep -q ": cannot read: is a directory" "$tmp/err" && ok || bad "a directory: $(cat "$tmp/err")"
# larger than the maximum (1 GiB): a sparse file, refused from its size
truncate -s 1100M "$tmp/huge.csv"
"$CARECAP" calibrate "$tmp/huge.csv" "$tmp/e/header.csv" -o "$tmp/f.cfg" >/dev/null 2>"$tmp/err"
[ $? = 4 ] && grep -q "huge.csv: cannot read: larger than 1024 MiB" "$tmp/err" && ok || bad "a 1.1 GB file: $(cat "$tmp/err")"
rm -f "$tmp/huge.csv"
[ ! -e "$tmp/f.cfg" ] && ok || bad "a refused input left output"

# a legal-status change open in one year's file and closed in the next:
# merged into its placement, its open copy is still a repeat (matched
# against every kept episode of the child, not only the last one); the
# child's return home is kept. Three children (issue 12's repro): one in
# care at 28 February 2021, one return home.
r="$tmp/rep"
mkdir -p "$r"
cat >"$r/episodes-2020.csv" <<'CSV'
CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN
1,01/01/2020,S,C2,N1,U4,PR1,01/06/2020,X1,,,,
1,01/06/2020,L,C1,N1,U4,PR1,,,,,,
2,01/02/2020,S,C2,N1,U4,PR1,,,,,,
CSV
cat >"$r/episodes-2021.csv" <<'CSV'
CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN
1,01/06/2020,L,C1,N1,U4,PR1,01/09/2020,E4A,,,,
2,01/02/2020,S,C2,N1,U4,PR1,,,,,,
3,01/03/2021,S,C2,N1,U4,PR1,,,,,,
CSV
printf 'CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n1,1,01/01/2010,WBRI,,,\n2,1,01/01/2010,WBRI,,,\n3,1,01/01/2010,WBRI,,,\n' >"$r/header.csv"
# in care on the end date: the sum of initial.count; events of a setting's rows
incare() { awk -F, '/^initial.count/ { n += $3 } END { print n + 0 }' "$1"; }
events() { awk -F, -v s="$2" 'index($1, s) == 1 { n += $6 } END { print n + 0 }' "$1"; }
calib "$r/episodes-2020.csv" "$r/header.csv" "$r/episodes-2021.csv" "$r/header.csv" --from 2020-01-01 --to 2021-02-28 \
    -o "$r/r.cfg" >/dev/null && ok || bad "repro: $(cat "$tmp/err")"
[ "$(incare "$r/r.cfg.fit.csv")" = 1 ] && ok || bad "repro: $(incare "$r/r.cfg.fit.csv") children in care on 2021-02-28 (expected 1)"
[ "$(events "$r/r.cfg.fit.csv" exits.return_home.rate.)" = 1 ] && ok || bad "repro: $(events "$r/r.cfg.fit.csv" exits.return_home.rate.) returns home (expected 1)"
! grep -q overlaps "$tmp/err" && ok || bad "repro: the open copy was cut as an overlap: $(cat "$tmp/err")"
# the same with the files in the other order, and with a third copy of the
# open legal-status episode (the repeat is matched wherever it sorts)
sed -n 3p "$r/episodes-2020.csv" >"$r/extra.csv"
cat "$r/episodes-2021.csv" "$r/extra.csv" >"$r/episodes-2021b.csv"
calib "$r/episodes-2021b.csv" "$r/header.csv" "$r/episodes-2020.csv" "$r/header.csv" --from 2020-01-01 --to 2021-02-28 \
    -o "$r/r2.cfg" >/dev/null && ok || bad "repro reordered: $(cat "$tmp/err")"
[ "$(incare "$r/r2.cfg.fit.csv")" = 1 ] && [ "$(events "$r/r2.cfg.fit.csv" exits.return_home.rate.)" = 1 ] \
    && ok || bad "repro reordered: $(incare "$r/r2.cfg.fit.csv") in care, $(events "$r/r2.cfg.fit.csv" exits.return_home.rate.) returns home"

# vanished: child 4 open in the 2020 file, in no later file. By default it
# left care at the end of that file (route other), reported as a count;
# --vanished kept keeps it in care
cp "$r/episodes-2020.csv" "$r/v2020.csv"
echo '4,01/03/2020,S,C2,N1,U4,PR1,,,,,,' >>"$r/v2020.csv"
printf '4,1,01/01/2010,WBRI,,,\n' >>"$r/header.csv"
calib "$r/v2020.csv" "$r/header.csv" "$r/episodes-2021.csv" "$r/header.csv" --from 2020-01-01 --to 2021-02-28 \
    -o "$r/v.cfg" >/dev/null && ok || bad "vanished: $(cat "$tmp/err")"
[ "$(incare "$r/v.cfg.fit.csv")" = 1 ] && ok || bad "vanished: $(incare "$r/v.cfg.fit.csv") in care (expected 1: the vanished child left)"
[ "$(events "$r/v.cfg.fit.csv" exits.other.rate.)" = 1 ] && ok || bad "vanished: $(events "$r/v.cfg.fit.csv" exits.other.rate.) exits route other (expected 1)"
grep -q '^warning: 1 open episode of children missing from every later episodes file: treated as leaving care (route other) at the end of the last file that held them (--vanished left)$' "$tmp/err" \
    && ok || bad "vanished: no count reported: $(cat "$tmp/err")"
grep -q '^# 1 open episode of children missing from every later episodes file closed' "$r/v.cfg" && ok || bad "vanished: not in the config's comment"
calib "$r/v2020.csv" "$r/header.csv" "$r/episodes-2021.csv" "$r/header.csv" --from 2020-01-01 --to 2021-02-28 \
    --vanished kept -o "$r/k.cfg" >/dev/null && ok || bad "--vanished kept: $(cat "$tmp/err")"
[ "$(incare "$r/k.cfg.fit.csv")" = 2 ] && [ "$(events "$r/k.cfg.fit.csv" exits.other.rate.)" = 0 ] \
    && ok || bad "--vanished kept: $(incare "$r/k.cfg.fit.csv") in care (expected 2)"
grep -q 'kept open, the children in care for good (--vanished kept)' "$tmp/err" && ok || bad "--vanished kept: not reported"
calib "$r/v2020.csv" "$r/header.csv" --vanished maybe -o "$r/x.cfg" >/dev/null
[ $? = 2 ] && grep -q -- '--vanished maybe: expected left or kept' "$tmp/err" && ok || bad "--vanished maybe: $(cat "$tmp/err")"

# entries: the default follows a clear trend. Entries falling from 300 to 10
# a year over five years: the rates are the fitted level for the year after
# the end date, entries.trend is negative, a warning says the years differ.
# A flat case keeps the window's mean and no trend. (Children enter on days
# spread over each year, stay 100 days and go home; one is in care from
# before the window to its end.)
mk_entries() { # counts per year 2016..2020 -> episodes file $1, header $2
    local ep=$1 hd=$2
    shift 2
    echo 'CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN' >"$ep"
    echo 'CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB' >"$hd"
    awk -v counts="$*" -v ep="$ep" -v hd="$hd" 'BEGIN {
        n = split(counts, c, " "); id = 0
        print "T0,01/06/2015,S,C2,N1,U4,PR1,,,,,," >> ep; print "T0,1,01/01/2008,WBRI,,," >> hd
        for (y = 1; y <= n; y++) for (i = 0; i < c[y]; i++) {
            id++; doy = 1 + int(i * 364 / c[y])
            s = mktime((2015 + y) " 1 1 12 0 0") + doy * 86400; e = s + 100 * 86400
            printf "T%d,%s,S,C2,N1,U4,PR1,%s,E4A,,,,\n", id, strftime("%d/%m/%Y", s), strftime("%d/%m/%Y", e) >> ep
            printf "T%d,1,01/01/2008,WBRI,,,\n", id >> hd
        } }'
}
rate_sum() { awk -F, '/^entries.rate.age_[0-9_]*,/ { n += $3 } END { printf "%.1f\n", n }' "$1"; }
fitval() { awk -F, -v s="$2" '$1 == s { print $3 }' "$1"; }
mk_entries "$tmp/fall.csv" "$tmp/fallh.csv" 300 130 55 25 10
calib "$tmp/fall.csv" "$tmp/fallh.csv" --from 2016-01-01 --to 2020-12-31 -o "$tmp/fall.cfg" >/dev/null && ok || bad "falling entries: $(cat "$tmp/err")"
fr=$(rate_sum "$tmp/fall.cfg.fit.csv")
awk -v r="$fr" 'BEGIN { exit !(r > 2 && r < 15) }' && ok || bad "falling entries: $fr entries a year fitted (expected the recent level, under 15)"
awk -v t="$(fitval "$tmp/fall.cfg.fit.csv" entries.trend)" 'BEGIN { exit !(t <= -0.3) }' && ok || bad "falling entries: trend $(fitval "$tmp/fall.cfg.fit.csv" entries.trend)"
grep -q '^entries.level,trend,' "$tmp/fall.cfg.fit.csv" && ok || bad "falling entries: the fit table does not say the trend was used"
grep -q '^  trend = -0.5;   # fitted: 520 entries in 5 yearly counts change by' "$tmp/fall.cfg" && ok || bad "falling entries: trend line: $(grep '^  trend' "$tmp/fall.cfg")"
grep -q '# --entries trend: the window.s mean rates times' "$tmp/fall.cfg" && ok || bad "falling entries: the config does not say which rule"
grep -q '^warning: entries differ sharply between the window.s years' "$tmp/err" && ok || bad "falling entries: no warning: $(cat "$tmp/err")"
"$CARECAP" check "$tmp/fall.cfg" >/dev/null 2>&1 && ok || bad "falling entries: the config is not valid"
calib "$tmp/fall.csv" "$tmp/fallh.csv" --from 2016-01-01 --to 2020-12-31 --entries mean -o "$tmp/fallm.cfg" >/dev/null
awk -v r="$(rate_sum "$tmp/fallm.cfg.fit.csv")" 'BEGIN { exit !(r > 100 && r < 108) }' && ok || bad "--entries mean: $(rate_sum "$tmp/fallm.cfg.fit.csv") (expected 104 a year)"
calib "$tmp/fall.csv" "$tmp/fallh.csv" --from 2016-01-01 --to 2020-12-31 --entries recent -o "$tmp/fallr.cfg" >/dev/null
[ "$(rate_sum "$tmp/fallr.cfg.fit.csv")" = 10.0 ] && ok || bad "--entries recent: $(rate_sum "$tmp/fallr.cfg.fit.csv") (expected 10 a year)"
calib "$tmp/fall.csv" "$tmp/fallh.csv" --entries often -o "$tmp/x.cfg" >/dev/null
[ $? = 2 ] && grep -q -- '--entries often: expected trend, recent or mean' "$tmp/err" && ok || bad "--entries often: $(cat "$tmp/err")"
mk_entries "$tmp/flat.csv" "$tmp/flath.csv" 60 60 60 60 60
calib "$tmp/flat.csv" "$tmp/flath.csv" --from 2016-01-01 --to 2020-12-31 -o "$tmp/flat.cfg" >/dev/null && ok || bad "flat entries: $(cat "$tmp/err")"
[ "$(rate_sum "$tmp/flat.cfg.fit.csv")" = 60.0 ] && ok || bad "flat entries: $(rate_sum "$tmp/flat.cfg.fit.csv") a year (expected 60)"
grep -q '^  trend = 0.0;   # assumption: no trend (--entries trend found none clear' "$tmp/flat.cfg" && ok || bad "flat entries: trend line: $(grep '^  trend' "$tmp/flat.cfg")"
! grep -q 'differ sharply' "$tmp/err" && ok || bad "flat entries: a warning"

# --- a districts table of 200,000 rows: the lookup is O(n log n) (it was
# quadratic: 100,000 rows took 14 s, so 200,000 about a minute); the bound
# is generous for a loaded machine
{ cat "$tmp/e/districts.csv"; awk 'BEGIN { for (i = 0; i < 200000; i++) printf "QQ%d %dAB,D%d\n", i % 5000, i, i % 50 }'; } >"$tmp/big-districts.csv"
timeout 30 "$CARECAP" calibrate "$tmp/e/episodes.csv" "$tmp/e/header.csv" --districts "$tmp/big-districts.csv" \
    -o "$tmp/big.cfg" >/dev/null 2>"$tmp/err"
rc=$?
[ $rc -eq 0 ] && ok || bad "200,000-row districts table: exit $rc (124: too slow): $(head -2 "$tmp/err")"

echo "test_calibrate: $pass passed, $fail failed"
[ $fail -eq 0 ]
