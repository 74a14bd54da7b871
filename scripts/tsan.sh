#!/usr/bin/env bash
# tsan.sh: the threaded code's tests (Stratum client and pool, search engine, `hashforge mine`)
# under ThreadSanitizer, building only their targets: scripts/test.sh's third build.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
jobs=$(nproc)
tsan_tests=(test_stratum test_stratum_net test_search_engine test_cli_mine)
cmake -S . -B build/tsan -G Ninja -DHASHFORGE_WERROR=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG" -DHASHFORGE_TSAN=ON -DHASHFORGE_BENCH=OFF >/dev/null
cmake --build build/tsan -j "$jobs" --target hashforge "${tsan_tests[@]}"
(cd build/tsan && TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" HASHFORGE_SANITIZED=1 \
   ctest --output-on-failure -j "$jobs" -R "^($(IFS='|'; echo "${tsan_tests[*]}"))\$")
