#!/usr/bin/env bash
# Coverage-guided fuzzing of the file parsers and of what `--resume` reads with libFuzzer (issue 29).
# Builds two executables, each one module instrumented and linked against the release build's
# others: the file parsers (ECFormats with Fuzz/Parsers.swift) and a run's settings and checkpoints
# (ExpandCluster with Fuzz/RunFiles.swift); seeds each target from files `ec` writes, and runs it
# on each for SECONDS.
# Usage: scripts/fuzz.sh [SECONDS=60] [TARGETS="safetensors npy npz idx gzip settings checkpoint trainer"]
# A crash leaves crash-* in .build/fuzz/<target>/ and makes the script exit 1; make it a unit test
# (Tests/ECFormatsTests). The README's test command ends with a short run of every target.
set -euo pipefail
seconds=${1:-60}
targets=${2:-"safetensors npy npz idx gzip settings checkpoint trainer"}
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/.build/fuzz
mkdir -p "$out/seeds"
cd "$root"
swift build -c release --product ec >/dev/null
ec=$root/.build/release/ec

# Seeds: a teacher, a probe set (stored and deflated), its arrays as .npy, IDX images raw and
# gzipped, and a run's settings and checkpoints: finished, and one of a run stopped mid-phase.
(cd "$out/seeds"
 rm -rf run stopped
 "$ec" teacher toy --inputs 3 --widths 4 --activation tanh --output t.safetensors >/dev/null
 "$ec" probe --teacher t.safetensors --samples 16 --output p.npz >/dev/null
 "$ec" probe --teacher t.safetensors --samples 16 --compressed --output pc.npz >/dev/null
 python3 -c "import zipfile; z = zipfile.ZipFile('p.npz'); [open(n, 'wb').write(z.read(n)) for n in z.namelist()]"
 printf '\x00\x00\x08\x03\x00\x00\x00\x02\x00\x00\x00\x02\x00\x00\x00\x02\x01\x02\x03\x04\x05\x06\x07\x08' > i.idx
 gzip -c i.idx > i.idx.gz
 "$ec" identify --probe p.npz --activation tanh --reference-widths 2 --rho 2 --students 2 --epochs 20 \
     --fine-tune-epochs 10 --output run >/dev/null 2>&1 || true   # too short to agree: only its files matter
 cp run/settings.json settings.json; cp run/checkpoints/polish-expansion.safetensors finished.safetensors
 timeout -s TERM 3 "$ec" identify --probe p.npz --activation tanh --reference-widths 2 --rho 2 --students 2 \
     --epochs 1000000 --stall-window 100000 --output stopped >/dev/null 2>&1 || true
 cp stopped/checkpoints/expand.safetensors stopped.safetensors
 python3 -c "import json, struct; b = open('stopped.safetensors', 'rb').read()
print(json.loads(b[8:8 + struct.unpack('<Q', b[:8])[0]])['__metadata__']['trainer'], end='')" > trainer.json)
seed() {
    case $1 in
        safetensors) echo t.safetensors ;;
        npy) echo x.npy y.npy ;;
        npz) echo p.npz pc.npz ;;
        idx) echo i.idx i.idx.gz ;;
        gzip) echo i.idx.gz ;;
        settings) echo settings.json ;;
        checkpoint) echo finished.safetensors stopped.safetensors ;;
        trainer) echo trainer.json ;;
    esac
}

# Builds executable $1 from module $2's sources and harness $3, linked with the release objects of $4.
build() {
    local name=$1 module=$2 harness=$3; shift 3
    # A Swift module's objects are those of its current sources (a removed file's object stays behind).
    local objects=() m f
    for m in "$@"; do while read -r f; do objects+=(".build/release/$m.build/${f##*/}.o"); done < ".build/release/$m.build/sources"; done
    objects+=(.build/release/ECBLASSetup.build/*.o .build/release/ECFloatMode.build/*.o .build/release/CMPI.build/*.o)
    swiftc -O -sanitize=fuzzer,address -parse-as-library -module-name "$module" \
        -I .build/release/Modules -I Sources/CZlib -I Sources/CBLAS -I Sources/COpenCL \
        -Xcc -fmodule-map-file=.build/release/ECBLASSetup.build/module.modulemap \
        -Xcc -fmodule-map-file=.build/release/ECFloatMode.build/module.modulemap \
        -Xcc -fmodule-map-file=.build/release/CMPI.build/module.modulemap \
        $(find "Sources/$module" -name '*.swift') "$harness" "${objects[@]}" -lz -lopenblas -lOpenCL -ldl \
        -o "$out/$name" > "$out/$name.txt" 2>&1 || { cat "$out/$name.txt"; exit 1; }   # the linker's ASan warnings only on failure
}
binary() { case $1 in settings|checkpoint|trainer) echo fuzz-run-files ;; *) echo fuzz-parsers ;; esac; }
dictionary() { case $1 in settings|checkpoint|trainer) echo -dict="$root/Fuzz/json.dict" ;; esac; }
# The two builds are one compiler process each: side by side they take one core each.
builds=()
for name in $(for t in $targets; do binary "$t"; done | sort -u); do
    case $name in
        fuzz-parsers) build fuzz-parsers ECFormats Fuzz/Parsers.swift ECCore & ;;
        fuzz-run-files) build fuzz-run-files ExpandCluster Fuzz/RunFiles.swift ECCore ECEngine ECFormats ECNumerics ECDistributed & ;;
    esac
    builds+=($!)
done
for pid in "${builds[@]}"; do wait "$pid"; done

failed=0
for target in $targets; do
    dir=$out/$target
    mkdir -p "$dir/corpus"
    for file in $(seed "$target"); do cp "$out/seeds/$file" "$dir/corpus/"; done
    rm -f "$dir"/crash-* "$dir"/leak-* "$dir"/oom-* "$dir"/timeout-*   # this run's findings only
    # SWIFT_BACKTRACE off: Swift's backtracer would hold a crashing input's process (under ASan) for ever.
    (cd "$dir" && SWIFT_BACKTRACE=enable=no EC_FUZZ_TARGET=$target "$out/$(binary "$target")" corpus $(dictionary "$target") -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
        -print_final_stats=1 > log.txt 2>&1) || true
    # Edges are those of the instrumented module (zlib and the linked release modules are not).
    found=$(ls "$dir" | grep -c '^crash-\|^leak-\|^oom-\|^timeout-' || true)
    echo "== $target: $(grep -E 'stat::number_of_executed_units' "$dir/log.txt" | awk '{print $2}') inputs," \
         "$(grep -oE 'cov: [0-9]+' "$dir/log.txt" | tail -1 | cut -d' ' -f2) edges, crashes: $found"
    if [ "$found" -gt 0 ]; then failed=1; echo "   see $dir/log.txt and $dir/crash-*"; fi
done
exit $failed
