import CBLAS

/// A row-major matrix operand for `gemm`: a base pointer, the leading dimension, and whether the
/// stored matrix is used transposed.
public struct GemmOperand<T: Real> {
    public var pointer: UnsafePointer<T>
    public var leadingDimension: Int
    public var transposed: Bool

    @inlinable
    public init(_ pointer: UnsafePointer<T>, leadingDimension: Int, transposed: Bool = false) {
        self.pointer = pointer
        self.leadingDimension = leadingDimension
        self.transposed = transposed
    }
}

extension Real {
    /// C ← α·op(A)·op(B) + β·C for row-major operands, through OpenBLAS; C is m×n, op(A) m×k.
    @inlinable
    public static func gemm(m: Int, n: Int, k: Int, alpha: Self = 1, _ a: GemmOperand<Self>,
                            _ b: GemmOperand<Self>, beta: Self = 0,
                            _ c: UnsafeMutablePointer<Self>, ldc: Int) {
        guard m > 0, n > 0 else { return }
        let ta = a.transposed ? CblasTrans : CblasNoTrans
        let tb = b.transposed ? CblasTrans : CblasNoTrans
        if Self.self == Float.self {
            a.pointer.withMemoryRebound(to: Float.self, capacity: 1) { ap in
                b.pointer.withMemoryRebound(to: Float.self, capacity: 1) { bp in
                    c.withMemoryRebound(to: Float.self, capacity: 1) { cp in
                        cblas_sgemm(CblasRowMajor, ta, tb, Int32(m), Int32(n), Int32(k), Float(alpha),
                                    ap, Int32(a.leadingDimension), bp, Int32(b.leadingDimension),
                                    Float(beta), cp, Int32(ldc))
                    }
                }
            }
        } else {
            a.pointer.withMemoryRebound(to: Double.self, capacity: 1) { ap in
                b.pointer.withMemoryRebound(to: Double.self, capacity: 1) { bp in
                    c.withMemoryRebound(to: Double.self, capacity: 1) { cp in
                        cblas_dgemm(CblasRowMajor, ta, tb, Int32(m), Int32(n), Int32(k), Double(alpha),
                                    ap, Int32(a.leadingDimension), bp, Int32(b.leadingDimension),
                                    Double(beta), cp, Int32(ldc))
                    }
                }
            }
        }
    }
}
