/// Element types whose bytes can be copied to and from files: each has an unsigned bit pattern of
/// its own size, so byte swapping is one generic operation for floats and integers alike.
protocol TensorScalar {
    associatedtype Bits: FixedWidthInteger & UnsignedInteger
    init(bitPattern: Bits)
    var bitPattern: Bits { get }
}

extension Float: TensorScalar {}
extension Double: TensorScalar {}
extension UInt8: TensorScalar {
    init(bitPattern: UInt8) { self = bitPattern }
    var bitPattern: UInt8 { self }
}
extension Int8: TensorScalar {
    var bitPattern: UInt8 { UInt8(bitPattern: self) }
}
extension Int16: TensorScalar {
    var bitPattern: UInt16 { UInt16(bitPattern: self) }
}
extension Int32: TensorScalar {
    var bitPattern: UInt32 { UInt32(bitPattern: self) }
}
extension Int64: TensorScalar {
    var bitPattern: UInt64 { UInt64(bitPattern: self) }
}

extension Array where Element: TensorScalar {
    /// Decodes `count` elements stored in `order` from the start of `bytes`, which the caller has
    /// checked holds at least `count × size` bytes. One memcpy, then a swap pass only when the
    /// file's byte order differs from the host's.
    init(decoding bytes: UnsafeRawBufferPointer, count: Int, order: ByteOrder) {
        let size = MemoryLayout<Element>.stride
        precondition(bytes.count >= count * size, "decoding: \(bytes.count) bytes for \(count) elements")
        self.init(unsafeUninitializedCapacity: count) { buffer, initialized in
            if count > 0 {
                UnsafeMutableRawBufferPointer(buffer).copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[..<(count * size)]))
            }
            if order != .host {
                for i in 0..<count { buffer[i] = Element(bitPattern: buffer[i].bitPattern.byteSwapped) }
            }
            initialized = count
        }
    }

    /// Appends the elements' bytes in little-endian order.
    func appendLittleEndianBytes(to out: inout [UInt8]) {
        if ByteOrder.host == .little {
            withUnsafeBytes { out.append(contentsOf: $0) }
        } else {
            for value in self { out.appendInteger(value.bitPattern) }
        }
    }
}

extension Array {
    /// The elements of an array stored in Fortran (column-major) order of `shape`, rearranged
    /// into C (row-major) order.
    func reorderedFromFortran(shape: [Int]) -> [Element] {
        let rank = shape.count
        guard rank > 1, !isEmpty else { return self }
        // Column-major strides: the first axis varies fastest in the source.
        var strides = [Int](repeating: 1, count: rank)
        for axis in 1..<rank { strides[axis] = strides[axis - 1] * shape[axis - 1] }
        var out = [Element]()
        out.reserveCapacity(count)
        var index = [Int](repeating: 0, count: rank)
        var source = 0
        for _ in 0..<count {
            out.append(self[source])
            // Advance the row-major odometer: the last axis varies fastest in the output.
            var axis = rank - 1
            while axis >= 0 {
                index[axis] += 1
                source += strides[axis]
                if index[axis] < shape[axis] { break }
                source -= strides[axis] * shape[axis]
                index[axis] = 0
                axis -= 1
            }
        }
        return out
    }
}

extension TensorStorage {
    /// Decodes `count` elements of `dtype` stored in `order` from the start of `bytes`.
    init(decoding bytes: UnsafeRawBufferPointer, dtype: TensorDType, count: Int, order: ByteOrder) {
        switch dtype {
        case .float32: self = .float32(Array(decoding: bytes, count: count, order: order))
        case .float64: self = .float64(Array(decoding: bytes, count: count, order: order))
        case .uint8: self = .uint8(Array(decoding: bytes, count: count, order: order))
        case .int32: self = .int32(Array(decoding: bytes, count: count, order: order))
        case .int64: self = .int64(Array(decoding: bytes, count: count, order: order))
        }
    }

    /// Appends the elements' bytes in little-endian order.
    func appendLittleEndianBytes(to out: inout [UInt8]) {
        switch self {
        case .float32(let v): v.appendLittleEndianBytes(to: &out)
        case .float64(let v): v.appendLittleEndianBytes(to: &out)
        case .uint8(let v): v.appendLittleEndianBytes(to: &out)
        case .int32(let v): v.appendLittleEndianBytes(to: &out)
        case .int64(let v): v.appendLittleEndianBytes(to: &out)
        }
    }

    /// The elements of a Fortran-order array of `shape`, rearranged into C order.
    func reorderedFromFortran(shape: [Int]) -> TensorStorage {
        switch self {
        case .float32(let v): .float32(v.reorderedFromFortran(shape: shape))
        case .float64(let v): .float64(v.reorderedFromFortran(shape: shape))
        case .uint8(let v): .uint8(v.reorderedFromFortran(shape: shape))
        case .int32(let v): .int32(v.reorderedFromFortran(shape: shape))
        case .int64(let v): .int64(v.reorderedFromFortran(shape: shape))
        }
    }
}
