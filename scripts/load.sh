#!/usr/bin/env bash
# load.sh [SUBSCRIBED] [TRICKLING]: the built-in pool holding SUBSCRIBED (default 500) subscribed
# miners plus TRICKLING (default 100) sockets sending one byte a second, while a real miner mines on
# it. Prints the connections held and the process's memory; fails if a share is rejected, a
# trickler outlives the idle limit, or memory reaches 300 MB. (CI runs the same test at 50 + 10.)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
cmake -S . -B build/release -G Ninja -DHASHFORGE_WERROR=ON -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/release --target test_stratum_net >/dev/null
HF_LOAD_SUBSCRIBED=${1:-500} HF_LOAD_TRICKLE=${2:-100} \
  build/release/tests/test_stratum_net -tc='load:*' -s 2>&1 | grep -E 'load:|test cases|ERROR|FAILED'
