#!/usr/bin/env bash
# deps.sh: make sure the Debian packages carecap needs are installed.
# As root it installs what is missing with apt-get; otherwise it prints the
# exact apt-get line to run and exits 1. With --test it also installs
# Chromium, with which the test suite checks report.html in a browser; that
# check is skipped (with a message) if Chromium cannot be installed; and
# python3, with which the suite reruns scripts/fit-dfe.py (skipped without it).
set -euo pipefail
packages=(gcc make cmake pkg-config libgsl-dev libconfig-dev libxlsxwriter-dev zlib1g-dev gnuplot-nox)
optional=()
if [ "${1:-}" = "--test" ]; then
  optional+=(chromium python3)   # python3: scripts/fit-dfe.py, rerun by the cli_fitdfe test (skipped without it)
  optional+=(time)               # GNU time: scripts/bench.sh's peak-memory runs
fi
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
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
