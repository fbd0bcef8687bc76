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
            shape.allSatisfy({ $0 > 0 && $0 <= 1 << 20 })
        else {
            throw ShapeError("the architecture must start with a line such as \"input 1 28 28\"")
        }
        lines.removeFirst()
        var layers: [Layer] = []
        for (i, words) in lines.enumerated() {
            layers.append(try makeLayer(words, line: i + 2))
        }
        self.init(layers: layers, inputShape: shape)
        _ = try summary()  // the sizes must fit together
    }
}

/// A layer's line: its keyword and words, or "unsavable NAME" for a layer that is not a
/// SavableLayer (ModelFile refuses to save such a network).
private func describe(_ layer: Layer) -> String {
    guard let savable = layer as? SavableLayer else { return "unsavable \(layer.name)" }
    return ([type(of: savable).keyword] + savable.architectureWords).joined(separator: " ")
}

private func makeLayer(_ words: [String], line: Int) throws -> Layer {
    guard let keyword = words.first, let type = LayerRegistry.type(for: keyword) else {
        throw ShapeError("architecture line \(line): unknown layer \"\(words.first ?? "")\"")
    }
    return try type.init(architectureWords: ArchitectureLine(words: words, number: line))
}
