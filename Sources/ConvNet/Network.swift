import Foundation

/// A sequence of layers ending in softmax with cross-entropy.
///
///     scores = layers(x);  loss = SoftmaxWithLoss(scores, labels)
///
/// `gradient` runs forward, then backward through the layers in reverse order, leaving
/// each parameter's gradient in its `Parameter`, ready for an optimizer.
///
/// A network runs its layers as written: the book's layers, one after the other. For
/// speed, `onEngine()` gives the same network run by the engine (Engine/): the same
/// layers and parameters, the same numbers, in a fraction of the time.
public final class Network {
    public let layers: [Layer]
    public let lossLayer = SoftmaxWithLoss()
    /// The shape of one input item (for example [1, 28, 28]), for summaries and checks.
    public let inputShape: [Int]
    /// What forward and backward run: `layers` themselves, or their engine versions.
    package let executedLayers: [Layer]
    /// Whether this network runs on the engine (see `onEngine()`).
    public let runsOnEngine: Bool

    public init(layers: [Layer], inputShape: [Int]) {
        self.layers = layers
        self.inputShape = inputShape
        executedLayers = layers
        runsOnEngine = false
    }

    private init(layers: [Layer], inputShape: [Int], executing executed: [Layer]) {
        self.layers = layers
        self.inputShape = inputShape
        executedLayers = executed
        runsOnEngine = true
    }

    /// The same network run by the engine: the same layers and the same parameters (an
    /// optimizer stepping one steps both), computed by the engine's layers. The engine
    /// runs a Convolution, ReLU and 2×2 MaxPooling in a row as one block, image by image;
    /// `fusesBlocks: false` keeps them apart (for comparing speeds).
    public func onEngine(fusesBlocks: Bool = true) -> Network {
        Network(layers: layers, inputShape: inputShape, executing: Engine.layers(for: layers, fusesBlocks: fusesBlocks))
    }

    /// The names of the layers that actually run, for example "Convolution+ReLU+MaxPooling"
    /// for three layers the engine runs as one block.
    public var executedLayerNames: [String] { executedLayers.map(\.name) }

    /// For each of `layers`, what runs it: "book layer" (the layer as written), or
    /// "engine: " and the engine layer's name, one line per layer; a block the engine runs
    /// in place of three layers is named on each of the three.
    public var runsAs: [String] {
        var result: [String] = []
        for executed in executedLayers {
            let isBookLayer = layers.contains { $0 === executed }
            let covers = (executed as? RunsSeveralBookLayers)?.bookLayerCount ?? 1
            result += Array(repeating: isBookLayer ? "book layer" : "engine: \(executed.name)", count: covers)
        }
        return result
    }

    /// Every learnable parameter, layer by layer.
    public var parameters: [Parameter] { layers.flatMap(\.parameters) }

    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.value.count } }

    /// Items per pass through the layers when predicting (inference mode only): 100, or on
    /// the engine 500 when no layer's output for 500 items is more than 2²² numbers
    /// (SimpleConvNet's largest, the pooled maps, is 2.2 million; Lesson 10's network's
    /// first convolution would be 14 million). The engine's Affine layer multiplies 500 rows
    /// much faster per row than 100: its threads split the rows and each packs the weights
    /// once per 500 items, where 100 rows make them split K and pack half each per 100.
    /// Book layers keep 100: their im2col matrices grow with the pass.
    package var inferenceChunk: Int {
        guard runsOnEngine else { return 100 }
        var shape = [1] + inputShape
        var largest = inputShape.reduce(1, *)
        for layer in executedLayers {
            guard let next = try? layer.outputShape(for: shape) else { return 100 }
            shape = next
            largest = max(largest, next.reduce(1, *))
        }
        return largest * 500 <= 1 << 22 ? 500 : 100
    }

    /// The scores (before softmax) for a batch. Inference mode unless `training`.
    ///
    /// In inference mode a large batch goes through the layers `inferenceChunk` items at a
    /// time: each item's scores depend on that item alone, and small passes keep the
    /// feature maps in the cache and the layers' buffers the size of a training batch
    /// (1000 digits at once would need 69 MB for the convolution's output alone).
    public func predict(_ x: Tensor, training: Bool = false) -> Tensor {
        let n = x.shape.first ?? 0
        let chunkSize = inferenceChunk
        if training || n <= chunkSize { return forwardThroughLayers(x, training: training) }
        var scores: [Float] = []
        var itemShape: [Int] = []
        for start in stride(from: 0, to: n, by: chunkSize) {
            let chunk = forwardThroughLayers(x.slice(start..<min(start + chunkSize, n)), training: false)
            itemShape = Array(chunk.shape.dropFirst())
            scores += chunk.data
        }
        return Tensor(shape: [n] + itemShape, data: scores)
    }

    private func forwardThroughLayers(_ x: Tensor, training: Bool) -> Tensor {
        var out = x
        for layer in executedLayers { out = layer.forward(out, training: training) }
        return out
    }

    /// The loss of a batch (training mode, as when learning).
    public func loss(_ x: Tensor, labels: [Int], training: Bool = true) -> Float {
        lossLayer.forward(predict(x, training: training), labels: labels)
    }

    /// Forward and backward over one batch; returns the loss and leaves gradients in
    /// `parameters`.
    @discardableResult
    public func gradient(_ x: Tensor, labels: [Int]) -> Float {
        let loss = self.loss(x, labels: labels, training: true)
        var dout = lossLayer.backward()
        for layer in executedLayers.dropFirst().reversed() { dout = layer.backward(dout) }
        // The first layer's ∂L/∂x would be the gradient with respect to the data: unused.
        executedLayers.first?.backwardParameters(dout)
        return loss
    }

    /// The predicted class of every item (argmax of the scores), in batches of `batchSize`.
    public func classify(_ x: Tensor, batchSize: Int = 1000) -> [Int] {
        var predictions: [Int] = []
        let n = x.shape[0]
        var start = 0
        while start < n {
            let scores = predict(x.slice(start..<min(start + batchSize, n)))
            predictions += argmaxPerRow(scores)
            start += batchSize
        }
        return predictions
    }

    /// The share of items classified correctly.
    public func accuracy(_ x: Tensor, labels: [Int], batchSize: Int = 1000) -> Double {
        let predictions = classify(x, batchSize: batchSize)
        return Double(zip(predictions, labels).filter { $0 == $1 }.count) / Double(max(labels.count, 1))
    }

    /// Checks that a batch fits every layer, throwing a ShapeError that names the first
    /// layer it does not fit. Call it on anything that comes from outside (a file, an image)
    /// before `predict`.
    public func checkInput(_ x: Tensor) throws {
        guard x.rank >= 1, Array(x.shape.dropFirst()) == inputShape else {
            throw ShapeError("the network takes items of shape \(inputShape), got a batch of shape \(x.shape)")
        }
        _ = try summary()
    }

    /// The most numbers one item may have, as input or as any layer's output: 2²⁴, far
    /// above the course's networks (Lesson 10's largest is 28,800) and small enough that
    /// a pass of `inferenceChunk` items stays below the 2³¹ elements the layers index
    /// with Int32 (100 such items, or 500 of at most 2²² / 500). A model file could otherwise describe a few parameters that make
    /// feature maps of terabytes.
    package static let maximumItemSize = 1 << 24

    /// One row per layer: its name, output shape for a batch of one, and parameter count.
    /// Throws a ShapeError naming the first layer the data does not fit, or whose output
    /// would be larger than `maximumItemSize`.
    public func summary() throws -> [(layer: String, outputShape: [Int], parameters: Int)] {
        guard Network.fitsItemSize(inputShape) else {
            throw ShapeError("the input \(inputShape) has more than \(Network.maximumItemSize) numbers per item")
        }
        var shape = [1] + inputShape
        var rows: [(String, [Int], Int)] = []
        for (i, layer) in layers.enumerated() {
            do { shape = try layer.outputShape(for: shape) } catch {
                throw ShapeError("layer \(i + 1) (\(layer.name)): \(error)")
            }
            guard Network.fitsItemSize(Array(shape.dropFirst())) else {
                throw ShapeError(
                    "layer \(i + 1) (\(layer.name)): its output \(Array(shape.dropFirst())) would have more than \(Network.maximumItemSize) numbers per item"
                )
            }
            rows.append((layer.name, shape, layer.parameters.reduce(0) { $0 + $1.value.count }))
        }
        return rows
    }

    /// Whether the product of `sizes` is at most `maximumItemSize` (without overflowing).
    private static func fitsItemSize(_ sizes: [Int]) -> Bool {
        var product = 1
        for size in sizes {
            let (next, overflow) = product.multipliedReportingOverflow(by: size)
            guard !overflow, next <= maximumItemSize else { return false }
            product = next
        }
        return true
    }
}

/// The index of the largest value of each row of an N×K tensor.
public func argmaxPerRow(_ scores: Tensor) -> [Int] {
    let k = scores.shape[1]
    return (0..<scores.shape[0]).map { row in
        var best = 0
        for j in 1..<k where scores.data[row * k + j] > scores.data[row * k + best] { best = j }
        return best
    }
}

extension Network {
    /// He initialisation: normal weights with standard deviation √(2 / inputs per
    /// output), which keeps the size of activations steady through ReLU layers.
    public static func heStd(fanIn: Int) -> Float { Float((2.0 / Double(fanIn)).squareRoot()) }

    /// The book's SimpleConvNet, Conv-ReLU-Pool-Affine-ReLU-Affine-Softmax:
    ///
    ///     x: N×1×28×28 → Conv 30 filters 5×5 (stride 1, pad 0) → N×30×24×24 → ReLU
    ///       → MaxPool 2×2 stride 2 → N×30×12×12 → Affine 4320→100 → ReLU → Affine 100→10
    ///
    /// Sizes are parameters so tests can build a small one.
    public static func simpleConvNet(
        inputShape: [Int] = [1, 28, 28], filters: Int = 30, filterSize: Int = 5,
        hidden: Int = 100, classes: Int = 10, rng: inout SeededRandom
    ) -> Network {
        let (c, h, w) = (inputShape[0], inputShape[1], inputShape[2])
        let convH = h - filterSize + 1
        let convW = w - filterSize + 1
        let pooled = filters * (convH / 2) * (convW / 2)
        let layers: [Layer] = [
            Convolution(
                filters: filters, channels: c, filterHeight: filterSize, filterWidth: filterSize,
                stride: 1, padding: 0, weightStd: heStd(fanIn: c * filterSize * filterSize), rng: &rng),
            ReLU(),
            MaxPooling(poolHeight: 2, poolWidth: 2, stride: 2, padding: 0),
            Affine(inputSize: pooled, outputSize: hidden, weightStd: heStd(fanIn: pooled), rng: &rng),
            ReLU(),
            Affine(inputSize: hidden, outputSize: classes, weightStd: heStd(fanIn: hidden), rng: &rng),
        ]
        return Network(layers: layers, inputShape: inputShape)
    }

    /// Lesson 10's deeper network (after the Keras MNIST example):
    ///
    ///     x: N×1×28×28 → Conv 50 5×5 → N×50×24×24 → ReLU → Conv 50 3×3 → N×50×22×22 → ReLU
    ///       → MaxPool 2×2 → N×50×11×11 → Dropout 0.2 → Affine 6050→100 → ReLU
    ///       → Dropout 0.4 → Affine 100→10
    public static func deeperConvNet(rng: inout SeededRandom) -> Network {
        let layers: [Layer] = [
            Convolution(
                filters: 50, channels: 1, filterHeight: 5, filterWidth: 5, stride: 1, padding: 0,
                weightStd: heStd(fanIn: 25), rng: &rng),
            ReLU(),
            Convolution(
                filters: 50, channels: 50, filterHeight: 3, filterWidth: 3, stride: 1, padding: 0,
                weightStd: heStd(fanIn: 450), rng: &rng),
            ReLU(),
            MaxPooling(poolHeight: 2, poolWidth: 2, stride: 2, padding: 0),
            Dropout(ratio: 0.2, seed: 1),
            Affine(inputSize: 6050, outputSize: 100, weightStd: heStd(fanIn: 6050), rng: &rng),
            ReLU(),
            Dropout(ratio: 0.4, seed: 2),
            Affine(inputSize: 100, outputSize: 10, weightStd: heStd(fanIn: 100), rng: &rng),
        ]
        return Network(layers: layers, inputShape: [1, 28, 28])
    }

    /// A multilayer perceptron: Affine-ReLU-…-Affine, for example sizes [784, 64, 10].
    public static func mlp(sizes: [Int], rng: inout SeededRandom) -> Network {
        require(sizes.count >= 2, "an MLP needs at least an input and an output size, got \(sizes)")
        var layers: [Layer] = []
        for i in 0..<(sizes.count - 1) {
            if i > 0 { layers.append(ReLU()) }
            layers.append(
                Affine(inputSize: sizes[i], outputSize: sizes[i + 1], weightStd: heStd(fanIn: sizes[i]), rng: &rng))
        }
        return Network(layers: layers, inputShape: [sizes[0]])
    }
}
