#!/usr/bin/env bash
# Coverage-guided fuzzing of the file parsers with libFuzzer (issue 29). Builds one executable
# (the ECFormats sources with Fuzz/Parsers.swift, instrumented, linked against the release build's
# ECCore), seeds each parser from files `ec` writes, and runs it on each for SECONDS.
# Usage: scripts/fuzz.sh [SECONDS=60] [TARGETS="safetensors npy npz idx gzip"]
# A crash leaves crash-* in .build/fuzz/<target>/ and makes the script exit 1; make it a unit test
# (Tests/ECFormatsTests). The README's test command ends with a short run of every target.
set -euo pipefail
seconds=${1:-60}
targets=${2:-"safetensors npy npz idx gzip"}
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/.build/fuzz
mkdir -p "$out/seeds"
cd "$root"
swift build -c release --product ec >/dev/null
ec=$root/.build/release/ec

# Seeds: a teacher, a probe set (stored and deflated), its arrays as .npy, IDX images raw and gzipped.
(cd "$out/seeds"
 "$ec" teacher toy --inputs 3 --widths 4 --activation tanh --output t.safetensors >/dev/null
 "$ec" probe --teacher t.safetensors --samples 16 --output p.npz >/dev/null
 "$ec" probe --teacher t.safetensors --samples 16 --compressed --output pc.npz >/dev/null
 python3 -c "import zipfile; z = zipfile.ZipFile('p.npz'); [open(n, 'wb').write(z.read(n)) for n in z.namelist()]"
 printf '\x00\x00\x08\x03\x00\x00\x00\x02\x00\x00\x00\x02\x00\x00\x00\x02\x01\x02\x03\x04\x05\x06\x07\x08' > i.idx
 gzip -c i.idx > i.idx.gz)
seed() {
    case $1 in
        safetensors) echo t.safetensors ;;
        npy) echo x.npy y.npy ;;
        npz) echo p.npz pc.npz ;;
        idx) echo i.idx i.idx.gz ;;
        gzip) echo i.idx.gz ;;
    esac
}

swiftc -O -sanitize=fuzzer,address -parse-as-library -module-name ECFormats \
    -I .build/release/Modules -I Sources/CZlib -I Sources/CBLAS \
    -Xcc -fmodule-map-file=.build/release/ECBLASSetup.build/module.modulemap \
    Sources/ECFormats/*.swift Fuzz/Parsers.swift .build/release/ECCore.build/*.o \
    .build/release/ECBLASSetup.build/*.o -lz -lopenblas -ldl -o "$out/fuzz-parsers" \
    > "$out/build.txt" 2>&1 || { cat "$out/build.txt"; exit 1; }   # the linker's ASan warnings only on failure

failed=0
for target in $targets; do
    dir=$out/$target
    mkdir -p "$dir/corpus"
    for file in $(seed "$target"); do cp "$out/seeds/$file" "$dir/corpus/"; done
    rm -f "$dir"/crash-* "$dir"/leak-* "$dir"/oom-* "$dir"/timeout-*   # this run's findings only
    (cd "$dir" && EC_FUZZ_TARGET=$target "$out/fuzz-parsers" corpus -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
        -print_final_stats=1 > log.txt 2>&1) || true
    # Edges are those of the Swift parsers (zlib itself is not instrumented).
    found=$(ls "$dir" | grep -c '^crash-\|^leak-\|^oom-\|^timeout-' || true)
    echo "== $target: $(grep -E 'stat::number_of_executed_units' "$dir/log.txt" | awk '{print $2}') inputs," \
         "$(grep -oE 'cov: [0-9]+' "$dir/log.txt" | tail -1 | cut -d' ' -f2) edges, crashes: $found"
    if [ "$found" -gt 0 ]; then failed=1; echo "   see $dir/log.txt and $dir/crash-*"; fi
done
exit $failed
