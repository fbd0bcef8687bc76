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
//   -target-cpu haswell | native use the vector units of the machine that builds it.
//                                On an x86-64 Linux machine with AVX2 and FMA: Haswell code
//                                (256-bit AVX2 + FMA), whether or not the processor also has
//                                AVX-512. Measured on the two processors this course's
//                                machines come with (issue 20): on an AMD EPYC with AVX-512
//                                (Zen 4) the native build (AVX-512 code) reached 157 GFLOP/s
//                                on a square 1024 product and the Haswell build 191, epochs
//                                3.67–4.11 s against 3.49–3.97 s; on an AMD EPYC with AVX2
//                                only the two are the same within the machine's noise
//                                (134–164 against 158–166 GFLOP/s). The Haswell build also
//                                tells the matrix multiply (CONVNET_HASWELL_CODE) to keep to
//                                its 16-wide register tile, since a 32-wide one would not
//                                fit in AVX2's 16 registers. Anywhere else (Apple silicon:
//                                NEON; an x86-64 without AVX2): native.
//                                (x86-only switches such as -mavx2 would break a Mac build.)
//   -enforce-exclusivity=unchecked  no run-time exclusivity checks in inner loops
//   -Xcc -fno-math-errno         Swift's squareRoot() goes through C's sqrtf, which may set
//                                errno, and a loop with a call that has a side effect
//                                stays scalar (Adam's update). Nothing here reads errno;
//                                the square roots are the same, eight or sixteen at a time.
// Lessons and tests stay ordinary debug code, so they remain easy to step through.
let haswellCode: Bool = {
    #if arch(x86_64) && os(Linux)
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
            let flags = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") })?.split(separator: " ")
        else { return false }
        return flags.contains("avx2") && flags.contains("fma")
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
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0")
    ],
    targets: targets
)
