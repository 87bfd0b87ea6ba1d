#!/usr/bin/env bash
# A real single-node Slurm cluster on 127.0.0.1, started here and stopped by pid: munged, slurmctld
# and slurmd with a generated slurm.conf (no systemd). The job script users run,
# deploy/slurm/lakeforge.sbatch, is submitted with sbatch --wait and runs
# `srun --mpi=pmix -n 4 lakeforge run ...`: its tables must be byte-identical to a one-process run,
# and a failing job must fail the batch job.
# Usage: e2e_slurm.sh <lakeforge binary> [sample lake]
set -uo pipefail
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
sample=${2:-}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
chmod 755 "$work"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  if [ -f "$work/munge/pid" ]; then
    local m
    m=$(cat "$work/munge/pid")
    kill "$m" 2>/dev/null
    for _ in $(seq 50); do kill -0 "$m" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -rf "$work"
}
trap cleanup EXIT
. "$here/check_lib.sh"
for c in munged slurmctld slurmd sbatch sinfo; do
  command -v "$c" >/dev/null || { echo "$c not found (scripts/install-deps.sh installs slurm and munge)"; exit 1; }
done
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# munge: a fresh key, its own socket; as root it must be told it may run so.
mkdir -p "$work/munge" "$work/etc" "$work/state" "$work/spool" "$work/logs"
chmod 700 "$work/munge"
head -c 1024 /dev/urandom >"$work/munge/munge.key"
chmod 400 "$work/munge/munge.key"
munged --force --key-file="$work/munge/munge.key" --socket="$work/munge/sock" --pid-file="$work/munge/pid" \
  --log-file="$work/munge/log" --seed-file="$work/munge/seed" || { echo "munged did not start"; exit 1; }

node=$(hostname)
cat >"$work/etc/slurm.conf" <<EOF
ClusterName=lakeforge-test
SlurmctldHost=$node(127.0.0.1)
SlurmUser=$(id -un)
SlurmdUser=$(id -un)
SlurmctldPort=$(free_port)
SlurmdPort=$(free_port)
AuthType=auth/munge
AuthInfo=socket=$work/munge/sock
CredType=cred/munge
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/logs/slurmctld.log
SlurmdLogFile=$work/logs/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=pmix
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SlurmdParameters=config_overrides
ReturnToService=2
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
NodeName=$node NodeAddr=127.0.0.1 CPUs=8 State=UNKNOWN
PartitionName=test Nodes=$node Default=YES MaxTime=INFINITE State=UP OverSubscribe=FORCE
EOF
export SLURM_CONF=$work/etc/slurm.conf
slurmctld -D -f "$SLURM_CONF" >"$work/logs/ctld.out" 2>&1 &
pids+=($!)
slurmd -D -f "$SLURM_CONF" -N "$node" >"$work/logs/d.out" 2>&1 &
pids+=($!)
for _ in $(seq 100); do sinfo -h -o %t 2>/dev/null | grep -qx idle && break; sleep 0.2; done
sinfo -h -o %t 2>/dev/null | grep -qx idle || {
  echo "the Slurm node did not come up"
  tail -20 "$work/logs/"*
  exit 1
}
# Open MPI's traffic stays on loopback; srun passes the environment on to the tasks.
export OMPI_MCA_btl_tcp_if_include=lo OMPI_MCA_oob_tcp_if_include=lo

if [ -n "$sample" ] && [ -d "$sample/song_data" ]; then
  lake=$sample
else
  lake=$work/lake
  "$bin" generate --output "$lake" --songs 300 --events 8000 --seed 7 --dirty-rate 0.02 >/dev/null
fi
"$bin" run --input "$lake" --output "$work/one" --quiet || exit 1

sbatch_run() {
  LAKEFORGE=$bin sbatch --wait --ntasks 4 --output "$work/job.out" "$here/../deploy/slurm/lakeforge.sbatch" \
    run --input "$lake" --output "$work/slurm-out" >"$work/sbatch.out" || { cat "$work/job.out"; return 1; }
  grep -qE '^3 +' "$work/job.out" || { echo "no summary line for rank 3:"; cat "$work/job.out"; return 1; }
  diff <(fingerprint "$work/one") <(fingerprint "$work/slurm-out")
}
check "sbatch deploy/slurm/lakeforge.sbatch (srun --mpi=pmix -n 4 lakeforge run): same bytes as one process" sbatch_run

sbatch_failure() {
  LAKEFORGE=$bin sbatch --wait --ntasks 2 --output "$work/fail.out" "$here/../deploy/slurm/lakeforge.sbatch" \
    etl --input "$work/no-such-lake" --output "$work/fail-out" >/dev/null 2>&1
  local rc=$?
  [ "$rc" -ne 0 ] || { echo "the batch job succeeded"; return 1; }
  grep -q "no-such-lake" "$work/fail.out" || { cat "$work/fail.out"; return 1; }
  [ ! -e "$work/fail-out/songs" ]
}
check "a failing job fails the batch job with lakeforge's message" sbatch_failure

check_summary
