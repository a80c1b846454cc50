// A layer's share of a minibatch step in one launch, one work-group per student (issue 28), for
// layers small enough that one work-group does a student's whole layer:
//
//   hidden_layer_step  the delta into the layer below, (Δ·W) ⊙ σ′, then the layer's weight and
//                      bias gradients, each summed over the minibatch and applied by Adam or SGD;
//                      both products in gemm_tiles.cl's tiles
//   output_layer_step  the output layer's forward product (with the skip term's), the loss and
//                      its gradient, then as hidden_layer_step the delta below and the update,
//                      and the skip term's update; in plain loops, as the layer is at most 16 wide
//
// A split over work-groups would need a global sync twice: the gradient of a weight sums over
// every row of the minibatch, and the delta into the layer below must read every weight before
// any is updated (the general path's order, and the CPU's). Within one student's work-group a
// barrier is that sync. Every sum runs in a fixed order, so results are the same on every run.
//
// Layouts as in gemm.cl: activations and deltas sample-major, [rows, students·width]; a layer's
// weights W [students, width, inputWidth] and biases [students, width] in the parameter buffer,
// whose moments share its indices. Needs real.cl, reduce.cl, loss.cl, optimizer.cl and
// gemm_tiles.cl before it.
#ifndef LAYER_GROUP
#define LAYER_GROUP 256
#endif

// Bits of `flags`:
#define LAYER_TRAIN 1        // the loss's gradient and the backward step, not the loss alone
#define LAYER_SKIP 2         // an affine skip term Φ [students, width, probe set's inputs] adds Φ·x
#define LAYER_PROPAGATE 4    // the delta into the layer below (some layer below trains)
#define LAYER_ADAM 8         // Adam, else SGD

// The optimiser's settings, and the corrections of this step (optimizer.cl).
#define UPDATE_PARAMETERS                                                                     \
    __global REAL *M1, __global REAL *M2, __global const REAL *rates, const REAL layerScale,  \
    const REAL beta1, const REAL beta2, const REAL epsilon, const REAL biasCorrection1,       \
    const REAL correction2

// Row r of the student's input to the layer: its stored row, or sample order[r] of the probe set.
inline __global const REAL *input_row(__global const REAL *inputs, const int pitch, const int stride,
                                      __global const int *order, const int r, const int student) {
    return inputs + (order ? order[r] : r) * pitch + student * stride;
}

// Each weight of student `student`'s layer (W at `offW`, with biases at `offB` unless it is -1)
// updated at rate `lr` against its gradient, Σ over rows of Δ times the input (or 1).
inline void update_layer(__global const REAL *inputs, const int inputPitch, const int inputStride,
                         __global const int *order, __global REAL *parameters, const int offW, const int offB,
                         __global const REAL *deltas, const int rows, const int inputWidth, const int width,
                         const int student, const int students, const int lid, const int adam, const REAL lr,
                         __global REAL *M1, __global REAL *M2, const REAL beta1, const REAL beta2, const REAL epsilon,
                         const REAL biasCorrection1, const REAL correction2) {
    if (lr == 0) return;   // a stopped student or a frozen layer
    const int pitch = students * width, columns = inputWidth + (offB < 0 ? 0 : 1);
    for (int p = lid; p < width * columns; p += LAYER_GROUP) {
        const int k = p / columns, j = p % columns;
        __global const REAL *delta = deltas + student * width + k;
        REAL g = 0;
        if (j < inputWidth) {
            for (int r = 0; r < rows; r++) g += delta[r * pitch] * input_row(inputs, inputPitch, inputStride, order, r, student)[j];
        } else {
            for (int r = 0; r < rows; r++) g += delta[r * pitch];
        }
        const int at = j < inputWidth ? offW + student * width * inputWidth + k * inputWidth + j : offB + student * width + k;
        update_parameter(adam, parameters + at, M1 + at, M2 + at, g, lr, beta1, beta2, epsilon, biasCorrection1, correction2);
    }
}

// The backward step of student `student`'s layer once its deltas are in place: the delta into the
// layer below (`below` = (Δ·W) ⊙ `derivatives`) when LAYER_PROPAGATE, then the layer's update.
inline void layer_backward(__global const REAL *inputs, const int inputPitch, const int inputStride,
                           __global const int *order, __global REAL *parameters, const int offW, const int offB,
                           __global const REAL *deltas, __global REAL *below, __global const REAL *derivatives,
                           const int rows, const int inputWidth, const int width, const int flags,
                           const int student, const int students, const int lid, UPDATE_PARAMETERS) {
    const int pitch = students * width, belowPitch = students * inputWidth;
    __global const REAL *W = parameters + offW + student * width * inputWidth;
    if (flags & LAYER_PROPAGATE) {
        for (int e = lid; e < rows * inputWidth; e += LAYER_GROUP) {
            const int r = e / inputWidth, j = e % inputWidth;
            __global const REAL *delta = deltas + r * pitch + student * width;
            REAL z = 0;
            for (int k = 0; k < width; k++) z += delta[k] * W[k * inputWidth + j];
            const int at = r * belowPitch + student * inputWidth + j;
            below[at] = z * derivatives[at];
        }
    }
    // Every work-item's reads of W above come before any update below.
    barrier(CLK_GLOBAL_MEM_FENCE);
    update_layer(inputs, inputPitch, inputStride, order, parameters, offW, offB, deltas, rows, inputWidth, width,
                 student, students, lid, flags & LAYER_ADAM, rates[student] * layerScale, M1, M2, beta1, beta2, epsilon,
                 biasCorrection1, correction2);
}

// The output layer (dimension 0: students): outputs = input·Wᵀ (+ x·Φᵀ with LAYER_SKIP, x the
// probe set's inputs, Φ at `offSkip`) + b, the loss added to `lossSums` as loss_and_gradient adds
// it, and when LAYER_TRAIN the output deltas, `layer_backward` and Φ's update at `skipScale`.
// The input is the layer below's values, or with `gather` the probe set's rows through the order
// (a network without hidden layers).
__kernel __attribute__((reqd_work_group_size(LAYER_GROUP, 1, 1)))
void output_layer_step(__global const REAL *inputs, const int inputPitch, const int inputStride, const int gather,
                       __global const int *order, const int first,
                       __global REAL *parameters, const int offW, const int offB,
                       __global REAL *outputs, __global const REAL *targets, __global const int *labels,
                       __global REAL *deltas, __global REAL *lossSums,
                       const int rows, const int inputWidth, const int width, const int loss, const int flags,
                       __global REAL *below, __global const REAL *derivatives,
                       __global const REAL *samples, const int sampleWidth, const int offSkip, const REAL skipScale,
                       UPDATE_PARAMETERS) {
    __local REAL scratch[LAYER_GROUP];
    const int student = get_group_id(0), students = get_num_groups(0), lid = get_local_id(0);
    const int pitch = students * width;
    __global const int *rowOrder = gather ? order + first : 0, *sampleOrder = order + first;
    __global const REAL *W = parameters + offW + student * width * inputWidth;
    __global const REAL *skip = parameters + offSkip + student * width * sampleWidth;
    for (int e = lid; e < rows * width; e += LAYER_GROUP) {
        const int r = e / width, k = e % width;
        __global const REAL *x = input_row(inputs, inputPitch, inputStride, rowOrder, r, student);
        // Summed before the skip term and the bias are added, as the matrix products and their epilogues do.
        REAL z = 0;
        for (int j = 0; j < inputWidth; j++) z += W[k * inputWidth + j] * x[j];
        if (flags & LAYER_SKIP) {
            __global const REAL *input = samples + sampleOrder[r] * sampleWidth;
            REAL s = 0;
            for (int i = 0; i < sampleWidth; i++) s += skip[k * sampleWidth + i] * input[i];
            z += s;
        }
        outputs[r * pitch + student * width + k] = z + parameters[offB + student * width + k];
    }
    barrier(CLK_GLOBAL_MEM_FENCE);
    const int train = flags & LAYER_TRAIN;
    const REAL sum = student_loss(outputs, targets, labels, order, first, deltas, rows, width, loss, train,
                                  student, students, lid, LAYER_GROUP);
    add_student_loss(sum, lossSums, student, scratch, lid, LAYER_GROUP);
    if (!train) return;
    barrier(CLK_GLOBAL_MEM_FENCE);   // the deltas, written by other work-items
    layer_backward(inputs, inputPitch, inputStride, rowOrder, parameters, offW, offB, deltas, below, derivatives,
                   rows, inputWidth, width, flags, student, students, lid,
                   M1, M2, rates, layerScale, beta1, beta2, epsilon, biasCorrection1, correction2);
    if (flags & LAYER_SKIP)
        update_layer(samples, sampleWidth, 0, sampleOrder, parameters, offSkip, -1, deltas, rows, sampleWidth, width,
                     student, students, lid, flags & LAYER_ADAM, rates[student] * skipScale, M1, M2, beta1, beta2, epsilon,
                     biasCorrection1, correction2);
}

// A hidden layer above the first, whose deltas the layer above has written: one work-group of
// gemm_tiles.cl's shape per student (group dimension 0), walking the tiles of its two products,
// the delta below [rows, inputWidth] and the gradient [width, inputWidth + 1] (the last column
// from a column of ones: the bias's), as the matrix products would.
__kernel __attribute__((reqd_work_group_size(THREADS_N, THREADS_M, 1)))
void hidden_layer_step(__global const REAL *inputs, __global REAL *parameters, const int offW, const int offB,
                       __global const REAL *deltas, __global REAL *below, __global const REAL *derivatives,
                       const int rows, const int inputWidth, const int width, const int flags, UPDATE_PARAMETERS) {
    __local REAL tileA[BUFFERS * TILE_K * PITCH_M];
    __local REAL tileB[BUFFERS * TILE_K * PITCH_N];
    const int student = get_group_id(0), students = get_num_groups(0);
    const int tn = get_local_id(0), tm = get_local_id(1);
    __global const REAL *delta = deltas + student * width, *x = inputs + student * inputWidth;
    const int atW = offW + student * width * inputWidth, atB = offB + student * width;
    REAL acc[WORK_M][WORK_N];
    if (flags & LAYER_PROPAGATE) {
        for (int m0 = 0; m0 < rows; m0 += TILE_M)
            for (int n0 = 0; n0 < inputWidth; n0 += TILE_N) {
                multiply(acc, false, false, rows, inputWidth, width, delta, students * width, parameters + atW, inputWidth,
                         0, 0, -1, m0, n0, tileA, tileB);
                for (int i = 0; i < WORK_M; i++)
                    for (int j = 0; j < WORK_N; j++) {
                        const int r = m0 + ROW_OF(i, tm), c = n0 + COLUMN_OF(j, tn);
                        const int at = r * students * inputWidth + student * inputWidth + c;
                        if (r < rows && c < inputWidth) below[at] = acc[i][j] * derivatives[at];
                    }
            }
    }
    // Every work-item's reads of W above come before any update below.
    barrier(CLK_GLOBAL_MEM_FENCE);
    const REAL lr = rates[student] * layerScale;
    if (lr == 0) return;   // a stopped student or a frozen layer
    for (int m0 = 0; m0 < width; m0 += TILE_M)
        for (int n0 = 0; n0 <= inputWidth; n0 += TILE_N) {
            multiply(acc, true, false, width, inputWidth + 1, rows, delta, students * width, x, students * inputWidth,
                     0, 0, inputWidth, m0, n0, tileA, tileB);
            for (int i = 0; i < WORK_M; i++)
                for (int j = 0; j < WORK_N; j++) {
                    const int k = m0 + ROW_OF(i, tm), c = n0 + COLUMN_OF(j, tn);
                    if (k >= width || c > inputWidth) continue;
                    const int at = c == inputWidth ? atB + k : atW + k * inputWidth + c;
                    update_parameter(flags & LAYER_ADAM, parameters + at, M1 + at, M2 + at, acc[i][j], lr, beta1, beta2,
                                     epsilon, biasCorrection1, correction2);
                }
        }
}
