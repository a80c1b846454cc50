import ECBLASSetup

/// The OpenBLAS the process runs on, as ECBLASSetup set it up at start-up.
public enum OpenBLAS {
    /// The kernel set ("core") OpenBLAS uses, e.g. "SkylakeX"; named in every run's device line
    /// because a generic core can be several times slower.
    public static var coreName: String { String(cString: ec_blas_core()) }
}
