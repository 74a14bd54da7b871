#!/usr/bin/env bash
# Installs the Debian packages hashforge builds with, if any are missing. Safe to run repeatedly.
set -euo pipefail
PACKAGES=(g++ cmake ninja-build pkg-config libssl-dev libboost-dev nlohmann-json3-dev libbenchmark-dev doctest-dev openssl
          verilator iverilog yosys)  # RTL: co-simulation, testbench, synthesis (docs/rtl.md)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "hashforge: installing ${missing[*]}" >&2
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
