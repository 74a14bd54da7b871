#!/usr/bin/env bash
# rtl_check.sh [HASHFORGE]: the long RTL check, beyond the three cores CI co-simulates.
# For a matrix of core configurations (every rounds-per-stage, looped and unrolled, 1/2/4
# version-rolling midstates, each saving switched off), it generates the Verilog with
# `hashforge rtl`, lints it with Verilator (-Wall) and runs the self-checking testbench under
# Icarus: the RTL must strobe exactly the nonces, at exactly the clocks, that the C++ cycle model
# found. One line per configuration; exit 0 only when every one passes.
# HASHFORGE defaults to build/release/cli/hashforge; RTL_JOBS (default: nproc) runs that many at once.
set -euo pipefail
cd "$(dirname "$0")/.."
hashforge=$(realpath "${1:-build/release/cli/hashforge}")
[ -x "$hashforge" ] || { echo "rtl_check: $hashforge not built (scripts/build.sh build/release)"; exit 2; }
for tool in iverilog vvp verilator; do
  command -v "$tool" >/dev/null || { echo "rtl_check: $tool not installed (scripts/deps.sh installs it)"; exit 2; }
done
work=$(mktemp -d "${TMPDIR:-/tmp}/hashforge-rtl.XXXXXX")
trap 'rm -rf "$work"' EXIT

configs=()
for r in 1 2 4 8 16 32 64; do
  configs+=("--rounds-per-stage $r")                                  # unrolled, all savings
  [ "$r" -lt 64 ] && configs+=("--rounds-per-stage $r --loop $((64 / r))")  # one stage per compression
done
configs+=(
  "--rounds-per-stage 4 --loop 4 --midstates 2"
  "--rounds-per-stage 16 --loop 2 --midstates 4"
  "--rounds-per-stage 8 --midstates 4 --no-cut"
  "--rounds-per-stage 2 --loop 32 --no-midstate"
  "--rounds-per-stage 8 --no-precompute --no-hardwire"
  "--rounds-per-stage 4 --loop 2 --no-midstate --no-precompute --no-hardwire --no-cut"
  "--rounds-per-stage 16 --nonces 4096 --zero-bits 10"
)

# check_one INDEX ARGS: generate, lint, simulate; prints one line.
check_one() {
  local dir="$work/$1"; shift
  local line
  if ! line=$("$hashforge" rtl "$@" -o "$dir" 2>&1 | head -1) || [ ! -f "$dir/hf_tb.v" ]; then
    printf 'FAIL  %-70s generate: %s\n' "$*" "$line"; return 1
  fi
  if ! verilator --lint-only -Wall --top-module hf_top "$dir/hf_core.v" "$dir/hf_top.v" >"$dir/lint.log" 2>&1; then
    printf 'FAIL  %-70s lint: %s\n' "$*" "$(head -1 "$dir/lint.log")"; return 1
  fi
  if ! iverilog -g2005 -o "$dir/sim" "$dir"/hf_core.v "$dir"/hf_top.v "$dir"/hf_tb.v >"$dir/iverilog.log" 2>&1; then
    printf 'FAIL  %-70s iverilog: %s\n' "$*" "$(head -1 "$dir/iverilog.log")"; return 1
  fi
  local result
  if result=$(vvp -n "$dir/sim" 2>&1 | grep -m1 'hf_tb:'); [[ "$result" == *PASS* ]]; then
    printf 'ok    %-70s %s\n' "$*" "${result#*: }"
  else
    printf 'FAIL  %-70s %s\n' "$*" "${result:-no verdict from the testbench}"; return 1
  fi
}
export -f check_one
export hashforge work

jobs=${RTL_JOBS:-$(nproc)}
status=0
for i in "${!configs[@]}"; do printf '%s\0%s\0' "$i" "${configs[$i]}"; done |
  xargs -0 -n 2 -P "$jobs" bash -c 'check_one "$0" $1' || status=1
[ "$status" -eq 0 ] && echo "rtl_check: all ${#configs[@]} configurations pass" ||
  echo "rtl_check: some configurations FAILED"
exit "$status"
