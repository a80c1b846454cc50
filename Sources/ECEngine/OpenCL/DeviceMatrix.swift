import ECCore

/// A batch of row-major matrices in a device buffer, as the kernels address them: element
/// (i, j) of matrix b is at `offset + b·batchStride + i·leadingDimension + j`. A batch stride of
/// 0 makes every batch share one matrix.
public struct DeviceMatrix<T: Real> {
    public var buffer: OpenCLBuffer<T>
    public var offset: Int
    public var leadingDimension: Int
    public var batchStride: Int

    public init(_ buffer: OpenCLBuffer<T>, offset: Int = 0, leadingDimension: Int, batchStride: Int = 0) {
        self.buffer = buffer
        self.offset = offset
        self.leadingDimension = leadingDimension
        self.batchStride = batchStride
    }

    /// Throws unless a batch of `batch` matrices of `rows × columns` lies inside the buffer.
    func checkSpan(rows: Int, columns: Int, batch: Int, _ name: String) throws {
        guard rows > 0, columns > 0, batch > 0 else { return }
        let last = offset + (batch - 1) * batchStride + (rows - 1) * leadingDimension + columns - 1
        guard offset >= 0, batchStride >= 0, leadingDimension >= columns, last < buffer.count else {
            throw OpenCLError.invalidRequest(
                "\(name): \(batch) × [\(rows), \(columns)] at offset \(offset), leading dimension \(leadingDimension), "
                    + "batch stride \(batchStride) does not fit a buffer of \(buffer.count)")
        }
    }
}

/// A batch of vectors in a device buffer (a layer's biases): element j of vector b is at
/// `offset + b·batchStride + j`.
public struct DeviceVector<T: Real> {
    public var buffer: OpenCLBuffer<T>
    public var offset: Int
    public var batchStride: Int

    public init(_ buffer: OpenCLBuffer<T>, offset: Int = 0, batchStride: Int = 0) {
        self.buffer = buffer
        self.offset = offset
        self.batchStride = batchStride
    }
}

/// Samples on the device: inputs [rows, inputWidth] and either regression targets
/// [rows, targetWidth] or class labels [rows]. The whole probe set lives in one for the backend's
/// lifetime; a minibatch is gathered into another.
public struct DeviceSamples<T: Real> {
    public let rows: Int
    public let inputWidth: Int
    public let inputs: OpenCLBuffer<T>
    /// Zero for classification data.
    public let targetWidth: Int
    public let targets: OpenCLBuffer<T>
    /// Nil for regression data.
    public let labels: OpenCLBuffer<Int32>?

    /// A copy of `data` on the device.
    public init(context: OpenCLContext, data: TrainingData<T>) throws {
        try checkIndexable(data.inputs.scalars.count, "the probe set")
        rows = data.sampleCount
        inputWidth = data.inputs.columns
        inputs = try context.makeBuffer(from: data.inputs.scalars)
        targetWidth = data.targets.columns
        targets = try context.makeBuffer(from: data.targets.scalars)
        labels = data.labels.isEmpty ? nil : try context.makeBuffer(from: data.labels)
    }

    /// Uninitialised room for `rows` samples shaped like `samples`.
    public init(context: OpenCLContext, rows: Int, like samples: DeviceSamples<T>) throws {
        self.rows = rows
        inputWidth = samples.inputWidth
        inputs = try context.makeBuffer(T.self, count: rows * inputWidth)
        targetWidth = samples.targetWidth
        targets = try context.makeBuffer(T.self, count: rows * targetWidth)
        labels = samples.labels == nil ? nil : try context.makeBuffer(Int32.self, count: rows)
    }
}

extension DeviceSamples {
    /// The labels as a kernel argument; regression data binds its targets there instead, which
    /// the kernels never read as labels.
    var labelsArgument: OpenCLArgument { labels.map { .buffer($0) } ?? .buffer(targets) }
}
