#!/usr/bin/env bash
# Packs a self-contained release build of this Swift package for a GPU machine that has no Swift.
#   scripts/gpu/pack.sh [PRODUCT ...]   (default: every executable product)
# Result, in the package root: .gpu/bin/<product>, .gpu/lib/<shared libraries the GPU machine may
# lack>, .gpu/env.sh. .gpu/ is git-ignored, so name it explicitly when the tree is sent to the GPU machine.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$here/../.."
out=.gpu
if [ $# -eq 0 ]; then
  mapfile -t products < <(swift package describe --type json | python3 -c '
import json,sys
d=json.load(sys.stdin)
for p in d.get("products",[]):
    if "executable" in p.get("type",{}): print(p["name"])')
else
  products=("$@")
fi
[ ${#products[@]} -gt 0 ] || { echo "pack: no executable products" >&2; exit 2; }
args=(); for p in "${products[@]}"; do args+=(--product "$p"); done
swift build -c release --static-swift-stdlib "${args[@]}"
bin=$(swift build -c release --static-swift-stdlib --show-bin-path)
rm -rf "$out"; mkdir -p "$out/bin" "$out/lib"
for p in "${products[@]}"; do
  cp "$bin/$p" "$out/bin/$p"; strip "$out/bin/$p"
  # copy every shared library except the C runtime and the OpenCL loader, which the GPU machine has
  ldd "$out/bin/$p" | awk '/=> \//{print $1" "$3}' | while read -r name path; do
    case "$name" in
      libc.so*|libm.so*|libdl.so*|librt.so*|libpthread.so*|ld-linux*|libstdc++.so*|libgcc_s.so*|libOpenCL.so*) ;;
      *) cp -L "$path" "$out/lib/$name" ;;
    esac
  done
done
cp "$here/env.sh" "$out/env.sh"
du -sh "$out"; ls -la "$out/bin" "$out/lib"
