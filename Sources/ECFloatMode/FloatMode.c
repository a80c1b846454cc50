// Subnormal numbers are handled by microcode on x86 CPUs, far slower than normal operations.
// Students' dead neurons drive float32 activations and their derivatives into that range (e^(4z)
// below 2^-126), so that epochs slow down as training goes on (Benchmarks/RESULTS.md).
#include "ECFloatMode.h"

#if defined(__x86_64__)
#include <xmmintrin.h>
enum { flush_bits = 0x8040 };   // FTZ (bit 15) and DAZ (bit 6)
#endif

unsigned long ec_float_mode_flush_subnormals(void) {
#if defined(__x86_64__)
    unsigned mode = _mm_getcsr();
    _mm_setcsr(mode | flush_bits);
    return mode;
#elif defined(__aarch64__)
    unsigned long mode;
    __asm__ volatile("mrs %0, fpcr" : "=r"(mode));
    __asm__ volatile("msr fpcr, %0" : : "r"(mode | (1UL << 24)));
    return mode;
#else
    return 0;
#endif
}

void ec_float_mode_restore(unsigned long mode) {
#if defined(__x86_64__)
    _mm_setcsr((unsigned)mode);
#elif defined(__aarch64__)
    __asm__ volatile("msr fpcr, %0" : : "r"(mode));
#else
    (void)mode;
#endif
}
