import Foundation

/// The step-dependent factors of Adam, computed in double as `AdamRule` computes them and only
/// then rounded to the kernels' precision: 1/(1 − β₁ᵗ), the step size per unit learning rate, and
/// 1/√(1 − β₂ᵗ).
struct AdamCorrections {
    let biasCorrection1: Double
    let correction2: Double

    init(beta1: Double, beta2: Double, step: Int) {
        biasCorrection1 = 1 / (1 - pow(beta1, Double(step)))
        correction2 = 1 / (1 - pow(beta2, Double(step))).squareRoot()
    }
}
