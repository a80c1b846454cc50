// Adam's step for one parameter, shared by the weight-gradient products' update epilogue
// (gemm.cl), the fused layer kernels (layer_step.cl) and the fused epoch kernel (epoch_small.cl).

// Adam as PyTorch computes it: m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², p ← p − s·m/(√v·c + ε),
// with s = lr/(1 − β₁ᵗ) and c = 1/√(1 − β₂ᵗ) (AdamRule in the CPU backend); the host computes
// 1/(1 − β₁ᵗ) and c for each step in double, as the CPU backend does.
inline void adam_step(REAL *p, REAL *m, REAL *v, const REAL g, const REAL beta1, const REAL beta2,
                      const REAL epsilon, const REAL stepSize, const REAL correction) {
    const REAL mj = beta1 * *m + (1 - beta1) * g;
    const REAL vj = beta2 * *v + (1 - beta2) * g * g;
    *m = mj;
    *v = vj;
    *p -= stepSize * mj / (sqrt(vj) * correction + epsilon);
}

// The parameter `p` (with moments m, v) after one step against gradient `g` at rate `lr`: Adam
// where `adam`, else SGD (whose moments are never touched).
inline void update_parameter(const bool adam, __global REAL *p, __global REAL *m, __global REAL *v,
                             const REAL g, const REAL lr, const REAL beta1, const REAL beta2,
                             const REAL epsilon, const REAL biasCorrection1, const REAL correction2) {
    if (lr == 0) return;   // a stopped student: parameters and moments untouched
    if (!adam) {
        *p -= lr * g;
    } else {
        REAL pj = *p, mj = *m, vj = *v;
        adam_step(&pj, &mj, &vj, g, beta1, beta2, epsilon, lr * biasCorrection1, correction2);
        *p = pj;
        *m = mj;
        *v = vj;
    }
}
