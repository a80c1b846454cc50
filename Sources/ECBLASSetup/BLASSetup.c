// OpenBLAS set up once per process: its kernels and its thread count.
//
// Debian's OpenBLAS is built with DYNAMIC_ARCH: its own constructor picks a kernel set ("core")
// from the CPU's family and model when the library loads, and falls back to Prescott (SSE3) on a
// model it does not know, such as an Intel Xeon newer than the library. The constructor below runs
// after OpenBLAS's (a shared library is initialised before the objects that link it, whatever the
// priority) but before any BLAS call, and switches to the best core the CPU's features support
// through OpenBLAS's own start-up routines. An OPENBLAS_CORETYPE set by the user is left alone.
#define _GNU_SOURCE
#include "ECBLASSetup.h"

#include <dlfcn.h>
#include <stddef.h>
#include <stdlib.h>
#include <strings.h>

#if defined(__x86_64__)
#include <cpuid.h>
#endif

// From OpenBLAS's cblas.h, declared here so that this target needs only the library.
char *openblas_get_corename(void);
void openblas_set_num_threads(int num_threads);

#if defined(__x86_64__)
// The register state (XCR0) the operating system saves across context switches.
static unsigned long long saved_state(void) {
    unsigned eax, edx;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return ((unsigned long long)edx << 32) | eax;
}
#endif

unsigned ec_cpu_features(void) {
    unsigned features = 0;
#if defined(__x86_64__)
    unsigned eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return 0;
    const int osxsave = (ecx >> 27) & 1;
    if (!osxsave) return 0;
    const unsigned long long state = saved_state();
    const int ymm = (state & 0x6) == 0x6;            // SSE and AVX registers
    const int zmm = ymm && (state & 0xe0) == 0xe0;   // opmask and the upper halves of the 32 ZMM registers
    if (!ymm) return 0;
    if ((ecx >> 28) & 1) features |= EC_CPU_AVX;
    if ((ecx >> 12) & 1) features |= EC_CPU_FMA;
    if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return features;
    if ((ebx >> 5) & 1) features |= EC_CPU_AVX2;
    if (zmm) {
        if ((ebx >> 16) & 1) features |= EC_CPU_AVX512F;
        if ((ebx >> 17) & 1) features |= EC_CPU_AVX512DQ;
        if ((ebx >> 28) & 1) features |= EC_CPU_AVX512CD;
        if ((ebx >> 30) & 1) features |= EC_CPU_AVX512BW;
        if ((ebx >> 31) & 1) features |= EC_CPU_AVX512VL;
    }
#endif
    return features;
}

// Kernel generations, each with the OpenBLAS cores written for it; the first core of a
// generation is the one switched to.
static const char *const generations[][4] = {
    {NULL},                                                        // SSE only
    {"Sandybridge", "Bulldozer", "Piledriver", "Steamroller"},     // AVX
    {"Haswell", "Zen", "Excavator", NULL},                         // AVX2 and FMA
    {"SkylakeX", "Cooperlake", "SapphireRapids", NULL},            // AVX-512 F, CD, BW, DQ, VL
};
enum { GENERATIONS = sizeof generations / sizeof generations[0] };

static int generation_of_features(unsigned f) {
    const unsigned avx2 = EC_CPU_AVX | EC_CPU_AVX2 | EC_CPU_FMA;
    const unsigned avx512 = avx2 | EC_CPU_AVX512F | EC_CPU_AVX512CD | EC_CPU_AVX512BW | EC_CPU_AVX512DQ
        | EC_CPU_AVX512VL;
    if ((f & avx512) == avx512) return 3;
    if ((f & avx2) == avx2) return 2;
    return (f & EC_CPU_AVX) ? 1 : 0;
}

static int generation_of_core(const char *core) {
    for (int g = GENERATIONS - 1; g > 0; g--)
        for (int i = 0; i < 4 && generations[g][i]; i++)
            if (core && strcasecmp(core, generations[g][i]) == 0) return g;
    return 0;
}

const char *ec_blas_preferred_core(unsigned features, const char *current) {
    const int wanted = generation_of_features(features);
    return generation_of_core(current) < wanted ? generations[wanted][0] : NULL;
}

const char *ec_blas_core(void) {
    const char *name = openblas_get_corename();
    return name ? name : "unknown";
}

// Switches OpenBLAS to `core` when it was built with DYNAMIC_ARCH (the only builds that export
// these two routines); OpenBLAS reads OPENBLAS_CORETYPE only while it starts.
static void switch_core(const char *core) {
    void (*quit)(void) = (void (*)(void))dlsym(RTLD_DEFAULT, "gotoblas_dynamic_quit");
    void (*init)(void) = (void (*)(void))dlsym(RTLD_DEFAULT, "gotoblas_dynamic_init");
    if (!quit || !init) return;
    setenv("OPENBLAS_CORETYPE", core, 1);
    quit();
    init();
    unsetenv("OPENBLAS_CORETYPE");
}

// One BLAS thread for the whole process: the CPU backend, the polish and the clustering run their
// own workers over students or blocks, and BLAS threads under each would oversubscribe the cores.
__attribute__((constructor)) static void ec_blas_setup(void) {
    const char *chosen = getenv("OPENBLAS_CORETYPE");
    if (!chosen || !*chosen) {
        const char *preferred = ec_blas_preferred_core(ec_cpu_features(), openblas_get_corename());
        if (preferred) switch_core(preferred);
    }
    openblas_set_num_threads(1);
}
