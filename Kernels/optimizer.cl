// Parameter updates after a minibatch, over all parameters of all students in one launch.
//
// The parameters live in one buffer, tensor after tensor in ParameterLayout order, each tensor
// [students, per-student count]; the gradients and moments follow the same layout. Tensor t
// occupies [tensorStarts[t], tensorStarts[t + 1]) with tensorSizes[t] values per student, so an
// element's student and layer follow from its index, and its learning rate is
// rates[student] · layerScales[t]. A rate of 0 (a stopped student, a frozen layer) leaves the
// parameter and its moments untouched, and its gradient is not even read.

// The tensor that element `i` belongs to (there are a handful, so a linear scan is cheapest).
inline int tensor_of(const int i, __global const int *tensorStarts, const int tensorCount) {
    int t = 0;
    while (t + 1 < tensorCount && i >= tensorStarts[t + 1]) t++;
    return t;
}

inline REAL learning_rate_of(const int i, __global const int *tensorStarts,
                             __global const int *tensorSizes, __global const REAL *layerScales,
                             const int tensorCount, __global const REAL *rates) {
    const int t = tensor_of(i, tensorStarts, tensorCount);
    return rates[(i - tensorStarts[t]) / tensorSizes[t]] * layerScales[t];
}

// Adam as PyTorch computes it: m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², p ← p − s·m/(√v·c + ε),
// with s = lr/(1 − β₁ᵗ) and c = 1/√(1 − β₂ᵗ) (AdamRule in the CPU backend).
inline void adam_step(REAL *p, REAL *m, REAL *v, const REAL g, const REAL beta1, const REAL beta2,
                      const REAL epsilon, const REAL stepSize, const REAL correction) {
    const REAL mj = beta1 * *m + (1 - beta1) * g;
    const REAL vj = beta2 * *v + (1 - beta2) * g * g;
    *m = mj;
    *v = vj;
    *p -= stepSize * mj / (sqrt(vj) * correction + epsilon);
}

// `biasCorrection1` = 1/(1 − β₁ᵗ) and `correction2` = 1/√(1 − β₂ᵗ) for this step, computed by
// the host in double as the CPU backend does.
__kernel void adam_update(__global REAL *parameters, __global const REAL *gradients,
                          __global REAL *firstMoments, __global REAL *secondMoments, const int count,
                          __global const int *tensorStarts, __global const int *tensorSizes,
                          __global const REAL *layerScales, const int tensorCount,
                          __global const REAL *rates, const REAL beta1, const REAL beta2,
                          const REAL epsilon, const REAL biasCorrection1, const REAL correction2) {
    const int i = get_global_id(0);
    if (i >= count) return;
    const REAL lr = learning_rate_of(i, tensorStarts, tensorSizes, layerScales, tensorCount, rates);
    if (lr == 0) return;
    REAL p = parameters[i], m = firstMoments[i], v = secondMoments[i];
    adam_step(&p, &m, &v, gradients[i], beta1, beta2, epsilon, lr * biasCorrection1, correction2);
    parameters[i] = p;
    firstMoments[i] = m;
    secondMoments[i] = v;
}

__kernel void sgd_update(__global REAL *parameters, __global const REAL *gradients, const int count,
                         __global const int *tensorStarts, __global const int *tensorSizes,
                         __global const REAL *layerScales, const int tensorCount,
                         __global const REAL *rates) {
    const int i = get_global_id(0);
    if (i >= count) return;
    const REAL lr = learning_rate_of(i, tensorStarts, tensorSizes, layerScales, tensorCount, rates);
    if (lr != 0) parameters[i] -= lr * gradients[i];
}
