import Foundation

/// What the processor can do, for choosing the matrix multiply's register tile.
enum CPU {
    /// True on an x86-64 processor with AVX-512 (16-wide float vectors, 32 registers).
    /// The build uses `-target-cpu native` (Package.swift), so when the processor has it,
    /// the compiler emits AVX-512 code for SIMD16 and the wide kernel is worth using.
    static let hasAVX512: Bool = {
        #if arch(x86_64) && os(Linux)
            // The kernel lists the processor's features on the "flags" line.
            guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return false }
            return info.split(separator: "\n").first { $0.hasPrefix("flags") }?
                .split(separator: " ").contains("avx512f") ?? false
        #elseif arch(x86_64) && os(macOS)
            var value: Int32 = 0
            var size = MemoryLayout<Int32>.size
            return sysctlbyname("hw.optional.avx512f", &value, &size, nil, 0) == 0 && value == 1
        #else
            return false
        #endif
    }()
}

/// What Bench reports about the processor and the engine's choices for it.
package enum EngineReport {
    /// The processor's name and the vector features the engine cares about, as the
    /// system reports them ("AMD EPYC: avx2 fma, no avx512f").
    package static var processor: String {
        #if os(Linux)
            let info = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
            let lines = info.split(separator: "\n")
            let name =
                lines.first { $0.hasPrefix("model name") }?.split(separator: ":", maxSplits: 1).last?
                .trimmingCharacters(in: .whitespaces) ?? "unknown processor"
            let flags = Set(lines.first { $0.hasPrefix("flags") }?.split(separator: " ").map(String.init) ?? [])
            let features = ["avx2", "fma", "avx512f"].map { flags.contains($0) ? $0 : "no " + $0 }
            return name + ": " + features.joined(separator: ", ")
        #else
            return "processor features not read on this system"
        #endif
    }

    /// The code the numeric modules were compiled to (see Package.swift).
    package static var codeGeneration: String {
        #if CONVNET_HASWELL_CODE
            return "haswell (AVX2 + FMA)"
        #else
            return "native (this processor's own vector units)"
        #endif
    }

    /// The register tile the matrix multiply uses: rows × columns of C held in registers.
    package static var registerTile: String { "\(FastMatrixMultiply.mr)×\(FastMatrixMultiply.widestTile)" }
}
