#!/usr/bin/env bash
# Ranks against one process (issue 27): 1 process of one thread (taskset -c 0) against 2 MPI ranks
# of one thread each (mpirun binds each rank to a core), for the toy expansion, a small image
# expansion and a few suite problems, on this machine. One line per run on stdout: workload,
# ranks, wall seconds (mpirun's start included), each rank's CPU seconds (user + system), the
# run's own seconds and epochs, and for 2 ranks the bytes rank 0 received and its seconds in
# collectives (waiting for the other rank included; Open MPI waits by polling, on the CPU).
#   Benchmarks/mpi.sh [WORKLOAD ...]      workloads: toy image suite (default: all three)
set -euo pipefail
cd "$(dirname "$0")/.."
ec=$PWD/.build/release/ec
[ -x "$ec" ] || { echo "mpi.sh: build first (swift build -c release)" >&2; exit 1; }
command -v mpirun >/dev/null || { echo "mpi.sh: no mpirun (scripts/setup.sh installs Open MPI)" >&2; exit 1; }
[ $# -gt 0 ] || set -- toy image suite
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cd "$dir"
# Each rank's CPU time, in cpu.RANK.
one=(taskset -c 0 /usr/bin/time -o cpu.0 -f "%U %S" "$ec")
two=(mpirun --allow-run-as-root --bind-to core -np 2
     sh -c 'exec /usr/bin/time -o cpu.$OMPI_COMM_WORLD_RANK -f "%U %S" "$0" "$@"' "$ec")
echo "# $(date -u +%F) $(uname -n), $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg)" >&2

# Wall time of a command, its stdout kept in out.json.
timed() {
  rm -f cpu.*
  local start=$(date +%s.%N)
  "$@" > out.json 2> err.log || { cat err.log >&2; exit 1; }
  python3 -c "import sys; print(round($(date +%s.%N) - $start, 2))"
}

# Each rank's CPU seconds, comma-separated.
cpu() { for f in cpu.*; do awk '{printf "%.2f,", $1 + $2}' "$f"; done | sed 's/,$//'; }

# A train run's line from its --json summary.
train_line() { # workload ranks wall cpu
  python3 -c '
import json, sys
s = json.load(open("out.json")); r = s.get("ranks") or {}
print(sys.argv[1], sys.argv[2], "wall", sys.argv[3], "cpu", sys.argv[4], "run", round(s["seconds"], 2), "epochs", s["epochs"],
      "bytes", r.get("bytesReceivedByRank0", 0), "collectives", round(r.get("secondsCommunicatingByRank0", 0), 2))' "$@"
}

for workload in "$@"; do
  case $workload in
    toy)
      # The demo's teacher (4-4-1, g) and probe size; 20 students of width 12 (ρ = 3), 1,000 epochs.
      "$ec" teacher toy --inputs 4 --widths 4 --activation g --seed 1 --output t.safetensors > /dev/null
      "$ec" probe --teacher t.safetensors --samples 10000 --seed 2 --output p.npz > /dev/null
      args=(train --probe p.npz --activation g --widths 12 --students 20 --epochs 1000 --backend cpu --output s.safetensors --json)
      wall=$(timed "${one[@]}" "${args[@]}"); train_line toy 1 "$wall" "$(cpu)"
      wall=$(timed "${two[@]}" "${args[@]}"); train_line toy 2 "$wall" "$(cpu)" ;;
    image)
      # Fashion-MNIST, 784-8-10 teacher; 16 students of width 32 in float32, minibatch 128, 20 epochs.
      "$ec" teacher train --dataset fashion-mnist --widths 8 --activation g --epochs 5 --train-samples 2000 --output t8.safetensors > /dev/null 2>&1
      "$ec" probe --teacher t8.safetensors --inputs-from fashion-mnist --samples 8000 --output p8.npz > /dev/null
      args=(train --probe p8.npz --activation g --widths 32 --students 16 --epochs 20 --batch-size 128 --precision float32
            --backend cpu --output s8.safetensors --json)
      wall=$(timed "${one[@]}" "${args[@]}"); train_line image 1 "$wall" "$(cpu)"
      wall=$(timed "${two[@]}" "${args[@]}"); train_line image 2 "$wall" "$(cpu)" ;;
    suite)
      # Six problems of the toy suite at ρ = 2, shared dynamically.
      args=(suite run --problems 0-5 --rho 2 --students 8 --samples 1000 --epochs 1000 --backend cpu)
      wall=$(timed "${one[@]}" "${args[@]}" --output one); echo "suite 1 wall $wall cpu $(cpu)"
      wall=$(timed "${two[@]}" "${args[@]}" --output two); echo "suite 2 wall $wall cpu $(cpu)"
      python3 -c '
import json
def lines(d):
    return sorted(json.dumps({k: v for k, v in json.loads(l).items() if k not in ("seconds", "device")}, sort_keys=True)
                  for l in open(d + "/results.jsonl"))
print("suite results.jsonl identical (order, seconds and device aside):", lines("one") == lines("two"))' ;;
    *) echo "mpi.sh: unknown workload $workload (toy, image, suite)" >&2; exit 2 ;;
  esac
done
