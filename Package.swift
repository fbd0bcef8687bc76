// swift-tools-version:6.0
import Foundation
import PackageDescription

// Why the numeric targets carry flags of their own
// ------------------------------------------------
// A learner types `swift run Lesson05`, which is a *debug* build. Unoptimised Swift
// numerics run hundreds of times slower than optimised ones, so the modules that do
// arithmetic are compiled with optimisation in every configuration:
//   -O                           optimise (not -Ounchecked: that would also delete the
//                                preconditions that name mismatched shapes; the hot loops
//                                use unsafe pointers, so checks cost nothing there)
//   -target-cpu haswell | native use the vector units of the machine that builds it, chosen
//                                by which code ran faster on the processors measured
//                                (issue 20; docs/performance.md):
//                                - native (AVX-512 code and the matrix multiply's 6×32 tile)
//                                  on an x86-64 with AVX-512 that executes 512-bit vectors
//                                  at full width. AMD EPYC Zen 5 (family 26): square 1024
//                                  product 450 GFLOP/s against 242 as Haswell code, epoch
//                                  1.10 s against 1.58.
//                                - haswell (256-bit AVX2 + FMA, 6×16 tile) on an x86-64
//                                  with AVX2 and FMA and either no AVX-512 or AMD's Zen 4
//                                  (family 25), which runs each 512-bit instruction as two
//                                  256-bit halves: there the native build reached 157
//                                  GFLOP/s and the Haswell build 191, epochs 3.67–4.11 s
//                                  against 3.49–3.97 s. CONVNET_HASWELL_CODE then tells the
//                                  matrix multiply to keep to its 16-wide tile, since a
//                                  32-wide one would not fit in AVX2's 16 registers.
//                                - native anywhere else (Apple silicon: NEON).
//                                CONVNET_CODE=haswell or CONVNET_CODE=native in the
//                                environment overrides the choice (to compare the two; use
//                                a separate --scratch-path for each). x86-only switches
//                                such as -mavx2 would break a Mac build, hence -target-cpu.
//   -enforce-exclusivity=unchecked  no run-time exclusivity checks in inner loops
//   -Xcc -fno-math-errno         Swift's squareRoot() goes through C's sqrtf, which may set
//                                errno, and a loop with a call that has a side effect
//                                stays scalar (Adam's update). Nothing here reads errno;
//                                the square roots are the same, eight or sixteen at a time.
// Lessons and tests stay ordinary debug code, so they remain easy to step through.
let haswellCode: Bool = {
    switch Context.environment["CONVNET_CODE"] {
    case "haswell": return true
    case "native": return false
    default: break
    }
    #if arch(x86_64) && os(Linux)
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return false }
        let lines = info.split(separator: "\n")
        func value(_ key: String) -> String? {
            guard let line = lines.first(where: { $0.hasPrefix(key) }), let colon = line.firstIndex(of: ":") else {
                return nil
            }
            return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let flags = (value("flags") ?? "").split(separator: " ")
        guard flags.contains("avx2") && flags.contains("fma") else { return false }
        let halfWidthAVX512 = value("vendor_id") == "AuthenticAMD" && value("cpu family") == "25"
        return !flags.contains("avx512f") || halfWidthAVX512
    #else
        return false
    #endif
}()
let numericFlags: [SwiftSetting] =
    [
        .unsafeFlags([
            "-O", "-target-cpu", haswellCode ? "haswell" : "native", "-enforce-exclusivity=unchecked", "-Xcc",
            "-fno-math-errno",
        ])
    ] + (haswellCode ? [.define("CONVNET_HASWELL_CODE")] : [])
let optimisedFlags: [SwiftSetting] = [
    .unsafeFlags(["-O"])
]

let lessons = [
    "Lesson00", "Lesson01", "Lesson02", "Lesson03", "Lesson04", "Lesson05", "Lesson06", "Lesson07", "Lesson08",
    "Lesson09", "Lesson10",
]

var targets: [Target] = [
    // System libraries (Debian: `apt-get install libpng-dev`, which brings zlib1g-dev;
    // macOS: `brew install libpng`).
    .systemLibrary(
        name: "CLibPNG", pkgConfig: "libpng",
        providers: [.apt(["libpng-dev"]), .brew(["libpng"])]),
    .systemLibrary(
        name: "CZlib", pkgConfig: "zlib",
        providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]),

    // Reading a file a user named (regular files only, size bounded first) and writing one
    // atomically; shared by models, data, figures and transcripts.
    .target(name: "SafeFiles", swiftSettings: optimisedFlags),
    // The core: tensors, matrix multiply, im2col, layers, losses, optimizers, network.
    .target(name: "ConvNet", dependencies: ["SafeFiles"], swiftSettings: numericFlags),
    // IDX files, MNIST and Fashion-MNIST, batching.
    .target(name: "Datasets", dependencies: ["ConvNet", "CZlib", "SafeFiles"], swiftSettings: numericFlags),
    // PNG files, canvas, charts, image grids, the bitmap font.
    .target(name: "Pictures", dependencies: ["CLibPNG", "SafeFiles"], swiftSettings: optimisedFlags),
    // The notebook-style runner every lesson uses.
    .target(
        name: "LessonKit",
        dependencies: [
            "ConvNet", "Datasets", "Pictures", "SafeFiles",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ],
        swiftSettings: optimisedFlags),

    .executableTarget(
        name: "Bench",
        dependencies: [
            "ConvNet", "Datasets",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ],
        path: "Benchmarks/Bench", swiftSettings: numericFlags),

    .testTarget(
        name: "ConvNetTests", dependencies: ["ConvNet"],
        exclude: ["Fixtures"]),  // numpy fixtures, read from the source tree
    .testTarget(name: "DatasetsTests", dependencies: ["Datasets"]),
    .testTarget(name: "PicturesTests", dependencies: ["Pictures"]),
    .testTarget(name: "LessonKitTests", dependencies: ["LessonKit", "Datasets"]),
    .testTarget(name: "SafeFilesTests", dependencies: ["SafeFiles"]),
    // Runs every lesson executable with --quick, as a learner would.
    .testTarget(name: "LessonTests", dependencies: lessons.map { .target(name: $0) }),
]

for lesson in lessons {
    targets.append(
        .executableTarget(
            name: lesson,
            dependencies: ["LessonKit", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Lessons/\(lesson)"))
}

// Fuzzing harnesses (Fuzz/run builds them): only when CONVNET_FUZZ is set, so a normal
// build never sees them.
if Context.environment["CONVNET_FUZZ"] != nil {
    for (name, dependency) in [("FuzzIDX", "Datasets"), ("FuzzModel", "ConvNet"), ("FuzzPNG", "Pictures")] {
        targets.append(
            .executableTarget(
                name: name, dependencies: [.target(name: dependency)], path: "Fuzz/\(name)",
                swiftSettings: [.unsafeFlags(["-parse-as-library"])]))
    }
}

let package = Package(
    name: "ConvNetCourse",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0")
    ],
    targets: targets
)
