#!/usr/bin/env bash
# fuzz.sh [SECONDS]: builds every fuzz target (fuzz/fuzz_<name>.cpp) with clang, libFuzzer, ASan and
# UBSan, runs each for SECONDS (default 60) from its corpus (fuzz/corpus/<name>/), and prints one
# line per target with its executions and crashes. Exit 0 only when no target crashed.
#
# New inputs go to build/fuzz/corpus/<name>/, not into the repository. FUZZ_MERGE=1 afterwards folds
# them into fuzz/corpus/<name>/ minimised (libFuzzer -merge), which keeps the stored corpus small.
# FUZZ_TARGETS="a b" runs only those targets. Crash inputs are kept in build/fuzz/crashes/.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
FUZZ_DEPS=1 scripts/deps.sh
dir=build/fuzz
CC=clang CXX=clang++ cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1" -DHASHFORGE_FUZZ=ON -DHASHFORGE_BENCH=OFF >/dev/null
targets=${FUZZ_TARGETS:-$(cat "$dir/fuzz_targets.txt")}
cmake --build "$dir" -j "$(nproc)" --target $(printf 'fuzz_%s ' $targets) >/dev/null
mkdir -p "$dir/crashes"
failed=0
for name in $targets; do
  work="$dir/corpus/$name"
  mkdir -p "$work" "fuzz/corpus/$name"
  log="$dir/$name.log"
  status=0
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ASAN_OPTIONS=detect_leaks=1 \
    "$dir/fuzz/fuzz_$name" -max_total_time="$seconds" -print_final_stats=1 -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
      -artifact_prefix="$dir/crashes/$name-" "$work" "fuzz/corpus/$name" >"$log" 2>&1 || status=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  crashes=$(grep -c '^artifact_prefix=\|Test unit written to' "$log" || true)
  [ "$status" -ne 0 ] && [ "$crashes" -eq 0 ] && crashes=1
  printf '%-24s %12s executions  %d crashes%s\n' "$name" "${execs:-?}" "$crashes" \
    "$([ "$crashes" -gt 0 ] && echo "  (see $log)")"
  [ "$crashes" -gt 0 ] && failed=1
  if [ "${FUZZ_MERGE:-0}" = 1 ] && [ "$crashes" -eq 0 ]; then
    merged="$dir/merged/$name"
    rm -rf "$merged" && mkdir -p "$merged"
    "$dir/fuzz/fuzz_$name" -merge=1 -max_len=65536 "$merged" "fuzz/corpus/$name" "$work" >/dev/null 2>&1
    rm -rf "fuzz/corpus/$name" && mv "$merged" "fuzz/corpus/$name"
  fi
done
exit $failed
