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
// Tiling as in Nugteren's "SGEMM in OpenCL" kernels (and CLBlast): a work-group computes a
// TILE_M × TILE_N block of C and stages TILE_K-deep slices of A and B in local memory; each
// work-item keeps WORK_M × WORK_N accumulators in registers. A work-item's rows are strided by
// THREADS_M (its columns by THREADS_N) rather than contiguous, so that neighbouring work-items
// read neighbouring local addresses (no bank conflicts) and write neighbouring columns of C
// (coalesced). Out-of-range rows, columns and depths load as 0 and are not stored, so any size
// works. The defaults, 64×64×16 with 4×4 per work-item, make 256 work-items and 8 KiB of local
// memory in float: they fit every GPU and PoCL. The host may raise them per device (the GPU
// notes measured 128×128 with 8×8 per work-item at 24.5 TFLOP/s on an H100), and halves tiles
// and work per item together for products too small to give every compute unit a work-group.
#ifndef TILE_M
#define TILE_M 64
#endif
#ifndef TILE_N
#define TILE_N 64
#endif
#ifndef TILE_K
#define TILE_K 16
#endif
#ifndef WORK_M
#define WORK_M 4
#endif
#ifndef WORK_N
#define WORK_N 4
#endif

#define THREADS_M (TILE_M / WORK_M)
#define THREADS_N (TILE_N / WORK_N)
#define THREADS (THREADS_M * THREADS_N)
// One column of padding per k-row of a tile: a tile loaded from a row-major operand is written
// column-wise, and a pitch of TILE + 1 spreads those writes over all banks.
#define PITCH_M (TILE_M + 1)
#define PITCH_N (TILE_N + 1)

#if TILE_M % WORK_M != 0 || TILE_N % WORK_N != 0
#error "TILE_M and TILE_N must be multiples of WORK_M and WORK_N"
#endif

// What happens to each result z = (A·B)[m, n] before it is stored (bits of `epilogue`):
#define EPILOGUE_ACCUMULATE 1   // z += C[m, n]                     (the skip term on top of a layer)
#define EPILOGUE_BIAS 2         // z += bias[n]                      (a layer's bias)
#define EPILOGUE_ACTIVATE 4     // C = σ(z), D = σ′(z)               (a hidden layer's forward pass)
#define EPILOGUE_DERIVATIVE 8   // C = z · D[m, n]                   (Δ below = (Δ·W) ⊙ σ′)

// Copies rows row0 ..< row0 + TILE_ROWS, depths k0 ..< k0 + TILE_K of an operand into
// tile[k · (TILE_ROWS + 1) + row]. `kMajor` says the operand is stored [depth][rows] rather than
// [rows][depth]; consecutive work-items take consecutive addresses of the source either way.
inline void load_tile(__local REAL *tile, const int tileRows, __global const REAL *source,
                      const int ld, const bool kMajor, const int row0, const int rows,
                      const int k0, const int depth, const int thread) {
    for (int e = thread; e < tileRows * TILE_K; e += THREADS) {
        const int r = kMajor ? e % tileRows : e / TILE_K;
        const int k = kMajor ? e / tileRows : e % TILE_K;
        const int row = row0 + r, kk = k0 + k;
        REAL value = 0;
        if (row < rows && kk < depth) value = kMajor ? source[kk * ld + row] : source[row * ld + kk];
        tile[k * (tileRows + 1) + r] = value;
    }
}

// The body every form shares; the forms differ only in how A and B are laid out, which the
// kernels below pass as constants so that each compiles to its own specialised loads.
inline void gemm(const bool transA, const bool transB, const int M, const int N, const int K,
                 __global const REAL *A, const int offA, const int lda, const int strideA,
                 __global const REAL *B, const int offB, const int ldb, const int strideB,
                 __global REAL *C, const int offC, const int ldc, const int strideC,
                 __global const REAL *bias, const int offBias, const int strideBias,
                 __global REAL *D, const int epilogue,
                 __local REAL *tileA, __local REAL *tileB) {
    const int tn = get_local_id(0), tm = get_local_id(1);
    const int thread = tm * THREADS_N + tn;
    const int n0 = get_group_id(0) * TILE_N, m0 = get_group_id(1) * TILE_M;
    const int batch = get_global_id(2);
    A += offA + batch * strideA;
    B += offB + batch * strideB;

    REAL acc[WORK_M][WORK_N];
    for (int i = 0; i < WORK_M; i++)
        for (int j = 0; j < WORK_N; j++) acc[i][j] = 0;

    for (int k0 = 0; k0 < K; k0 += TILE_K) {
        // op(A)[m, k] is A[k, m] when transposed; op(B)[k, n] is B[n, k] when transposed.
        load_tile(tileA, TILE_M, A, lda, transA, m0, M, k0, K, thread);
        load_tile(tileB, TILE_N, B, ldb, !transB, n0, N, k0, K, thread);
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int k = 0; k < TILE_K; k++) {
            REAL a[WORK_M], b[WORK_N];
            for (int i = 0; i < WORK_M; i++) a[i] = tileA[k * PITCH_M + tm + i * THREADS_M];
            for (int j = 0; j < WORK_N; j++) b[j] = tileB[k * PITCH_N + tn + j * THREADS_N];
            for (int i = 0; i < WORK_M; i++)
                for (int j = 0; j < WORK_N; j++) acc[i][j] += a[i] * b[j];
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }

    C += offC + batch * strideC;
    D += offC + batch * strideC;
    bias += offBias + batch * strideBias;
    for (int i = 0; i < WORK_M; i++) {
        const int m = m0 + tm + i * THREADS_M;
        for (int j = 0; j < WORK_N; j++) {
            const int n = n0 + tn + j * THREADS_N;
            if (m >= M || n >= N) continue;
            const int c = m * ldc + n;
            REAL z = acc[i][j];
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

// The kernels' parameters, in the order the host binds them. `bias` and `D` are only read or
// written when the epilogue asks for them; the host binds some buffer there otherwise.
#define GEMM_PARAMETERS                                                                          \
    const int M, const int N, const int K,                                                       \
    __global const REAL *A, const int offA, const int lda, const int strideA,                    \
    __global const REAL *B, const int offB, const int ldb, const int strideB,                    \
    __global REAL *C, const int offC, const int ldc, const int strideC,                          \
    __global const REAL *bias, const int offBias, const int strideBias,                          \
    __global REAL *D, const int epilogue
#define GEMM_ARGUMENTS M, N, K, A, offA, lda, strideA, B, offB, ldb, strideB, C, offC, ldc, strideC, \
    bias, offBias, strideBias, D, epilogue

// Local tiles must be declared at kernel scope in OpenCL C, hence in each kernel.
#define GEMM_KERNEL(NAME, TRANS_A, TRANS_B)                                                      \
    __kernel __attribute__((reqd_work_group_size(THREADS_N, THREADS_M, 1)))                      \
    void NAME(GEMM_PARAMETERS) {                                                                 \
        __local REAL tileA[TILE_K * PITCH_M];                                                    \
        __local REAL tileB[TILE_K * PITCH_N];                                                    \
        gemm(TRANS_A, TRANS_B, GEMM_ARGUMENTS, tileA, tileB);                                    \
    }

GEMM_KERNEL(gemm_nt, false, true)
GEMM_KERNEL(gemm_nn, false, false)
GEMM_KERNEL(gemm_tn, true, false)
