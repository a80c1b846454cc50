#!/usr/bin/env bash
# Installs the system packages ExpandCluster needs, if any is missing: OpenBLAS (CPU backend),
# the OpenCL ICD loader and headers, PoCL (the CPU OpenCL device tests run on), zlib, pkg-config
# (how SwiftPM finds them), and Debian's Fashion-MNIST (MNIST-scale examples and tests).
set -euo pipefail
packages=(libopenblas-dev ocl-icd-opencl-dev opencl-headers pocl-opencl-icd zlib1g-dev pkg-config dataset-fashion-mnist)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
