#!/usr/bin/env bash
# test_outputs.sh: the results folder as an attacker or an accident would
# meet it (docs/security.md, "Outputs and charts").
# - scenario names and crafted result files never run code through gnuplot
#   (names with ' " ` $ \ ; system( and newlines), and the charts still draw;
# - 32 scenarios with long names (the plot command once overflowed a stack
#   buffer: run this under ASan);
# - plot of a folder without looked_after/all; dates escaped in report.html;
# - plot never writes through a symbolic link planted in the folder, and reads
#   only regular files of at most 1 GiB (FIFO, link, huge file refused);
# - a failure injected at any output, or gnuplot failing, leaves the previous
#   results byte-identical and no temporary folder; so does SIGTERM during the
#   simulation and during the write phase;
# - a folder holding other files is refused; the two-rename fallback works;
# - manifest.txt: a newline in -o stays on one line and reads back in bash.
# Env: CARECAP (the binary), CARECAP_ROOT (the source tree).
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
base="$CARECAP_ROOT/config/nottinghamshire.cfg"
cp -r "$CARECAP_ROOT/config/nottinghamshire-fit" "$tmp/" # the baseline @includes its fitted rates from beside it
mini="$CARECAP_ROOT/tests/data/cli-mini.cfg"
have_gnuplot=0
command -v gnuplot >/dev/null 2>&1 && have_gnuplot=1
marker="$tmp/pwned"
# a fingerprint of a folder: every path and its content
sums() { (cd "$1" && find . -print0 | LC_ALL=C sort -z | xargs -0 -I{} sh -c 'if [ -f "{}" ]; then md5sum "{}"; else echo "{}"; fi'); }
# no temporary folder of carecap's left beside $1
no_temps() { [ -z "$(find "$(dirname "$1")" -maxdepth 1 -name '.*carecap-*')" ]; }

scenario() { # file name(libconfig string body)
    printf 'name = "%s";\nbaseline = "%s";\nlevers = ({ lever = "edge_of_care"; entry_multiplier = { age_12_15 = 0.85; }; from = "2023-04-01"; });\n' \
        "$2" "$base" >"$1"
}

# --- 1. names that would be gnuplot code -----------------------------------
# (the scenario loader refuses commas, double quotes and newlines in a name;
# those are planted in the crafted comparison.csv below)
evil="x'.system('touch $marker').' \`touch $marker\` \$(touch $marker); \\\\ system('touch $marker') <b>B</b>"
scenario "$tmp/evil.cfg" "$evil"
scenario "$tmp/plain.cfg" "plain"
"$CARECAP" compare "$base" "$tmp/evil.cfg" "$tmp/plain.cfg" -r 4 -y 2 -q -o "$tmp/cmp" >/dev/null 2>"$tmp/err" \
    && ok || bad "compare with odd names failed: $(cat "$tmp/err")"
[ ! -e "$marker" ] && ok || bad "compare: a scenario name ran a command"
! grep -l "system(\|touch" "$tmp/cmp/charts/"*.gp && ok || bad "compare: a scenario name is in a gnuplot script"
if [ $have_gnuplot = 1 ]; then
    for c in cmp_gap_foster cmp_gap_residential cmp_spend cmp_net_cost; do
        [ -s "$tmp/cmp/charts/$c.svg" ] && [ -s "$tmp/cmp/charts/$c.png" ] && ok || bad "compare: $c not drawn"
    done
    grep -q "<title>x'.system('touch" "$tmp/cmp/charts/cmp_gap_foster.svg" && ok || bad "compare: the odd name is not in the chart's key"
    grep -q "<title>x'.system('touch" "$tmp/cmp/charts/cmp_net_cost.svg" && ok || bad "compare: the odd name is not in the net cost chart's key"
fi
! grep -q "<b>B</b>" "$tmp/cmp/report.html" && grep -q "&lt;b&gt;B" "$tmp/cmp/report.html" && ok || bad "compare: report.html holds the name's HTML"

# the same through a crafted comparison.csv and `plot`: quotes, commas and a
# newline in a (CSV-quoted) name as well
crafted="x\"'.system(\"touch $marker\").'\\\\\`touch $marker\`;\$(touch $marker)"
awk -v c="$crafted" 'BEGIN { FS = OFS = "," }
  $1 == "plain" { $1 = c; print; if (!done) { line = $0; sub(/^[^,]*/, "\"multi\nline, with comma\"", line); extra = line; done = 1 }; next }
  { print } END { print extra }' "$tmp/cmp/comparison.csv" >"$tmp/c.csv" && mv "$tmp/c.csv" "$tmp/cmp/comparison.csv"
grep -q "^x\"'.system" "$tmp/cmp/comparison.csv" && grep -q '^"multi$' "$tmp/cmp/comparison.csv" && ok || bad "crafting comparison.csv failed"
"$CARECAP" plot "$tmp/cmp" >/dev/null 2>"$tmp/err" && ok || bad "plot of a crafted comparison.csv failed: $(cat "$tmp/err")"
[ ! -e "$marker" ] && ok || bad "plot: comparison.csv ran a command"
! grep -l "system(\|touch\|multi" "$tmp/cmp/charts/"*.gp && ok || bad "plot: a name from comparison.csv is in a gnuplot script"
if [ $have_gnuplot = 1 ]; then
    for c in cmp_gap_foster cmp_gap_residential cmp_spend; do
        [ -s "$tmp/cmp/charts/$c.svg" ] && ok || bad "plot: $c not drawn: $(cat "$tmp/cmp/charts/$c.log")"
    done
    grep -q "<title>x'.system(&#39;\|<title>x'.system('" "$tmp/cmp/charts/cmp_gap_foster.svg" || grep -q "<title>x'.system(" "$tmp/cmp/charts/cmp_gap_foster.svg" \
        && ok || bad "plot: the crafted name is not in the chart's key"
fi

# provider and district names: they reach only the CSVs (quoted), the config
# copy and the workbook, never a script; the run still draws its charts
pevil='p\"\\\\ `touch '"$marker"'` $(touch '"$marker"'); system(\"touch '"$marker"'\")\n, <b>P</b>'"'"
printf 'name = "prov";\nbaseline = "%s";\nlevers = ({ lever = "new_home"; name = "%s"; kind = "mainstream"; beds = 2; min_age = 10; max_age = 17; open = "2024-04-01"; annual_cost = 700000.0; });\n' \
    "$base" "$pevil" >"$tmp/prov.cfg"
"$CARECAP" compare "$base" "$tmp/prov.cfg" -r 4 -y 2 -q -o "$tmp/pcmp" >/dev/null 2>"$tmp/err" \
    && ok || bad "compare with an odd provider name failed: $(cat "$tmp/err")"
grep -q '<b>P</b>' "$tmp/pcmp/monthly.csv" && ok || bad "the odd provider name is not in monthly.csv"
# (district names may not hold commas, double quotes or newlines)
dvil="d'.system('touch $marker').' \`touch $marker\` \$(touch $marker); \\\\\\\\ <b>P</b>"
sed "s|\"Ashfield\"|\"$(printf '%s' "$dvil" | sed 's/[|&\\]/\\&/g')\"|" "$base" >"$tmp/district.cfg"
"$CARECAP" run "$tmp/district.cfg" -r 4 -y 2 -q -o "$tmp/dist" >/dev/null 2>"$tmp/err" \
    && ok || bad "run with an odd district name failed: $(cat "$tmp/err")"
grep -q '<b>P</b>' "$tmp/dist/config.cfg" && ok || bad "the odd district name is not in the config copy"
[ ! -e "$marker" ] && ok || bad "a provider or district name ran a command"
! grep -l "system(\|touch" "$tmp/pcmp/charts/"*.gp "$tmp/dist/charts/"*.gp && ok || bad "a provider or district name is in a gnuplot script"
! grep -q "<b>P</b>" "$tmp/pcmp/report.html" "$tmp/dist/report.html" && ok || bad "a provider or district name is raw in report.html"
[ $have_gnuplot = 0 ] || { [ -s "$tmp/pcmp/charts/cmp_gap_foster.svg" ] && [ -s "$tmp/dist/charts/kpis.svg" ]; } && ok || bad "odd provider or district names: charts not drawn"

# --- 2. 32 scenarios with long names (stack buffer once overflowed) --------
list=()
for i in $(seq 1 32); do
    scenario "$tmp/s$i.cfg" "$(printf 'scenario-%02d-' "$i")$(printf 'n%.0s' $(seq 60))"
    list+=("$tmp/s$i.cfg")
done
"$CARECAP" compare "$base" "${list[@]}" -r 2 -y 1 -q -o "$tmp/many" >/dev/null 2>"$tmp/err" \
    && ok || bad "compare of 32 long names failed: $(tail -3 "$tmp/err")"
[ "$(grep -c "columnhead" "$tmp/many/charts/cmp_gap_foster.gp")" -ge 64 ] && ok || bad "32 scenarios: not every line in the script"
[ $have_gnuplot = 0 ] || [ -s "$tmp/many/charts/cmp_gap_foster.svg" ] && ok || bad "32 scenarios: not drawn"

# two names alike in their first 190 characters: two lines, each named whole
long=$(printf 'q%.0s' $(seq 190))
scenario "$tmp/la.cfg" "${long}-alpha"
scenario "$tmp/lb.cfg" "${long}-beta"
"$CARECAP" compare "$base" "$tmp/la.cfg" "$tmp/lb.cfg" -r 2 -y 1 -q -o "$tmp/alike" >/dev/null 2>"$tmp/err" \
    && ok || bad "compare of two long names failed: $(tail -3 "$tmp/err")"
head -1 "$tmp/alike/charts/cmp_gap_foster_0.csv" | grep -q -- "${long}-alpha" &&
    head -1 "$tmp/alike/charts/cmp_gap_foster_1.csv" | grep -q -- "${long}-beta" &&
    ok || bad "two long names alike at the start: not two lines named whole"

# --- 3. a results folder without looked_after/all, and a crafted date -------
"$CARECAP" run "$mini" -r 4 -y 2 -s 1 -q -o "$tmp/r" >/dev/null 2>"$tmp/err" && ok || bad "run failed: $(cat "$tmp/err")"
mkdir "$tmp/nola"
grep -v ',looked_after,all,' "$tmp/r/monthly.csv" >"$tmp/nola/monthly.csv"
"$CARECAP" plot "$tmp/nola" >/dev/null 2>"$tmp/err" && ok || bad "plot without looked_after/all failed: $(cat "$tmp/err")"
[ -s "$tmp/nola/report.html" ] && ! grep -q "Headline numbers" "$tmp/nola/report.html" && ok || bad "plot without looked_after/all: a headline table"
mkdir "$tmp/date"
awk -F, 'BEGIN { OFS = "," } NR > 1 && !done && $3 == "looked_after" && $4 == "all" { $2 = "<b>D</b>"; done = 1 } 1' \
    "$tmp/r/monthly.csv" >"$tmp/date/monthly.csv"
"$CARECAP" plot "$tmp/date" >/dev/null 2>"$tmp/err" && ok || bad "plot of a crafted date failed: $(cat "$tmp/err")"
! grep -q "<b>D</b>" "$tmp/date/report.html" && grep -q "&lt;b&gt;D" "$tmp/date/report.html" && ok || bad "report.html: a date is not escaped"

# --- 4. symbolic links in the folder; only regular inputs -----------------
echo "precious" >"$tmp/victim"
echo "precious" >"$tmp/victim2"
rm -f "$tmp/r/report.html"
ln -s "$tmp/victim" "$tmp/r/report.html"
if [ -d "$tmp/r/charts" ]; then
    rm -f "$tmp/r/charts/gap_foster.png" "$tmp/r/charts/gap_foster.csv"
    ln -s "$tmp/victim2" "$tmp/r/charts/gap_foster.png"
    ln -s "$tmp/victim2" "$tmp/r/charts/gap_foster.csv"
fi
"$CARECAP" plot "$tmp/r" >/dev/null 2>"$tmp/err" && ok || bad "plot with planted links failed: $(cat "$tmp/err")"
[ "$(cat "$tmp/victim")" = precious ] && [ "$(cat "$tmp/victim2")" = precious ] && ok || bad "plot wrote through a symbolic link"
[ -f "$tmp/r/report.html" ] && [ ! -L "$tmp/r/report.html" ] && [ ! -L "$tmp/r/charts/gap_foster.csv" ] && ok || bad "plot: the links are still there"
ln -s "$tmp/victim" "$tmp/victim-link"
ln -s "$tmp/charts" "$tmp/charts-link"
refuse() { # label folder expected-message
    local rc
    timeout 20 "$CARECAP" plot "$2" >/dev/null 2>"$tmp/err"
    rc=$?
    [ $rc = 4 ] && ok || bad "$1: exit $rc, not 4"
    grep -q "$3" "$tmp/err" && ok || bad "$1: message: $(cat "$tmp/err")"
}
mkdir "$tmp/fifo" "$tmp/link" "$tmp/dir" "$tmp/huge"
mkfifo "$tmp/fifo/monthly.csv"
refuse "monthly.csv a FIFO" "$tmp/fifo" "fifo/monthly.csv: not a regular file"
ln -s "$tmp/r/monthly.csv" "$tmp/link/monthly.csv"
refuse "monthly.csv a link" "$tmp/link" "link/monthly.csv: a symbolic link"
mkdir "$tmp/dir/monthly.csv"
refuse "monthly.csv a folder" "$tmp/dir" "dir/monthly.csv: not a regular file"
cp "$tmp/r/monthly.csv" "$tmp/huge/monthly.csv"
truncate -s 1100M "$tmp/huge/monthly.csv"
refuse "monthly.csv of 1.1 GB" "$tmp/huge" "huge/monthly.csv: larger than 1024 MiB"
cp "$tmp/r/monthly.csv" "$tmp/huge/monthly.csv"
mkfifo "$tmp/huge/annual.csv"
refuse "annual.csv a FIFO" "$tmp/huge" "huge/annual.csv: not a regular file"

# --- 5. failures leave the previous results as they were -------------------
res="$tmp/res"
"$CARECAP" run "$base" -r 4 -y 2 -s 2 -q -o "$res" >/dev/null 2>"$tmp/err" && ok || bad "run failed: $(cat "$tmp/err")"
[ -s "$res/spend.xlsx" ] && [ -s "$res/report.html" ] && ok || bad "run: no spend.xlsx or report.html"
sums "$res" >"$tmp/before"
for f in monthly.csv annual.csv config.cfg manifest.txt spend.xlsx gap_foster.csv kpis.gp report.html; do
    CARECAP_TEST_FAIL_WRITE=$f "$CARECAP" run "$base" -r 4 -y 2 -s 3 -q -o "$res" >/dev/null 2>"$tmp/err"
    rc=$?
    [ $rc != 0 ] && ok || bad "a failed write of $f: exit 0"
    grep -q "nothing was written" "$tmp/err" && ok || bad "a failed write of $f: message: $(cat "$tmp/err")"
    sums "$res" | cmp -s - "$tmp/before" && ok || bad "a failed write of $f changed the results"
    no_temps "$res" && ok || bad "a failed write of $f left temporaries: $(ls -a "$tmp")"
done
CARECAP_TEST_FAIL_WRITE=report.html "$CARECAP" plot "$res" >/dev/null 2>"$tmp/err"
[ $? = 4 ] && ok || bad "plot: a failed write of report.html: not exit 4"
sums "$res" | cmp -s - "$tmp/before" && no_temps "$res" && ok || bad "plot: a failed write changed the results or left temporaries"
CARECAP_TEST_FAIL_SWITCH=1 "$CARECAP" run "$base" -r 4 -y 2 -s 3 -q -o "$res" >/dev/null 2>"$tmp/err"
[ $? = 4 ] && ok || bad "a failed switch: not exit 4"
sums "$res" | cmp -s - "$tmp/before" && no_temps "$res" && ok || bad "a failed switch changed the results or left temporaries"
# gnuplot that fails, and gnuplot that draws nothing
mkdir -p "$tmp/bin1" "$tmp/bin2" "$tmp/bin3"
printf '#!/bin/sh\necho broken >&2\nexit 1\n' >"$tmp/bin1/gnuplot"
printf '#!/bin/sh\nexit 0\n' >"$tmp/bin2/gnuplot"
printf '#!/bin/sh\nsleep 30\n' >"$tmp/bin3/gnuplot"
chmod +x "$tmp/bin1/gnuplot" "$tmp/bin2/gnuplot" "$tmp/bin3/gnuplot"
for b in bin1 bin2; do
    PATH="$tmp/$b:$PATH" "$CARECAP" run "$base" -r 4 -y 2 -s 3 -q -o "$res" >/dev/null 2>"$tmp/err"
    [ $? != 0 ] && ok || bad "gnuplot ($b) failing: exit 0"
    grep -q "gnuplot failed or drew an empty picture" "$tmp/err" && ok || bad "gnuplot ($b): message: $(cat "$tmp/err")"
    sums "$res" | cmp -s - "$tmp/before" && no_temps "$res" && ok || bad "gnuplot ($b) failing changed the results or left temporaries"
done

# a real full disk: a tmpfs (private mount namespace, root only) that holds
# one results folder but not two
size=$(du -sk "$res" | cut -f1)
mkdir "$tmp/disk"
if unshare -m true 2>/dev/null; then
    unshare -m bash -c '
        mount -t tmpfs -o size=$(('"$size"' * 3 / 2))k tmpfs "$1" || exit 99
        cp -a "$2" "$1/res" || exit 98
        (cd "$1/res" && find . -type f | LC_ALL=C sort | xargs md5sum) >"$1.before"
        "$3" run "$4" -r 4 -y 2 -s 3 -q -o "$1/res" >/dev/null 2>"$1.err"
        echo $? >"$1.rc"
        (cd "$1/res" && find . -type f | LC_ALL=C sort | xargs md5sum) >"$1.after"
        find "$1" -maxdepth 1 -name ".*carecap-*" >"$1.temps"' _ "$tmp/disk" "$res" "$CARECAP" "$base"
    mrc=$?
    if [ $mrc = 99 ]; then
        echo "test_outputs: cannot mount a tmpfs: the full-disk check is skipped"
    else
        [ "$(cat "$tmp/disk.rc")" = 4 ] && ok || bad "a full disk: exit $(cat "$tmp/disk.rc"), not 4: $(cat "$tmp/disk.err")"
        grep -q "nothing was written" "$tmp/disk.err" && ok || bad "a full disk: message: $(cat "$tmp/disk.err")"
        cmp -s "$tmp/disk.before" "$tmp/disk.after" && [ -s "$tmp/disk.before" ] && ok || bad "a full disk changed the results"
        [ ! -s "$tmp/disk.temps" ] && ok || bad "a full disk left temporaries: $(cat "$tmp/disk.temps")"
    fi
else
    echo "test_outputs: no private mount namespace (not root?): the full-disk check is skipped"
fi

# --- 6. signals -------------------------------------------------------------
# during the write phase: gnuplot sleeps, so the temporary folder is there
PATH="$tmp/bin3:$PATH" "$CARECAP" run "$base" -r 4 -y 2 -s 3 -q -o "$res" >/dev/null 2>"$tmp/err" &
pid=$!
for _ in $(seq 1 200); do
    [ -n "$(find "$tmp" -maxdepth 1 -name '.res.carecap-*')" ] && [ -n "$(pgrep -P $pid)" ] && break
    sleep 0.05
done
[ -n "$(find "$tmp" -maxdepth 1 -name '.res.carecap-*')" ] && ok || bad "SIGTERM test: the write phase was not seen"
kill -TERM $pid
wait $pid
rc=$?
[ $rc != 0 ] && ok || bad "SIGTERM in the write phase: exit 0"
grep -q "interrupted" "$tmp/err" && ok || bad "SIGTERM in the write phase: message: $(cat "$tmp/err")"
sums "$res" | cmp -s - "$tmp/before" && ok || bad "SIGTERM in the write phase changed the results"
no_temps "$res" && ok || bad "SIGTERM in the write phase left temporaries: $(ls -a "$tmp")"
# compare: SIGHUP while its charts are drawn, into an existing compare folder
sums "$tmp/cmp" >"$tmp/cmp.before"
PATH="$tmp/bin3:$PATH" "$CARECAP" compare "$base" "$tmp/plain.cfg" -r 4 -y 2 -q -o "$tmp/cmp" >/dev/null 2>"$tmp/err" &
pid=$!
for _ in $(seq 1 200); do
    [ -n "$(find "$tmp" -maxdepth 1 -name '.cmp.carecap-*')" ] && [ -n "$(pgrep -P $pid)" ] && break
    sleep 0.05
done
kill -HUP $pid
wait $pid
[ $? = 1 ] && grep -q "interrupted" "$tmp/err" && ok || bad "SIGHUP in compare's write phase: not exit 1 or no message: $(cat "$tmp/err")"
sums "$tmp/cmp" | cmp -s - "$tmp/cmp.before" && no_temps "$tmp/cmp" && ok || bad "SIGHUP in compare's write phase changed the results or left temporaries"
# during the simulation (a long run)
"$CARECAP" run --no-charts "$base" -r 2000 -y 10 -j 1 -q -o "$res" >/dev/null 2>"$tmp/err" &
pid=$!
sleep 1
kill -TERM $pid
wait $pid
[ $? != 0 ] && ok || bad "SIGTERM in the simulation: exit 0"
sums "$res" | cmp -s - "$tmp/before" && no_temps "$res" && ok || bad "SIGTERM in the simulation changed the results or left temporaries"

# --- 7. the folder: other files refused, fallback switch, leftovers -------
mkdir "$tmp/mine"
echo "notes" >"$tmp/mine/notes.txt"
"$CARECAP" run --no-charts "$mini" -r 2 -y 1 -q -o "$tmp/mine" >/dev/null 2>"$tmp/err"
[ $? = 4 ] && ok || bad "a folder with other files: not exit 4"
grep -q "holds notes.txt, which is not a carecap result" "$tmp/err" && ok || bad "a folder with other files: message: $(cat "$tmp/err")"
[ "$(ls -A "$tmp/mine")" = notes.txt ] && ok || bad "a folder with other files was written to"
mkdir "$tmp/empty"
"$CARECAP" run --no-charts "$mini" -r 2 -y 1 -q -o "$tmp/empty" >/dev/null 2>"$tmp/err" && [ -s "$tmp/empty/monthly.csv" ] \
    && ok || bad "an empty folder: $(cat "$tmp/err")"
"$CARECAP" run "$mini" -r 4 -y 2 -s 4 -q -o "$tmp/fb" >/dev/null 2>&1
CARECAP_TEST_NO_EXCHANGE=1 "$CARECAP" run --no-charts "$mini" -r 4 -y 2 -s 5 -q -o "$tmp/fb" >/dev/null 2>"$tmp/err" \
    && ok || bad "the two-rename switch failed: $(cat "$tmp/err")"
[ -s "$tmp/fb/monthly.csv" ] && [ ! -e "$tmp/fb/report.html" ] && no_temps "$tmp/fb" && ok || bad "the two-rename switch: old files left or temporaries"
grep -q '^seed: 5$' "$tmp/fb/manifest.txt" && ok || bad "the two-rename switch: old results kept"

# --- 8. manifest.txt: a newline and quotes in -o ---------------------------
odd="$tmp/new
line 'q' \$x"
"$CARECAP" run --no-charts "$mini" -r 2 -y 1 -q -o "$odd" >/dev/null 2>"$tmp/err" && ok || bad "run into a folder with a newline failed: $(cat "$tmp/err")"
n=$(grep -c '^command: ' "$odd/manifest.txt")
[ "$n" = 1 ] && [ "$(grep -c . "$odd/manifest.txt")" = "$(grep -c '^[a-z_0-9]*: ' "$odd/manifest.txt")" ] \
    && ok || bad "manifest: a line does not start with a key"
cmdline=$(sed -n 's/^command: //p' "$odd/manifest.txt")
eval "set -- $cmdline"
found=0
for a in "$@"; do [ "$a" = "$odd" ] && found=1; done
[ $found = 1 ] && ok || bad "manifest: -o does not read back: $cmdline"

echo "test_outputs: $pass passed, $fail failed"
[ $fail -eq 0 ]
