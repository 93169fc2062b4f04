#!/usr/bin/env bash
# test_workbook.sh: spend.xlsx holds the same numbers as annual.csv; compare's
# spend.xlsx has a Business case sheet with comparison.csv's NPV.
# Reads the workbook back with LibreOffice (soffice --convert-to csv) when it
# is installed, else with python3's zipfile (the sheet's XML); skips (passes
# with a note) when neither is available.
#
# Env: CARECAP (the binary), CARECAP_ROOT (the source tree).
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

out="$tmp/run"
"$CARECAP" run --no-charts "$CARECAP_ROOT/config/nottinghamshire.cfg" -r 40 -y 3 -s 9 -q -o "$out" >/dev/null 2>"$tmp/err" && ok || bad "run failed: $(cat "$tmp/err")"
[ -s "$out/spend.xlsx" ] && ok || bad "no spend.xlsx"
# annual.csv: FY label, line, mean for every spend row
awk -F, '$3 == "spend" { split($2, d, "-"); printf "%d-%02d,%s,%s\n", d[1] - 1, d[1] % 100, $4, $5 }' "$out/annual.csv" | sort >"$tmp/csv.txt"
[ "$(wc -l <"$tmp/csv.txt")" -ge 40 ] && ok || bad "annual.csv has too few spend rows"

if command -v soffice >/dev/null 2>&1; then
    reader=libreoffice
    (cd "$tmp" && HOME="$tmp" soffice --headless --convert-to \
        'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1' "$out/spend.xlsx" >/dev/null 2>&1)
    sheet="$tmp/spend-Annual spend.csv"
    [ -s "$sheet" ] && ok || bad "LibreOffice did not convert the workbook"
    awk -F, 'NR > 1 && $3 !~ /gap_cost/ { printf "%s,%s,%s\n", $1, $3, $5 }' "$sheet" | sort >"$tmp/xlsx.txt"
elif command -v python3 >/dev/null 2>&1; then
    reader=python3
    python3 - "$out/spend.xlsx" >"$tmp/xlsx.txt" <<'PY' || bad "python3 could not read the workbook"
import re, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
shared = re.findall(r'<si><t[^>]*>(.*?)</t></si>', z.read('xl/sharedStrings.xml').decode())
rows = re.findall(r'<row [^>]*>(.*?)</row>', z.read('xl/worksheets/sheet1.xml').decode())
out = []
for r in rows[1:]:
    v = {}
    for attrs, val in re.findall(r'<c ([^>]*?)/?>(?:<v>(.*?)</v></c>)?', r):
        col = re.search(r'r="([A-Z]+)', attrs).group(1)
        t = re.search(r't="(\w+)"', attrs)
        v[col] = shared[int(val)] if t and t.group(1) == 's' else val
    if 'gap_cost' in v.get('C', ''):
        continue
    out.append('%s,%s,%s' % (v['A'], v['C'], v['E']))
print('\n'.join(sorted(out)))
PY
else
    echo "test_workbook: neither LibreOffice nor python3: skipped"
    echo "test_workbook: $pass passed, $fail failed"
    [ $fail -eq 0 ]
    exit
fi
sort -o "$tmp/xlsx.txt" "$tmp/xlsx.txt"
# same rows; numbers equal to 1e-6 relative (the CSV rounds to 4 decimals)
join -t, -j1 <(awk -F, '{ print $1 "|" $2 "," $3 }' "$tmp/csv.txt" | sort) \
    <(awk -F, '{ print $1 "|" $2 "," $3 }' "$tmp/xlsx.txt" | sort) >"$tmp/joined.txt"
[ "$(wc -l <"$tmp/joined.txt")" = "$(wc -l <"$tmp/csv.txt")" ] && ok || bad "$reader: $(wc -l <"$tmp/joined.txt") of $(wc -l <"$tmp/csv.txt") spend rows found in the workbook"
awk -F, '{ a = $2 + 0; b = $3 + 0; d = a - b; if (d < 0) d = -d; if (d > 1e-6 * (a < 0 ? -a : a) + 0.001) { print; bad++ } } END { exit bad > 0 }' \
    "$tmp/joined.txt" && ok || bad "$reader: workbook numbers differ from annual.csv"
grep -q '^2023-24|total,' "$tmp/joined.txt" && ok || bad "no 2023-24 total"
# compare writes spend.xlsx too, with a "Business case" sheet whose NPV to
# date matches comparison.csv's npv rows (python3's zipfile reads the XML)
cat >"$tmp/biz.cfg" <<EOF
name = "biz";
baseline = "$CARECAP_ROOT/config/nottinghamshire.cfg";
levers = (
  { lever = "foster_recruitment"; extra_per_year = 10.0; from = "2023-04-01"; ramp_up_months = 6;
    capital_cost = 50000.0; revenue_cost = 200000.0; }
);
EOF
"$CARECAP" compare --no-charts "$CARECAP_ROOT/config/nottinghamshire.cfg" "$tmp/biz.cfg" -r 20 -y 3 -s 9 -q -o "$tmp/cmp" >/dev/null 2>"$tmp/err" && ok || bad "compare failed: $(cat "$tmp/err")"
[ -s "$tmp/cmp/spend.xlsx" ] && ok || bad "compare wrote no spend.xlsx"
if command -v python3 >/dev/null 2>&1 && [ -s "$tmp/cmp/spend.xlsx" ]; then
    python3 - "$tmp/cmp/spend.xlsx" >"$tmp/biz.txt" <<'PY' || bad "python3 could not read the business case sheet"
import re, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
names = re.findall(r'<sheet name="([^"]*)"', z.read('xl/workbook.xml').decode())
if 'Business case' not in names:
    sys.exit('no Business case sheet: %s' % names)
sheet = 'xl/worksheets/sheet%d.xml' % (names.index('Business case') + 1)
shared = re.findall(r'<si><t[^>]*>(.*?)</t></si>', z.read('xl/sharedStrings.xml').decode())
for r in re.findall(r'<row [^>]*>(.*?)</row>', z.read(sheet).decode())[1:]:
    v = {}
    for attrs, val in re.findall(r'<c ([^>]*?)/?>(?:<v>(.*?)</v></c>)?', r):
        col = re.search(r'r="([A-Z]+)', attrs).group(1)
        t = re.search(r't="(\w+)"', attrs)
        v[col] = shared[int(val)] if t and t.group(1) == 's' else val
    if v.get('A') == 'biz' and re.match(r'^\d{4}-\d\d$', v.get('B', '')) and 'N' in v:
        print('%s,%s' % (v['B'], v['N']))
PY
    awk -F, '$1 == "biz" && $3 == "npv" { split($2, d, "-"); printf "%d-%02d,%s\n", d[1] - 1, d[1] % 100, $5 }' \
        "$tmp/cmp/comparison.csv" | sort >"$tmp/biz-csv.txt"
    sort -o "$tmp/biz.txt" "$tmp/biz.txt"
    [ "$(wc -l <"$tmp/biz-csv.txt")" -ge 4 ] && ok || bad "comparison.csv has too few npv rows"
    join -t, "$tmp/biz-csv.txt" "$tmp/biz.txt" >"$tmp/biz-joined.txt"
    [ "$(wc -l <"$tmp/biz-joined.txt")" = "$(wc -l <"$tmp/biz-csv.txt")" ] && ok || bad "the Business case sheet lacks years of comparison.csv's npv"
    awk -F, '{ d = $2 - $3; if (d < 0) d = -d; if (d > 1e-6 * ($2 < 0 ? -$2 : $2) + 0.001) { print; bad++ } } END { exit bad > 0 }' \
        "$tmp/biz-joined.txt" && ok || bad "Business case NPV differs from comparison.csv"
fi
echo "test_workbook ($reader): $pass passed, $fail failed"
[ $fail -eq 0 ]
