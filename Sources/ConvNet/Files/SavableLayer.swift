/// A layer a model file can hold. It says how it is written in the architecture text and
/// how it is rebuilt from that line, and what state it keeps besides its learnable
/// parameters; ModelFile, Architecture and Checkpoint use nothing else, so a new layer is
/// made savable in its own file:
///
///     extension MyLayer: SavableLayer {
///         public static let keyword = "mylayer"
///         public var architectureWords: [String] { ["size", "\(size)"] }
///         public convenience init(architectureWords w: ArchitectureLine) throws { self.init(size: try w.size(at: 1)) }
///     }
///     LayerRegistry.register(MyLayer.self)      // once, before loading a file that has one
public protocol SavableLayer: Layer {
    /// The first word of the layer's line ("convolution").
    static var keyword: String { get }
    /// The rest of the line: its sizes and settings.
    var architectureWords: [String] { get }
    /// The layer rebuilt from its line, learnable parameters zero (the file's parameters
    /// are loaded into it next). Throws a ShapeError that says what does not fit.
    init(architectureWords line: ArchitectureLine) throws
    /// What a file keeps besides the learnable parameters (running statistics, a
    /// generator's state), in a fixed order; a model file and a checkpoint both save it.
    var savedState: [Float] { get }
    /// Puts back what `savedState` gave; throws if it does not fit this layer.
    func restore(savedState: [Float]) throws
}

extension SavableLayer {
    public var savedState: [Float] { [] }
    public func restore(savedState: [Float]) throws {
        guard savedState.isEmpty else {
            throw ShapeError("\(name) keeps no state, the file has \(savedState.count) numbers for it")
        }
    }
}

/// One line of architecture text, split into words, with the checks every layer needs
/// when it reads its sizes, so that a damaged file cannot ask for gigabytes of weights.
public struct ArchitectureLine {
    public let words: [String]
    public let number: Int  // the line's number in the text, for messages

    public init(words: [String], number: Int) { (self.words, self.number) = (words, number) }

    /// The error for this line.
    public func error(_ problem: String) -> ShapeError {
        ShapeError("architecture line \(number) (\(words.joined(separator: " "))): \(problem)")
    }

    /// The size at word `i` (counted from 0, the keyword): a whole number in 1...65536 (or 0).
    public func size(at i: Int, allowZero: Bool = false) throws -> Int {
        guard i < words.count, let v = Int(words[i]), v >= (allowZero ? 0 : 1), v <= 1 << 16 else {
            throw error("expected a size at word \(i + 1)")
        }
        return v
    }

    /// Requires the given words at the given positions ("stride" at word 8, …).
    public func expect(_ expected: [Int: String]) throws {
        for (i, word) in expected.sorted(by: { $0.key < $1.key }) where i >= words.count || words[i] != word {
            throw error("expected \"\(word)\" at word \(i + 1)")
        }
    }

    /// Requires exactly `count` words.
    public func expectCount(_ count: Int, _ form: String) throws {
        guard words.count == count else { throw error("expected \"\(form)\"") }
    }
}

/// The layers a model file may name, by keyword. The course's own are listed here; a
/// layer from elsewhere (a test's, a learner's) registers itself.
public enum LayerRegistry {
    nonisolated(unsafe) private static var types: [String: SavableLayer.Type] = Dictionary(
        uniqueKeysWithValues: ([
            Convolution.self, MaxPooling.self, AveragePooling.self, Affine.self, ReLU.self, Sigmoid.self,
            Flatten.self, Dropout.self,
        ] as [SavableLayer.Type]).map { ($0.keyword, $0) })

    /// Makes `type` loadable from model files (call it before loading; registering twice is harmless).
    public static func register(_ type: SavableLayer.Type) { types[type.keyword] = type }

    static func type(for keyword: String) -> SavableLayer.Type? { types[keyword] }
}
