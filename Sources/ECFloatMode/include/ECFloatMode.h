#ifndef EC_FLOAT_MODE_H
#define EC_FLOAT_MODE_H

// The calling thread's handling of subnormal numbers (FloatMode.c).

/// Makes the calling thread flush subnormal results and operands to zero (x86-64: MXCSR's FTZ and
/// DAZ; arm64: FPCR's FZ) and returns the mode it had, for `ec_float_mode_restore`.
unsigned long ec_float_mode_flush_subnormals(void);

/// Gives the calling thread back a mode returned by `ec_float_mode_flush_subnormals`.
void ec_float_mode_restore(unsigned long mode);

#endif
