#!/usr/bin/env bash
# fuzz.sh [SECONDS]: builds every fuzz target (fuzz/fuzz_<name>.cpp) with clang, libFuzzer, ASan and
# UBSan, runs each for SECONDS (default 60) from its corpus (fuzz/corpus/<name>/) and its named
# regression inputs (fuzz/regressions/<name>/), and prints one line per target: executions, exec/s,
# wall and CPU seconds, final coverage (cov: edges, ft: features), the corpus it ended with, crashes.
# Exit 0 only when no target crashed. docs/fuzzing.md has the long-run recipe and its figures.
#
# Environment:
#   FUZZ_TARGETS="a b"  only these targets
#   FUZZ_RUNS=N         stop a target after N executions (or SECONDS, whichever comes first)
#   FUZZ_SANITIZERS=S   the build's -fsanitize list (default address,undefined). "undefined" alone
#                       (build/fuzz-undefined; libstdc++ bounds checks stay on) runs the Stratum
#                       targets 2-4x faster: for long campaigns, with shorter ASan runs beside them
#   FUZZ_MAX_LEN=N      longest input tried, bytes (default 4096: a full-branch mining.notify or a
#                       chip file fits; 512 for the BM13xx wire, dozens of frames)
#   FUZZ_MERGE=1        afterwards fold the new inputs into fuzz/corpus/<name>/, minimised: libFuzzer
#                       -merge=1 keeps the inputs that add a feature (edge or hit count); when that
#                       is over FUZZ_CORPUS_BYTES (default 512 KiB) or FUZZ_CORPUS_FILES (500), the
#                       inputs that add an edge instead (-use_counters=0: hit counts ignored, a
#                       quarter to a tenth of the files)
#
# New inputs go to build/fuzz/corpus/<name>/, not into the repository; crash inputs to
# build/fuzz/crashes/, each target's log to build/fuzz/<name>.log.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
FUZZ_DEPS=1 scripts/deps.sh
sanitizers=${FUZZ_SANITIZERS:-address,undefined}
dir=build/fuzz
[ "$sanitizers" = address,undefined ] || dir=build/fuzz-${sanitizers//,/-}
CC=clang CXX=clang++ cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1" -DHASHFORGE_FUZZ=ON -DHASHFORGE_FUZZ_SANITIZERS="$sanitizers" \
  -DHASHFORGE_BENCH=OFF >/dev/null
targets=${FUZZ_TARGETS:-$(cat "$dir/fuzz_targets.txt")}
cmake --build "$dir" -j "$(nproc)" --target $(printf 'fuzz_%s ' $targets) >/dev/null
mkdir -p "$dir/crashes"

# "files/bytes" of a corpus directory.
corpus_size() { echo "$(find "$1" -type f | wc -l)/$(find "$1" -type f -printf '%s\n' | awk '{s += $1} END {print s + 0}')"; }
# The last "cov: N ft: M" libFuzzer printed in a log.
coverage() { grep -o 'cov: [0-9]* ft: [0-9]*' "$1" | tail -1 | awk '{print $2 "/" $4}'; }

printf '%-17s %11s %8s %7s %7s %13s %15s %7s\n' target executions exec/s wall_s cpu_s cov/ft corpus_files/B crashes
failed=0
for name in $targets; do
  work="$dir/corpus/$name"
  mkdir -p "$work" "fuzz/corpus/$name" "fuzz/regressions/$name"
  log="$dir/$name.log"
  max_len=${FUZZ_MAX_LEN:-$(case $name in bm13xx_*) echo 512 ;; *) echo 4096 ;; esac)}
  options=()
  [ -n "${FUZZ_RUNS:-}" ] && options=(-runs="$FUZZ_RUNS")
  case $name in stratum_message | pool_request | client_session | verify) options+=(-dict=fuzz/stratum.dict) ;; esac
  status=0
  TIMEFORMAT='%R %U %S'
  { time UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ASAN_OPTIONS=detect_leaks=1 \
      "$dir/fuzz/fuzz_$name" -max_total_time="$seconds" "${options[@]}" -print_final_stats=1 -max_len="$max_len" \
        -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$dir/crashes/$name-" \
        "$work" "fuzz/corpus/$name" "fuzz/regressions/$name" >"$log" 2>&1 || status=$?; } 2>"$log.time"
  read -r wall user sys <"$log.time"
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  crashes=$(grep -c '^artifact_prefix=\|Test unit written to' "$log" || true)
  [ "$status" -ne 0 ] && [ "$crashes" -eq 0 ] && crashes=1
  rate=$(awk -v n="${execs:-0}" -v t="$wall" 'BEGIN {printf "%d", (t > 0) ? n / t : 0}')
  printf '%-17s %11s %8s %7.0f %7.0f %13s %15s %7d%s\n' "$name" "${execs:-?}" "$rate" "$wall" \
    "$(awk -v u="$user" -v s="$sys" 'BEGIN {print u + s}')" "$(coverage "$log")" \
    "$(corpus_size "$work")" "$crashes" "$([ "$crashes" -gt 0 ] && echo "  (see $log)")"
  [ "$crashes" -gt 0 ] && failed=1
  if [ "${FUZZ_MERGE:-0}" = 1 ] && [ "$crashes" -eq 0 ]; then
    merged="$dir/merged/$name"
    for counters in 1 0; do
      rm -rf "$merged" && mkdir -p "$merged"
      "$dir/fuzz/fuzz_$name" -merge=1 -use_counters=$counters -max_len="$max_len" "$merged" "fuzz/corpus/$name" "$work" \
        >"$log.merge" 2>&1
      size=$(corpus_size "$merged")
      [ "${size#*/}" -le "${FUZZ_CORPUS_BYTES:-524288}" ] && [ "${size%/*}" -le "${FUZZ_CORPUS_FILES:-500}" ] && break
    done
    rm -rf "fuzz/corpus/$name" && mv "$merged" "fuzz/corpus/$name"
    printf '%-17s merged into fuzz/corpus/%s: %s files/bytes (%s)\n' "$name" "$name" "$(corpus_size "fuzz/corpus/$name")" \
      "$(sed -n 's/^MERGE-OUTER: [0-9]* new files with //p' "$log.merge" | tail -1)"
  fi
done
exit $failed
