// OpenCL 1.2 entry points are what every driver (NVIDIA, PoCL, ROCm) still exposes; the
// deprecated ones we need (clCreateCommandQueue) stay callable under this target version.
#define CL_TARGET_OPENCL_VERSION 120
#include <CL/cl.h>
