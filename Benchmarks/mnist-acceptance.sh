#!/usr/bin/env bash
# The acceptance cases of issue 5: Fashion-MNIST teachers (activation g) 784-64-10 ("shallow")
# and 784-30-30-30-10 ("deep"), each trained (40 epochs, SGD 0.1, batch 128), probed with the
# training images and identified at rho = 4; prints every result and the wall time of every
# step; each case's report is OUT/CASE/run/report.json. Resumable: a step whose result is in
# OUT is skipped, and an identify run cut off (e.g. by a time limit) continues with --resume,
# so the same command can simply be run again. Each case ends with its verdict on the issue's
# criteria (shallow: width overhead at most 5%, median incoming angle under 5 degrees, under
# 15 minutes; deep: overhead at most 10% per layer) and the wall time from probe file to
# recovered network, summed over the identify invocations a cut-off run took
# (OUT/CASE/identify-seconds, one line each; work redone after a cut counts, as it did).
#
#   Benchmarks/mnist-acceptance.sh [--data DIR] [--out DIR] [--cases "shallow deep"]
#                                  [--samples N] [--epochs N] [--batch-size B] [--teachers-only]
#                                  [identify flags...]
#
# DIR holds the gzip IDX files (default: Debian's /usr/share/datasets/fashion-mnist; on the GPU
# machine, a copy sent there). Flags it does not know go to `ec identify`.
set -euo pipefail
data=/usr/share/datasets/fashion-mnist out=acceptance cases="shallow deep"
samples=60000 epochs= batch=128 teachers_only=0 extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --data) data=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --cases) cases=$2; shift 2 ;;
    --samples) samples=$2; shift 2 ;;
    --epochs) epochs=$2; shift 2 ;;
    --batch-size) batch=$2; shift 2 ;;
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
    # Expansion epochs by case unless --epochs is given: 900 identified the shallow teacher
    # (64 of 64 neurons, median angle 1.8°, RESULTS.md, "NVIDIA H200"), 3 minutes at an H200's
    # 0.2 s per epoch.
    # The fine-tunings stop at 200 epochs (93,800 Adam steps on 60,000 images), not at the
    # defaults' 10,000 and 5,000, which count epochs of the reference's smaller probe sets: at
    # minibatch 128 an epoch of any fine-tuning costs 0.21 s on an H200, and a run has up to
    # four final ones (the first and one after each pruning round).
    shallow) widths=64 layers=1 flags=() case_epochs=${epochs:-900} bounds=(5 5 15) ;;
    # The deep teacher came back 30, 30, 30 (RESULTS.md, "The deep case on the CPU path") with
    # lr 3e-3, which suits minibatches of 128 (not the deep default 3e-2, chosen at 512), the
    # rate decayed to 0 at the cap (350 epochs reach the loss of 700 on the plateau schedule
    # alone) and final fine-tunings long enough to go below 1e-4 of Var(y), where the pruning
    # tests the 16 neurons the clusters give beyond the teacher's: 1,000 epochs at 128 and 1e-4,
    # or 1,500 at 1,024 and 1e-3, the same network in 5.3 times fewer steps (a step of one
    # network costs a GPU about the same at either size). Flags given to the script come later
    # and win (e.g. --no-cosine-decay).
    deep) widths=30,30,30 layers=3 case_epochs=${epochs:-350} bounds=(10 "" "")
      flags=(--lr 3e-3 --cosine-decay --layer-fine-tune-epochs 60
        --fine-tune-epochs 1500 --fine-tune-batch-size 1024 --fine-tune-lr 1e-3) ;;
    *) echo "mnist-acceptance: unknown case '$c' (shallow, deep)" >&2; exit 2 ;;
  esac
  stop_here
  d="$out/$c"
  mkdir -p "$d"
  [ -f "$d/teacher.safetensors" ] || timed "$c teacher" ec teacher train --images "$train" \
    --labels "$data/train-labels-idx1-ubyte.gz" --test-images "$test" --test-labels "$data/t10k-labels-idx1-ubyte.gz" \
    --widths $widths --activation g --epochs 40 --output "$d/teacher.safetensors"
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
      --hidden-layers $layers --rho 4 --epochs "$case_epochs" --batch-size "$batch" --precision float32 \
      --fine-tune-epochs 200 --layer-fine-tune-epochs 200 --fresh-inputs "$test" --output "$d/run" "${flags[@]}" "${extra[@]}"
  fi
  verdict "$c" "$d" "${bounds[@]}"
done
