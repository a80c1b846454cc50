#!/usr/bin/env bash
# ec bench beside the peer scripts on the same machine, in one command; one JSON line per result
# on stdout (ec's and the peers'), notes on stderr.
#   Benchmarks/run.sh [--backend cpu|opencl|auto] [--peers DIR] [--validate [--samples N] [--validate-only]] [WORKLOAD ...]
# --validate first checks each workload against the CPU path: the same students and minibatch
# order for one warm-up and one timed epoch on both, whose losses must agree to 1e-5 (float32
# rounding in another summation order; measured 1.6e-7 on an H200); exit 1 if one does not.
# With --backend cpu there is nothing to compare, and --validate is ignored. --samples N validates
# on a probe set of N (the same shapes: the CPU's epochs take seconds, not minutes); the timings
# always use the whole workload. --validate-only stops after the validation.
# Defaults: --backend auto, peers from Benchmarks/peers, workloads toy mnist64 mnist256 deep.
# CPU example (this machine):   Benchmarks/run.sh --backend cpu toy mnist64
# GPU example (after scripts/gpu/pack.sh here):   . .gpu/env.sh; Benchmarks/run.sh --backend opencl
set -uo pipefail
backend=auto
peers=""
validate=0
validate_only=0
samples=()
workloads=()
while [ $# -gt 0 ]; do
  case "$1" in
    --backend) backend=$2; shift 2 ;;
    --peers) peers=$2; shift 2 ;;
    --validate) validate=1; shift ;;
    --validate-only) validate=1; validate_only=1; shift ;;
    --samples) samples=(--samples "$2"); shift 2 ;;
    *) workloads+=("$1"); shift ;;
  esac
done
[ ${#workloads[@]} -gt 0 ] || workloads=(toy mnist64 mnist256 deep)
[ -n "$peers" ] || peers=$(dirname "$0")/peers
ec=$(command -v ec || echo .build/release/ec)
[ -x "$ec" ] || { echo "run.sh: no ec binary (swift build -c release, or . .gpu/env.sh)" >&2; exit 1; }

echo "# $(date -u +%F) $(uname -n); ec: $ec; backend $backend" >&2
"$ec" devices >&2 || true
status=0
if [ $validate = 1 ] && [ "$backend" != cpu ]; then
  for w in "${workloads[@]}"; do
    cpu=$("$ec" bench --workload "$w" --backend cpu --precision float32 --epochs 1 "${samples[@]}" --json) || { status=1; continue; }
    other=$("$ec" bench --workload "$w" --backend "$backend" --precision float32 --epochs 1 "${samples[@]}" --json) || { status=1; continue; }
    python3 -c '
import json, sys
cpu, other = json.loads(sys.argv[1]), json.loads(sys.argv[2])
difference = abs(other["loss"] - cpu["loss"]) / abs(cpu["loss"])
ok = difference <= 1e-5
print(json.dumps({"workload": cpu["workload"], "validation": other["device"], "cpuLoss": cpu["loss"],
                  "loss": other["loss"], "relativeDifference": difference, "agrees": ok}))
sys.exit(0 if ok else 1)' "$cpu" "$other" || status=1
  done
fi
[ $validate_only = 1 ] && exit $status
for w in "${workloads[@]}"; do
  "$ec" bench --workload "$w" --backend "$backend" --precision float32 --json
  [ "$w" = toy ] && "$ec" bench --workload toy --backend "$backend" --precision float64 --json
done
if [ -n "$peers" ]; then
  python3 -c 'import jax' 2>/dev/null && python3 "$peers/jax_students.py" fp32 "${workloads[@]}" 2>/dev/null
  python3 -c 'import torch' 2>/dev/null && python3 "$peers/torch_students.py" "${workloads[@]}" 2>/dev/null
  python3 -c 'import numpy' 2>/dev/null && python3 "$peers/numpy_students.py" "${workloads[@]}" 2>/dev/null
fi
exit $status
