#!/usr/bin/env bash
# Configures and builds lakeforge into build/ (release with debug info), its code optimised with a
# profile of a training run (GCC profile-guided optimisation; bench/results.md has what it gains):
#   1. build-pgo/: lakeforge built instrumented;
#   2. when that binary changed since the last training run: a small generated lake, with damaged
#      records, through `etl` and `run` (the profiles land in build-pgo/profile/);
#   3. build/: everything, the product's code optimised with that profile (a new profile
#      recompiles it).
# LAKEFORGE_PGO=OFF builds build/ without a profile: one build, for a quick edit-and-test loop.
# Extra arguments go to every cmake configuration.
set -euo pipefail
cd "$(dirname "$0")/.."
config=(-G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo)
case "${LAKEFORGE_PGO:-ON}" in
  OFF)
    cmake -S . -B build "${config[@]}" -DLAKEFORGE_PGO=OFF "$@" >/dev/null
    cmake --build build
    exit 0
    ;;
  ON) ;;
  *)
    echo "build.sh: LAKEFORGE_PGO must be ON or OFF, not '$LAKEFORGE_PGO'" >&2
    exit 2
    ;;
esac

profile="$(pwd)/build-pgo/profile"
cmake -S . -B build-pgo "${config[@]}" -DLAKEFORGE_PGO=GENERATE -DLAKEFORGE_PGO_DIR="$profile" \
  -DLAKEFORGE_BUILD_BENCH=OFF "$@" >/dev/null
cmake --build build-pgo --target lakeforge

train() {
  local lake=$1 bin=build-pgo/lakeforge
  # Every way into the code a user takes on local files: many small files (etl), compaction and
  # the merged files (run), bad records of each kind (quarantined: exit status 0 without --strict).
  "$bin" generate --output "$lake/raw" --songs 400 --events 300000 --seed 11 --dirty-rate 0.002 >/dev/null &&
    "$bin" etl --input "$lake/raw" --output "$lake/tables" --quiet &&
    "$bin" run --input "$lake/raw" --output "$lake/run" --quiet
}
trained="$profile/trained"
if [ ! -f "$trained" ] || [ build-pgo/lakeforge -nt "$trained" ]; then
  echo "build.sh: training run for profile-guided optimisation"
  rm -rf "$profile"
  lake=$(mktemp -d)
  trap 'rm -rf "$lake"' EXIT  # also when the build is interrupted: the lake is ~300 MB
  if ! train "$lake"; then
    echo "build.sh: the training run failed (its error is above); LAKEFORGE_PGO=OFF builds without one" >&2
    exit 1
  fi
  rm -rf "$lake"
  trap - EXIT
  touch "$trained"
fi
cmake -S . -B build "${config[@]}" -DLAKEFORGE_PGO=USE -DLAKEFORGE_PGO_DIR="$profile" "$@" >/dev/null
cmake --build build
