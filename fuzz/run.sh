#!/usr/bin/env bash
# Builds the fuzz targets with clang (ASan + UBSan + libFuzzer) and runs each for SECONDS (default 20).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-20}
CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=Debug -DLAKEFORGE_FUZZ=ON \
  -DLAKEFORGE_BUILD_BENCH=OFF >/dev/null
cmake --build build-fuzz --target fuzz_records fuzz_hive_path fuzz_decompress fuzz_manifest fuzz_paths fuzz_run_report
corpus=$(mktemp -d)
trap 'rm -rf "$corpus"' EXIT
# Seed the record fuzzer with real-shaped input.
build/lakeforge generate --output "$corpus/lake" --songs 5 --events 20 --dirty-rate 0.2 >/dev/null 2>&1 || true
mkdir -p "$corpus/records"
cp fuzz/corpus/records/* "$corpus/records/"  # hand-written seeds: numbers and booleans in string fields
find "$corpus/lake" -type f -exec cp {} "$corpus/records/" \; 2>/dev/null || true
for t in fuzz_records fuzz_hive_path fuzz_decompress fuzz_manifest fuzz_paths fuzz_run_report; do
  mkdir -p "$corpus/$t"
  [ "$t" = fuzz_records ] && cp "$corpus"/records/* "$corpus/$t/" 2>/dev/null || true
  # A real run report (and its lock record) as seeds for the report reader.
  [ "$t" = fuzz_run_report ] && build/lakeforge etl --input "$corpus/lake" --output "$corpus/out" \
    --report "$corpus/$t/report.json" --quiet >/dev/null 2>&1 && cp "$corpus/out/_lakeforge.lock" "$corpus/$t/lock.json" || true
  # Small inputs for the decompressor: a few KiB of zstd can legally expand to gigabytes.
  max_len=65536
  [ "$t" = fuzz_records ] || [ "$t" = fuzz_run_report ] || max_len=4096
  echo "fuzzing $t for ${seconds}s"
  build-fuzz/fuzz/$t -max_total_time="$seconds" -max_len="$max_len" -print_final_stats=0 "$corpus/$t" >"$corpus/$t.log" 2>&1 ||
    { tail -40 "$corpus/$t.log"; exit 1; }
  tail -1 "$corpus/$t.log"
done
echo "fuzzing: 6 passed, 0 failed"
