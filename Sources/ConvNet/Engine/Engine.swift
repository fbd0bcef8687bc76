/// The engine: what runs a network fast. It is chosen with one visible call,
/// `network.onEngine()`, and never replaces a book layer on its own.
///
/// Each engine layer holds the book layer it stands for and works on that layer's own
/// parameters, so a network on the engine trains, saves and loads exactly like the book
/// network, and the two compute the same numbers (the tests hold every engine layer equal
/// to its book layer). What each one does differently, and why it pays, is in
/// docs/engine.md.
package enum Engine {
    /// The engine's version of each layer: a Convolution, ReLU and 2×2 MaxPooling (stride
    /// 2, no padding) in a row become one ConvolutionBlock, and another Convolution with
    /// its ReLU one ConvolutionReLU (unless `fusesBlocks` is false);
    /// Convolution, MaxPooling, ReLU, Affine and Dropout get their engine layers; the rest
    /// (Sigmoid, Flatten, AveragePooling) run as the book wrote them.
    package static func layers(for layers: [Layer], fusesBlocks: Bool = true) -> [Layer] {
        var result: [Layer] = []
        var i = 0
        while i < layers.count {
            if fusesBlocks, i + 2 < layers.count, let block = ConvolutionBlock(layers[i], layers[i + 1], layers[i + 2])
            {
                result.append(block)
                i += 3
                continue
            }
            if fusesBlocks, i + 1 < layers.count, let pair = ConvolutionReLU(layers[i], layers[i + 1]) {
                result.append(pair)
                i += 2
                continue
            }
            switch layers[i] {
            case let convolution as Convolution: result.append(EngineConvolution(convolution))
            case let pooling as MaxPooling: result.append(EngineMaxPooling(pooling))
            case is ReLU: result.append(EngineReLU())
            case let affine as Affine: result.append(EngineAffine(affine))
            case let dropout as Dropout: result.append(EngineDropout(dropout))
            default: result.append(layers[i])
            }
            i += 1
        }
        return result
    }
}

/// An engine layer that runs several book layers as one (ConvolutionBlock, ConvolutionReLU):
/// how many, so that `Network.runsAs` can name it beside each of them.
package protocol RunsSeveralBookLayers {
    var bookLayerCount: Int { get }
}

extension ConvolutionBlock: RunsSeveralBookLayers {
    package var bookLayerCount: Int { 3 }  // Convolution, ReLU, MaxPooling
}

extension ConvolutionReLU: RunsSeveralBookLayers {
    package var bookLayerCount: Int { 2 }  // Convolution, ReLU
}
