#!/usr/bin/env bash
# count_kernel_ops.sh [BUILD_DIR]: cross-checks the GPU model's op count (bench/joules) against
# the compiled AVX2 kernel. Disassembles core/backend_avx2.cpp's object with objdump (binutils)
# and counts the vector instructions of the scan loop with its inlined sha256d kernel (every
# function but the thin wrappers); one pass hashes 8 nonces, one per 32-bit lane, so the counts
# are per nonce: the same unit as the model.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
obj=$(find "$build" -name 'backend_avx2.cpp.o' | head -n1)
[ -n "$obj" ] || { echo "no backend_avx2.cpp.o under $build: build first" >&2; exit 1; }
objdump -d --no-show-raw-insn "$obj" | awk '
  /^[0-9a-f]+ <.*>:$/ { in_kernel = ($0 !~ /scan_avx2|Avx2Backend|make_avx2_backend/) ; next }
  in_kernel && NF >= 2 { n[$2]++ }
  END {
    add = n["vpaddd"]; logic = n["vpxor"] + n["vpand"] + n["vpor"] + n["vpandn"]; shift = n["vpsrld"] + n["vpslld"]
    moves = n["vmovdqa"] + n["vmovdqu"] + n["vpbroadcastd"] + n["vmovd"]
    printf "compiled AVX2 kernel, per lane (= per nonce):\n"
    printf "  adds %d, logic %d, shifts %d: %d ALU instructions; plus %d register moves, loads and broadcasts\n", add, logic, shift, add + logic + shift, moves
  }'
echo "model (hashforge bench --joules notes, '2-input ops, no rotate'):"
"$build/cli/hashforge" bench --joules --seconds 0.01 --threads 1 --backend scalar --powercap-root /nonexistent 2>/dev/null |
  grep -o '2-input ops, no rotate[^;]*' | sed 's/^/  /'
