#!/usr/bin/env bash
# The whole test suite, as CI runs it: install dependencies, build, run every CTest test (unit,
# Parquet property tests through DuckDB and hyparquet, end-to-end ETL tests), then the unit and
# property tests again under AddressSanitizer + UndefinedBehaviorSanitizer, then a short run of
# every fuzz target.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
jobs=$(nproc)
ctest --test-dir build --output-on-failure -j "$jobs"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DLAKEFORGE_SANITIZE=ON -DLAKEFORGE_BUILD_BENCH=OFF >/dev/null
cmake --build build-asan
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --test-dir build-asan --output-on-failure -j "$jobs" -E e2e_etl
fuzz/run.sh 20
