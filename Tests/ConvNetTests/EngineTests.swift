import Testing

@testable import ConvNet

// The engine computes what the book layers compute. Each engine layer gets the book
// layer it stands for and the same input; outputs, ∂L/∂x and every parameter gradient
// must agree, on shapes that reach every path of the engine (non-square inputs and
// filters, stride, padding, several channels, the SIMD 2×2 pooling) and with 1 and 2
// threads. The engine sums in another order, so the comparison allows Float rounding:
// the largest difference relative to the largest value, at most 1e-5.

/// The largest |a − b| relative to the largest |b|.
func relativeDifference(_ a: Tensor, _ b: Tensor) -> Float {
    #expect(a.shape == b.shape)
    guard a.shape == b.shape else { return .infinity }
    let scale = max(b.data.map(abs).max() ?? 0, 1e-30)
    return worstDifference(a.data, b.data) / scale
}

/// Runs book and engine layer forward and backward on the same x and dout, and returns
/// the relative difference of out, dx and each parameter gradient.
func compareLayers(book: Layer, engine: Layer, x: Tensor, rng: inout SeededRandom) -> [(String, Float)] {
    let expected = book.forward(x, training: true)
    let out = engine.forward(x, training: true)
    let dout = Tensor.randomNormal(expected.shape, rng: &rng)
    let expectedDx = book.backward(dout)
    let expectedGradients = book.parameters.map(\.gradient)
    for p in book.parameters { p.gradient = Tensor(shape: p.value.shape, repeating: .nan) }
    let dx = engine.backward(dout)
    var results = [("out", relativeDifference(out, expected)), ("dx", relativeDifference(dx, expectedDx))]
    for (p, g) in zip(engine.parameters, expectedGradients) {
        results.append(("d" + p.name, relativeDifference(p.gradient, g)))
    }
    return results
}

@Suite struct EngineTests {
    /// (N, C, H, W, FN, FH, FW, stride, padding): the network's first convolution, a
    /// non-square input with a non-square filter and padding, stride 2 with padding,
    /// stride 3 with padding 2, a 1×1 filter, and a non-square filter at stride 1 without
    /// padding (the unrolling's fast path). Then 3×3 filters at stride 1 without padding,
    /// which forward computes by Winograd's F(2×2, 3×3): Lesson 10's second convolution,
    /// a plane wide enough for eight tiles at a time, one of odd height and width (tiles
    /// cut by the edge), and one smaller than a tile group.
    static let convolutions: [(Int, Int, Int, Int, Int, Int, Int, Int, Int)] = [
        (4, 1, 28, 28, 6, 5, 5, 1, 0), (8, 3, 15, 17, 8, 3, 2, 1, 1), (6, 2, 11, 9, 5, 3, 5, 2, 1),
        (5, 2, 12, 14, 4, 4, 3, 3, 2), (4, 4, 7, 10, 3, 1, 1, 1, 0), (3, 2, 9, 12, 4, 3, 5, 1, 0),
        (2, 50, 24, 24, 50, 3, 3, 1, 0), (3, 5, 20, 26, 7, 3, 3, 1, 0), (3, 3, 21, 23, 4, 3, 3, 1, 0),
        (2, 2, 5, 4, 3, 3, 3, 1, 0),
    ]

    @Test(arguments: 0..<convolutions.count, [1, 2])
    func convolutionEqualsTheBookLayer(caseIndex: Int, threads: Int) {
        let (n, c, h, w, fn, fh, fw, s, p) = Self.convolutions[caseIndex]
        var rng = SeededRandom(seed: UInt64(caseIndex + 40))
        let book = Convolution(
            filters: fn, channels: c, filterHeight: fh, filterWidth: fw, stride: s, padding: p,
            weightStd: 0.5, rng: &rng)
        book.b.value = .randomNormal([fn], rng: &rng)
        let x = Tensor.randomNormal([n, c, h, w], rng: &rng)
        Parallelism.$override.withValue(threads) {
            for (name, difference) in compareLayers(book: book, engine: EngineConvolution(book), x: x, rng: &rng) {
                #expect(
                    difference <= 1e-5,
                    "case \(Self.convolutions[caseIndex]), \(threads) thread(s), \(name): \(difference)")
            }
        }
    }

    /// As a network's first layer the engine's convolution skips dx; dW and db are the same.
    @Test func convolutionBackwardParametersGivesTheSameGradients() {
        var rng = SeededRandom(seed: 12)
        let x = Tensor.randomNormal([3, 2, 9, 11], rng: &rng)
        let book = Convolution(
            filters: 4, channels: 2, filterHeight: 3, filterWidth: 5, stride: 2, padding: 1,
            weightStd: 0.5, rng: &rng)
        let engine = EngineConvolution(book)
        let out = engine.forward(x, training: true)
        let dout = Tensor.randomNormal(out.shape, rng: &rng)
        _ = engine.backward(dout)
        let (dW, db) = (book.dW, book.db)
        book.W.gradient = Tensor(shape: dW.shape, repeating: .nan)
        book.b.gradient = Tensor(shape: db.shape, repeating: .nan)
        engine.backwardParameters(dout)
        #expect(book.dW == dW)
        #expect(book.db == db)
    }

    /// (N, C, H, W, PH, PW, stride, padding): the SIMD 2×2 path with rows of 13, of 4 and
    /// of 10 outputs (eight, then the last five or four again), overlapping padded windows,
    /// a non-square window with padding, and stride 1.
    static let poolings: [(Int, Int, Int, Int, Int, Int, Int, Int)] = [
        (8, 4, 40, 26, 2, 2, 2, 0), (3, 2, 6, 8, 2, 2, 2, 0), (8, 4, 20, 23, 3, 3, 1, 1),
        (4, 3, 10, 11, 2, 3, 2, 1), (6, 2, 9, 12, 3, 2, 1, 0), (3, 2, 8, 20, 2, 2, 2, 0),
    ]

    @Test(arguments: 0..<poolings.count, [1, 2])
    func maxPoolingEqualsTheBookLayer(caseIndex: Int, threads: Int) {
        let (n, c, h, w, ph, pw, s, p) = Self.poolings[caseIndex]
        var rng = SeededRandom(seed: UInt64(caseIndex + 60))
        var x = Tensor.randomNormal([n, c, h, w], rng: &rng)
        // After a ReLU many windows are all zeros: ties, which must go to the same winner.
        if caseIndex != 2 { x = x.map { max(0, ($0 * 2).rounded() / 2) } }
        let book = MaxPooling(poolHeight: ph, poolWidth: pw, stride: s, padding: p)
        let engine = EngineMaxPooling(book)
        Parallelism.$override.withValue(threads) {
            // The same maxima exactly; dx may differ by rounding where windows overlap
            // (a cell that wins several windows sums their gradients in another order).
            for (name, difference) in compareLayers(book: book, engine: engine, x: x, rng: &rng) {
                #expect(
                    difference <= (name == "out" ? 0 : 1e-6),
                    "case \(Self.poolings[caseIndex]), \(threads) thread(s), \(name): \(difference)")
            }
            #expect(engine.winners == book.winners, "case \(Self.poolings[caseIndex]): the winners differ")
        }
    }

    @Test(arguments: [1, 2])
    func reluAndAffineEqualTheBookLayers(threads: Int) {
        var rng = SeededRandom(seed: 70)
        let x = Tensor.randomNormal([50, 3, 20, 20], rng: &rng)  // big enough for two threads
        let affine = Affine(inputSize: 1200, outputSize: 30, weightStd: 0.1, rng: &rng)
        affine.b.value = .randomNormal([30], rng: &rng)
        Parallelism.$override.withValue(threads) {
            for (name, difference) in compareLayers(book: ReLU(), engine: EngineReLU(), x: x, rng: &rng) {
                #expect(difference == 0, "ReLU \(name): \(difference)")
            }
            for (name, difference) in compareLayers(book: affine, engine: EngineAffine(affine), x: x, rng: &rng) {
                #expect(difference <= 1e-5, "Affine \(name): \(difference)")
            }
        }
    }

    /// The engine's dropout draws the book layer's masks from the book layer's generator.
    @Test func dropoutEqualsTheBookLayer() {
        var rng = SeededRandom(seed: 75)
        let x = Tensor.randomNormal([7, 3, 5, 9], rng: &rng)
        let book = Dropout(ratio: 0.3, seed: 4)
        let engine = EngineDropout(Dropout(ratio: 0.3, seed: 4))
        for (name, difference) in compareLayers(book: book, engine: engine, x: x, rng: &rng) {
            #expect(difference == 0, "Dropout \(name): \(difference)")
        }
        #expect(book.rng.state == engine.layer.rng.state)
        #expect(engine.forward(x, training: false) == x)
    }

    /// The engine's unrolling of one image, transposed, is the book's im2col of that image
    /// transposed, and its adjoint adds back what col2im adds back.
    @Test(arguments: [
        (1, 5, 7, 3, 2, 1, 0), (2, 7, 9, 3, 3, 2, 1), (3, 8, 6, 5, 2, 1, 2), (2, 11, 13, 4, 3, 3, 1),
        (4, 6, 6, 3, 3, 1, 1), (2, 12, 21, 3, 3, 1, 0), (1, 28, 28, 5, 5, 1, 0),
    ])
    func transposedUnrollingIsIm2colTransposed(c: Int, h: Int, w: Int, fh: Int, fw: Int, stride: Int, padding: Int) {
        var rng = SeededRandom(seed: UInt64(h * 10 + fw + 1))
        let g = WindowGeometry(
            inputShape: [1, c, h, w], filterHeight: fh, filterWidth: fw, stride: stride, padding: padding)
        let x = Tensor.randomNormal([1, c, h, w], rng: &rng)
        var colT = [Float](repeating: .nan, count: g.rowLength * g.windowsPerImage)
        x.data.withUnsafeBufferPointer { im2colTransposedImage($0.baseAddress!, &colT, g) }
        let col = im2col(x, filterHeight: fh, filterWidth: fw, stride: stride, padding: padding)
        #expect(Tensor(shape: [g.rowLength, g.windowsPerImage], data: colT) == col.transposed(1, 0))

        let y = Tensor.randomNormal(col.shape, rng: &rng)
        var back = [Float](repeating: 0, count: x.count)
        let yT = y.transposed(1, 0)
        yT.data.withUnsafeBufferPointer { col2imTransposedImage($0.baseAddress!, &back, g) }
        let expected = col2im(
            y, inputShape: x.shape, filterHeight: fh, filterWidth: fw, stride: stride, padding: padding)
        #expect(worstDifference(back, expected.data) <= 1e-5)
    }

    /// Packing the windows straight from the image gives what packing the unrolled matrix
    /// gives: every block of taps and windows the multiply asks for, strips 16 and 32 wide,
    /// images narrower than a strip, and an image at the very end of its storage (where
    /// the 16-wide loads must not read past it).
    @Test(arguments: [(1, 28, 28, 5, 5), (3, 24, 24, 3, 3), (2, 9, 7, 3, 2), (2, 20, 17, 2, 2)])
    func packingWindowsFromTheImageEqualsPackingTheUnrolledMatrix(c: Int, h: Int, w: Int, fh: Int, fw: Int) {
        var rng = SeededRandom(seed: UInt64(c * 100 + h + w))
        let g = WindowGeometry(
            inputShape: [1, c, h, w], filterHeight: fh, filterWidth: fw, stride: 1, padding: 0)
        let image = Tensor.randomNormal([c, h, w], rng: &rng).data
        var colT = [Float](repeating: .nan, count: g.rowLength * g.windowsPerImage)
        image.withUnsafeBufferPointer { im2colTransposedImage($0.baseAddress!, &colT, g) }
        let packer = WindowPacker(g)
        let (k, n) = (g.rowLength, g.windowsPerImage)
        for nr in [16, 32] {
            for (k0, kcb) in [(0, k), (1, k - 1), (k / 2, k - k / 2)] where kcb > 0 {
                for (j0, ncb) in [(0, n), (n / 3, n - n / 3), (5, min(40, n - 5))] where ncb > 0 {
                    let size = kcb * ((ncb + nr - 1) / nr * nr)
                    var expected = [Float](repeating: .nan, count: size)
                    var packed = [Float](repeating: .nan, count: size)
                    colT.withUnsafeBufferPointer { colT in
                        FastMatrixMultiply.packB(
                            colT.baseAddress!, into: &expected, k0: k0, kcb: kcb, j0: j0, ncb: ncb, n: n, k: k,
                            transposed: false, nr: nr)
                    }
                    image.withUnsafeBufferPointer { image in
                        packer.pack(
                            image.baseAddress!, readable: image.count, k0: k0, kcb: kcb, j0: j0, ncb: ncb, nr: nr,
                            into: &packed)
                    }
                    let wrong = zip(packed, expected).filter { $0 != $1 }.count
                    #expect(wrong == 0, "nr \(nr), taps \(k0)+\(kcb), windows \(j0)+\(ncb): \(wrong) of \(size) differ")
                }
            }
        }
    }

    /// Whole networks: a training step on the engine gives the book's loss and gradients,
    /// and the same predictions. The deeper network has dropout, whose masks the two
    /// share (the engine runs the book's Dropout layers), so each side starts from the
    /// same generator state.
    @Test(arguments: ["simple", "deeper"], [1, 2])
    func networkOnTheEngineEqualsTheBookNetwork(kind: String, threads: Int) {
        var rng = SeededRandom(seed: 80)
        let book = kind == "simple" ? Network.simpleConvNet(rng: &rng) : Network.deeperConvNet(rng: &rng)
        let engine = book.onEngine()
        #expect(engine.runsOnEngine && !book.runsOnEngine)
        let x = Tensor.randomUniform([12, 1, 28, 28], 0, 1, rng: &rng)
        let labels = (0..<12).map { $0 % 10 }
        let dropouts = book.layers.compactMap { $0 as? Dropout }
        let states = dropouts.map(\.rng)
        Parallelism.$override.withValue(threads) {
            let bookLoss = book.gradient(x, labels: labels)
            let bookGradients = book.parameters.map(\.gradient)
            for (d, state) in zip(dropouts, states) { d.rng = state }
            let engineLoss = engine.gradient(x, labels: labels)
            #expect(
                abs(engineLoss - bookLoss) <= 1e-5 * abs(bookLoss), "\(kind): loss \(engineLoss) against \(bookLoss)")
            for (i, (p, g)) in zip(book.parameters, bookGradients).enumerated() {
                let difference = relativeDifference(p.gradient, g)
                #expect(difference <= 1e-5, "\(kind), \(threads) thread(s), parameter \(i) d\(p.name): \(difference)")
            }
            #expect(relativeDifference(engine.predict(x), book.predict(x)) <= 1e-5)
        }
    }

    /// The engine puts a block in place of each Convolution, ReLU, 2×2 MaxPooling, and only
    /// there, and a pair in place of another Convolution followed by a ReLU; a book network
    /// runs its layers as written.
    @Test func blocksGoWhereTheyFit() {
        var rng = SeededRandom(seed: 7)
        let simple = Network.simpleConvNet(rng: &rng)
        #expect(simple.executedLayerNames == ["Convolution", "ReLU", "MaxPooling", "Affine", "ReLU", "Affine"])
        #expect(simple.executedLayers.allSatisfy { layer in simple.layers.contains { $0 === layer } })
        #expect(simple.onEngine().executedLayerNames == ["Convolution+ReLU+MaxPooling", "Affine", "ReLU", "Affine"])
        #expect(simple.onEngine(fusesBlocks: false).executedLayerNames == simple.layers.map(\.name))
        #expect(
            simple.onEngine().runsAs == Array(repeating: "engine: Convolution+ReLU+MaxPooling", count: 3)
                + ["engine: Affine", "engine: ReLU", "engine: Affine"])
        #expect(simple.runsAs == Array(repeating: "book layer", count: 6))
        let deeper = Network.deeperConvNet(rng: &rng).onEngine()
        #expect(deeper.executedLayerNames.prefix(2) == ["Convolution+ReLU", "Convolution+ReLU+MaxPooling"])
        #expect(
            deeper.runsAs == ["engine: Convolution+ReLU", "engine: Convolution+ReLU"]
                + Array(repeating: "engine: Convolution+ReLU+MaxPooling", count: 3)
                + ["engine: Dropout", "engine: Affine", "engine: ReLU", "engine: Dropout", "engine: Affine"])

        let conv = Convolution(
            filters: 2, channels: 1, filterHeight: 3, filterWidth: 3, stride: 1, padding: 0,
            weightStd: 0.5, rng: &rng)
        #expect(ConvolutionBlock(conv, ReLU(), MaxPooling(poolHeight: 3, poolWidth: 3, stride: 3, padding: 0)) == nil)
        #expect(
            ConvolutionBlock(conv, Sigmoid(), MaxPooling(poolHeight: 2, poolWidth: 2, stride: 2, padding: 0)) == nil)
        #expect(ConvolutionReLU(conv, Sigmoid()) == nil)
    }
}
