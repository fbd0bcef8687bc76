// How each of the course's layers is written in a model file's architecture text, and
// rebuilt from it (see SavableLayer). Kept out of the layers' own files, which the lessons
// read beside the book.

extension Convolution: SavableLayer {
    public static let keyword = "convolution"
    public var architectureWords: [String] {
        [
            "filters", "\(filterCount)", "channels", "\(channels)", "size", "\(filterHeight)", "\(filterWidth)",
            "stride", "\(stride)", "padding", "\(padding)",
        ]
    }
    public convenience init(architectureWords line: ArchitectureLine) throws {
        try line.expect([1: "filters", 3: "channels", 5: "size", 8: "stride", 10: "padding"])
        let (f, c, fh, fw) = (try line.size(at: 2), try line.size(at: 4), try line.size(at: 6), try line.size(at: 7))
        guard f * c * fh * fw <= 1 << 24 else { throw line.error("convolution too large") }
        self.init(
            weights: .zeros([f, c, fh, fw]), bias: .zeros([f]), stride: try line.size(at: 9),
            padding: try line.size(at: 11, allowZero: true))
    }
}

/// Both poolings are written "size PH PW stride S padding P" and rebuilt the same way.
protocol WindowPooling: SavableLayer {
    var poolHeight: Int { get }
    var poolWidth: Int { get }
    var stride: Int { get }
    var padding: Int { get }
    init(poolHeight: Int, poolWidth: Int, stride: Int, padding: Int)
}

extension WindowPooling {
    public var architectureWords: [String] {
        ["size", "\(poolHeight)", "\(poolWidth)", "stride", "\(stride)", "padding", "\(padding)"]
    }
    public init(architectureWords line: ArchitectureLine) throws {
        try line.expect([1: "size", 4: "stride", 6: "padding"])
        self.init(
            poolHeight: try line.size(at: 2), poolWidth: try line.size(at: 3), stride: try line.size(at: 5),
            padding: try line.size(at: 7, allowZero: true))
    }
}

extension MaxPooling: WindowPooling { public static let keyword = "maxpooling" }
extension AveragePooling: WindowPooling { public static let keyword = "averagepooling" }

extension Affine: SavableLayer {
    public static let keyword = "affine"
    public var architectureWords: [String] { ["\(inputSize)", "\(outputSize)"] }
    public convenience init(architectureWords line: ArchitectureLine) throws {
        let (d, m) = (try line.size(at: 1), try line.size(at: 2))
        guard line.words.count == 3, d * m <= 1 << 26 else {
            throw line.error("expected \"affine D M\" with D·M ≤ 2^26")
        }
        self.init(weights: .zeros([d, m]), bias: .zeros([m]))
    }
}

extension Dropout: SavableLayer {
    public static let keyword = "dropout"
    public var architectureWords: [String] { ["\(ratio)", "seed", "\(seed)"] }
    public convenience init(architectureWords line: ArchitectureLine) throws {
        try line.expect([2: "seed"])
        guard line.words.count == 4, let ratio = Float(line.words[1]), ratio >= 0, ratio < 1,
            let seed = UInt64(line.words[3])
        else {
            throw line.error("expected \"dropout RATIO seed N\" with 0 ≤ RATIO < 1")
        }
        self.init(ratio: ratio, seed: seed)
    }
    /// The mask generator's state, so that a resumed run draws the masks it would have
    /// drawn: its 64 bits as two 32-bit halves, each kept as a Float's bit pattern
    /// (stored and read back unchanged, never computed with).
    public var savedState: [Float] {
        [
            Float(bitPattern: UInt32(truncatingIfNeeded: rng.state)),
            Float(bitPattern: UInt32(truncatingIfNeeded: rng.state >> 32)),
        ]
    }
    public func restore(savedState: [Float]) throws {
        guard savedState.count == 2 else {
            throw ShapeError("Dropout keeps 2 numbers of state, the file has \(savedState.count)")
        }
        rng = SeededRandom(seed: UInt64(savedState[0].bitPattern) | UInt64(savedState[1].bitPattern) << 32)
    }
}

/// A layer with no settings: its line is its keyword alone.
protocol SettinglessLayer: SavableLayer {
    init()
}

extension SettinglessLayer {
    public var architectureWords: [String] { [] }
    public init(architectureWords line: ArchitectureLine) throws {
        try line.expectCount(1, Self.keyword)
        self.init()
    }
}

extension ReLU: SettinglessLayer { public static let keyword = "relu" }
extension Sigmoid: SettinglessLayer { public static let keyword = "sigmoid" }
extension Flatten: SettinglessLayer { public static let keyword = "flatten" }
