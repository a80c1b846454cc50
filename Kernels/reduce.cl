// Sums over work-items and over matrix rows, in a fixed order so that results are the same on
// every run (no atomics).

// Sums `value` over the work-group (of power-of-two size `size`, work-item `lid`) by halving in
// local memory; every work-item gets the total. `scratch` holds `size` elements.
inline REAL group_sum(REAL value, __local REAL *scratch, const int lid, const int size) {
    scratch[lid] = value;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int span = size / 2; span > 0; span /= 2) {
        if (lid < span) scratch[lid] += scratch[lid + span];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    const REAL total = scratch[0];
    barrier(CLK_LOCAL_MEM_FENCE);   // scratch may be reused as soon as everyone has read it
    return total;
}

// Adds `x` to the running sum `*sum` with Kahan's compensation `*lost` (the low-order part the
// sum has dropped, negated), so that an epoch's thousands of minibatch losses add up in float32
// as accurately as the CPU backend's double sum, and both feed the plateau schedule one number.
inline void compensated_add(REAL *sum, REAL *lost, const REAL x) {
    const REAL y = x - *lost;
    const REAL t = *sum + y;
    *lost = (t - *sum) - y;
    *sum = t;
}

// Column sums of a row-major [rows, columns] matrix: the bias gradients, Σ over the minibatch of
// a layer's deltas for all students at once. A work-group covers REDUCE_COLUMNS neighbouring
// columns (coalesced reads) with REDUCE_ROWS work-items per column, each summing every
// REDUCE_ROWS-th row, so that a minibatch of 512 rows is 8 short sums rather than one long one.
#ifndef REDUCE_COLUMNS
#define REDUCE_COLUMNS 32
#endif
#ifndef REDUCE_ROWS
#define REDUCE_ROWS 8
#endif

__kernel __attribute__((reqd_work_group_size(REDUCE_COLUMNS, REDUCE_ROWS, 1)))
void column_sums(__global const REAL *matrix, const int offMatrix, const int rows, const int columns,
                 __global REAL *sums, const int offSums) {
    __local REAL partial[REDUCE_ROWS][REDUCE_COLUMNS];
    const int column = get_global_id(0);
    const int lc = get_local_id(0), lr = get_local_id(1);
    REAL sum = 0;
    if (column < columns)
        for (int r = lr; r < rows; r += REDUCE_ROWS) sum += matrix[offMatrix + r * columns + column];
    partial[lr][lc] = sum;
    barrier(CLK_LOCAL_MEM_FENCE);
    if (lr == 0 && column < columns) {
        REAL total = 0;
        for (int r = 0; r < REDUCE_ROWS; r++) total += partial[r][lc];
        sums[offSums + column] = total;
    }
}
