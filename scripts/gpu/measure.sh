#!/usr/bin/env bash
# Issue 28's measurement in one call on the GPU machine: validation against the CPU path first,
# then ec bench beside JAX (same call, same card), each kernel's share of a step (--profile),
# the minibatch-128 steps that identifications take, the A/B of the tiles (gemm_tiles.cl's two
# versions, sizes, fill), the product alone at 4096³,
# and with the time left the acceptance cases. Every result goes under $OUT (./measure-out when
# unset); steps.txt says what each step returned and how long it took.
#
#   scripts/gpu/measure.sh [--quick] [--budget SECONDS]
#
# On the GPU machine, after scripts/gpu/pack.sh ec and `tar cJf .ship/gpu.tar.xz .gpu` here (see
# Benchmarks/RESULTS.md, "Issue 28"), carrying .ship: `scripts/gpu/measure.sh` (budget 540 s, so
# that a call of 600 s returns everything). --quick runs every step on tiny sizes (a probe set of
# 256, one epoch, a 256³ product, no acceptance cases) with .build/release/ec on any OpenCL
# device: the check that the script works, e.g. on PoCL here.
set -uo pipefail
cd "$(dirname "$0")/../.."
quick=0 budget=540
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1; shift ;;
    --budget) budget=$2; shift 2 ;;
    *) echo "measure: unknown argument $1" >&2; exit 2 ;;
  esac
done
out=${OUT:-measure-out}
mkdir -p "$out"
if [ ! -x .gpu/bin/ec ] && [ -f .ship/gpu.tar.xz ]; then
  python3 -c "import tarfile; tarfile.open('.ship/gpu.tar.xz').extractall('.')"
fi
if [ $quick = 0 ] && [ -f .gpu/env.sh ]; then . .gpu/env.sh; else PATH=$PWD/.build/release:$PATH; fi
command -v ec >/dev/null || { echo "measure: no ec (pack it, or build it for --quick)" >&2; exit 1; }

workloads=(toy mnist64 deep mnist256)
if [ $quick = 1 ]; then
  size=(--samples 256 --epochs 1) validate_samples=256 gemm=256 workloads=(toy mnist64 deep)
else
  size=() validate_samples=8192 gemm=4096
fi

# step NAME FILE COMMAND...: runs COMMAND with what is left of the budget (at most 240 s), stdout
# to $out/FILE, stderr to $out/NAME.err, and notes its status and seconds in steps.txt.
step() {
  local name=$1 file=$2 start=$SECONDS left=$((budget - SECONDS))
  shift 2
  if [ $left -lt 10 ]; then echo "$name skipped: budget spent" >> "$out/steps.txt"; return 1; fi
  timeout $((left < 240 ? left : 240)) "$@" >> "$out/$file" 2>> "$out/$name.err"
  local status=$?
  echo "$name status $status, $((SECONDS - start)) s (at $SECONDS s)" >> "$out/steps.txt"
  return $status
}

step devices devices.txt ec devices
# Correctness first: the same students and minibatch order on the CPU and the device.
if ! step validate validate.jsonl Benchmarks/run.sh --validate-only --samples $validate_samples --backend opencl "${workloads[@]}"; then
  echo "measure: validation FAILED (validate.jsonl); the timings below are not figures to report" >> "$out/steps.txt"
fi
for w in "${workloads[@]}"; do
  step "bench-$w" bench.jsonl ec bench --workload "$w" --backend opencl --precision float32 "${size[@]}" --json
done
step bench-toy-float64 bench.jsonl ec bench --workload toy --backend opencl --precision float64 "${size[@]}" --json
if python3 -c 'import jax' 2>/dev/null; then
  step jax jax.jsonl python3 Benchmarks/peers/jax_students.py fp32 "${workloads[@]}"
else
  echo "jax skipped: not installed" >> "$out/steps.txt"
fi
# Where a step's time goes: per kernel, at the benchmarks' minibatch of 512 and at 128.
for w in mnist64 deep; do
  for b in 512 128; do
    step "profile-$w-$b" profile.jsonl ec bench --workload "$w" --backend opencl --batch-size $b --profile --json \
      "${size[@]}"
  done
done
# The tiles: versions 1 and 2 of gemm_tiles.cl in the device's tiles (a GPU's 128 × 128, 8 × 8 each) and the
# CPU's 64 × 64 (4 × 4), small products not split over idle compute units, and every layer in its matrix
# products instead of the layer steps of layer_step.cl (label=EC_KERNEL_TUNING; the labels name the files,
# which must be plain names to come back).
t64=tileM=64,tileN=64,workM=4,workN=4
for variant in v1=gemmVersion=1 v2=gemmVersion=2 v1tiles64=gemmVersion=1,$t64 v2tiles64=gemmVersion=2,$t64 \
               nofill=fillGroups=0 nosteps=layerSteps=0; do
  label=${variant%%=*} tuning=${variant#*=}
  for w in mnist64 deep; do
    for b in 512 128; do
      EC_KERNEL_TUNING=$tuning step "tiles-$label-$w-$b" "tiles-$label.jsonl" \
        ec bench --workload "$w" --backend opencl --batch-size $b --json "${size[@]}"
    done
  done
  [ $label = nosteps ] && continue   # the product alone does not change
  EC_KERNEL_TUNING=$tuning step "gemm-$label" "gemm-$label.jsonl" ec bench --gemm $gemm --backend opencl --json
done
# The acceptance cases with whatever is left (they resume, so a second call can finish them).
if [ $quick = 0 ] && [ -d .ship/acceptance ]; then
  mkdir -p /tmp/acc && cp -rn .ship/acceptance/. /tmp/acc/
  step acceptance acceptance.txt Benchmarks/mnist-acceptance.sh --data .ship/data --out /tmp/acc
  for c in shallow deep; do [ -f /tmp/acc/$c/run/report.json ] && cp /tmp/acc/$c/run/report.json "$out/$c-report.json"; done
fi
find "$out" -name '*.err' -empty -delete
echo "measure: done in $SECONDS s; results in $out" >&2
