import Foundation

/// What the processor can do, for choosing the matrix multiply's register tile.
enum CPU {
    /// On Linux, the lines of /proc/cpuinfo (the first processor's are enough), read once.
    static let info: [Substring] = {
        #if os(Linux)
            let text = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
            return text.split(separator: "\n")
        #else
            return []
        #endif
    }()

    /// The value of the first "key : value" line of /proc/cpuinfo with this key.
    static func value(of key: String) -> Substring? {
        info.first { $0.hasPrefix(key) }?.split(separator: ":", maxSplits: 1).last
    }

    /// The kernel's list of the processor's features (the "flags" line).
    static let flags = Set((value(of: "flags") ?? "").split(separator: " ").map(String.init))

    /// True on an x86-64 processor with AVX-512 (16-wide float vectors, 32 registers).
    /// Built as native code (Package.swift), the compiler then emits AVX-512 code for
    /// SIMD16 and the wide kernel is worth using.
    static let hasAVX512: Bool = {
        #if arch(x86_64) && os(Linux)
            return flags.contains("avx512f")
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
            let name = CPU.value(of: "model name")?.trimmingCharacters(in: .whitespaces) ?? "unknown processor"
            let features = ["avx2", "fma", "avx512f"].map { CPU.flags.contains($0) ? $0 : "no " + $0 }
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
            return CPU.hasAVX512 ? "native (AVX-512)" : "native (this processor's own vector units)"
        #endif
    }

    /// The register tile the matrix multiply uses: rows × columns of C held in registers.
    package static var registerTile: String { "\(FastMatrixMultiply.mr)×\(FastMatrixMultiply.widestTile)" }
}
