#!/usr/bin/env bash
# The main job: installs what is missing, builds, and shows hashforge at work.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
scripts/build.sh build/release -DCMAKE_BUILD_TYPE=Release
build/release/cli/hashforge selftest
build/release/cli/hashforge bench --seconds 2
