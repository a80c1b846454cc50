// c = a + b, elementwise: the smallest kernel that shows a device compiles, runs and moves data
// correctly. The runtime tests run it in both precisions; REAL is set with -DREAL=float or
// -DREAL=double.
#ifdef cl_khr_fp64
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
#endif

#ifndef REAL
#define REAL float
#endif

// The global size is rounded up to a multiple of the work-group size, so guard the tail.
__kernel void vector_add(__global const REAL *a, __global const REAL *b, __global REAL *c,
                         const uint count) {
    const size_t i = get_global_id(0);
    if (i < count) c[i] = a[i] + b[i];
}
