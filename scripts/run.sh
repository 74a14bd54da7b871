#!/usr/bin/env bash
# The main job: installs what is missing, builds, and shows hashforge at work.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
scripts/build.sh build/release -DCMAKE_BUILD_TYPE=Release
build/release/cli/hashforge selftest
# Mine for 20 s against the built-in pool (started in-process on loopback): accepted shares printed.
build/release/cli/hashforge mine --duration 20
