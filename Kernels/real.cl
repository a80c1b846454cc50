// The scalar type of every kernel, chosen per program with -DREAL=float or -DREAL=double.
// The host puts this file first in every program and refuses float64 on a device without
// cl_khr_fp64 before compiling, so the pragma below is only reached where it is legal.
#ifndef REAL
#define REAL float
#endif

#ifdef cl_khr_fp64
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
#endif
