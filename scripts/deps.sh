#!/usr/bin/env bash
# Installs the Debian packages hashforge builds with, if any are missing. Safe to run repeatedly.
set -euo pipefail
PACKAGES=(g++ cmake ninja-build pkg-config libssl-dev libboost-dev nlohmann-json3-dev libbenchmark-dev doctest-dev openssl
          verilator iverilog yosys)  # RTL: co-simulation, testbench, synthesis (docs/rtl.md)
# OpenCL: headers and the ICD loader to build the opencl backend; POCL, an OpenCL device on the CPU,
# so the tests run the kernel on machines without a GPU; clinfo to list what the loader sees.
PACKAGES+=(opencl-headers ocl-icd-opencl-dev pocl-opencl-icd clinfo)
# scripts/fuzz.sh only: clang with libFuzzer.
if [ "${FUZZ_DEPS:-0}" = 1 ]; then PACKAGES+=(clang libclang-rt-14-dev); fi
# chromium: the browser tests of the web pages (tests/browser_test.sh). It is big: about 360 MB for
# chromium and chromium-common plus their libraries, a minute or two of apt on a fresh machine.
# Without it those tests are skipped with a message; everything else builds and runs.
PACKAGES+=(chromium)
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
