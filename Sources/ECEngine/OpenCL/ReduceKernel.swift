import ECCore

/// Kernels/reduce.cl: column sums, the bias gradients of all students of a layer at once.
public final class ReduceKernel<T: Real> {
    public let tuning: KernelTuning
    private let program: OpenCLProgram

    public init(context: OpenCLContext, tuning: KernelTuning) throws {
        self.tuning = tuning
        program = try context.elementwiseProgram(T.self, tuning: tuning)
    }

    /// sums[sumsOffset + c] = Σ_r matrix[offset + r·columns + c] for the row-major
    /// [rows, columns] matrix at `offset`.
    public func columnSums(of matrix: OpenCLBuffer<T>, offset: Int = 0, rows: Int, columns: Int,
                           into sums: OpenCLBuffer<T>, at sumsOffset: Int = 0) throws {
        try bindColumnSums(of: matrix, offset: offset, rows: rows, columns: columns, into: sums, at: sumsOffset).enqueue()
    }

    /// The launch `columnSums` enqueues, bound once.
    func bindColumnSums(of matrix: OpenCLBuffer<T>, offset: Int = 0, rows: Int, columns: Int,
                        into sums: OpenCLBuffer<T>, at sumsOffset: Int = 0) throws -> BoundLaunch {
        try DeviceMatrix(matrix, offset: offset, leadingDimension: columns).checkSpan(rows: rows, columns: columns, batch: 1, "column sums input")
        try DeviceMatrix(sums, offset: sumsOffset, leadingDimension: columns).checkSpan(rows: 1, columns: columns, batch: 1, "column sums")
        return try BoundLaunch(program.kernel("column_sums"), global: [columns, tuning.reduceRows],
                               local: [tuning.reduceColumns, tuning.reduceRows], arguments: [
            .buffer(matrix), .int(offset), .int(rows), .int(columns), .buffer(sums), .int(sumsOffset),
        ])
    }
}
