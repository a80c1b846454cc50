// Per-student losses and their gradients with respect to the outputs.
//
// The squared error of a student on a minibatch is Σ (y − t)² over samples and outputs, with
// gradient 2(y − t)/(rows·outputs) (the gradient of the mean); the cross-entropy is
// Σ log Σ exp(y) − y_label over samples, with gradient (softmax − onehot)/rows. Sums accumulate
// on the device over an epoch, compensated (reduce.cl); the host divides by samples·outputs or
// samples once at the end.
#define LOSS_SQUARED_ERROR 0
#define LOSS_CROSS_ENTROPY 1

// Cross-entropy of one sample from its logits' maximum `top` and `total` = Σ exp(y − top).
inline REAL cross_entropy(const REAL top, const REAL total, const REAL labelLogit) {
    return log(total) + top - labelLogit;
}

// ∂(cross-entropy)/∂y for one logit, times `scale`.
inline REAL cross_entropy_gradient(const REAL logit, const REAL top, const REAL total,
                                   const bool isLabel, const REAL scale) {
    return scale * (exp(logit - top) / total - (isLabel ? (REAL)1 : (REAL)0));
}

// Student `student`'s loss on a minibatch (of `students`), work-item `lid` of `group` taking its
// share: returns that share of the summed loss. `outputs` is [rows, students·width] sample-major;
// `deltas`, written when `withGradient`, has the same layout (it may be `outputs` itself). Row r
// of the minibatch is sample order[first + r] of the probe set's targets or labels.
inline REAL student_loss(__global const REAL *outputs, __global const REAL *targets,
                         __global const int *labels, __global const int *order, const int first,
                         __global REAL *deltas, const int rows, const int width, const int loss,
                         const int withGradient, const int student, const int students,
                         const int lid, const int group) {
    const int pitch = students * width;
    REAL sum = 0;
    if (loss == LOSS_SQUARED_ERROR) {
        const REAL scale = (REAL)2 / (REAL)(rows * width);
        for (int e = lid; e < rows * width; e += group) {
            const int r = e / width, k = e % width;
            const int index = r * pitch + student * width + k;
            const REAL diff = outputs[index] - targets[order[first + r] * width + k];
            sum += diff * diff;
            if (withGradient) deltas[index] = scale * diff;
        }
    } else {
        const REAL scale = (REAL)1 / (REAL)rows;
        for (int r = lid; r < rows; r += group) {
            const int row = r * pitch + student * width;
            REAL top = outputs[row];
            for (int k = 1; k < width; k++) top = fmax(top, outputs[row + k]);
            REAL total = 0;
            for (int k = 0; k < width; k++) total += exp(outputs[row + k] - top);
            const int label = labels[order[first + r]];
            sum += cross_entropy(top, total, outputs[row + label]);
            if (withGradient)
                for (int k = 0; k < width; k++)
                    deltas[row + k] = cross_entropy_gradient(outputs[row + k], top, total, k == label, scale);
        }
    }
    return sum;
}

// Adds the work-group's shares `sum` of student `student`'s loss to its running sum
// `lossSums[2·student]`, compensated by `lossSums[2·student + 1]`; `scratch` holds `group` REALs.
inline void add_student_loss(const REAL sum, __global REAL *lossSums, const int student,
                             __local REAL *scratch, const int lid, const int group) {
    const REAL total = group_sum(sum, scratch, lid, group);
    if (lid == 0) {
        REAL sum = lossSums[2 * student], lost = lossSums[2 * student + 1];
        compensated_add(&sum, &lost, total);
        lossSums[2 * student] = sum;
        lossSums[2 * student + 1] = lost;
    }
}

#ifndef LOSS_GROUP
#define LOSS_GROUP 256
#endif

// One work-group per student (dimension 1): `student_loss` and `add_student_loss`.
__kernel __attribute__((reqd_work_group_size(LOSS_GROUP, 1, 1)))
void loss_and_gradient(__global const REAL *outputs, __global const REAL *targets,
                       __global const int *labels, __global const int *order, const int first,
                       __global REAL *deltas,
                       __global REAL *lossSums, const int rows, const int width,
                       const int loss, const int withGradient) {
    __local REAL scratch[LOSS_GROUP];
    const int student = get_group_id(1), lid = get_local_id(0);
    const REAL sum = student_loss(outputs, targets, labels, order, first, deltas, rows, width, loss, withGradient,
                                  student, get_num_groups(1), lid, LOSS_GROUP);
    add_student_loss(sum, lossSums, student, scratch, lid, LOSS_GROUP);
}
