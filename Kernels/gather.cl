// Copies the minibatch's samples, rows order[first ..< first + rows] of the probe set, into
// contiguous batch buffers, so that the matrix products read plain row-major operands.
// Work-item (c, r) copies column c of batch row r of the inputs, of the targets, and (c = 0)
// the label; dimension 0 runs along a row so that neighbouring work-items copy neighbouring
// addresses. Widths of 0 skip a part (no targets for cross-entropy, no labels for regression).
__kernel void gather_batch(__global const int *order, const int first, const int rows,
                           __global const REAL *inputs, const int inputWidth, __global REAL *batchInputs,
                           __global const REAL *targets, const int targetWidth, __global REAL *batchTargets,
                           __global const int *labels, const int hasLabels, __global int *batchLabels) {
    const int c = get_global_id(0), r = get_global_id(1);
    if (r >= rows) return;
    const int sample = order[first + r];
    if (c < inputWidth) batchInputs[r * inputWidth + c] = inputs[sample * inputWidth + c];
    if (c < targetWidth) batchTargets[r * targetWidth + c] = targets[sample * targetWidth + c];
    if (c == 0 && hasLabels) batchLabels[r] = labels[sample];
}
