#!/usr/bin/env bash
# Runs cluster/slurm/train.sbatch on a throw-away single-node Slurm cluster on this machine.
#
#   cluster/slurm/test-local.sh                  # real run of train.sbatch with RL2_BIN
#   cluster/slurm/test-local.sh --placeholder    # only `srun hostname` over 3 tasks (no rl2)
#
# Installs slurm-wlm and munge with apt-get when they are missing (sudo when not root), writes a
# slurm.conf for this host into a fresh temp dir, starts its own munged (private socket),
# slurmctld and slurmd, waits for the node to be idle, submits the job with a tiny training
# budget, waits for it, and checks that it COMPLETED with exit code 0 and that the run dir holds
# a checkpoint. Prints PASS or FAIL and exits 0 or 1. The daemons it started are stopped on every
# exit; nothing under /etc is written except a munge key when none exists.
#
# Environment:
#   RL2_BIN           rl2 binary (default: <repo>/.build/release/rl2)
#   RL2_PORT          learner port for the job, uses 3 ports from it (default: 5555)
#   RL2_TRAIN_ARGS    learner flags (default: a 3-iteration bandit run, below)
#   RL2_ACTOR_ARGS    actor flags (default: none)
#   RL2_TEST_NTASKS   tasks of the job, learner + actors (default: 3)
#   RL2_TEST_RUN_DIR  the job's RL2_RUN_DIR (default: run/ in the temp dir); an existing run
#                     there is resumed (train.sbatch passes --resume)
#   RL2_TEST_TIMEOUT  seconds to wait for the job (default: 300)
#   RL2_TEST_KEEP     1: keep the temp dir after a pass (it is always kept after a failure)
#   SLURM_TEST_PORTS  slurmctld and slurmd ports, "CTLD SLURMD" (default: "6817 6818")
#   TMPDIR            where the temp dir is made (default: /tmp)

set -euo pipefail

script_dir="$(cd "$(dirname "$0")" && pwd)"
repo_root="$(cd "$script_dir/../.." && pwd)"

mode=real
case "${1:-}" in
    "") ;;
    --placeholder) mode=placeholder ;;
    -h|--help) sed -n '2,/^$/s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "usage: $0 [--placeholder]" >&2; exit 2 ;;
esac

RL2_BIN="${RL2_BIN:-$repo_root/.build/release/rl2}"
RL2_PORT="${RL2_PORT:-5555}"
RL2_TRAIN_ARGS="${RL2_TRAIN_ARGS:---env bandit --arms 5 --episodes 10 --iterations 3 --batch-steps 2000 --hidden 16 --eval-instances 10}"
RL2_ACTOR_ARGS="${RL2_ACTOR_ARGS:-}"
ntasks="${RL2_TEST_NTASKS:-3}"
timeout_s="${RL2_TEST_TIMEOUT:-300}"
read -r ctld_port slurmd_port <<< "${SLURM_TEST_PORTS:-6817 6818}"

log() { printf '[test-local %s] %s\n' "$(date +%H:%M:%S)" "$*"; }

# Last words: one PASS/FAIL line. Everything else is cleaned up by the EXIT trap.
fail() {
    log "$*"
    echo "FAIL: slurm $mode test: $*"
    exit 1
}

if [[ "$(id -u)" -eq 0 ]]; then
    as_root=()
else
    command -v sudo >/dev/null 2>&1 || { echo "FAIL: not root and no sudo" >&2; exit 1; }
    as_root=(sudo)
fi

# --- packages ---------------------------------------------------------------------------------
export PATH="$PATH:/usr/sbin:/sbin"
missing=()
for cmd in slurmctld slurmd sbatch srun scontrol sinfo munged munge; do
    command -v "$cmd" >/dev/null 2>&1 || missing+=("$cmd")
done
if (( ${#missing[@]} > 0 )); then
    log "installing slurm-wlm and munge (missing: ${missing[*]})"
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q \
        || fail "apt-get update failed"
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
        --no-install-recommends slurm-wlm munge || fail "apt-get install slurm-wlm munge failed"
fi
log "$(slurmctld -V 2>&1), $(munged -V 2>&1 | head -n1)"

if [[ "$mode" == real && ! -x "$RL2_BIN" ]]; then
    fail "RL2_BIN=$RL2_BIN is not an executable (build it, or set RL2_BIN)"
fi

# --- leftovers of an earlier run that was killed before its trap ran --------------------------
# The ledger has a line "PID DIR" for every run in progress. When that script is gone, the
# processes of its run (daemons, slurmstepd, job tasks) are the ones naming DIR in their
# command line or SLURM_CONF; only those are stopped, so anyone else's Slurm is left alone.
ledger="${TMPDIR:-/tmp}/rl2-slurm-test.runs"
leftovers_of() {
    local dir="$1" proc
    for proc in /proc/[0-9]*; do
        [[ "${proc#/proc/}" != "$$" ]] || continue
        if tr '\0' '\n' < "$proc/cmdline" 2>/dev/null | grep -qF -- "$dir/" \
            || tr '\0' '\n' < "$proc/environ" 2>/dev/null | grep -qxF -- "SLURM_CONF=$dir/slurm.conf"
        then
            echo "${proc#/proc/}"
        fi
    done
}
if [[ -f "$ledger" ]]; then
    while read -r old_script old_dir; do
        [[ -n "$old_dir" && "$old_dir" == */rl2-slurm-test.* ]] || continue
        if tr '\0' ' ' < "/proc/$old_script/cmdline" 2>/dev/null | grep -qF test-local.sh; then
            echo "$old_script $old_dir" >> "$ledger.live"   # still running: not ours to stop
            continue
        fi
        mapfile -t old_pids < <(leftovers_of "$old_dir")
        (( ${#old_pids[@]} > 0 )) || continue
        log "stopping ${#old_pids[@]} processes left by an earlier run in $old_dir: ${old_pids[*]}"
        "${as_root[@]}" kill "${old_pids[@]}" 2>/dev/null || true
        sleep 3
        mapfile -t old_pids < <(leftovers_of "$old_dir")
        if (( ${#old_pids[@]} > 0 )); then "${as_root[@]}" kill -9 "${old_pids[@]}" 2>/dev/null || true; fi
    done < "$ledger"
    if [[ -f "$ledger.live" ]]; then mv -f "$ledger.live" "$ledger"; else rm -f "$ledger"; fi
fi

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
ports=("$ctld_port" "$slurmd_port")
if [[ "$mode" == real ]]; then ports+=("$RL2_PORT" $((RL2_PORT + 1)) $((RL2_PORT + 2))); fi
for port in "${ports[@]}"; do
    if port_in_use "$port"; then
        fail "port $port on 127.0.0.1 is in use (another slurmctld/slurmd/learner?);" \
            "set SLURM_TEST_PORTS / RL2_PORT"
    fi
done

# --- temp dir, daemons and their cleanup ------------------------------------------------------
work="$(mktemp -d "${TMPDIR:-/tmp}/rl2-slurm-test.XXXXXX")"
chmod 755 "$work"   # munged wants every directory on its socket's path searchable
started_pids=()
job_id=""
passed=0
echo "$$ $work" >> "$ledger"

pid_from_file() {   # wait up to 15 s for a daemon's pid file
    local file="$1" i
    for ((i = 0; i < 150; i++)); do
        if [[ -s "$file" ]]; then
            cat "$file"
            return 0
        fi
        sleep 0.1
    done
    return 1
}

remember_pid() { started_pids+=("$1"); }

cleanup() {
    local status=$? pid i
    trap - EXIT INT TERM
    if [[ -n "$job_id" ]] && scontrol show job "$job_id" 2>/dev/null \
            | grep -qE 'JobState=(PENDING|RUNNING|CONFIGURING|COMPLETING|SUSPENDED)'; then
        log "cancelling job $job_id"
        scancel "$job_id" 2>/dev/null || true
        for ((i = 0; i < 60; i++)); do
            scontrol show job "$job_id" 2>/dev/null \
                | grep -qE 'JobState=(PENDING|RUNNING|CONFIGURING|COMPLETING)' || break
            sleep 1
        done
    fi
    # Reverse order of start: slurmd, slurmctld, munged.
    for ((i = ${#started_pids[@]} - 1; i >= 0; i--)); do
        pid="${started_pids[i]}"
        "${as_root[@]}" kill "$pid" 2>/dev/null || continue
        for _ in {1..100}; do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$pid" 2>/dev/null; then
            log "pid $pid ignored SIGTERM, sending SIGKILL"
            "${as_root[@]}" kill -9 "$pid" 2>/dev/null || true
        fi
    done
    if [[ -f "$ledger" ]]; then
        grep -vxF -- "$$ $work" "$ledger" > "$ledger.new" || true
        mv -f "$ledger.new" "$ledger"
        [[ -s "$ledger" ]] || rm -f "$ledger"
    fi
    if (( ${#started_pids[@]} > 0 )); then log "stopped daemons: ${started_pids[*]}"; fi
    if [[ "$passed" == 1 && "${RL2_TEST_KEEP:-0}" != 1 ]]; then
        rm -rf "$work"
    else
        log "kept $work (logs: $work/log)"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$work/log" "$work/state" "$work/spool" "$work/munge" "$work/job"
host="$(hostname -s)"
cpus="$(nproc)"
mem_mib=$(( $(awk '/^MemTotal:/ { print $2 }' /proc/meminfo) * 9 / 10240 ))

# munge: this run's own daemon on a private socket, with the system key (created if missing).
if ! getent passwd munge >/dev/null; then fail "no munge user (is the munge package installed?)"; fi
key=/etc/munge/munge.key
if ! "${as_root[@]}" test -s "$key"; then
    log "creating munge key $key"
    "${as_root[@]}" mkdir -p /etc/munge
    "${as_root[@]}" sh -c "umask 077 && dd if=/dev/urandom of='$key' bs=1 count=1024 2>/dev/null"
    "${as_root[@]}" chown munge:munge "$key"
    "${as_root[@]}" chmod 400 "$key"
fi
"${as_root[@]}" chown munge:munge "$work/munge"
"${as_root[@]}" chmod 711 "$work/munge"
munge_socket="$work/munge/munge.socket"
log "starting munged"
if [[ "$(id -u)" -eq 0 ]]; then as_munge=(runuser -u munge --); else as_munge=(sudo -u munge); fi
"${as_munge[@]}" munged --socket="$munge_socket" --key-file="$key" \
    --pid-file="$work/munge/munged.pid" --log-file="$work/munge/munged.log" \
    --seed-file="$work/munge/munged.seed" \
    || fail "munged did not start: $(tail -n 3 "$work/munge/munged.log" 2>/dev/null)"
pid="$(pid_from_file "$work/munge/munged.pid")" || fail "munged wrote no pid file"
remember_pid "$pid"
munge -n -S "$munge_socket" | unmunge -S "$munge_socket" >/dev/null \
    || fail "munge credential round trip failed"

# slurm.conf: one node, this host, no accounting, no cgroups.
export SLURM_CONF="$work/slurm.conf"
cat > "$SLURM_CONF" <<EOF
# Written by cluster/slurm/test-local.sh for a one-node test cluster; removed after the test.
ClusterName=rl2test
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$munge_socket
CredType=cred/munge
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/log/slurmctld.log
SlurmdLogFile=$work/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$work/log/jobcomp.txt
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
MpiDefault=none
ReturnToService=2
MinJobAge=3600
KillWait=10
InactiveLimit=0
SlurmdTimeout=60
MailProg=/bin/true
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem_mib State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF

log "starting slurmctld ($host, $cpus CPUs, ${mem_mib} MiB, ports $ctld_port/$slurmd_port)"
"${as_root[@]}" env SLURM_CONF="$SLURM_CONF" slurmctld -i -f "$SLURM_CONF" \
    || fail "slurmctld did not start: $(tail -n 5 "$work/log/slurmctld.log" 2>/dev/null)"
pid="$(pid_from_file "$work/slurmctld.pid")" || fail "slurmctld wrote no pid file"
remember_pid "$pid"
log "starting slurmd"
"${as_root[@]}" env SLURM_CONF="$SLURM_CONF" slurmd -f "$SLURM_CONF" \
    || fail "slurmd did not start: $(tail -n 5 "$work/log/slurmd.log" 2>/dev/null)"
pid="$(pid_from_file "$work/slurmd.pid")" || fail "slurmd wrote no pid file"
remember_pid "$pid"

state=""
for ((i = 0; i < 60; i++)); do
    state="$(sinfo -h -N -n "$host" -o %t 2>/dev/null | head -n1 || true)"
    [[ "$state" == idle ]] && break
    sleep 1
done
if [[ "$state" != idle ]]; then
    fail "node $host is '${state:-unknown}' after 60 s, not idle:" \
        "$(scontrol show node "$host" 2>&1 | grep -E 'State|Reason' | tr -s ' ' | tr '\n' ' ')"
fi
log "node $host idle"

# --- the job ----------------------------------------------------------------------------------
run_dir="${RL2_TEST_RUN_DIR:-$work/run}"
sbatch_args=(--parsable --ntasks="$ntasks" --chdir="$work/job" --output="$work/job/slurm-%j.out"
    --time=$(( (timeout_s + 59) / 60 + 1 )))
# The job asks for more tasks than this machine has CPUs; --overcommit lets them share.
if (( ntasks > cpus )); then sbatch_args+=(--overcommit); fi

if [[ "$mode" == placeholder ]]; then
    cat > "$work/job/placeholder.sbatch" <<'EOF'
#!/usr/bin/env bash
#SBATCH --job-name=rl2-placeholder
set -euo pipefail
first="$(scontrol show hostnames "$SLURM_JOB_NODELIST" | head -n1)"
echo "first node: $first, tasks: $SLURM_NTASKS"
srun --kill-on-bad-exit=1 --label bash -c 'echo "task $SLURM_PROCID on $(hostname)"'
EOF
    job_script="$work/job/placeholder.sbatch"
else
    job_script="$script_dir/train.sbatch"
fi

log "submitting $job_script ($ntasks tasks)"
job_id="$(env RL2_BIN="$RL2_BIN" RL2_PORT="$RL2_PORT" RL2_RUN_DIR="$run_dir" \
    RL2_TRAIN_ARGS="$RL2_TRAIN_ARGS" RL2_ACTOR_ARGS="$RL2_ACTOR_ARGS" RL2_THREADS_LEARNER=1 \
    RL2_LEARNER_HOST="$host" sbatch "${sbatch_args[@]}" "$job_script")" \
    || fail "sbatch failed"
job_id="${job_id%%;*}"
job_out="$work/job/slurm-$job_id.out"
log "job $job_id submitted, waiting up to ${timeout_s}s"

start_s=$SECONDS
job_state=""
while :; do
    job_info="$(scontrol show job -o "$job_id" 2>/dev/null || true)"
    job_state="$(sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p' <<< "$job_info")"
    case "$job_state" in
        PENDING|RUNNING|CONFIGURING|COMPLETING|SUSPENDED|"") ;;
        *) break ;;
    esac
    if (( SECONDS - start_s > timeout_s )); then
        log "job output so far:"; tail -n 40 "$job_out" 2>/dev/null || true
        fail "job $job_id still ${job_state:-unknown} after ${timeout_s}s"
    fi
    sleep 2
done
elapsed=$(( SECONDS - start_s ))
exit_code="$(sed -n 's/.* ExitCode=\([0-9:]*\).*/\1/p' <<< "$job_info")"
log "job $job_id: $job_state, exit code $exit_code, ${elapsed}s"
log "job output ($job_out):"
sed 's/^/    /' "$job_out" 2>/dev/null | tail -n 60 || true

if [[ "$job_state" != COMPLETED || "$exit_code" != 0:0 ]]; then
    fail "job $job_id ended $job_state with exit code $exit_code"
fi
if [[ "$mode" == real ]]; then
    checkpoint="$(find "$run_dir/checkpoints" -type f 2>/dev/null | sort | tail -n1)"
    [[ -n "$checkpoint" ]] || fail "no checkpoint file under $run_dir/checkpoints"
    rows=0
    if [[ -f "$run_dir/progress.csv" ]]; then rows=$(( $(wc -l < "$run_dir/progress.csv") - 1 )); fi
    log "checkpoint ${checkpoint#"$run_dir"/}, progress.csv rows: $rows"
fi

passed=1
echo "PASS: slurm $mode test: job $job_id COMPLETED, exit code 0:0, ${elapsed}s ($ntasks tasks on $host)"
