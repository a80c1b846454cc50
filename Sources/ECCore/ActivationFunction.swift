/// One activation as a type rather than a value, so that a loop generic over it is compiled
/// once per activation with the formula inlined and vectorised (a loop over `Activation` values
/// would switch on every element). Every formula is branch-free: each side of a select is
/// computed first, so LLVM can turn the select into a vector blend.
public protocol ActivationFunction {
    static func valueAndDerivative<T: Real>(_ z: T) -> (value: T, derivative: T)
}

extension Activation {
    public enum ReLU: ActivationFunction {
        @inlinable @inline(__always)
        public static func valueAndDerivative<T: Real>(_ z: T) -> (value: T, derivative: T) {
            (z > 0 ? z : 0, z > 0 ? 1 : 0)
        }
    }

    public enum LeakyReLU: ActivationFunction {
        @inlinable @inline(__always)
        public static func valueAndDerivative<T: Real>(_ z: T) -> (value: T, derivative: T) {
            let slope = T(Activation.leakySlope)
            let negative = slope * z
            return (z > 0 ? z : negative, z > 0 ? 1 : slope)
        }
    }

    public enum Tanh: ActivationFunction {
        @inlinable @inline(__always)
        public static func valueAndDerivative<T: Real>(_ z: T) -> (value: T, derivative: T) {
            let t = T.tanh(z)
            return (t, 1 - t * t)
        }
    }

    public enum Sigmoid: ActivationFunction {
        @inlinable @inline(__always)
        public static func valueAndDerivative<T: Real>(_ z: T) -> (value: T, derivative: T) {
            // σ(1 − σ) = e·s² with e = exp(−|z|), s = 1/(1 + e): no cancellation in the tails.
            let e = T.exp(-Swift.abs(z))
            let s = 1 / (1 + e)
            let es = e * s
            return (z >= 0 ? s : es, es * s)
        }
    }

    public enum Softplus: ActivationFunction {
        @inlinable @inline(__always)
        public static func valueAndDerivative<T: Real>(_ z: T) -> (value: T, derivative: T) {
            let e = T.exp(-Swift.abs(z))
            let s = 1 / (1 + e)
            let es = e * s
            return (Swift.max(z, 0) + T.log1pOfUnit(e), z >= 0 ? s : es)
        }
    }

    public enum GELU: ActivationFunction {
        @inlinable @inline(__always)
        public static func valueAndDerivative<T: Real>(_ z: T) -> (value: T, derivative: T) {
            let phi = T(0.5) * (1 + T.erf(z * T(0.70710678118654752440)))
            let density = T.exp(T(-0.5) * z * z) * T(0.39894228040143267794)
            return (z * phi, phi + z * density)
        }
    }

    public enum SiLU: ActivationFunction {
        @inlinable @inline(__always)
        public static func valueAndDerivative<T: Real>(_ z: T) -> (value: T, derivative: T) {
            let s = T.sigmoid(z)
            return (z * s, s + z * s * (1 - s))
        }
    }

    /// g(z) = sigmoid(4z) + softplus(z).
    public enum G: ActivationFunction {
        @inlinable @inline(__always)
        public static func valueAndDerivative<T: Real>(_ z: T) -> (value: T, derivative: T) {
            // One exponential serves both terms: e = exp(−|z|), and exp(−4|z|) = e⁴.
            let e = T.exp(-Swift.abs(z))
            let e2 = e * e
            let e4 = e2 * e2
            let s = 1 / (1 + e)
            let es = e * s
            let s4 = 1 / (1 + e4)
            let e4s4 = e4 * s4
            let positive = z >= 0
            let sig = positive ? s : es
            let sig4 = positive ? s4 : e4s4
            return (sig4 + Swift.max(z, 0) + T.log1pOfUnit(e), 4 * e4s4 * s4 + sig)
        }
    }

    public enum Identity: ActivationFunction {
        @inlinable @inline(__always)
        public static func valueAndDerivative<T: Real>(_ z: T) -> (value: T, derivative: T) {
            (z, 1)
        }
    }
}
