import Testing

@testable import ConvNet

/// Every layer's backward, book and engine, against the Double reference, element by
/// element (PreciseGradientCheck.swift). Shapes are non-square, with stride and padding.
@Suite struct PreciseGradientTests {
    static func layers() -> [(String, Layer, [Int])] {
        var rng = SeededRandom(seed: 31)
        func conv(_ c: Int, _ fn: Int, _ fh: Int, _ fw: Int, _ s: Int, _ p: Int) -> Convolution {
            let layer = Convolution(
                filters: fn, channels: c, filterHeight: fh, filterWidth: fw, stride: s, padding: p,
                weightStd: 0.5, rng: &rng)
            layer.b.value = .randomNormal([fn], std: 0.5, rng: &rng)
            return layer
        }
        let affine = Affine(inputSize: 24, outputSize: 5, weightStd: 0.5, rng: &rng)
        affine.b.value = .randomNormal([5], std: 0.5, rng: &rng)
        let dropout = Dropout(ratio: 0.4, seed: 9)
        let engineDropout = EngineDropout(Dropout(ratio: 0.4, seed: 9))
        let blockConv = conv(2, 3, 3, 3, 1, 1)
        return [
            ("Convolution 3×2, stride 1, padding 1", conv(2, 3, 3, 2, 1, 1), [2, 2, 5, 6]),
            ("Convolution 3×5, stride 2, padding 1", conv(2, 3, 3, 5, 2, 1), [2, 2, 7, 9]),
            ("engine Convolution 3×2, stride 1, padding 1", EngineConvolution(conv(2, 3, 3, 2, 1, 1)), [2, 2, 5, 6]),
            ("engine Convolution 3×5, stride 2, padding 1", EngineConvolution(conv(2, 3, 3, 5, 2, 1)), [2, 2, 7, 9]),
            ("engine Convolution 5×5, no padding", EngineConvolution(conv(1, 4, 5, 5, 1, 0)), [2, 1, 8, 9]),
            ("MaxPooling 2×2, stride 2", MaxPooling(poolHeight: 2, poolWidth: 2, stride: 2, padding: 0), [2, 2, 6, 8]),
            (
                "MaxPooling 3×3, stride 1, padding 1", MaxPooling(poolHeight: 3, poolWidth: 3, stride: 1, padding: 1),
                [2, 2, 5, 6]
            ),
            (
                "MaxPooling 2×3, stride 2, padding 1", MaxPooling(poolHeight: 2, poolWidth: 3, stride: 2, padding: 1),
                [2, 2, 6, 7]
            ),
            (
                "engine MaxPooling 2×2, stride 2",
                EngineMaxPooling(MaxPooling(poolHeight: 2, poolWidth: 2, stride: 2, padding: 0)), [2, 2, 6, 20]
            ),
            (
                "engine MaxPooling 3×3, stride 1, padding 1",
                EngineMaxPooling(MaxPooling(poolHeight: 3, poolWidth: 3, stride: 1, padding: 1)), [2, 2, 5, 6]
            ),
            (
                "engine MaxPooling 2×3, stride 2, padding 1",
                EngineMaxPooling(MaxPooling(poolHeight: 2, poolWidth: 3, stride: 2, padding: 1)), [2, 2, 6, 7]
            ),
            (
                "AveragePooling 2×3, stride 1, padding 1",
                AveragePooling(poolHeight: 2, poolWidth: 3, stride: 1, padding: 1), [2, 2, 5, 6]
            ),
            (
                "AveragePooling 3×3, stride 2", AveragePooling(poolHeight: 3, poolWidth: 3, stride: 2, padding: 0),
                [2, 2, 7, 9]
            ),
            ("Affine", affine, [3, 2, 3, 4]),
            ("engine Affine", EngineAffine(affine), [3, 2, 3, 4]),
            ("ReLU", ReLU(), [3, 2, 3, 4]),
            ("engine ReLU", EngineReLU(), [3, 2, 3, 4]),
            ("Sigmoid", Sigmoid(), [3, 2, 3, 4]),
            ("Flatten", Flatten(), [3, 2, 3, 4]),
            ("Dropout", dropout, [3, 2, 3, 4]),
            ("engine Dropout", engineDropout, [3, 2, 3, 4]),
            (
                "engine Convolution+ReLU+MaxPooling",
                ConvolutionBlock(blockConv, ReLU(), MaxPooling(poolHeight: 2, poolWidth: 2, stride: 2, padding: 0))!,
                [2, 2, 6, 8]
            ),
        ]
    }

    /// The threshold for every element of every layer's gradients: 3e-4. The backward runs
    /// in Float, and an element that is the sum of terms much larger than itself carries
    /// their rounding: correct code shows at most 2.6e-5 here (each worst element is
    /// printed), a margin of more than ten; one element off by 1 % shows 5e-3, more than
    /// ten times the threshold.
    static let threshold = 3e-4

    @Test(arguments: 0..<layers().count)
    func layerGradientsElementByElement(index: Int) {
        let (label, layer, shape) = Self.layers()[index]
        var rng = SeededRandom(seed: UInt64(index + 1))
        let x = distinctInput(shape, rng: &rng)
        for result in preciseCheck(layer, input: x, threshold: Self.threshold) {
            print("\(label): \(result)")
            #expect(result.passed, "\(label): \(result)")
        }
    }

    /// SoftmaxWithLoss: (y − t)/N against the Double loss.
    @Test func softmaxWithLossElementByElement() {
        var rng = SeededRandom(seed: 41)
        let x = Tensor.randomNormal([5, 7], std: 2, rng: &rng)
        let labels = [1, 6, 3, 3, 0]
        let layer = SoftmaxWithLoss()
        _ = layer.forward(x, labels: labels)
        let numeric = doubleGradient(x.data.map(Double.init)) {
            Reference.softmaxWithLoss(DoubleTensor(shape: x.shape, data: $0), labels)
        }
        let result = judge(
            "SoftmaxWithLoss", "dx", analytic: layer.backward().data, numeric: numeric, threshold: Self.threshold)
        print(result)
        #expect(result.passed, "\(result)")
    }

    /// Whole networks, every parameter, book layers and engine, at 1e-5: through the loss's
    /// 1/N and the network's sums no element here is the small difference of large terms,
    /// and correct code shows at most 8.5e-7 (a margin of ten). SimpleConvNet, small enough
    /// for a Double check of every weight.
    @Test(arguments: [false, true])
    func networksElementByElement(onEngine: Bool) {
        var rng = SeededRandom(seed: 4)
        let simple = Network.simpleConvNet(
            inputShape: [1, 8, 10], filters: 3, filterSize: 3, hidden: 6, classes: 4, rng: &rng)
        let x = distinctInput([3, 1, 8, 10], rng: &rng)
        let network = onEngine ? simple.onEngine() : simple
        for result in preciseCheck(network, input: x, labels: [0, 3, 1], threshold: 1e-5) {
            print("SimpleConvNet\(onEngine ? " on the engine" : ""): \(result)")
            #expect(result.passed, "\(result)")
        }
    }
}
