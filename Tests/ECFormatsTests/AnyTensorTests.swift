import ECCore
import ECFormats
import Testing
import TestSupport

@Suite struct AnyTensorTests {
    @Test func matrixRoundTripKeepsValuesAndPrecision() throws {
        let matrix: Matrix<Float> = randomMatrix(3, 4, seed: 1)
        let tensor = AnyTensor(matrix)
        #expect(tensor.shape == [3, 4])
        #expect(tensor.dtype == .float32)
        #expect(tensor.dtypeName == "float32")
        #expect(tensor.count == 12)
        #expect(try tensor.matrix(as: Float.self) == matrix)
        #expect(try tensor.matrix(as: Double.self) == matrix.converted(to: Double.self))
    }

    @Test func scalarsConvertEveryStorage() {
        #expect(AnyTensor(shape: [3], storage: .uint8([0, 128, 255])).scalars(as: Double.self) == [0, 128, 255])
        #expect(AnyTensor(shape: [2], storage: .int32([-7, .max])).scalars(as: Double.self) == [-7, Double(Int32.max)])
        #expect(AnyTensor(shape: [1], storage: .int64([-(1 << 40)])).scalars(as: Float.self) == [-0x1p40])
        #expect(AnyTensor(shape: [2], storage: .float64([0.1, -2])).scalars(as: Float.self) == [Float(0.1), -2])
        #expect(AnyTensor(shape: [], storage: .float32([1.5])).scalars(as: Double.self) == [1.5])
    }

    @Test func storagePrecisionConversion() {
        #expect(TensorStorage([1.0, 2.5] as [Double], precision: .float32) == .float32([1, 2.5]))
        #expect(TensorStorage([1.0, 2.5] as [Float], precision: .float64) == .float64([1, 2.5]))
        #expect(TensorStorage([0.1] as [Double]) == .float64([0.1]))
    }

    @Test func matrixRejectsOtherRanks() {
        expectECError("weights", "[2, 3, 4]", "rank-2") {
            _ = try Fixture.tensor(.float32, [2, 3, 4]).matrix(as: Double.self, name: "weights")
        }
        expectECError("tensor", "[]") { _ = try Fixture.tensor(.float64, []).matrix(as: Double.self) }
    }
}
