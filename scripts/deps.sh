#!/usr/bin/env bash
# deps.sh: make sure the Debian packages carecap needs are installed.
# As root it installs what is missing with apt-get; otherwise it prints the
# exact apt-get line to run and exits 1. With --test it also installs
# Chromium, with which the test suite checks report.html in a browser;
# clang with its libFuzzer runtime (libclang-rt-N-dev, N clang's version),
# with which it runs the fuzz targets of tests/fuzz/; and python3, with which
# the suite reruns scripts/fit-dfe.py; and Open MPI, with which carecap is
# built for mpirun and the suite runs three local ranks. Each check is skipped (with a message)
# if its package cannot be installed.
set -euo pipefail
packages=(gcc make cmake pkg-config libgsl-dev libconfig-dev libxlsxwriter-dev zlib1g-dev gnuplot-nox
          libmicrohttpd-dev libjansson-dev libjs-chart.js)   # the last three: carecap serve
optional=()
# (the status whole, not piped to grep -q, which may stop dpkg-query by
# SIGPIPE: a failure under pipefail)
installed() {
  case $(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) in
    *"install ok installed"*) return 0 ;;
  esac
  return 1
}
# the libFuzzer runtime of the clang that is (or will be) installed
fuzzer_rt() {
  local v
  v=$(clang --version 2>/dev/null | sed -n 's/.*clang version \([0-9]*\).*/\1/p' | head -1)
  [ -z "$v" ] && v=$(apt-cache depends clang 2>/dev/null | sed -n 's/.*Depends: clang-\([0-9]*\)$/\1/p' | head -1)
  [ -n "$v" ] && echo "libclang-rt-$v-dev"
}
if [ "${1:-}" = "--test" ]; then
  optional+=(chromium clang python3 time)   # python3: scripts/fit-dfe.py (cli_fitdfe); time: bench.sh peak memory
  optional+=(chromium-driver python3-selenium)  # the workbench's browser test (tests/web/)
  optional+=(libopenmpi-dev openmpi-bin)     # the MPI build and its test (cli_mpi: mpirun -n 3)
  rt=$(fuzzer_rt || true)
  [ -n "$rt" ] && optional+=("$rt")
fi
missing=()
for p in "${packages[@]}"; do
  installed "$p" || missing+=("$p")
done
want=()
for p in "${optional[@]}"; do
  installed "$p" || want+=("$p")
done
if [ ${#missing[@]} -eq 0 ] && [ ${#want[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  if [ ${#missing[@]} -eq 0 ]; then
    echo "carecap: optional for the tests: ${want[*]} (sudo apt-get install -y ${want[*]})" >&2
    exit 0
  fi
  echo "carecap needs these Debian packages: ${missing[*]}" >&2
  echo "Install them with:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]} ${want[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# install from the package lists on hand first; refresh them only if that fails
install() {
  apt-get install -y -qq "$@" >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq "$@" >/dev/null; }
}
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing: ${missing[*]}" >&2
  install "${missing[@]}"
fi
if [ ${#want[@]} -gt 0 ]; then
  echo "Installing (for the tests): ${want[*]}" >&2
  install "${want[@]}" || echo "carecap: could not install ${want[*]}; the browser check of report.html will be skipped" >&2
fi
exit 0
