// σ(z) and σ′(z) of the hidden layers. The activation is chosen per program with
// -DACTIVATION=ACTIVATION_<NAME>, so that each kernel has one formula inlined and no switch.
//
// The formulas are those of ECCore's ActivationFunction: branch-free (both sides of each
// select are computed, so the compiler emits selects, not divergent branches) and tail-safe
// (exp only of −|z|, so nothing overflows and σ′ does not cancel to 0 in the tails), written
// with OpenCL's built-in exp, expm1, log1p and erf.
#define ACTIVATION_RELU 1
#define ACTIVATION_LEAKY_RELU 2
#define ACTIVATION_TANH 3
#define ACTIVATION_SIGMOID 4
#define ACTIVATION_SOFTPLUS 5
#define ACTIVATION_GELU 6
#define ACTIVATION_SILU 7
#define ACTIVATION_G 8
#define ACTIVATION_IDENTITY 9

#ifndef ACTIVATION
#define ACTIVATION ACTIVATION_IDENTITY
#endif

// PyTorch's default negative slope, as Activation.leakySlope.
#define LEAKY_SLOPE ((REAL)0.01)

inline void activation(const REAL z, REAL *value, REAL *derivative) {
#if ACTIVATION == ACTIVATION_RELU
    *value = z > 0 ? z : (REAL)0;
    *derivative = z > 0 ? (REAL)1 : (REAL)0;
#elif ACTIVATION == ACTIVATION_LEAKY_RELU
    *value = z > 0 ? z : LEAKY_SLOPE * z;
    *derivative = z > 0 ? (REAL)1 : LEAKY_SLOPE;
#elif ACTIVATION == ACTIVATION_TANH
    // tanh|z| = −e/(e + 2) with e = expm1(−2|z|) in (−1, 0]: accurate near 0, exactly ±1 far out.
    const REAL e = expm1((REAL)-2 * fabs(z));
    const REAL t = -e / (e + 2);
    *value = z < 0 ? -t : t;
    *derivative = 1 - t * t;
#elif ACTIVATION == ACTIVATION_SIGMOID
    // σ(1 − σ) = e·s² with e = exp(−|z|), s = 1/(1 + e).
    const REAL e = exp(-fabs(z));
    const REAL s = 1 / (1 + e);
    const REAL es = e * s;
    *value = z >= 0 ? s : es;
    *derivative = es * s;
#elif ACTIVATION == ACTIVATION_SOFTPLUS
    const REAL e = exp(-fabs(z));
    const REAL s = 1 / (1 + e);
    const REAL es = e * s;
    *value = fmax(z, (REAL)0) + log1p(e);
    *derivative = z >= 0 ? s : es;
#elif ACTIVATION == ACTIVATION_GELU
    const REAL phi = (REAL)0.5 * (1 + erf(z * (REAL)0.70710678118654752440));
    const REAL density = exp((REAL)-0.5 * z * z) * (REAL)0.39894228040143267794;
    *value = z * phi;
    *derivative = phi + z * density;
#elif ACTIVATION == ACTIVATION_SILU
    const REAL e = exp(-fabs(z));
    const REAL s1 = 1 / (1 + e);
    const REAL s = z >= 0 ? s1 : e * s1;
    *value = z * s;
    *derivative = s + z * s * (1 - s);
#elif ACTIVATION == ACTIVATION_G
    // g(z) = sigmoid(4z) + softplus(z); one exponential serves both terms: exp(−4|z|) = e⁴.
    const REAL e = exp(-fabs(z));
    const REAL e2 = e * e;
    const REAL e4 = e2 * e2;
    const REAL s = 1 / (1 + e);
    const REAL es = e * s;
    const REAL s4 = 1 / (1 + e4);
    const REAL e4s4 = e4 * s4;
    const REAL sig = z >= 0 ? s : es;
    const REAL sig4 = z >= 0 ? s4 : e4s4;
    *value = sig4 + fmax(z, (REAL)0) + log1p(e);
    *derivative = 4 * e4s4 * s4 + sig;
#elif ACTIVATION == ACTIVATION_IDENTITY
    *value = z;
    *derivative = 1;
#else
#error "ACTIVATION must be one of the ACTIVATION_* constants"
#endif
}
