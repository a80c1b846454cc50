#!/usr/bin/env bash
# The acceptance cases of issue 5, Fashion-MNIST teachers (activation g) 784-64-10 ("shallow") and
# 784-30-30-30-10 ("deep"), and of issue 26: 784-16-10 ("small"), 784-24-24-10 ("deep2") and a
# 784-16-10 teacher trained by NumPy instead of ec ("numpy": Benchmarks/numpy-teacher.py, Adam on
# the cross-entropy, 10 epochs). ec's teachers are trained with 40 epochs of SGD at 0.1, batch 128.
# Each teacher is probed with the training images and identified by the plain command (`ec
# identify` with the teacher, the probe and the test images as fresh inputs: the probe's scale
# chooses the recipe); prints every result and the wall time of every step; each case's report is
# OUT/CASE/run/report.json. Resumable: a step whose result is in OUT is skipped, and an identify
# run cut off (e.g. by a time limit) continues with --resume, so the same command can simply be
# run again. Each case ends with its verdict on the issues' criteria (every case: fresh-input
# MSE/Var(y) under 1e-4; one hidden layer: width overhead at most 5%, median incoming angle under
# 5 degrees, under 15 minutes; deep: overhead at most 10% per layer; deep2 also median angles
# under 5 degrees and under 30 minutes) and the wall time from probe file to recovered network,
# summed over the identify invocations a cut-off run took (OUT/CASE/identify-seconds, one line
# each; work redone after a cut counts, as it did).
#
#   Benchmarks/mnist-acceptance.sh [--data DIR] [--out DIR] [--cases "CASE..."]
#                                  [--samples N] [--teachers-only] [identify flags...]
#
# --cases names any of shallow, deep, small, deep2, numpy (default: "shallow deep").
# DIR holds the gzip IDX files (default: Debian's /usr/share/datasets/fashion-mnist; on the GPU
# machine, a copy sent there). Flags it does not know go to `ec identify` (e.g. --epochs to fit
# a time limit, --backend cpu).
set -euo pipefail
data=/usr/share/datasets/fashion-mnist out=acceptance cases="shallow deep"
samples=60000 teachers_only=0 extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --data) data=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --cases) cases=$2; shift 2 ;;
    --samples) samples=$2; shift 2 ;;
    --teachers-only) teachers_only=1; shift ;;   # train the teachers (where the labels are), stop
    *) extra+=("$1"); shift ;;
  esac
done
train="$data/train-images-idx3-ubyte.gz" test="$data/t10k-images-idx3-ubyte.gz"
# The labels are read only to train a teacher that is not in OUT yet (ec names a missing file).
for f in "$train" "$test"; do
  [ -f "$f" ] || { echo "mnist-acceptance: missing $f (--data names the folder of the IDX files)" >&2; exit 1; }
done

# On Ctrl-C or SIGTERM (e.g. `timeout` around this script, which signals the whole process
# group) wait for the step in progress: ec identify stops after its epoch, checkpointed, and its
# time is still added to identify-seconds; then end, even where the step finished anyway.
stop=0
trap 'stop=1; echo "mnist-acceptance: signal received; ending after the step in progress" >&2' TERM INT
stop_here() { [ $stop = 0 ] || exit 143; }

timed() {   # timed LABEL COMMAND...: runs it, then prints how long it took
  local start=$SECONDS
  "${@:2}"
  echo "mnist-acceptance: $1 took $((SECONDS - start)) s" >&2
}

identify() {   # identify DIR ARGS...: `ec identify ARGS`, its wall time appended to DIR/identify-seconds
  local start=$SECONDS status=0
  ec identify "${@:2}" || status=$?
  echo $((SECONDS - start)) >> "$1/identify-seconds"
  echo "mnist-acceptance: identify took $((SECONDS - start)) s" >&2
  return $status
}

verdict() {   # verdict CASE DIR MAX_OVERHEAD MAX_MEDIAN_DEGREES MAX_MINUTES (empty: no bound)
  command -v python3 > /dev/null || { echo "mnist-acceptance: $1: no python3 to read the report; see $2/run/report.json" >&2; return; }
  python3 - "$@" <<'PY'
import json, os, sys
case, d, overhead, median, minutes = sys.argv[1:6]
report = json.load(open(d + "/run/report.json"))
layers = report["comparison"]["layers"]
# identify-seconds times whole processes, a call killed outright included; without it (a run
# made outside this script) the report's total, summed over the processes that resumed the run.
times = d + "/identify-seconds"
seconds = (sum(int(line) for line in open(times) if line.strip()) if os.path.exists(times)
           else report["phaseSeconds"]["total"])
checks = [("layer %d: %d neurons for %d, overhead %+.1f%% (at most %s%%)"
           % (l["layer"] + 1, l["recoveredWidth"], l["teacherWidth"],
              100.0 * (l["recoveredWidth"] - l["teacherWidth"]) / l["teacherWidth"], overhead),
           l["recoveredWidth"] - l["teacherWidth"] <= float(overhead) / 100 * l["teacherWidth"]) for l in layers]
checks.append(("fresh-input MSE/Var(y) %.2e (under 1e-4)" % report["comparison"]["relativeMSE"],
               report["comparison"]["relativeMSE"] < 1e-4))
if median:
    checks += [("layer %d: median incoming angle %.2f deg (under %s)" % (l["layer"] + 1, l["incoming"]["medianDegrees"], median),
                l["incoming"]["medianDegrees"] < float(median)) for l in layers]
wall = "probe file to recovered network: %d s (%.1f min)" % (seconds, seconds / 60)
if minutes:
    checks.append((wall + " (under %s min)" % minutes, seconds < 60 * float(minutes)))
else:
    print("mnist-acceptance: %s: %s" % (case, wall))
for text, ok in checks:
    print("mnist-acceptance: %s: %s: %s" % (case, text, "met" if ok else "MISSED"))
print("mnist-acceptance: %s: %s" % (case, "accepted" if all(ok for _, ok in checks) else "NOT accepted"))
PY
}

for c in $cases; do
  case $c in
    shallow) widths=64 layers=1 bounds=(5 5 15) trainer=ec ;;
    deep) widths=30,30,30 layers=3 bounds=(10 "" "") trainer=ec ;;
    small) widths=16 layers=1 bounds=(5 5 15) trainer=ec ;;
    deep2) widths=24,24 layers=2 bounds=(10 5 30) trainer=ec ;;
    numpy) widths=16 layers=1 bounds=(5 5 15) trainer=numpy ;;
    *) echo "mnist-acceptance: unknown case '$c' (shallow, deep, small, deep2, numpy)" >&2; exit 2 ;;
  esac
  stop_here
  d="$out/$c"
  mkdir -p "$d"
  if [ -f "$d/teacher.safetensors" ]; then
    :
  elif [ $trainer = numpy ]; then
    timed "$c teacher" python3 "$(dirname "$0")/numpy-teacher.py" "$data" $widths "$d/teacher.safetensors"
  else
    timed "$c teacher" ec teacher train --images "$train" \
      --labels "$data/train-labels-idx1-ubyte.gz" --test-images "$test" --test-labels "$data/t10k-labels-idx1-ubyte.gz" \
      --widths $widths --activation g --epochs 40 --output "$d/teacher.safetensors"
  fi
  stop_here
  [ $teachers_only = 0 ] || continue
  [ -f "$d/probe.npz" ] || timed "$c probe" ec probe --teacher "$d/teacher.safetensors" --inputs-from "$train" \
    --samples "$samples" --output "$d/probe.npz"
  stop_here
  if [ -f "$d/run/report.json" ]; then
    :   # identified already: only the verdict below
  elif [ -f "$d/run/settings.json" ]; then
    identify "$d" --resume "$d/run"
  else
    identify "$d" --probe "$d/probe.npz" --teacher "$d/teacher.safetensors" --activation g \
      --hidden-layers $layers --fresh-inputs "$test" --output "$d/run" "${extra[@]}"
  fi
  verdict "$c" "$d" "${bounds[@]}"
done
