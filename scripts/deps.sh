#!/usr/bin/env bash
# deps.sh: make sure the Debian packages carecap needs are installed.
# As root it installs what is missing with apt-get; otherwise it prints the
# exact apt-get line to run and exits 1. Sourced or run by the other scripts.
set -euo pipefail
packages=(gcc make cmake pkg-config libgsl-dev libconfig-dev libxlsxwriter-dev gnuplot-nox)
# the test suite also renders report.html in a headless browser
if [ "${1:-}" = "--test" ]; then
  packages+=(chromium)
fi
missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "carecap needs these Debian packages: ${missing[*]}" >&2
  echo "Install them with:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "Installing: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# the package lists on hand first; refresh them only if that fails
if ! apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1; then
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi
