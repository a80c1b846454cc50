// Adam's step for one parameter, shared by the weight-gradient products' update epilogue
// (gemm.cl) and the fused epoch kernel (epoch_small.cl).

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
