// Sums over work-items, in a fixed order so that results are the same on
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
