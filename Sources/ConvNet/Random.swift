import Foundation

/// A small seeded random number generator (SplitMix64). The same seed gives the same
/// numbers on every platform, so a lesson's numbers and figures are reproducible.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    /// The whole state of the generator: `SeededRandom(seed: g.state)` continues exactly
    /// where `g` is (checkpoints save it).
    public private(set) var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1), with 24 random bits (all a Float can hold).
    public mutating func uniform() -> Float {
        Float(next() >> 40) * (1.0 / 16_777_216.0)
    }

    /// Uniform in [low, high).
    public mutating func uniform(_ low: Float, _ high: Float) -> Float {
        low + (high - low) * uniform()
    }

    /// Standard normal, by the Box–Muller transform (computed in Double for accuracy).
    public mutating func normal() -> Float {
        let u1 = Double(next() >> 11) * 0x1.0p-53 + 0x1.0p-54  // (0, 1): log stays finite
        let u2 = Double(next() >> 11) * 0x1.0p-53
        return Float((-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2))
    }

    /// A random integer in 0..<n, without the bias of `next() % n`.
    public mutating func index(below n: Int) -> Int {
        require(n > 0, "index(below:) needs n > 0, got \(n)")
        return Int(next(upperBound: UInt64(n)))
    }

    /// A uniformly shuffled permutation of 0..<n (Fisher–Yates).
    public mutating func permutation(_ n: Int) -> [Int] {
        var p = Array(0..<n)
        if n < 2 { return p }
        for i in stride(from: n - 1, to: 0, by: -1) {
            p.swapAt(i, index(below: i + 1))
        }
        return p
    }
}
