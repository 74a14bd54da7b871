#!/usr/bin/env bash
# build.sh DIR [CMAKE ARGS...]: configure (once) and build hashforge into DIR with warnings as errors.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=$1; shift
cmake -S . -B "$dir" -G Ninja -DHASHFORGE_WERROR=ON "$@" >/dev/null
cmake --build "$dir" -j "$(nproc)"
