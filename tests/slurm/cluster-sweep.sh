#!/bin/bash
# Starts a one-node Slurm cluster (Debian's slurm-wlm and munge) in a
# temporary directory on loopback, submits a dcemu sweep with
# deploy/slurm/submit-sweep, waits for the merge, and stops the daemons.
# Prints the merged aggregate's path on success.
#
#   tests/slurm/cluster-sweep.sh DCEMU FILE SEEDS SHARDS WORKDIR
#
# Runs as root without systemd: munged --force with its own key, socket and
# pid file; slurmctld and slurmd with their own configuration, state and
# ports; each daemon in the foreground, stopped and reaped on exit.
set -euo pipefail
dcemu=$1 file=$2 seeds=$3 shards=$4 work=$5
repo=$(cd "$(dirname "$0")/../.." && pwd)
rm -rf "$work"
mkdir -p "$work"/{munge,state,spool,out}
chmod 700 "$work/munge"

# The daemons run in the foreground as this script's children, so that
# stopping them also reaps them.
pids=()
stop() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap stop EXIT

# munge: a key of its own, a socket in the work directory.
dd if=/dev/urandom of="$work/munge/munge.key" bs=1024 count=1 status=none
chmod 400 "$work/munge/munge.key"
munged --force --foreground --key-file="$work/munge/munge.key" --socket="$work/munge/munge.socket" \
  --pid-file="$work/munge/munged.pid" --log-file="$work/munge/munged.log" --seed-file="$work/munge/munged.seed" 2>>"$work/munge/munged.log" &
pids+=($!)
for _ in $(seq 50); do [ -S "$work/munge/munge.socket" ] && break; sleep 0.1; done

# Two free ports on loopback.
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
ctld_port=$(port)
d_port=$(port)
cat > "$work/slurm.conf" <<EOF
ClusterName=dcemu-test
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$d_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$work/munge/munge.socket
CredType=cred/munge
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/builtin
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
ReturnToService=2
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=test Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF="$work/slurm.conf"
slurmctld -D -f "$SLURM_CONF" 2>>"$work/slurmctld.log" &
pids+=($!)
slurmd -D -f "$SLURM_CONF" -N localhost 2>>"$work/slurmd.log" &
pids+=($!)

# Wait (at most 60 s) for the node to be idle.
for _ in $(seq 120); do
  state=$(sinfo -h -N -o '%T' 2>/dev/null || true)
  [ "$state" = "idle" ] && break
  sleep 0.5
done
if [ "$(sinfo -h -N -o '%T' 2>/dev/null)" != "idle" ]; then
  echo "slurm node not idle: $(sinfo -h -N -o '%T' 2>&1)" >&2
  tail -5 "$work/slurmctld.log" "$work/slurmd.log" >&2
  exit 1
fi

# The sweep's array job and its merge, as a user submits them.
cd "$work"
ids=$(DCEMU="$dcemu" "$repo/deploy/slurm/submit-sweep" "$file" "$seeds" "$shards" "$work/out" --cpus-per-task=1)
merge=${ids##* }
# Wait (at most 10 minutes) for the merge job to leave the queue.
for _ in $(seq 1200); do
  squeue -h -j "$merge" 2>/dev/null | grep -q . || break
  sleep 0.5
done
if [ ! -f "$work/out/merged/aggregate.json" ]; then
  echo "no merged aggregate; job output:" >&2
  cat "$work"/dcemu-*.out >&2 || true
  exit 1
fi
echo "$work/out/merged/aggregate.json"
