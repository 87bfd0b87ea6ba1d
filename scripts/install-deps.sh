#!/usr/bin/env bash
# Installs everything lakeforge needs on a fresh Debian 12 machine: the C++ toolchain and libraries
# (apt) and the test-only tools: DuckDB and hyparquet (independent readers), s3rver (a loopback S3
# server), ajv (JSON Schema validation) from npm, into tests/js/node_modules.
# Idempotent; run as root or with sudo available.
set -euo pipefail
cd "$(dirname "$0")/.."
packages=(build-essential cmake ninja-build pkg-config git
  libsimdjson-dev libsnappy-dev libzstd-dev zlib1g-dev libcli11-dev
  libgtest-dev libbenchmark-dev hyperfine clang libclang-rt-14-dev
  libcurl4-openssl-dev libssl-dev libpugixml-dev liburing-dev libjemalloc-dev python3-botocore
  time util-linux chromium fonts-dejavu-core
  openmpi-bin libopenmpi-dev slurmctld slurmd slurm-client munge)
# libjemalloc-dev: the executable's allocator (huge pages; CMakeLists.txt says why). time: peak
# memory in tests; util-linux: runuser drops root for permission tests; chromium: the
# run report's HTML page is opened in a real (headless) browser by the tests. Open MPI: scale-out
# (mpirun, and srun --mpi=pmix through Slurm); Slurm and munge: the tests start a one-node cluster.
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js may come from Debian (nodejs + npm) or another vendor's nodejs that bundles npm (their
# packages conflict): only ask apt for them when the commands are missing.
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}"
fi
if [ ! -d tests/js/node_modules/@duckdb/node-api ] || [ ! -d tests/js/node_modules/hyparquet-compressors ] ||
  [ ! -d tests/js/node_modules/ajv ]; then
  (cd tests/js && npm install --no-audit --no-fund --loglevel=error)
fi
