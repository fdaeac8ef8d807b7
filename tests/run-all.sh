#!/usr/bin/env bash
# Builds dealcore and runs every test twice: in a normal build, then under
# AddressSanitizer + UndefinedBehaviorSanitizer. This is what CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."
bash cmake/install-deps.sh
jobs=${JOBS:-$(nproc)}

echo "== release build and tests"
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build/release -j"$jobs"
ctest --test-dir build/release --output-on-failure -j"$jobs"

echo "== ASan+UBSan build and tests"
cmake -S . -B build/asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DDEALCORE_SANITIZE=ON >/dev/null
cmake --build build/asan -j"$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build/asan --output-on-failure -j"$jobs"
