#ifndef EC_BLAS_SETUP_H
#define EC_BLAS_SETUP_H

// OpenBLAS set up once per process, before any Swift code runs (BLASSetup.c): the best kernels the
// CPU supports, and one BLAS thread.

/// CPU features that decide OpenBLAS's kernels, each set only when the operating system also
/// saves the registers it needs.
enum {
    EC_CPU_AVX = 1 << 0,
    EC_CPU_AVX2 = 1 << 1,
    EC_CPU_FMA = 1 << 2,
    EC_CPU_AVX512F = 1 << 3,
    EC_CPU_AVX512CD = 1 << 4,
    EC_CPU_AVX512BW = 1 << 5,
    EC_CPU_AVX512DQ = 1 << 6,
    EC_CPU_AVX512VL = 1 << 7,
};

/// This CPU's EC_CPU_* features (0 on other architectures than x86-64).
unsigned ec_cpu_features(void);

/// The OpenBLAS core (an OPENBLAS_CORETYPE name) to switch to on a CPU with `features` when
/// OpenBLAS chose `current`; NULL to keep `current`, which is then as good as the features allow.
const char *ec_blas_preferred_core(unsigned features, const char *current);

/// The name of the core OpenBLAS runs on ("SkylakeX", "Haswell", ...).
const char *ec_blas_core(void);

#endif
