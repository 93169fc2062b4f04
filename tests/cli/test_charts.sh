#!/usr/bin/env bash
# test_charts.sh: charts and report.html.
# - a run draws charts/ (data, gnuplot scripts, PNG, SVG) and report.html;
# - the chart data equal the numbers in monthly.csv and annual.csv;
# - the gnuplot scripts run without errors (when gnuplot is installed);
# - `carecap plot DIR` redraws everything from the folder's files alone;
# - without gnuplot: one warning, exit 0, data and scripts in place;
# - a folder name with spaces and quotes is safe (no shell involved);
# - report.html in headless Chromium: every chart present and visible
#   (skipped, with a message, where Chromium is not installed);
# - compare adds the paired-difference charts, and the business case's
#   cumulative net cost chart and table.
# Env: CARECAP (the binary), CARECAP_ROOT (the source tree).
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
base="$CARECAP_ROOT/config/nottinghamshire.cfg"
out="$tmp/it's a \"folder\""
charts="gap_foster gap_residential placement_mix looked_after kpis spend spend_lines"

"$CARECAP" run "$base" -r 40 -y 4 -s 3 -q -o "$out" >/dev/null 2>"$tmp/err" && ok || bad "run failed: $(cat "$tmp/err")"
have_gnuplot=0
command -v gnuplot >/dev/null 2>&1 && have_gnuplot=1
[ -s "$out/report.html" ] && ok || bad "no report.html"
for c in $charts; do
    [ -s "$out/charts/$c.csv" ] && [ -s "$out/charts/$c.gp" ] && ok || bad "$c: no data or script"
    if [ $have_gnuplot = 1 ]; then
        [ -s "$out/charts/$c.png" ] && [ -s "$out/charts/$c.svg" ] && ok || bad "$c: no PNG or SVG"
        [ ! -s "$out/charts/$c.log" ] && ok || bad "$c: gnuplot said: $(cat "$out/charts/$c.log")"
        grep -q '<svg' "$out/charts/$c.svg" && ok || bad "$c.svg is not SVG"
    fi
done
[ -s "$tmp/err" ] && [ $have_gnuplot = 1 ] && bad "run warned: $(cat "$tmp/err")" || ok

# the data equal the CSVs: gap_foster mean need and capacity at every date
awk -F, 'FNR == 1 { next }
  FILENAME ~ /monthly/ && $3 == "needing" && $4 == "foster" { need[$2] = $5 }
  FILENAME ~ /monthly/ && $3 == "capacity" && $4 == "foster" { cap[$2] = $5 }
  FILENAME ~ /gap_foster/ { n++; if ($2 + 0 != need[$1] + 0 || $7 + 0 != cap[$1] + 0) bad++ }
  END { exit !(n > 40 && bad == 0) }' "$out/monthly.csv" "$out/charts/gap_foster.csv" && ok || bad "gap_foster.csv differs from monthly.csv"
awk -F, 'FNR == 1 { next }
  FILENAME ~ /annual/ && $3 == "spend" && $4 == "total" { t[$2] = $5 }
  FILENAME ~ /spend.csv/ { n++; d = $3 * 1e6 - t[$1]; if (d < 0) d = -d; if (d > 1000) bad++ }
  END { exit !(n >= 3 && bad == 0) }' "$out/annual.csv" "$out/charts/spend.csv" && ok || bad "spend.csv differs from annual.csv"

# plot redraws from the files alone
rm -rf "$out/charts" "$out/report.html"
"$CARECAP" plot "$out" >/dev/null 2>"$tmp/err" && ok || bad "plot failed: $(cat "$tmp/err")"
[ -s "$out/report.html" ] && [ -s "$out/charts/gap_foster.csv" ] && ok || bad "plot did not redraw"
[ $have_gnuplot = 0 ] || [ -s "$out/charts/kpis.png" ] && ok || bad "plot: no kpis.png"
"$CARECAP" plot "$tmp/nowhere" >/dev/null 2>"$tmp/err"
[ $? = 4 ] && ok || bad "plot of a missing folder: not exit 4"
grep -q "nowhere/monthly.csv: cannot read" "$tmp/err" && ok || bad "plot of a missing folder: message: $(cat "$tmp/err")"

# without gnuplot: warn once, exit 0, data and scripts in place, report says so
mkdir -p "$tmp/bin"
for tool in bash sh awk; do ln -sf "$(command -v $tool)" "$tmp/bin/$tool"; done
PATH="$tmp/bin" "$CARECAP" plot "$out" >/dev/null 2>"$tmp/err"
[ $? = 0 ] && ok || bad "plot without gnuplot: not exit 0"
[ "$(grep -c 'gnuplot is not installed' "$tmp/err")" = 1 ] && ok || bad "plot without gnuplot: not one warning: $(cat "$tmp/err")"
grep -q 'charts were not drawn' "$out/report.html" && ok || bad "report does not say the charts were not drawn"
"$CARECAP" plot "$out" >/dev/null 2>&1

# the report in a real browser
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -n "$browser" ] && [ $have_gnuplot = 1 ]; then
    dom=$(timeout 120 "$browser" --headless=new --no-sandbox --disable-gpu --virtual-time-budget=3000 \
        --dump-dom "file://$out/report.html" 2>/dev/null)
    echo "$dom" | grep -q 'data-expected="7" data-visible="7"' && ok || bad "Chromium: not every chart visible: $(echo "$dom" | grep -o '<p id="chart-check"[^>]*>')"
    for c in $charts; do
        echo "$dom" | grep -q "id=\"$c\"" && ok || bad "Chromium: no figure $c"
    done
    ! echo "$dom" | grep -q 'src="http\|href="http' && ok || bad "report.html fetches from the network"
else
    echo "test_charts: Chromium or gnuplot not installed: the browser check is skipped"
fi

# compare draws the paired differences
"$CARECAP" compare "$base" "$CARECAP_ROOT/scenarios/edge-of-care.cfg" -r 20 -y 3 -q -o "$tmp/cmp" >/dev/null 2>"$tmp/err" && ok || bad "compare failed: $(cat "$tmp/err")"
for c in cmp_gap_foster cmp_gap_residential cmp_spend; do
    [ -s "$tmp/cmp/charts/$c.gp" ] && ok || bad "compare: no $c.gp"
    [ $have_gnuplot = 0 ] || [ -s "$tmp/cmp/charts/$c.svg" ] && ok || bad "compare: no $c.svg"
done
grep -q 'Scenarios against the baseline' "$tmp/cmp/report.html" && ok || bad "compare: report has no scenario table"
# the business case: a cumulative net cost chart with bands, inline in the report, and its table
[ -s "$tmp/cmp/charts/cmp_net_cost.gp" ] && [ -s "$tmp/cmp/charts/cmp_net_cost_0.csv" ] && ok || bad "compare: no cmp_net_cost chart files"
grep -q 'filledcurves' "$tmp/cmp/charts/cmp_net_cost.gp" && ok || bad "compare: the net cost chart has no band"
[ $have_gnuplot = 0 ] || { [ -s "$tmp/cmp/charts/cmp_net_cost.svg" ] && grep -q '<figure class="chart" id="cmp_net_cost">' "$tmp/cmp/report.html" && \
    awk '/id="cmp_net_cost"/ { f = 1 } f && /<svg/ { ok = 1; exit } /<\/figure>/ && f { exit } END { exit !ok }' "$tmp/cmp/report.html"; } \
    && ok || bad "compare: the net cost chart is not drawn into report.html"
grep -q '<h2>Business case</h2>' "$tmp/cmp/report.html" && grep -q '<tr><td>edge-of-care</td><td>&pound;' "$tmp/cmp/report.html" \
    && ok || bad "compare: report has no business case table"

echo "test_charts: $pass passed, $fail failed"
[ $fail -eq 0 ]
