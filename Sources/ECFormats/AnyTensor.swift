import ECCore

/// The element types the file formats can carry. Float types are what the method computes in;
/// the integer types exist because datasets (IDX pixels and labels, NumPy arrays) store them.
public enum TensorDType: String, Sendable, CaseIterable {
    case float32, float64, uint8, int32, int64

    /// Bytes per element.
    public var byteCount: Int {
        switch self {
        case .uint8: 1
        case .float32, .int32: 4
        case .float64, .int64: 8
        }
    }
}

/// The elements of a tensor in row-major (C) order, in their stored type.
public enum TensorStorage: Sendable, Equatable {
    case float32([Float])
    case float64([Double])
    case uint8([UInt8])
    case int32([Int32])
    case int64([Int64])

    /// The element type of this storage.
    public var dtype: TensorDType {
        switch self {
        case .float32: .float32
        case .float64: .float64
        case .uint8: .uint8
        case .int32: .int32
        case .int64: .int64
        }
    }

    /// Number of elements.
    public var count: Int {
        switch self {
        case .float32(let v): v.count
        case .float64(let v): v.count
        case .uint8(let v): v.count
        case .int32(let v): v.count
        case .int64(let v): v.count
        }
    }

    /// Float storage of `scalars` in `precision`: `.float32` or `.float64`, sharing the array
    /// when it already has that precision and converting otherwise.
    public init<T: Real>(_ scalars: [T], precision: Precision = T.precision) {
        // Each case works on a concrete element type, so conversions run as specialised loops
        // even when called from generic code in another module.
        switch (precision, T.precision) {
        case (.float32, .float32): self = .float32(scalars.reinterpreted(as: Float.self))
        case (.float64, .float64): self = .float64(scalars.reinterpreted(as: Double.self))
        case (.float32, .float64): self = .float32(scalars.reinterpreted(as: Double.self).map { Float($0) })
        case (.float64, .float32): self = .float64(scalars.reinterpreted(as: Float.self).map { Double($0) })
        }
    }

    /// The elements converted to a concrete float type (callers pass `Float` or `Double`).
    func converted<U: BinaryFloatingPoint>(to _: U.Type) -> [U] {
        switch self {
        case .float32(let v): U.self == Float.self ? v.reinterpreted(as: U.self) : v.map { U($0) }
        case .float64(let v): U.self == Double.self ? v.reinterpreted(as: U.self) : v.map { U($0) }
        case .uint8(let v): v.map { U($0) }
        case .int32(let v): v.map { U($0) }
        case .int64(let v): v.map { U($0) }
        }
    }
}

/// An n-dimensional array of any supported element type, as read from or written to a file.
/// A shape of `[]` is a 0-d tensor holding one element.
public struct AnyTensor: Sendable, Equatable {
    /// The size of each dimension, outermost first; `[]` for a 0-d tensor.
    public let shape: [Int]
    /// The elements in row-major order.
    public let storage: TensorStorage

    /// A tensor of `shape` holding `storage` in row-major order; the element count must match the
    /// shape (a programming error otherwise — file readers validate before constructing).
    public init(shape: [Int], storage: TensorStorage) {
        precondition(shape.allSatisfy { $0 >= 0 } && shape.reduce(1, *) == storage.count,
                     "AnyTensor: \(storage.count) elements do not fill shape \(shape)")
        self.shape = shape
        self.storage = storage
    }

    /// A float tensor of `shape` in the precision of `T`.
    public init<T: Real>(shape: [Int], scalars: [T]) {
        self.init(shape: shape, storage: TensorStorage(scalars))
    }

    /// A rank-2 tensor [rows, columns] with the matrix's values.
    public init<T: Real>(_ matrix: Matrix<T>) {
        self.init(shape: [matrix.rows, matrix.columns], scalars: matrix.scalars)
    }

    /// Number of elements (the product of the shape).
    public var count: Int { storage.count }
    /// Number of dimensions.
    public var rank: Int { shape.count }
    /// The element type.
    public var dtype: TensorDType { storage.dtype }
    /// The element type's name: "float32", "float64", "uint8", "int32" or "int64".
    public var dtypeName: String { dtype.rawValue }

    /// The elements converted to `T`. Conversion is exact except float64 → float32 (rounds) and
    /// int64 values beyond 2^53 (round to the nearest representable value).
    public func scalars<T: Real>(as _: T.Type = T.self) -> [T] {
        // Converting through the concrete type keeps the per-element work specialised; a loop
        // over a generic T would make a protocol call per element when called from another module.
        switch T.precision {
        case .float32: storage.converted(to: Float.self).reinterpreted(as: T.self)
        case .float64: storage.converted(to: Double.self).reinterpreted(as: T.self)
        }
    }

    /// The tensor as a matrix in precision `T`; only rank-2 tensors qualify. `name` is used in
    /// the error message.
    public func matrix<T: Real>(as _: T.Type = T.self, name: String = "tensor") throws -> Matrix<T> {
        guard rank == 2 else {
            throw ECError.shapeMismatch("\(name) has shape \(shape); expected a rank-2 [rows, columns] array")
        }
        return Matrix(rows: shape[0], columns: shape[1], scalars: scalars(as: T.self))
    }
}

/// A tensor with the name it has in a file (a safetensors key or an npz entry without `.npy`).
public struct NamedTensor: Sendable, Equatable {
    /// The name in the file.
    public var name: String
    /// The array.
    public var tensor: AnyTensor

    /// Pairs a name with a tensor.
    public init(_ name: String, _ tensor: AnyTensor) {
        self.name = name
        self.tensor = tensor
    }
}

extension Array {
    /// The same array viewed as `[U]` when `U` is `Element` at run time (generic code that has
    /// already checked the precision). A bit cast shares the storage; `as? [U]` would copy it
    /// element by element.
    func reinterpreted<U>(as _: U.Type) -> [U] {
        precondition(Element.self == U.self, "reinterpreted: \(Element.self) is not \(U.self)")
        return unsafeBitCast(self, to: [U].self)
    }
}
