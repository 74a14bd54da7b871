#!/usr/bin/env bash
# The test command: installs what is missing, then builds and runs the whole suite twice, once
# optimised and once under AddressSanitizer + UndefinedBehaviorSanitizer, and the threaded code's
# tests a third time under ThreadSanitizer. (scripts/tsan.sh runs the
# threaded part under ThreadSanitizer.)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
jobs=$(nproc)

echo "== release build"
scripts/build.sh build/release -DCMAKE_BUILD_TYPE=Release
(cd build/release && ctest --output-on-failure -j "$jobs")

echo "== sanitizer build (ASan + UBSan)"
# -O1 -g1 (line tables only) halves the sanitizer build's compile time against -O2 -g, and keeps
# file:line in ASan reports; NDEBUG as in the release build, so both builds test the same code.
scripts/build.sh build/sanitize -DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG" \
  -DHASHFORGE_SANITIZE=ON -DHASHFORGE_BENCH=OFF
(cd build/sanitize && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 HASHFORGE_SANITIZED=1 \
   ctest --output-on-failure -j "$jobs")


echo "== ThreadSanitizer build (the threaded code: Stratum client and pool, search engine, mine)"
scripts/tsan.sh
