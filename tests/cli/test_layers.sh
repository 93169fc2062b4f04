#!/usr/bin/env bash
# test_layers.sh: the engine's modules call each other one way (simint.h,
# STYLE.md): the supply side (place.o) and the shared market (market.o) use
# no function that the engine (sim.o) defines, and the market uses no other
# carecap module at all; the engine drives the supply side through place.h.
# Reads the object files of the build the binary comes from (nm).
# Env: CARECAP (the binary), CARECAP_ROOT (the source tree).
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"
objs="$(dirname "$CARECAP")/CMakeFiles/carecap_engine.dir"
if ! command -v nm >/dev/null || [ ! -f "$objs/sim.c.o" ]; then
    echo "test_layers: skipped (no nm, or no object files beside $CARECAP)"
    exit 77
fi
defined() { nm --defined-only -g "$objs/$1.c.o" | awk '{ print $3 }' | sort -u; }
needed() { nm -u "$objs/$1.c.o" | awk '{ print $2 }' | sort -u; }
defined sim >"$tmp/sim"
for m in place market tally money trace; do
    needed "$m" >"$tmp/$m"
    calls=$(comm -12 "$tmp/sim" "$tmp/$m" | tr '\n' ' ')
    if [ -z "$calls" ]; then ok; else bad "$m.c calls the engine (sim.c): $calls"; fi
done
# the market is a leaf: only the C library
own=$(for f in "$objs"/*.c.o; do nm --defined-only -g "$f" | awk '{ print $3 }'; done | sort -u)
calls=$(comm -12 <(echo "$own") "$tmp/market" | tr '\n' ' ')
if [ -z "$calls" ]; then ok; else bad "market.c calls other carecap modules: $calls"; fi
# and the engine does drive the supply side (the test looks at the right files)
if needed sim | grep -qx ccpl_match; then ok; else bad "sim.o does not call ccpl_match: wrong object files?"; fi
echo "test_layers: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
