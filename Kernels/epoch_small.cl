// A whole epoch of a bank of small one-hidden-layer students in one launch (the toy workload:
// 20 students of 4-32-1 on 10,000 samples). Launched per minibatch, such a bank is all launch
// overhead: its matrix products are a few microseconds of work each. Here one work-group per
// student loops over every minibatch of the epoch: forward pass, loss, backward pass, parameter
// gradients by sums over the minibatch, and the Adam or SGD update, with the student's
// parameters in local memory and its moments in registers throughout. The results equal the
// general path's (the same formulas, summed in another order).
//
// Compiled per bank: INPUTS, HIDDEN, OUTPUTS; SKIP (1: an affine skip term); CROSS_ENTROPY
// (1: cross-entropy, 0: squared error); ADAM (1: Adam, 0: SGD); GROUP (work-items per group, a
// power of two); CHUNK (samples staged in local memory at a time, chosen by the host to fit);
// PARAMS_PER_ITEM (= ⌈parameters/GROUP⌉, the parameters each work-item owns and updates).
// Needs real.cl, activations.cl, reduce.cl, loss.cl and optimizer.cl before it.

// A student's parameters, in ParameterLayout order: W₀ [HIDDEN, INPUTS], b₀, W₁ [OUTPUTS, HIDDEN],
// b₁, then the skip weight Φ [OUTPUTS, INPUTS].
#define AT_W0 0
#define AT_B0 (HIDDEN * INPUTS)
#define AT_W1 (AT_B0 + HIDDEN)
#define AT_B1 (AT_W1 + OUTPUTS * HIDDEN)
#define AT_SKIP (AT_B1 + OUTPUTS)
#define PARAMETERS (AT_SKIP + SKIP * OUTPUTS * INPUTS)

// Local memory, in REALs from the start of `shared` (the host sizes the argument the same way):
// the parameters, then per staged sample its inputs with a trailing 1, hidden values with a
// trailing 1, hidden deltas and output deltas, then GROUP values for the final loss sum. The
// trailing 1s make every parameter gradient the same kind of sum, Σ_r left[r]·right[r]: a bias
// is a weight on a constant input.
#define X_PITCH (INPUTS + 1)
#define H_PITCH (HIDDEN + 1)
#define AT_X PARAMETERS
#define AT_H (AT_X + CHUNK * X_PITCH)
#define AT_DH (AT_H + CHUNK * H_PITCH)
#define AT_DY (AT_DH + CHUNK * HIDDEN)
#define AT_SCRATCH (AT_DY + CHUNK * OUTPUTS)

// Tensor index (ParameterLayout order) of parameter p, and where the tensor starts.
inline int tensor_of_parameter(const int p) {
    return p < AT_B0 ? 0 : p < AT_W1 ? 1 : p < AT_B1 ? 2 : p < AT_SKIP ? 3 : 4;
}
inline int tensor_start(const int t) {
    return t == 0 ? AT_W0 : t == 1 ? AT_B0 : t == 2 ? AT_W1 : t == 3 ? AT_B1 : AT_SKIP;
}
inline int tensor_size(const int t) {
    return t == 0 ? AT_B0 : t == 1 ? HIDDEN : t == 2 ? OUTPUTS * HIDDEN : t == 3 ? OUTPUTS : OUTPUTS * INPUTS;
}

// Where parameter p of `student` lives in the bank's buffers: tensor after tensor, each
// [students, size], so tensor t starts at students · (its offset within one student).
inline int bank_index(const int p, const int student, const int students) {
    const int t = tensor_of_parameter(p);
    return students * tensor_start(t) + student * tensor_size(t) + (p - tensor_start(t));
}

// The staged rows whose product summed over samples is parameter p's gradient: `left` the
// deltas of its output unit, `right` the values of its input (or the constant 1 of a bias).
inline void gradient_operands(const int p, int *left, int *leftPitch, int *right, int *rightPitch) {
    const int t = tensor_of_parameter(p), e = p - tensor_start(t);
    if (t <= 1) {   // W₀ or b₀: hidden delta × input (or 1)
        *left = AT_DH + (t == 0 ? e / INPUTS : e);
        *leftPitch = HIDDEN;
        *right = AT_X + (t == 0 ? e % INPUTS : INPUTS);
        *rightPitch = X_PITCH;
    } else if (t <= 3) {   // W₁ or b₁: output delta × hidden value (or 1)
        *left = AT_DY + (t == 2 ? e / HIDDEN : e);
        *leftPitch = OUTPUTS;
        *right = AT_H + (t == 2 ? e % HIDDEN : HIDDEN);
        *rightPitch = H_PITCH;
    } else {   // Φ: output delta × input
        *left = AT_DY + e / INPUTS;
        *leftPitch = OUTPUTS;
        *right = AT_X + e % INPUTS;
        *rightPitch = X_PITCH;
    }
}

// Stages samples order[first ..< first + count] and runs the forward pass and the loss on them:
// hidden values and σ′ into AT_H and AT_DH, ∂loss/∂output into AT_DY; returns this work-item's
// share of the summed loss. `scale` turns an output's error into its gradient of the mean.
inline REAL forward_chunk(__local REAL *shared, __global const REAL *inputs,
                          __global const REAL *targets, __global const int *labels,
                          __global const int *order, const int first, const int count,
                          const REAL scale, const int lid) {
    for (int e = lid; e < count * X_PITCH; e += GROUP) {
        const int r = e / X_PITCH, i = e % X_PITCH;
        shared[AT_X + e] = i < INPUTS ? inputs[order[first + r] * INPUTS + i] : (REAL)1;
    }
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int e = lid; e < count * HIDDEN; e += GROUP) {
        const int r = e / HIDDEN, j = e % HIDDEN;
        // Summed before the bias is added, as the matrix product and its epilogue do.
        REAL z = 0;
        for (int i = 0; i < INPUTS; i++) z += shared[AT_W0 + j * INPUTS + i] * shared[AT_X + r * X_PITCH + i];
        REAL value, derivative;
        activation(z + shared[AT_B0 + j], &value, &derivative);
        shared[AT_H + r * H_PITCH + j] = value;
        shared[AT_DH + r * HIDDEN + j] = derivative;
        if (j == 0) shared[AT_H + r * H_PITCH + HIDDEN] = 1;
    }
    barrier(CLK_LOCAL_MEM_FENCE);
    REAL loss = 0;
    for (int r = lid; r < count; r += GROUP) {
        const int sample = order[first + r];
        __local REAL *dy = shared + AT_DY + r * OUTPUTS;
        for (int k = 0; k < OUTPUTS; k++) {
            REAL z = 0;
            for (int j = 0; j < HIDDEN; j++) z += shared[AT_W1 + k * HIDDEN + j] * shared[AT_H + r * H_PITCH + j];
#if SKIP
            REAL s = 0;
            for (int i = 0; i < INPUTS; i++) s += shared[AT_SKIP + k * INPUTS + i] * shared[AT_X + r * X_PITCH + i];
            z += s;
#endif
            z += shared[AT_B1 + k];
#if CROSS_ENTROPY
            dy[k] = z;   // the logit for now; its gradient below
#else
            const REAL diff = z - targets[sample * OUTPUTS + k];
            loss += diff * diff;
            dy[k] = scale * diff;
#endif
        }
#if CROSS_ENTROPY
        REAL top = dy[0];
        for (int k = 1; k < OUTPUTS; k++) top = fmax(top, dy[k]);
        REAL total = 0;
        for (int k = 0; k < OUTPUTS; k++) total += exp(dy[k] - top);
        const int label = labels[sample];
        loss += cross_entropy(top, total, dy[label]);
        for (int k = 0; k < OUTPUTS; k++) dy[k] = cross_entropy_gradient(dy[k], top, total, k == label, scale);
#endif
    }
    barrier(CLK_LOCAL_MEM_FENCE);
    return loss;
}

// Δ_hidden = (Δ_out · W₁) ⊙ σ′ for the staged samples, in place of σ′.
inline void backpropagate_chunk(__local REAL *shared, const int count, const int lid) {
    for (int e = lid; e < count * HIDDEN; e += GROUP) {
        const int r = e / HIDDEN, j = e % HIDDEN;
        REAL back = 0;
        for (int k = 0; k < OUTPUTS; k++) back += shared[AT_DY + r * OUTPUTS + k] * shared[AT_W1 + k * HIDDEN + j];
        shared[AT_DH + e] = back * shared[AT_DH + e];
    }
    barrier(CLK_LOCAL_MEM_FENCE);
}

// A parameter's learning rate is `rates[student]` times `layerScales[tensor]` (0: untouched, a
// stopped student or a frozen layer), as the CPU backend's; `stepCorrections` holds,
// for each minibatch of the epoch, 1/(1 − β₁ᵗ) and 1/√(1 − β₂ᵗ) of its Adam step, computed by the
// host in double. `lossSums[2·student]` is set to the student's summed loss over the epoch and
// `lossSums[2·student + 1]` to 0 (the compensation of loss.cl's running sums).
__kernel __attribute__((reqd_work_group_size(GROUP, 1, 1)))
void epoch_small(__global const REAL *inputs, __global const REAL *targets, __global const int *labels,
                 __global const int *order, const int sampleCount, const int batchSize,
                 __global REAL *parameters, __global REAL *firstMoments, __global REAL *secondMoments,
                 __global const REAL *layerScales, __global const REAL *rates,
                 __global const REAL *stepCorrections, const REAL beta1, const REAL beta2,
                 const REAL epsilon, __global REAL *lossSums, __local REAL *shared) {
    const int student = get_group_id(0), students = get_num_groups(0), lid = get_local_id(0);
    const REAL rate = rates[student];
    // Both uniform over the group, so the barriers they guard are reached by all or none.
    const bool learns = rate != 0;
    const bool hiddenLearns = learns && layerScales[0] != 0;

    REAL gradient[PARAMS_PER_ITEM], m[PARAMS_PER_ITEM], v[PARAMS_PER_ITEM], lr[PARAMS_PER_ITEM];
    int left[PARAMS_PER_ITEM], leftPitch[PARAMS_PER_ITEM], right[PARAMS_PER_ITEM], rightPitch[PARAMS_PER_ITEM];
    for (int q = 0; q < PARAMS_PER_ITEM; q++) {
        const int p = lid + q * GROUP;
        lr[q] = 0;
        if (p >= PARAMETERS) continue;
        const int at = bank_index(p, student, students);
        shared[p] = parameters[at];
#if ADAM
        m[q] = firstMoments[at];
        v[q] = secondMoments[at];
#endif
        lr[q] = rate * layerScales[tensor_of_parameter(p)];
        gradient_operands(p, &left[q], &leftPitch[q], &right[q], &rightPitch[q]);
    }

    REAL loss = 0, lost = 0;   // this work-item's share, compensated
    const int batches = (sampleCount + batchSize - 1) / batchSize;
    for (int b = 0; b < batches; b++) {
        const int first = b * batchSize;
        const int rows = min(batchSize, sampleCount - first);
        const REAL scale = CROSS_ENTROPY ? (REAL)1 / (REAL)rows : (REAL)2 / (REAL)(rows * OUTPUTS);
        for (int q = 0; q < PARAMS_PER_ITEM; q++) gradient[q] = 0;
        for (int c0 = 0; c0 < rows; c0 += CHUNK) {
            const int count = min(CHUNK, rows - c0);
            // The first barrier inside also makes the previous minibatch's update visible.
            compensated_add(&loss, &lost, forward_chunk(shared, inputs, targets, labels, order, first + c0, count, scale, lid));
            if (!learns) continue;
            if (hiddenLearns) backpropagate_chunk(shared, count, lid);
            for (int q = 0; q < PARAMS_PER_ITEM; q++) {
                if (lr[q] == 0) continue;
                REAL g = gradient[q];
                for (int r = 0; r < count; r++) g += shared[left[q] + r * leftPitch[q]] * shared[right[q] + r * rightPitch[q]];
                gradient[q] = g;
            }
            barrier(CLK_LOCAL_MEM_FENCE);   // the next chunk overwrites what was just read
        }
        if (!learns) continue;
        const REAL biasCorrection1 = stepCorrections[2 * b], correction2 = stepCorrections[2 * b + 1];
        for (int q = 0; q < PARAMS_PER_ITEM; q++) {
            if (lr[q] == 0) continue;
            const int p = lid + q * GROUP;
#if ADAM
            REAL value = shared[p];
            adam_step(&value, &m[q], &v[q], gradient[q], beta1, beta2, epsilon, lr[q] * biasCorrection1, correction2);
            shared[p] = value;
#else
            shared[p] -= lr[q] * gradient[q];
#endif
        }
    }

    for (int q = 0; q < PARAMS_PER_ITEM; q++) {
        const int p = lid + q * GROUP;
        if (p >= PARAMETERS || lr[q] == 0) continue;
        const int at = bank_index(p, student, students);
        parameters[at] = shared[p];
#if ADAM
        firstMoments[at] = m[q];
        secondMoments[at] = v[q];
#endif
    }
    const REAL total = group_sum(loss - lost, shared + AT_SCRATCH, lid, GROUP);
    if (lid == 0) {
        lossSums[2 * student] = total;
        lossSums[2 * student + 1] = 0;
    }
}
