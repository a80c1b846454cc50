// swift-tools-version: 6.0
import PackageDescription

// The hot loops (activations, Adam, reductions, distances) are plain scalar loops that LLVM
// vectorises; targeting AVX2+FMA roughly doubles their speed over baseline x86-64. Any x86-64
// CPU from 2013 on has it; set EC_TARGET_CPU (e.g. "x86-64" or "znver4") to override.
#if arch(x86_64)
import Foundation
let targetCPU: [SwiftSetting] = [
    .unsafeFlags(["-target-cpu", ProcessInfo.processInfo.environment["EC_TARGET_CPU"] ?? "haswell"])
]
#else
let targetCPU: [SwiftSetting] = []
#endif

// mpi.h from libopenmpi-dev, for the types of the MPI calls `ec` resolves at run time (see
// Sources/CMPI): EC_MPI_INCLUDE overrides Debian's location.
let mpiInclude: String = {
    #if arch(arm64)
    let debian = "/usr/lib/aarch64-linux-gnu/openmpi/include"
    #else
    let debian = "/usr/lib/x86_64-linux-gnu/openmpi/include"
    #endif
    return Context.environment["EC_MPI_INCLUDE"] ?? debian
}()

let package = Package(
    name: "ExpandCluster",
    products: [
        .executable(name: "ec", targets: ["ec"]),
        .library(name: "ExpandCluster", targets: ["ExpandCluster"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // System libraries, found through pkg-config.
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "COpenCL", pkgConfig: "OpenCL",
                       providers: [.apt(["ocl-icd-opencl-dev", "opencl-headers"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),

        // OpenBLAS set up before any Swift code runs: the best kernels for the CPU, one thread.
        // Every product and test bundle gets it through ECCore.
        .target(name: "ECBLASSetup", dependencies: ["CBLAS"],
                linkerSettings: [.linkedLibrary("dl", .when(platforms: [.linux]))]),
        // Subnormal numbers flushed to zero on the threads that train.
        .target(name: "ECFloatMode"),
        // Open MPI, loaded only when mpirun started the process; header only at build time.
        .target(name: "CMPI", cSettings: [.unsafeFlags(["-I" + mpiInclude])],
                linkerSettings: [.linkedLibrary("dl", .when(platforms: [.linux]))]),
        // Ranks of an MPI job (or the one process of a plain run) and what they exchange.
        .target(name: "ECDistributed", dependencies: ["CMPI"]),
        // Value types every stage shares.
        .target(name: "ECCore", dependencies: ["CBLAS", "ECBLASSetup", "ECFloatMode"], swiftSettings: targetCPU),
        // safetensors, npy/npz, IDX; networks and probe sets <-> files.
        .target(name: "ECFormats", dependencies: ["ECCore", "CZlib"], swiftSettings: targetCPU),
        // The linear algebra on LAPACK: least squares, Cholesky, eigendecomposition, orthonormal
        // bases, Levenberg–Marquardt.
        .target(name: "ECNumerics", dependencies: ["ECCore", "CBLAS"], swiftSettings: targetCPU),
        // Student banks and their training: the CPU (OpenBLAS) and OpenCL backends.
        .target(name: "ECEngine", dependencies: ["ECCore", "ECNumerics", "CBLAS", "COpenCL"],
                swiftSettings: targetCPU, plugins: ["EmbedKernels"]),
        // The method: expansion, clustering, reconstruction, comparison, reports.
        .target(name: "ExpandCluster", dependencies: ["ECCore", "ECNumerics", "ECFormats", "ECEngine", "ECDistributed"],
                swiftSettings: targetCPU),
        // The command line: argument parsing and printing only.
        .executableTarget(name: "ec", dependencies: [
            "ExpandCluster", "ECFormats", "ECEngine", "ECCore", "ECDistributed",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // Compiles Kernels/*.cl into the ECEngine module as string constants.
        .executableTarget(name: "embed-kernels"),
        .plugin(name: "EmbedKernels", capability: .buildTool(), dependencies: ["embed-kernels"]),

        .target(name: "TestSupport", dependencies: ["ECCore"], path: "Tests/TestSupport"),
        .testTarget(name: "ECCoreTests", dependencies: ["ECCore", "ECBLASSetup", "CBLAS", "TestSupport"]),
        .testTarget(name: "ECNumericsTests", dependencies: ["ECNumerics", "TestSupport"]),
        .testTarget(name: "ECFormatsTests", dependencies: ["ECFormats", "TestSupport"]),
        .testTarget(name: "ECEngineTests", dependencies: ["ECEngine", "TestSupport"]),
        .testTarget(name: "ExpandClusterTests", dependencies: ["ExpandCluster", "TestSupport"]),
        .testTarget(name: "ECDistributedTests", dependencies: ["ECDistributed"]),
        .testTarget(name: "ecTests", dependencies: ["TestSupport"]),
    ]
)
