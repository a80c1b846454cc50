// Batched, strided matrix products in the three forms training needs, with fused epilogues.
//
//   gemm_nt   C = A·Bᵀ   forward pass     A: activations [M samples, K in], B: weights [N out, K in]
//   gemm_nn   C = A·B    input gradient   A: deltas [M samples, K out],     B: weights [K out, N in]
//   gemm_tn   C = Aᵀ·B   weight gradient  A: deltas [K samples, M out],     B: activations [K samples, N in]
//
// Every operand is row-major with its own offset and leading dimension, and batch b (the third
// NDRange dimension) uses each operand at offset + b·stride. A stride of 0 shares an operand
// across the batch; a stride equal to a student's width walks the students of an activation
// stored sample-major, [samples, students·width], as the CPU backend stores it.
//
// A weight gradient can go straight into the optimiser (UPDATE_*): the parameters it belongs to
// are updated in the epilogue instead of the gradient being stored, and a column of ones
// appended to B (ONES_B) makes the bias gradients, Σ over samples of the deltas, in the same
// product. A minibatch is read straight from the probe set through the epoch's order (GATHER_*).
//
// The tiles, how they are loaded and multiplied: gemm_tiles.cl, built before this file.

// What happens to each result z = (A·B)[m, n] before it is stored (bits of `epilogue`):
#define EPILOGUE_ACCUMULATE 1   // z += C[m, n]                     (the skip term on top of a layer)
#define EPILOGUE_BIAS 2         // z += bias[n]                      (a layer's bias)
#define EPILOGUE_ACTIVATE 4     // C = σ(z), D = σ′(z)               (a hidden layer's forward pass)
#define EPILOGUE_DERIVATIVE 8   // C = z · D[m, n]                   (Δ below = (Δ·W) ⊙ σ′)
// and how the operands are read:
#define GATHER_A 16             // A's row i is row order[i] of its matrix   (a minibatch of the probe set)
#define GATHER_B 32             // B's row k is row order[k] of its matrix
#define ONES_B 64               // op(B) has a last column of ones, whose results z are the bias gradients
// and, for a weight gradient z, the update applied to the parameters C (and bias) it belongs to:
#define UPDATE_ADAM 128         // Adam with the moments M1, M2 addressed as C
#define UPDATE_SGD 256

// The body every form shares; the forms differ only in how A and B are laid out, which the
// kernels below pass as constants so that each compiles to its own specialised loads.
inline void gemm(const bool transA, const bool transB, const int M, const int N, const int K,
                 __global const REAL *A, const int offA, const int lda, const int strideA,
                 __global const REAL *B, const int offB, const int ldb, const int strideB,
                 __global REAL *C, const int offC, const int ldc, const int strideC,
                 __global REAL *bias, const int offBias, const int strideBias,
                 __global REAL *D, const int epilogue,
                 __global const int *order, const int first,
                 __global REAL *M1, __global REAL *M2, __global const REAL *rates, const int rowsPerStudent,
                 const REAL layerScale, const REAL beta1, const REAL beta2, const REAL epsilon,
                 const REAL biasCorrection1, const REAL correction2,
                 __local REAL *tileA, __local REAL *tileB) {
    const int tn = get_local_id(0), tm = get_local_id(1);
    const int n0 = get_group_id(0) * TILE_N, m0 = get_group_id(1) * TILE_M;
    const int batch = get_global_id(2);
    A += offA + batch * strideA;
    B += offB + batch * strideB;
    __global const int *orderA = (epilogue & GATHER_A) ? order + first : 0;
    __global const int *orderB = (epilogue & GATHER_B) ? order + first : 0;
    const int onesColumn = (epilogue & ONES_B) ? N - 1 : -1;

    REAL acc[WORK_M][WORK_N];
    multiply(acc, transA, transB, M, N, K, A, lda, B, ldb, orderA, orderB, onesColumn, m0, n0, tileA, tileB);

    // When updating, C and the bias are tensors of one parameter buffer, and the moments have its
    // layout: each result's index in that buffer addresses its parameter and both moments.
    __global REAL *parameters = C;
    const int cBase = offC + batch * strideC, biasBase = offBias + batch * strideBias;
    const int updates = epilogue & (UPDATE_ADAM | UPDATE_SGD);
    C += cBase;
    D += cBase;
    bias += biasBase;
    for (int i = 0; i < WORK_M; i++) {
        const int m = m0 + ROW_OF(i, tm);
        for (int j = 0; j < WORK_N; j++) {
            const int n = n0 + COLUMN_OF(j, tn);
            if (m >= M || n >= N) continue;
            const int c = m * ldc + n;
            REAL z = acc[i][j];
            if (updates) {
                const int at = n == onesColumn ? biasBase + m : cBase + c;
                update_parameter(updates & UPDATE_ADAM, parameters + at, M1 + at, M2 + at, z,
                                 rates[batch + m / rowsPerStudent] * layerScale,
                                 beta1, beta2, epsilon, biasCorrection1, correction2);
                continue;
            }
            if (epilogue & EPILOGUE_ACCUMULATE) z += C[c];
            if (epilogue & EPILOGUE_BIAS) z += bias[n];
            if (epilogue & EPILOGUE_ACTIVATE) {
                REAL value, derivative;
                activation(z, &value, &derivative);
                C[c] = value;
                D[c] = derivative;
            } else if (epilogue & EPILOGUE_DERIVATIVE) {
                C[c] = z * D[c];
            } else {
                C[c] = z;
            }
        }
    }
}

// The kernels' parameters, in the order the host binds them (GemmKernel.Argument). `bias`, `D`,
// `order` and the update's are only read or written when `epilogue` asks for them; the host binds
// some buffer there otherwise.
#define GEMM_PARAMETERS                                                                          \
    const int M, const int N, const int K,                                                       \
    __global const REAL *A, const int offA, const int lda, const int strideA,                    \
    __global const REAL *B, const int offB, const int ldb, const int strideB,                    \
    __global REAL *C, const int offC, const int ldc, const int strideC,                          \
    __global REAL *bias, const int offBias, const int strideBias,                                \
    __global REAL *D, const int epilogue,                                                        \
    __global const int *order, const int first,                                                  \
    __global REAL *M1, __global REAL *M2, __global const REAL *rates, const int rowsPerStudent,  \
    const REAL layerScale, const REAL beta1, const REAL beta2, const REAL epsilon,               \
    const REAL biasCorrection1, const REAL correction2
#define GEMM_ARGUMENTS M, N, K, A, offA, lda, strideA, B, offB, ldb, strideB, C, offC, ldc, strideC, \
    bias, offBias, strideBias, D, epilogue, order, first, M1, M2, rates, rowsPerStudent, layerScale, \
    beta1, beta2, epsilon, biasCorrection1, correction2

// Local tiles must be declared at kernel scope in OpenCL C, hence in each kernel.
#define GEMM_KERNEL(NAME, TRANS_A, TRANS_B)                                                      \
    __kernel __attribute__((reqd_work_group_size(THREADS_N, THREADS_M, 1)))                      \
    void NAME(GEMM_PARAMETERS) {                                                                 \
        __local REAL tileA[BUFFERS * TILE_K * PITCH_M];                                          \
        __local REAL tileB[BUFFERS * TILE_K * PITCH_N];                                          \
        gemm(TRANS_A, TRANS_B, GEMM_ARGUMENTS, tileA, tileB);                                    \
    }

GEMM_KERNEL(gemm_nt, false, true)
GEMM_KERNEL(gemm_nn, false, false)
GEMM_KERNEL(gemm_tn, true, false)
