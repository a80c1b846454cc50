#!/usr/bin/env bash
# ec bench beside the peer scripts on the same machine, in one command; one JSON line per result
# on stdout (ec's and the peers'), notes on stderr.
#   Benchmarks/run.sh [--backend cpu|opencl|auto] [--peers DIR] [WORKLOAD ...]
# Defaults: --backend auto, peers from ../shared/bench (or .gpu/ on the GPU machine, where
# pack.sh's folder holds copies), workloads toy mnist64 mnist256 deep.
# CPU example (this machine):   Benchmarks/run.sh --backend cpu toy mnist64
# GPU example:                  . .gpu/env.sh; Benchmarks/run.sh --backend opencl --peers .gpu
set -uo pipefail
backend=auto
peers=""
workloads=()
while [ $# -gt 0 ]; do
  case "$1" in
    --backend) backend=$2; shift 2 ;;
    --peers) peers=$2; shift 2 ;;
    *) workloads+=("$1"); shift ;;
  esac
done
[ ${#workloads[@]} -gt 0 ] || workloads=(toy mnist64 mnist256 deep)
if [ -z "$peers" ]; then
  for candidate in ../shared/bench .gpu; do [ -f "$candidate/jax_students.py" ] && peers=$candidate && break; done
fi
ec=$(command -v ec || echo .build/release/ec)
[ -x "$ec" ] || { echo "run.sh: no ec binary (swift build -c release, or . .gpu/env.sh)" >&2; exit 1; }

echo "# $(date -u +%F) $(uname -n); ec: $ec; backend $backend" >&2
"$ec" devices >&2 || true
for w in "${workloads[@]}"; do
  "$ec" bench --workload "$w" --backend "$backend" --precision float32 --json
  [ "$w" = toy ] && "$ec" bench --workload toy --backend "$backend" --precision float64 --json
done
if [ -n "$peers" ]; then
  python3 -c 'import jax' 2>/dev/null && python3 "$peers/jax_students.py" fp32 "${workloads[@]}" 2>/dev/null
  python3 -c 'import torch' 2>/dev/null && python3 "$peers/torch_students.py" "${workloads[@]}" 2>/dev/null
  python3 -c 'import numpy' 2>/dev/null && python3 "$peers/numpy_students.py" "${workloads[@]}" 2>/dev/null
fi
exit 0
