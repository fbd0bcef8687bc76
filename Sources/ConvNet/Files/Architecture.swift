import Foundation

/// A network's architecture as text, one layer per line, so a model file can say what it
/// holds and a loader can rebuild the network or refuse one that does not match:
///
///     input 1 28 28
///     convolution filters 30 channels 1 size 5 5 stride 1 padding 0
///     relu
///     maxpooling size 2 2 stride 2 padding 0
///     affine 4320 100
///     dropout 0.2 seed 1
///
/// Sizes are all that is stored; the numbers themselves are the parameters.
extension Network {
    public var architecture: String {
        (["input " + inputShape.map(String.init).joined(separator: " ")] + layers.map(describe)).joined(separator: "\n")
    }

    /// The architecture without dropout seeds: two networks that differ only in those hold
    /// the same kinds of parameters (a checkpoint restores the dropout generators anyway).
    package var architectureShape: String { Network.withoutDropoutSeeds(architecture) }

    /// Architecture text with the "seed N" of every dropout line removed.
    package static func withoutDropoutSeeds(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.hasPrefix("dropout ") ? line.split(separator: " ").prefix(2).joined(separator: " ") : String(line)
        }.joined(separator: "\n")
    }

    /// Rebuilds a network (with zero parameters) from `architecture` text.
    public convenience init(architecture text: String) throws {
        var lines = text.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        guard let first = lines.first, first.first == "input", first.count >= 2,
              let shape = Optional(first.dropFirst().compactMap { Int($0) }), shape.count == first.count - 1,
              shape.allSatisfy({ $0 > 0 && $0 <= 1 << 20 }) else {
            throw ShapeError("the architecture must start with a line such as \"input 1 28 28\"")
        }
        lines.removeFirst()
        var layers: [Layer] = []
        for (i, words) in lines.enumerated() {
            layers.append(try makeLayer(words, line: i + 2))
        }
        self.init(layers: layers, inputShape: shape)
        _ = try summary()        // the sizes must fit together
    }
}

private func describe(_ layer: Layer) -> String {
    switch layer {
    case let c as Convolution:
        return "convolution filters \(c.filterCount) channels \(c.channels) size \(c.filterHeight) \(c.filterWidth) "
            + "stride \(c.stride) padding \(c.padding)"
    case let p as MaxPooling:
        return "maxpooling size \(p.poolHeight) \(p.poolWidth) stride \(p.stride) padding \(p.padding)"
    case let p as AveragePooling:
        return "averagepooling size \(p.poolHeight) \(p.poolWidth) stride \(p.stride) padding \(p.padding)"
    case let a as Affine: return "affine \(a.inputSize) \(a.outputSize)"
    case let d as Dropout: return "dropout \(d.ratio) seed \(d.seed)"
    case is ReLU: return "relu"
    case is Sigmoid: return "sigmoid"
    case is Flatten: return "flatten"
    default: return "unknown \(layer.name)"
    }
}

private func makeLayer(_ w: [String], line: Int) throws -> Layer {
    // Every size must be a positive number of a sane size, so a damaged file cannot ask
    // for gigabytes of weights.
    func size(_ i: Int, allowZero: Bool = false) throws -> Int {
        guard i < w.count, let v = Int(w[i]), v >= (allowZero ? 0 : 1), v <= 1 << 16 else {
            throw ShapeError("architecture line \(line) (\(w.joined(separator: " "))): expected a size at word \(i + 1)")
        }
        return v
    }
    func expect(_ words: [Int: String]) throws {
        for (i, word) in words where i >= w.count || w[i] != word {
            throw ShapeError("architecture line \(line) (\(w.joined(separator: " "))): expected \"\(word)\" at word \(i + 1)")
        }
    }
    switch w.first ?? "" {
    case "convolution":
        try expect([1: "filters", 3: "channels", 5: "size", 8: "stride", 10: "padding"])
        let (f, c, fh, fw) = (try size(2), try size(4), try size(6), try size(7))
        guard f * c * fh * fw <= 1 << 24 else { throw ShapeError("architecture line \(line): convolution too large") }
        return Convolution(weights: .zeros([f, c, fh, fw]), bias: .zeros([f]), stride: try size(9),
                           padding: try size(11, allowZero: true))
    case "maxpooling", "averagepooling":
        try expect([1: "size", 4: "stride", 6: "padding"])
        let (ph, pw, s, p) = (try size(2), try size(3), try size(5), try size(7, allowZero: true))
        return w[0] == "maxpooling" ? MaxPooling(poolHeight: ph, poolWidth: pw, stride: s, padding: p)
                                    : AveragePooling(poolHeight: ph, poolWidth: pw, stride: s, padding: p)
    case "affine":
        let (d, m) = (try size(1, allowZero: false), try size(2))
        guard w.count == 3, d * m <= 1 << 26 else {
            throw ShapeError("architecture line \(line) (\(w.joined(separator: " "))): expected \"affine D M\" with D·M ≤ 2^26")
        }
        return Affine(weights: .zeros([d, m]), bias: .zeros([m]))
    case "dropout":
        try expect([2: "seed"])
        guard w.count == 4, let ratio = Float(w[1]), ratio >= 0, ratio < 1, let seed = UInt64(w[3]) else {
            throw ShapeError("architecture line \(line) (\(w.joined(separator: " "))): expected \"dropout RATIO seed N\" with 0 ≤ RATIO < 1")
        }
        return Dropout(ratio: ratio, seed: seed)
    case "relu": return ReLU()
    case "sigmoid": return Sigmoid()
    case "flatten": return Flatten()
    default:
        throw ShapeError("architecture line \(line): unknown layer \"\(w.first ?? "")\"")
    }
}
