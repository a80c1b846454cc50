// The tiles of gemm.cl: how a work-group stages slices of A and B in local memory and multiplies
// them into each work-item's accumulators. Two versions, chosen per program with -DGEMM_VERSION,
// so that the card can compare them (EC_KERNEL_TUNING=gemmVersion=1 or 2):
//
// Version 1, as in Nugteren's "SGEMM in OpenCL" kernels (and CLBlast): a work-group computes a
// TILE_M × TILE_N block of C and stages TILE_K-deep slices of A and B in local memory, loads then
// a barrier then the multiply then a barrier; each work-item keeps WORK_M × WORK_N accumulators
// in registers, its rows strided by THREADS_M (its columns by THREADS_N) so that neighbouring
// work-items read neighbouring local addresses and write neighbouring columns of C.
//
// Version 2, as the fast SIMT kernels are built: a work-item's rows (and columns) are blocks of 4
// neighbours, read from the k-major local tiles as one vector each, so that an 8 × 8 work-item
// makes 4 vector reads per depth instead of 16 scalar ones; and the slices are double-buffered:
// the next slice is fetched from global memory into registers while the current one is
// multiplied, then stored into the other buffer, so one barrier per slice suffices and the
// global loads' latency hides behind the arithmetic. Work per item not a multiple of 4 (the
// halved tiles of small products) keeps the strided scalar layout, still double-buffered.
//
// Either way out-of-range rows, columns and depths load as 0 and are not stored, so any size
// works. The defaults, 64×64×16 with 4×4 per work-item, make 256 work-items and 8 KiB of local
// memory in float (version 1): they fit every GPU and PoCL. The host may raise them per device
// (the GPU notes measured 128×128 with 8×8 per work-item at 24.5 TFLOP/s on an H100), and halves
// tiles and work per item together for products too small to give every compute unit a group.
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
#ifndef GEMM_VERSION
#define GEMM_VERSION 1
#endif

#define THREADS_M (TILE_M / WORK_M)
#define THREADS_N (TILE_N / WORK_N)
#define THREADS (THREADS_M * THREADS_N)

#if TILE_M % WORK_M != 0 || TILE_N % WORK_N != 0
#error "TILE_M and TILE_N must be multiples of WORK_M and WORK_N"
#endif

// The width of a work-item's blocks of rows (VECTOR_M) and columns (VECTOR_N), and the padding of
// a tile's k-rows: one element in version 1, whose tiles are written column-wise from row-major
// operands and read as scalars (TILE + 1 spreads those writes over all banks); four in version 2,
// which keeps every block of 4 aligned for its vector read.
#if GEMM_VERSION == 2 && WORK_M % 4 == 0
#define VECTOR_M 4
#else
#define VECTOR_M 1
#endif
#if GEMM_VERSION == 2 && WORK_N % 4 == 0
#define VECTOR_N 4
#else
#define VECTOR_N 1
#endif
#define PITCH_M (TILE_M + (GEMM_VERSION == 2 ? 4 : 1))
#define PITCH_N (TILE_N + (GEMM_VERSION == 2 ? 4 : 1))
#define BUFFERS GEMM_VERSION   // local tiles per operand: version 2 double-buffers
// Work-item (tm, tn)'s i-th row and j-th column within the tile.
#define ROW_OF(i, tm) (((i) / VECTOR_M * THREADS_M + (tm)) * VECTOR_M + (i) % VECTOR_M)
#define COLUMN_OF(j, tn) (((j) / VECTOR_N * THREADS_N + (tn)) * VECTOR_N + (j) % VECTOR_N)
// Elements of a tile slice each work-item moves, rounded up.
#define LOADS_M ((TILE_M * TILE_K + THREADS - 1) / THREADS)
#define LOADS_N ((TILE_N * TILE_K + THREADS - 1) / THREADS)
#define CONCATENATE(a, b) a##b
#define VECTOR4(type) CONCATENATE(type, 4)

// Element e (0 ..< tileRows · TILE_K) of the slice at depth k0 of an operand, and where it goes in
// its tile (k · pitch + row). `kMajor` says the operand is stored [depth][rows] rather than
// [rows][depth]; consecutive e take consecutive addresses of the source either way. With `order`,
// the operand's stored rows (samples) are read in that order; row `onesRow` (−1: none) is ones.
inline REAL tile_element(const int e, const int tileRows, __global const REAL *source, const int ld,
                         const bool kMajor, const int row0, const int rows, const int k0, const int depth,
                         __global const int *order, const int onesRow) {
    const int row = row0 + (kMajor ? e % tileRows : e / TILE_K), kk = k0 + (kMajor ? e / tileRows : e % TILE_K);
    if (row >= rows || kk >= depth) return 0;
    const int line = kMajor ? kk : row;   // the stored row
    return row == onesRow ? (REAL)1 : source[(order ? order[line] : line) * ld + (kMajor ? row : kk)];
}

inline int tile_slot(const int e, const int tileRows, const bool kMajor, const int pitch) {
    return kMajor ? e / tileRows * pitch + e % tileRows : e % TILE_K * pitch + e / TILE_K;
}

// Work-item t's `count` operands at one depth of a tile (`row`, that depth's k-row): blocks of
// `vector` neighbours, one vector read each when 4, the blocks strided by `threads` blocks.
inline void read_operands(REAL *out, __local const REAL *row, const int count, const int vector,
                          const int threads, const int t) {
    for (int i = 0; i < count; i += vector) {
        __local const REAL *at = row + (i / vector * threads + t) * vector;
        if (vector == 4) {
            const VECTOR4(REAL) v = vload4(0, at);
            out[i] = v.s0, out[i + 1] = v.s1, out[i + 2] = v.s2, out[i + 3] = v.s3;
        } else {
            out[i] = *at;
        }
    }
}

// acc += the slice in tileA, tileB (k-major, TILE_K deep) for work-item (tm, tn).
inline void multiply_slice(REAL acc[WORK_M][WORK_N], __local const REAL *tileA, __local const REAL *tileB,
                           const int tm, const int tn) {
    for (int k = 0; k < TILE_K; k++) {
        REAL a[WORK_M], b[WORK_N];
        read_operands(a, tileA + k * PITCH_M, WORK_M, VECTOR_M, THREADS_M, tm);
        read_operands(b, tileB + k * PITCH_N, WORK_N, VECTOR_N, THREADS_N, tn);
        for (int i = 0; i < WORK_M; i++)
            for (int j = 0; j < WORK_N; j++) acc[i][j] += a[i] * b[j];
    }
}

// acc = op(A)·op(B) over the tile of C at (m0, n0), for work-item (tm, tn) = (local id 1, local
// id 0). op(A)[m, k] is A[k, m] when transposed; op(B)[k, n] is B[n, k] when transposed. The
// work-group may go on to another tile: every slice ends with a barrier.
inline void multiply(REAL acc[WORK_M][WORK_N], const bool transA, const bool transB, const int M, const int N,
                     const int K, __global const REAL *A, const int lda, __global const REAL *B, const int ldb,
                     __global const int *orderA, __global const int *orderB, const int onesColumn,
                     const int m0, const int n0, __local REAL *tileA, __local REAL *tileB) {
    const int tn = get_local_id(0), tm = get_local_id(1), thread = tm * THREADS_N + tn;
    for (int i = 0; i < WORK_M; i++)
        for (int j = 0; j < WORK_N; j++) acc[i][j] = 0;
#if GEMM_VERSION == 2
    REAL nextA[LOADS_M], nextB[LOADS_N];
    for (int k0 = 0, buffer = 0; k0 < K; k0 += TILE_K, buffer ^= 1) {
        if (k0 == 0) {   // the first slice has nothing to hide behind
            for (int e = thread; e < TILE_M * TILE_K; e += THREADS)
                tileA[tile_slot(e, TILE_M, transA, PITCH_M)] = tile_element(e, TILE_M, A, lda, transA, m0, M, 0, K, orderA, -1);
            for (int e = thread; e < TILE_N * TILE_K; e += THREADS)
                tileB[tile_slot(e, TILE_N, !transB, PITCH_N)] = tile_element(e, TILE_N, B, ldb, !transB, n0, N, 0, K, orderB, onesColumn);
            barrier(CLK_LOCAL_MEM_FENCE);
        }
        const bool more = k0 + TILE_K < K;
        if (more) {
            for (int l = 0; l < LOADS_M; l++) {
                const int e = thread + l * THREADS;
                nextA[l] = e < TILE_M * TILE_K ? tile_element(e, TILE_M, A, lda, transA, m0, M, k0 + TILE_K, K, orderA, -1) : 0;
            }
            for (int l = 0; l < LOADS_N; l++) {
                const int e = thread + l * THREADS;
                nextB[l] = e < TILE_N * TILE_K ? tile_element(e, TILE_N, B, ldb, !transB, n0, N, k0 + TILE_K, K, orderB, onesColumn) : 0;
            }
        }
        multiply_slice(acc, tileA + buffer * TILE_K * PITCH_M, tileB + buffer * TILE_K * PITCH_N, tm, tn);
        if (more) {
            // The other buffer was last read in the previous slice, before the barrier that ended it.
            __local REAL *toA = tileA + (buffer ^ 1) * TILE_K * PITCH_M, *toB = tileB + (buffer ^ 1) * TILE_K * PITCH_N;
            for (int l = 0; l < LOADS_M; l++) {
                const int e = thread + l * THREADS;
                if (e < TILE_M * TILE_K) toA[tile_slot(e, TILE_M, transA, PITCH_M)] = nextA[l];
            }
            for (int l = 0; l < LOADS_N; l++) {
                const int e = thread + l * THREADS;
                if (e < TILE_N * TILE_K) toB[tile_slot(e, TILE_N, !transB, PITCH_N)] = nextB[l];
            }
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
#else
    for (int k0 = 0; k0 < K; k0 += TILE_K) {
        for (int e = thread; e < TILE_M * TILE_K; e += THREADS)
            tileA[tile_slot(e, TILE_M, transA, PITCH_M)] = tile_element(e, TILE_M, A, lda, transA, m0, M, k0, K, orderA, -1);
        for (int e = thread; e < TILE_N * TILE_K; e += THREADS)
            tileB[tile_slot(e, TILE_N, !transB, PITCH_N)] = tile_element(e, TILE_N, B, ldb, !transB, n0, N, k0, K, orderB, onesColumn);
        barrier(CLK_LOCAL_MEM_FENCE);
        multiply_slice(acc, tileA, tileB, tm, tn);
        barrier(CLK_LOCAL_MEM_FENCE);
    }
#endif
}
