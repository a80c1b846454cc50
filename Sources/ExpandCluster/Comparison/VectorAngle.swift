import ECCore

/// The angle between two vectors and its cosine distance, computed stably in float64.
public struct VectorAngle: Sendable, Equatable {
    /// In radians, within [0, π].
    public let radians: Double

    /// Kahan's formula 2·atan2(‖â − b̂‖, ‖â + b̂‖), accurate for tiny and near-π angles alike
    /// (acos of a cosine near 1 would lose half the digits). Zero vectors give π/2.
    public init(_ a: some Collection<Double>, _ b: some Collection<Double>) {
        let na = a.euclideanNorm, nb = b.euclideanNorm
        guard na > 0, nb > 0 else {
            radians = .pi / 2
            return
        }
        var minus = 0.0, plus = 0.0
        for (x, y) in zip(a, b) {
            let (u, v) = (x / na, y / nb)
            minus += (u - v) * (u - v)
            plus += (u + v) * (u + v)
        }
        radians = 2 * atan2(minus.squareRoot(), plus.squareRoot())
    }

    private init(radians: Double) { self.radians = radians }

    /// The angle between unit vectors `chord` apart (cut heights of the clustering are such
    /// chords): 2·asin(chord / 2), chords beyond the diameter read as π.
    public init(chord: Double) {
        radians = 2 * asin(min(chord / 2, 1))
    }

    public var degrees: Double { radians * 180 / .pi }
    /// 1 − cos, computed as 2·sin²(θ/2) so that it keeps its digits near 0.
    public var cosineDistance: Double { 2 * sin(radians / 2) * sin(radians / 2) }
    /// The angle between the lines the vectors span: the vector and its negation are equivalent.
    public var unsigned: VectorAngle { radians > .pi / 2 ? VectorAngle(radians: .pi - radians) : self }
    public var isObtuse: Bool { radians > .pi / 2 }
}

import Foundation
