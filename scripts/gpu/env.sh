# Source on the GPU machine, from the package root:   . .gpu/env.sh   (scripts/gpu/pack.sh puts it there)
# Makes NVIDIA's OpenCL driver visible to the ICD loader (the driver ships libnvidia-opencl.so.1
# but the machine lacks /etc/OpenCL/vendors/nvidia.icd), and puts the packed binaries and
# libraries on PATH and LD_LIBRARY_PATH.  PoCL (a CPU OpenCL) stays visible too, so a program
# must pick the GPU device itself rather than take platform 0.
_gpu_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [ ! -e /etc/OpenCL/vendors/nvidia.icd ]; then
  if mkdir -p /etc/OpenCL/vendors 2>/dev/null && echo libnvidia-opencl.so.1 > /etc/OpenCL/vendors/nvidia.icd 2>/dev/null; then :; else
    mkdir -p /tmp/ocl-vendors && echo libnvidia-opencl.so.1 > /tmp/ocl-vendors/nvidia.icd
    for f in /etc/OpenCL/vendors/*.icd; do [ -e "$f" ] && cp "$f" /tmp/ocl-vendors/; done
    export OCL_ICD_VENDORS=/tmp/ocl-vendors
  fi
fi
export LD_LIBRARY_PATH="$_gpu_here/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export PATH="$_gpu_here/bin:$PATH"
unset _gpu_here
