#!/usr/bin/env bash
# bench.sh: carecap's speed against a bare event loop.
#
#  (a) times `carecap run config/nottinghamshire.cfg -r 1000 -y 10 -s 1 -j J
#      --quiet --no-charts -o TMP` (charts are drawn after the results; not timed) for J = 1 and 2 (best of RUNS), reads the event count
#      from TMP/manifest.txt and reports events/s, ns/event and replications/s;
#      and the mean number of events pending in its queue (the manifest's
#      pending_events: children, fostering households, a few processes);
#  (b) times scripts/bench/bare_loop.c (a binary heap popping an event and
#      pushing its successor drawn from GSL) with 1,000 and 100,000 events
#      pending and with the county run's pending count (best of RUNS);
#  (c) prints carecap's ns/event (-j 1) over the bare loop's at 1,000 pending
#      (issue 14's yardstick), also as the median of RUNS pairs of the two
#      run one after the other (each pair sees about the same state of a
#      shared host), and at the run's own pending count, the -j 1
#      and -j 2 wall times and the parallel efficiency (speed-up / 2);
#  (d) measures the peak resident memory (GNU time's maximum RSS) of the
#      county run with -j 2 at 1,000 and at RSS_REPS (default 10,000)
#      replications, and their ratio (RSS_REPS=0 skips (d));
#  (e) times the national run, config/england.cfg with -j 2 (NAT_REPS
#      replications, default 100, 0 skips; 1,000 extrapolated, both in
#      proportion and from two points, NAT_REPS and 2 replications, which
#      does not count the start-up and the outputs 1000 / NAT_REPS times),
#      beside the bare loop at its pending count (~82,000).
#  (f) with an MPI build and mpirun: the same run as 2 MPI ranks of 1 thread
#      (best of RUNS), its output checked against -j 2's, and its efficiency
#      against 2 threads (MPI_RANKS=0 skips (f)); the MPI run's wall time is
#      split into mpirun's own start-up (`mpirun -n 2 carecap --version`),
#      rank 0's engine time (its share, waiting for the other rank, then
#      receiving and merging its summaries: the manifest's mpi_* lines) and
#      the rest (MPI_Init and rank 0 writing the outputs);
#  (g) peak RSS of `carecap compare` (the baseline and scenarios/step-down.cfg,
#      -y CMP_YEARS, default 2) at 1,000 and CMP_REPS (default 10,000)
#      replications, and their ratio (CMP_REPS=0 skips (g)).
#  (h) with PGO=1: builds the profile-guided binary (scripts/pgo.sh, into
#      PGO_BUILD_DIR, default <repo>/build-pgo), checks that its monthly.csv is
#      the Release binary's byte for byte, and runs it in each pair of (c)
#      right after the Release binary: the median of its ratios to the same
#      bare-loop run, and its -j 2 wall time (best of RUNS).
#
# carecap is built (Release) in build-bench, or in $BUILD_DIR, if needed; the
# bare loop is built with `cc -O2` into a temporary directory. Runs from any
# directory; exits non-zero if any step fails.
#
# Environment: BUILD_DIR (default <repo>/build-bench), RUNS (default 3),
# BARE_EVENTS (events the bare loop times, default 10000000), BARE_RNG
# (taus2, the default and carecap's generator, or mt19937), RSS_REPS, NAT_REPS,
# MPI_RANKS, CMP_REPS, CMP_YEARS, PGO (1: also the PGO build), PGO_BUILD_DIR.
set -euo pipefail

root=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
build=${BUILD_DIR:-$root/build-bench}
runs=${RUNS:-3}
bare_events=${BARE_EVENTS:-10000000}
bare_rng=${BARE_RNG:-taus2}
rss_reps=${RSS_REPS:-10000}
cfg=$root/config/nottinghamshire.cfg
reps=1000
years=10

die() { echo "bench.sh: $*" >&2; exit 1; }
case $runs in '' | *[!0-9]* | 0) die "RUNS must be a whole number >= 1 (got '$runs')" ;; esac
case $bare_events in '' | *[!0-9]* | 0) die "BARE_EVENTS must be a whole number >= 1" ;; esac
case $rss_reps in '' | *[!0-9]*) die "RSS_REPS must be a whole number (0: skip the memory runs)" ;; esac
for tool in cc cmake pkg-config awk; do
  command -v "$tool" >/dev/null || die "'$tool' is not installed"
done
[ -f "$cfg" ] || die "missing $cfg"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/carecap-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# ---- build ----------------------------------------------------------------
echo "== Building the bare loop (cc -O2) in $tmp"
# shellcheck disable=SC2046  # pkg-config output is meant to be word-split
cc -std=c11 -O2 -o "$tmp/bare_loop" "$root/scripts/bench/bare_loop.c" $(pkg-config --cflags --libs gsl) ||
  die "could not build the bare loop"

if [ -f "$build/CMakeCache.txt" ]; then
  btype=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$build/CMakeCache.txt")
  [ "$btype" = Release ] || die "$build is configured as '$btype', not Release (set BUILD_DIR to another directory)"
else
  echo "== Configuring carecap (Release) in $build"
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >"$tmp/cmake.log" 2>&1 ||
    { cat "$tmp/cmake.log" >&2; die "cmake configure failed"; }
fi
echo "== Building carecap (Release) in $build"
cmake --build "$build" --target carecap -j"$(nproc 2>/dev/null || echo 2)" >"$tmp/build.log" 2>&1 ||
  { cat "$tmp/build.log" >&2; die "cmake build failed"; }
carecap=$build/sim/carecap
[ -x "$carecap" ] || die "no carecap binary at $carecap"
pgo=${PGO:-0}
case $pgo in 0 | 1) ;; *) die "PGO must be 0 or 1 (got '$pgo')" ;; esac
carecap_pgo=
if [ "$pgo" = 1 ]; then
  pgo_build=${PGO_BUILD_DIR:-$root/build-pgo}
  echo "== Building carecap with PGO (scripts/pgo.sh) in $pgo_build"
  BUILD_DIR=$pgo_build "$root/scripts/pgo.sh" >"$tmp/pgo.log" 2>&1 || { cat "$tmp/pgo.log" >&2; die "the PGO build failed"; }
  carecap_pgo=$pgo_build/sim/carecap
  [ -x "$carecap_pgo" ] || die "no PGO binary at $carecap_pgo"
  "$carecap" run "$cfg" -r 20 -y "$years" -s 1 -j 2 --quiet --no-charts -o "$tmp/out-rel" >/dev/null 2>&1 ||
    die "the Release check run failed"
  "$carecap_pgo" run "$cfg" -r 20 -y "$years" -s 1 -j 2 --quiet --no-charts -o "$tmp/out-pgo" >/dev/null 2>&1 ||
    die "the PGO check run failed"
  cmp -s "$tmp/out-rel/monthly.csv" "$tmp/out-pgo/monthly.csv" || die "the PGO and Release builds wrote different monthly.csv"
  rm -rf "$tmp/out-rel" "$tmp/out-pgo"
fi

# ---- helpers --------------------------------------------------------------
fmin() { awk -v a="$1" -v b="$2" 'BEGIN { print (b == "" || a + 0 < b + 0) ? a : b }'; }
calc() { awk "BEGIN { printf \"%.${2:-2}f\", $1 }"; }

if command -v hyperfine >/dev/null; then timer=hyperfine; else timer="date +%s.%N"; fi

# Best wall time of `runs` runs of the command "$@", in seconds, into $best.
# The function named by $after_run (if any) is called after every run (after
# the last one only, under hyperfine).
after_run=
best_of() {
  best=
  if [ "$timer" = hyperfine ]; then
    hyperfine --runs "$runs" --style none --export-csv "$tmp/hf.csv" -- "$(printf '%q ' "$@")" >/dev/null ||
      die "failed: $*"
    # columns: command,mean,stddev,median,user,system,min,max
    best=$(awk -F, 'NR == 2 { print $(NF - 1) }' "$tmp/hf.csv")
    [ -z "$after_run" ] || "$after_run"
  else
    local i t0 t1
    for ((i = 0; i < runs; i++)); do
      t0=$(date +%s.%N)
      "$@" >/dev/null 2>"$tmp/stderr" || { cat "$tmp/stderr" >&2; die "failed: $*"; }
      t1=$(date +%s.%N)
      best=$(fmin "$(calc "$t1 - $t0" 4)" "$best")
      [ -z "$after_run" ] || "$after_run"
    done
  fi
}

manifest_field() { # file key
  local v
  v=$(sed -n "s/^$2: *//p" "$1")
  [ -n "$v" ] || die "no '$2:' line in $1"
  echo "$v"
}

echo "== Timing with $timer, best of $runs; machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"

# ---- (a) carecap ------------------------------------------------------------
declare -A wall engine events pending sumadd summerge
# After each run: its event count (must not change) and the best engine-only
# time (the manifest's wall_seconds: the simulation, without start-up and I/O).
read_manifest() {
  local m=$out/manifest.txt e
  e=$(manifest_field "$m" events)
  case $e in '' | *[!0-9]*) die "bad event count '$e' in $m" ;; esac
  [ "$e" -gt 0 ] || die "carecap reported no events"
  [ -z "${events[$j]:-}" ] || [ "${events[$j]}" = "$e" ] || die "event count changed between runs ($e, ${events[$j]})"
  events[$j]=$e
  pending[$j]=$(manifest_field "$m" pending_events)
  engine[$j]=$(fmin "$(manifest_field "$m" wall_seconds)" "${engine[$j]:-}")
  # the summaries' cost (docs/performance.md): adding (CPU, all threads), end merge
  sumadd[$j]=$(fmin "$(manifest_field "$m" summary_add_seconds)" "${sumadd[$j]:-}")
  summerge[$j]=$(fmin "$(manifest_field "$m" summary_merge_seconds)" "${summerge[$j]:-}")
  rm -rf "$out"
}
after_run=read_manifest
for j in 1 2; do
  out=$tmp/out-j$j
  cmd=("$carecap" run "$cfg" -r "$reps" -y "$years" -s 1 -j "$j" --quiet --no-charts -o "$out")
  echo "   carecap run config/nottinghamshire.cfg -r $reps -y $years -s 1 -j $j --quiet --no-charts -o TMP"
  best_of "${cmd[@]}"
  wall[$j]=$best
done
after_run=
[ "${events[1]}" = "${events[2]}" ] ||
  die "event counts differ between -j 1 (${events[1]}) and -j 2 (${events[2]}): the run is not deterministic"
ev=${events[1]}
pend=${pending[1]}
case $pend in '' | *[!0-9]* | 0) die "bad pending_events '$pend' in the manifest" ;; esac


# ---- (b) bare loop ----------------------------------------------------------
declare -A bare
counts=(1000 100000)
[ -n "${bare[$pend]:-}" ] || counts+=("$pend")
for n in "${counts[@]}"; do
  [ -z "${bare[$n]:-}" ] || continue
  echo "   bare_loop $n $bare_events $bare_rng"
  b=
  for ((i = 0; i < runs; i++)); do
    line=$("$tmp/bare_loop" "$n" "$bare_events" "$bare_rng") || die "bare_loop $n failed"
    x=$(printf '%s\n' "$line" | sed -n 's/.*ns_per_event=\([0-9.]*\).*/\1/p')
    [ -n "$x" ] || die "could not read ns_per_event from: $line"
    b=$(fmin "$x" "$b")
  done
  bare[$n]=$b
done

# ---- (b2) paired ratios ---------------------------------------------------------
# The bare loop at 1,000 pending and carecap -j 1 run one right after the
# other, RUNS times: on a shared host each pair sees about the same machine,
# so the pairs' ratios (engine only) spread less than the best times above,
# which may come from different moments
# (with PGO=1, the PGO binary runs third in each pair, against the same
# bare-loop run)
pair_ratios=() pgo_ratios=()
pair_engine() { # binary: its -j 1 engine seconds into $e
  "$1" run "$cfg" -r "$reps" -y "$years" -s 1 -j 1 --quiet --no-charts -o "$tmp/out-pair" >/dev/null 2>"$tmp/stderr" ||
    { cat "$tmp/stderr" >&2; die "the paired carecap run failed"; }
  e=$(manifest_field "$tmp/out-pair/manifest.txt" wall_seconds)
  rm -rf "$tmp/out-pair"
}
for ((i = 0; i < runs; i++)); do
  line=$("$tmp/bare_loop" 1000 "$bare_events" "$bare_rng") || die "bare_loop 1000 failed"
  x=$(printf '%s\n' "$line" | sed -n 's/.*ns_per_event=\([0-9.]*\).*/\1/p')
  [ -n "$x" ] || die "could not read ns_per_event from: $line"
  pair_engine "$carecap"
  pair_ratios+=("$(calc "$e * 1e9 / $ev / $x" 3)")
  if [ -n "$carecap_pgo" ]; then
    pair_engine "$carecap_pgo"
    pgo_ratios+=("$(calc "$e * 1e9 / $ev / $x" 3)")
  fi
done
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
spread() { printf '%s-%s' "$(printf '%s\n' "$@" | sort -g | head -n 1)" "$(printf '%s\n' "$@" | sort -g | tail -n 1)"; }
pair_median=$(median "${pair_ratios[@]}")
pair_range=$(spread "${pair_ratios[@]}")
if [ -n "$carecap_pgo" ]; then
  pgo_median=$(median "${pgo_ratios[@]}")
  pgo_range=$(spread "${pgo_ratios[@]}")
  echo "   PGO: carecap run config/nottinghamshire.cfg -r $reps -y $years -s 1 -j 2 --quiet --no-charts -o TMP"
  best_of "$carecap_pgo" run "$cfg" -r "$reps" -y "$years" -s 1 -j 2 --quiet --no-charts -o "$tmp/out-pgo2"
  pgo_wall2=$best
  rm -rf "$tmp/out-pgo2"
fi

# ---- (d) peak memory ----------------------------------------------------------
declare -A rss
if [ "$rss_reps" -gt 0 ]; then
  [ -x /usr/bin/time ] || die "GNU time (/usr/bin/time, Debian package 'time') is needed for the memory runs"
  for n in 1000 "$rss_reps"; do
    echo "   carecap run config/nottinghamshire.cfg -r $n -y $years -s 1 -j 2 --quiet --no-charts -o TMP (peak RSS)"
    /usr/bin/time -f '%M' -o "$tmp/rss" "$carecap" run "$cfg" -r "$n" -y "$years" -s 1 -j 2 --quiet --no-charts \
      -o "$tmp/out-rss" >/dev/null 2>"$tmp/stderr" || { cat "$tmp/stderr" >&2; die "the memory run at $n replications failed"; }
    rss[$n]=$(tail -n 1 "$tmp/rss")
    rm -rf "$tmp/out-rss"
  done
fi

# ---- (f) MPI: 2 ranks x 1 thread against 1 process x 2 threads ----------------
# (only when carecap was built with MPI and mpirun is on the PATH; MPI_RANKS=0
# skips it). Same run as (a); best of RUNS; byte-compared with -j 2's monthly.csv.
mpi_wall=
if [ "${MPI_RANKS:-2}" != 0 ] && command -v mpirun >/dev/null &&
  ldd "$carecap" 2>/dev/null | grep -c 'libmpi' >/dev/null; then # (-c reads all: -q would stop ldd by SIGPIPE, a failure under pipefail)
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
  out=$tmp/out-mpi
  echo "   mpirun --oversubscribe -n 2 carecap run config/nottinghamshire.cfg -r $reps -y $years -s 1 -j 1 --quiet --no-charts -o TMP"
  "$carecap" run "$cfg" -r "$reps" -y "$years" -s 1 -j 2 --quiet --no-charts -o "$tmp/out-j2ref" >/dev/null 2>&1 ||
    die "the -j 2 reference run failed"
  # after each run: rank 0's engine time and what sharing cost it (best run's)
  mpi_engine='' mpi_wait='' mpi_merge='' mpi_bytes=''
  read_mpi() {
    local m=$out/manifest.txt e
    e=$(manifest_field "$m" wall_seconds)
    if [ -z "$mpi_engine" ] || awk -v a="$e" -v b="$mpi_engine" 'BEGIN { exit !(a + 0 < b + 0) }'; then
      mpi_engine=$e
      mpi_wait=$(manifest_field "$m" mpi_wait_seconds)
      mpi_merge=$(manifest_field "$m" mpi_merge_seconds)
      mpi_bytes=$(manifest_field "$m" mpi_bytes_received)
    fi
    cmp -s "$out/monthly.csv" "$tmp/out-j2ref/monthly.csv" || die "2 MPI ranks and -j 2 wrote different monthly.csv"
    rm -rf "$out"
  }
  after_run=read_mpi
  best_of mpirun --oversubscribe -n 2 "$carecap" run "$cfg" -r "$reps" -y "$years" -s 1 -j 1 --quiet --no-charts \
    -o "$out"
  after_run=
  mpi_wall=$best
  echo "   mpirun --oversubscribe -n 2 carecap --version (mpirun's own start-up)"
  best_of mpirun --oversubscribe -n 2 "$carecap" --version
  mpi_start=$best
  rm -rf "$tmp/out-j2ref"
fi

# ---- (g) peak memory of compare --------------------------------------------------
cmp_reps=${CMP_REPS:-10000}
cmp_years=${CMP_YEARS:-2}
case $cmp_reps in '' | *[!0-9]*) die "CMP_REPS must be a whole number (0: skip the compare memory runs)" ;; esac
case $cmp_years in '' | *[!0-9]* | 0) die "CMP_YEARS must be a whole number >= 1" ;; esac
declare -A cmp_rss
if [ "$cmp_reps" -gt 0 ]; then
  [ -x /usr/bin/time ] || die "GNU time (/usr/bin/time, Debian package 'time') is needed for the memory runs"
  scen=$root/scenarios/step-down.cfg
  [ -f "$scen" ] || die "missing $scen"
  for n in 1000 "$cmp_reps"; do
    echo "   carecap compare config/nottinghamshire.cfg scenarios/step-down.cfg -r $n -y $cmp_years -s 1 -j 2 --quiet --no-charts -o TMP (peak RSS)"
    /usr/bin/time -f '%M' -o "$tmp/rss" "$carecap" compare "$cfg" "$scen" -r "$n" -y "$cmp_years" -s 1 -j 2 --quiet \
      --no-charts -o "$tmp/out-cmp" >/dev/null 2>"$tmp/stderr" || { cat "$tmp/stderr" >&2; die "the compare memory run at $n replications failed"; }
    cmp_rss[$n]=$(tail -n 1 "$tmp/rss")
    rm -rf "$tmp/out-cmp"
  done
fi

# ---- report -----------------------------------------------------------------
echo
echo "carecap: $reps replications x $years years, Nottinghamshire; $ev events ($(calc "$ev / $reps" 0) per replication)"
fmt='%-26s %8s %11s %8s %9s %9s %13s\n'
# shellcheck disable=SC2059  # the format is a variable on purpose
printf "$fmt" "" "wall s" "M events/s" "reps/s" "ns/event" "engine s" "engine ns/ev"
for j in 1 2; do
  w=${wall[$j]} e=${engine[$j]} nse=- nsw=-
  if [ "$j" = 1 ]; then
    nsw=$(calc "$w * 1e9 / $ev" 1)
    nse=$(calc "$e * 1e9 / $ev" 1)
  fi
  # shellcheck disable=SC2059
  printf "$fmt" "carecap -j $j" "$w" "$(calc "$ev / $w / 1e6" 2)" "$(calc "$reps / $w" 1)" "$nsw" "$e" "$nse"
done
for n in $(printf '%s\n' "${!bare[@]}" | sort -n); do
  # shellcheck disable=SC2059
  printf "$fmt" "bare loop, $n pending" - "$(calc "1e3 / ${bare[$n]}" 2)" - "${bare[$n]}" - -
done
echo
echo "wall s: the whole command (start-up, simulation, CSV output), best of $runs; ns/event = wall s / events."
echo "engine s: the manifest's wall_seconds (simulation only), best of $runs. -j 2 rows are throughput."
echo "Bare loop: $bare_rng, best of $runs x $bare_events events (after a warm-up of N events)."
ratio=$(calc "$(calc "${wall[1]} * 1e9 / $ev" 4) / ${bare[1000]}" 2)
ratio_engine=$(calc "$(calc "${engine[1]} * 1e9 / $ev" 4) / ${bare[1000]}" 2)
echo
echo "carecap -j 1 / bare loop at 1000 pending: ${ratio}x (whole command), ${ratio_engine}x (engine only)"
echo "carecap -j 1 / bare loop at 1000 pending, in $runs pairs run one after the other (engine only): median $(calc "$pair_median" 2)x, range ${pair_range}x"
if [ -n "$carecap_pgo" ]; then
  echo "PGO build (scripts/pgo.sh), the same pairs: median $(calc "$pgo_median" 2)x, range ${pgo_range}x; -j 2 wall time (whole command): $pgo_wall2 s"
fi
echo "carecap -j 1 / bare loop at the run's own $pend pending: $(calc "$(calc "${wall[1]} * 1e9 / $ev" 4) / ${bare[$pend]}" 2)x (whole command), $(calc "$(calc "${engine[1]} * 1e9 / $ev" 4) / ${bare[$pend]}" 2)x (engine only)"
echo "-j 1 wall time (whole command): ${wall[1]} s"
echo "-j 2 speed-up over -j 1: $(calc "${wall[1]} / ${wall[2]}" 2)x"
echo "-j 2 wall time (whole command): ${wall[2]} s; parallel efficiency at -j 2: $(calc "100 * ${wall[1]} / ${wall[2]} / 2" 1)%"
echo "summaries: adding $(calc "${sumadd[1]} * 1e3 / $reps" 3) ms of CPU a replication at -j 1 ($(calc "${sumadd[2]} * 1e3 / $reps" 3) at -j 2), end merge ${summerge[2]} s at -j 2 (the manifests' summary_add_seconds, summary_merge_seconds; best of $runs)"
if [ "$rss_reps" -gt 0 ]; then
  echo "peak RSS, -j 2: $(calc "${rss[1000]} / 1024" 1) MB at 1000 replications, $(calc "${rss[$rss_reps]} / 1024" 1) MB at $rss_reps ($(calc "${rss[$rss_reps]} / ${rss[1000]}" 2)x)"
fi

if [ "$cmp_reps" -gt 0 ]; then
  echo "peak RSS of compare (baseline + scenarios/step-down.cfg, -y $cmp_years), -j 2: $(calc "${cmp_rss[1000]} / 1024" 1) MB at 1000 replications, $(calc "${cmp_rss[$cmp_reps]} / 1024" 1) MB at $cmp_reps ($(calc "${cmp_rss[$cmp_reps]} / ${cmp_rss[1000]}" 2)x)"
fi

# ---- (e) the national run -------------------------------------------------------
# config/england.cfg (~82,000 children, about as many events pending) with -j 2:
# NAT_REPS replications (default 100; 1000 for the full measure, 0 skips) x
# $years years, timed once; the time of 1,000 replications is extrapolated
# linearly when NAT_REPS is below 1,000 (said in the report). ns/event counts
# both cores (wall x 2 / events), and, with GNU time, the CPU time (user +
# system) / events, each against the bare loop at the same pending count.
nat_reps=${NAT_REPS:-100}
case $nat_reps in '' | *[!0-9]*) die "NAT_REPS must be a whole number (0: skip the national run)" ;; esac
if [ "$nat_reps" -gt 0 ]; then
  nat_cfg=$root/config/england.cfg
  [ -f "$nat_cfg" ] || die "missing $nat_cfg"
  out=$tmp/out-nat
  echo
  echo "   carecap run config/england.cfg -r $nat_reps -y $years -s 1 -j 2 --quiet --no-charts -o TMP"
  nat_time=()
  [ -x /usr/bin/time ] && nat_time=(/usr/bin/time -f '%U %S' -o "$tmp/nat-cpu")
  t0=$(date +%s.%N)
  "${nat_time[@]}" "$carecap" run "$nat_cfg" -r "$nat_reps" -y "$years" -s 1 -j 2 --quiet --no-charts -o "$out" >/dev/null 2>"$tmp/stderr" ||
    { cat "$tmp/stderr" >&2; die "the national run failed"; }
  t1=$(date +%s.%N)
  nat_wall=$(calc "$t1 - $t0" 2)
  # CPU seconds (user + system) when GNU time is there: on a loaded machine the
  # wall time counts the time other programs had the cores, the CPU time not
  nat_cpu=
  [ -s "$tmp/nat-cpu" ] && nat_cpu=$(awk 'END { print $1 + $2 }' "$tmp/nat-cpu")
  nat_ev=$(manifest_field "$out/manifest.txt" events)
  nat_engine=$(manifest_field "$out/manifest.txt" wall_seconds)
  # pending: one event per child in care, at the start date's published count
  nat_pending=$(awk -F, '$3 == "looked_after" && $4 == "all" { print $5; exit }' "$out/monthly.csv")
  case $nat_pending in '' | *[!0-9]*) die "could not read the national start count from $out/monthly.csv" ;; esac
  echo "   bare_loop $nat_pending $bare_events $bare_rng"
  b=
  for ((i = 0; i < runs; i++)); do
    line=$("$tmp/bare_loop" "$nat_pending" "$bare_events" "$bare_rng") || die "bare_loop $nat_pending failed"
    x=$(printf '%s\n' "$line" | sed -n 's/.*ns_per_event=\([0-9.]*\).*/\1/p')
    [ -n "$x" ] || die "could not read ns_per_event from: $line"
    b=$(fmin "$x" "$b")
  done
  nat_ns=$(calc "$nat_wall * 2 * 1e9 / $nat_ev" 1)
  echo
  echo "national: config/england.cfg, $nat_reps replications x $years years, -j 2; $nat_ev events ($(calc "$nat_ev / $nat_reps" 0) per replication), $nat_pending pending"
  echo "national wall time: $nat_wall s (engine $nat_engine s); $nat_ns ns/event (both cores); bare loop at $nat_pending pending: $b ns/event; ratio $(calc "$nat_ns / $b" 2)x"
  if [ -n "$nat_cpu" ]; then
    echo "national CPU time: $nat_cpu s; $(calc "$nat_cpu * 1e9 / $nat_ev" 1) CPU ns/event; ratio to the bare loop $(calc "$nat_cpu * 1e9 / $nat_ev / $b" 2)x"
  fi
  if [ "$nat_reps" -lt 1000 ]; then
    echo "national 1000 x $years years, -j 2: about $(calc "$nat_wall * 1000 / $nat_reps" 0) s (extrapolated linearly from $nat_reps replications; target <= 180 s)"
    if [ "$nat_reps" -gt 2 ]; then
      # the same run with 2 replications: what does not grow with them
      # (start-up, memory, the outputs), so that they are not counted 1000 /
      # NAT_REPS times over
      t0=$(date +%s.%N)
      "$carecap" run "$nat_cfg" -r 2 -y "$years" -s 1 -j 2 --quiet --no-charts -o "$tmp/out-nat2" >/dev/null 2>"$tmp/stderr" ||
        { cat "$tmp/stderr" >&2; die "the national run (2 replications) failed"; }
      t1=$(date +%s.%N)
      nat_wall2=$(calc "$t1 - $t0" 2)
      echo "national 1000 x $years years, -j 2, from two points: about $(calc "$nat_wall2 + ($nat_wall - $nat_wall2) * (1000 - 2) / ($nat_reps - 2)" 0) s (2 replications: $nat_wall2 s; $nat_reps: $nat_wall s; the difference a replication, times 998, plus the first two)"
    fi
  else
    echo "national $nat_reps x $years years, -j 2: $nat_wall s (target for 1000: <= 180 s)"
  fi
fi
if [ -n "$mpi_wall" ]; then
  echo "2 MPI ranks x 1 thread (mpirun -n 2 ... -j 1, whole command): $mpi_wall s wall; efficiency against -j 2: $(calc "100 * ${wall[2]} / $mpi_wall" 1)% (against -j 1 x 2: $(calc "100 * ${wall[1]} / $mpi_wall / 2" 1)%)"
  echo "  of which: mpirun start-up $mpi_start s; rank 0's engine $mpi_engine s (-j 2's: ${engine[2]} s), in it waiting for the other rank $mpi_wait s and receiving and merging its summaries ($(calc "$mpi_bytes / 1e6" 1) MB) $mpi_merge s; the rest (MPI_Init, rank 0 writing) $(calc "$mpi_wall - $mpi_start - $mpi_engine" 2) s (-j 2's rest: $(calc "${wall[2]} - ${engine[2]}" 2) s)"
else
  echo "MPI: skipped (carecap built without MPI, or no mpirun)"
fi
