#!/usr/bin/env bash
# Installs what ExpandCluster and its tests need, if any of it is missing: OpenBLAS (CPU backend),
# the OpenCL ICD loader and headers, PoCL (the CPU OpenCL device tests run on), zlib, pkg-config
# (how SwiftPM finds them), Debian's Fashion-MNIST (MNIST-scale examples and tests), Open MPI (mpi.h
# to build; mpirun for runs across processes and for their tests), and the Python modules the tests
# check our files and clustering against (numpy, scipy, safetensors).
set -euo pipefail
packages=(libopenblas-dev ocl-icd-opencl-dev opencl-headers pocl-opencl-icd zlib1g-dev pkg-config dataset-fashion-mnist
          libopenmpi-dev openmpi-bin python3 python3-pip)
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
# The python3 the tests run (the first on PATH), which need not be Debian's.
modules=$(python3 -c 'import importlib.util as u
print(" ".join(m for m in ("numpy", "scipy", "safetensors") if u.find_spec(m) is None))')
if [ -n "$modules" ]; then
  echo "setup: pip installing $modules" >&2
  # Debian's own Python refuses pip installs (PEP 668) unless told otherwise.
  python3 -m pip install --quiet $modules 2>/dev/null || python3 -m pip install --quiet --break-system-packages $modules
fi
