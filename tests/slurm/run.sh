#!/usr/bin/env bash
# Runs the shipped smoke sweep on a real, single-node Slurm cluster started here, and checks
# that the merged results of the job array equal a local sweep's, byte for byte; then the same
# for a tiny calibration of two starts (two array tasks and the merge).
#
# Needs root and Debian's packages (slurm-wlm, munge); installs them when missing. Starts
# munged, slurmctld and slurmd by hand (no systemd) with a private configuration under a
# temporary folder, and stops what it started on exit. Slurm is told to avoid cgroups
# (proctrack/linuxproc, task/none). Usage: tests/slurm/run.sh [path/to/cascade]
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
TIMEOUT_S=${SLURM_TEST_TIMEOUT_S:-240}

log() { echo "[slurm-test] $*"; }

if [ "$(id -u)" != 0 ]; then
    echo "tests/slurm/run.sh: needs root (to install and start Slurm)" >&2
    exit 1
fi

# 1. Slurm and munge from Debian's packages.
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v munged >/dev/null; then
    log "installing slurm-wlm and munge"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq slurm-wlm munge >/dev/null
fi

# 2. The binary under test.
if [ $# -ge 1 ]; then
    CASCADE=$(realpath "$1")
else
    cargo build -q -p cascade-cli --locked
    CASCADE=$(realpath "${CARGO_TARGET_DIR:-$ROOT/target}/debug/cascade")
fi
log "cascade: $CASCADE"

WORK=$(mktemp -d /tmp/cascade-slurm.XXXXXX)
STARTED_PIDS=()
MUNGED_STARTED=""
cleanup() {
    status=$?
    for pid in "${STARTED_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${STARTED_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    if [ -n "$MUNGED_STARTED" ] && [ -f /run/munge/munged.pid ]; then
        kill "$(cat /run/munge/munged.pid)" 2>/dev/null || true
    fi
    if [ "$status" != 0 ]; then
        log "FAILED; logs under $WORK"
        for f in "$WORK"/slurmctld.log "$WORK"/slurmd.log "$WORK"/cluster/slurm/logs/* \
            "$WORK"/cal-cluster/slurm/logs/*; do
            [ -f "$f" ] && { echo "--- $f"; tail -n 30 "$f"; }
        done
    else
        rm -rf "$WORK"
    fi
    exit "$status"
}
trap cleanup EXIT

# 3. munge: a key, then the daemon as the munge user.
if [ ! -s /etc/munge/munge.key ]; then
    log "creating the munge key"
    if command -v mungekey >/dev/null; then
        mungekey --create --keyfile=/etc/munge/munge.key
    else
        dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key status=none
    fi
fi
chown munge:munge /etc/munge/munge.key
chmod 400 /etc/munge/munge.key
mkdir -p /run/munge /var/log/munge /var/lib/munge
chown munge:munge /run/munge /var/log/munge /var/lib/munge
chmod 755 /run/munge
if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
    log "starting munged"
    runuser -u munge -- /usr/sbin/munged
    MUNGED_STARTED=1
    for _ in $(seq 50); do munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break; sleep 0.1; done
fi
munge -n | unmunge >/dev/null

# 4. A one-node cluster on this machine, with its own configuration and ports.
HOST=$(hostname -s)
NODE_LINE=$(slurmd -C | head -n 1)
case "$NODE_LINE" in NodeName=*) ;; *) echo "slurmd -C printed: $NODE_LINE" >&2; exit 1 ;; esac
CONF=$WORK/slurm.conf
mkdir -p "$WORK/state" "$WORK/spool"
cat > "$CONF" <<CONF
ClusterName=cascadeci
SlurmctldHost=$HOST(127.0.0.1)
SlurmctldPort=16817
SlurmdPort=16818
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$WORK/state
SlurmdSpoolDir=$WORK/spool
SlurmctldPidFile=$WORK/slurmctld.pid
SlurmdPidFile=$WORK/slurmd.pid
SlurmctldLogFile=$WORK/slurmctld.log
SlurmdLogFile=$WORK/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
ReturnToService=2
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
JobCompType=jobcomp/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MaxArraySize=1001
$NODE_LINE NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=ci Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$CONF

log "starting slurmctld and slurmd ($HOST)"
slurmctld -D -i -f "$CONF" >"$WORK/slurmctld.out" 2>&1 &
STARTED_PIDS+=($!)
slurmd -D -f "$CONF" >"$WORK/slurmd.out" 2>&1 &
STARTED_PIDS+=($!)
deadline=$((SECONDS + 60))
until [ "$(sinfo -h -n "$HOST" -o %T 2>/dev/null)" = idle ]; do
    if [ $SECONDS -ge $deadline ]; then
        echo "the node did not become idle within 60 s: $(sinfo 2>&1)" >&2
        exit 1
    fi
    sleep 0.5
done
log "cluster up: $(sinfo -h -o '%P %D %T %C')"

# 5. The same sweep locally and on the cluster (3 shards in 2 array tasks, then the merge).
SWEEP=$ROOT/scenarios/sweeps/smoke.ron
"$CASCADE" sweep "$SWEEP" --out "$WORK/local" --threads 2 >/dev/null
"$CASCADE" sweep slurm "$SWEEP" --tasks 3 --chunk 2 --time 00:05:00 --partition ci \
    --out "$WORK/cluster" --cascade "$CASCADE"
sh "$WORK/cluster/slurm/submit.sh"
merge_job=$(cat "$WORK/cluster/slurm/merge.jobid")

# Waits for the job $1 to leave the queue.
wait_for() {
    local deadline=$((SECONDS + TIMEOUT_S))
    while [ -n "$(squeue -h -j "$1" 2>/dev/null)" ]; do
        if [ $SECONDS -ge $deadline ]; then
            echo "the merge job $1 did not finish within $TIMEOUT_S s" >&2
            squeue >&2 || true
            exit 1
        fi
        sleep 1
    done
}
wait_for "$merge_job"

for f in results.csv aggregate.csv results.parquet; do
    if ! cmp -s "$WORK/local/$f" "$WORK/cluster/$f"; then
        echo "$f of the Slurm sweep differs from the local sweep's" >&2
        exit 1
    fi
done
rows=$(($(wc -l < "$WORK/cluster/results.csv") - 1))
log "ok: the job array's merged results ($rows runs) equal the local sweep's"

# 6. A tiny calibration (2 starts of at most 6 candidates, 2 seeds, 5 simulated seconds) as 2
# array tasks plus the merge, against a local run of both starts.
CAL=$WORK/tiny-calibration.ron
cat > "$CAL" <<RON
Calibration(
    name: "tiny", base: "$ROOT/scenarios/baseline.ron", set: ["duration_s=5"], seeds: [1, 2],
    parameters: [Uniform(path: "agents.noise.rate_per_s", from: 0.2, to: 1.0),
                 Uniform(path: "agents.noise.market_weight", from: 0.05, to: 0.5)],
    targets: [Target(metric: "events.processed", value: 1000.0),
              Target(metric: "trades.count", value: 80.0)],
    budget: 12, bootstrap: 20, starts: 2,
)
RON
"$CASCADE" calibrate slurm "$CAL" --tasks 2 --time 00:05:00 --partition ci \
    --out "$WORK/cal-cluster" --cascade "$CASCADE"
sh "$WORK/cal-cluster/slurm/submit.sh"
"$CASCADE" calibrate "$CAL" --out "$WORK/cal-local" --threads 2 >/dev/null
wait_for "$(cat "$WORK/cal-cluster/slurm/merge.jobid")"
for f in calibration.json candidates-0.jsonl candidates-1.jsonl; do
    if ! cmp -s "$WORK/cal-local/$f" "$WORK/cal-cluster/$f"; then
        echo "$f of the Slurm calibration differs from the local calibration's" >&2
        exit 1
    fi
done
log "ok: the job array's merged calibration.json equals the local calibration's"
echo "2 passed, 0 failed"
