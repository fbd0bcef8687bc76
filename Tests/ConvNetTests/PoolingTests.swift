import Testing

@testable import ConvNet

@Suite struct PoolingTests {
    @Test(arguments: [(2, 2, 0), (3, 1, 0), (3, 1, 1), (2, 1, 1), (2, 2, 1)])
    func forwardEqualsNaiveLoops(size: Int, stride: Int, padding: Int) {
        var rng = SeededRandom(seed: UInt64(size * 7 + stride))
        let x = Tensor.randomNormal([2, 3, 8, 8], rng: &rng)
        let maxLayer = MaxPooling(poolHeight: size, poolWidth: size, stride: stride, padding: padding)
        let avgLayer = AveragePooling(poolHeight: size, poolWidth: size, stride: stride, padding: padding)
        #expect(
            maxLayer.forward(x).maxAbsDifference(
                Naive.pooling(x, size: size, stride: stride, padding: padding, max: true)) <= 1e-5)
        #expect(
            avgLayer.forward(x).maxAbsDifference(
                Naive.pooling(x, size: size, stride: stride, padding: padding, max: false)) <= 1e-5)
    }

    /// Non-square windows, with padding and overlap, against the Double reference's loops.
    @Test(arguments: [(2, 3, 2, 1), (3, 2, 1, 0), (2, 3, 1, 1), (4, 3, 2, 1)])
    func nonSquareEqualsReference(ph: Int, pw: Int, stride: Int, padding: Int) {
        var rng = SeededRandom(seed: UInt64(ph * 10 + pw + stride))
        let x = Tensor.randomNormal([2, 3, 8, 9], rng: &rng)
        for useMax in [true, false] {
            let layer: Layer =
                useMax
                ? MaxPooling(poolHeight: ph, poolWidth: pw, stride: stride, padding: padding)
                : AveragePooling(poolHeight: ph, poolWidth: pw, stride: stride, padding: padding)
            let expected = Reference.pooling(DoubleTensor(x), ph, pw, stride, padding, max: useMax)
            let out = layer.forward(x)
            #expect(out.shape == expected.shape)
            let worst = zip(out.data, expected.data).map { abs(Double($0) - $1) }.max() ?? .infinity
            #expect(worst <= 1e-5, "\(layer.name) \(ph)×\(pw) stride \(stride) padding \(padding): \(worst)")
        }
    }

    /// Ties go to the first largest value of a window in reading order, in the book's
    /// pooling and in every path of the engine's (the 2×2 SIMD rows and their tails, and the
    /// general loop), and dx goes there too. The expected winners come from plain loops.
    @Test(arguments: [
        ([2, 3, 6, 26], 2, 2, 2, 0), ([2, 3, 4, 10], 2, 2, 2, 0), ([2, 2, 7, 8], 3, 3, 1, 1),
        ([2, 2, 6, 7], 2, 3, 2, 1),
    ])
    func tiesGoToTheFirstMaximum(shape: [Int], ph: Int, pw: Int, stride: Int, padding: Int) {
        var rng = SeededRandom(seed: 11)
        let x = Tensor.randomNormal(shape, rng: &rng).map { max(0, ($0 * 2).rounded() / 2) }  // ReLU'd, many ties
        let (h, w) = (shape[2], shape[3])
        let (oh, ow) = ((h + 2 * padding - ph) / stride + 1, (w + 2 * padding - pw) / stride + 1)
        var expected: [Int] = []
        for plane in 0..<(shape[0] * shape[1]) {
            for y in 0..<oh {
                for xo in 0..<ow {
                    var best = -Float.infinity
                    var index = -1
                    for i in 0..<ph {
                        for j in 0..<pw {
                            let (iy, ix) = (y * stride - padding + i, xo * stride - padding + j)
                            guard iy >= 0 && iy < h && ix >= 0 && ix < w else { continue }
                            let flat = (plane * h + iy) * w + ix
                            if x.data[flat] > best {
                                best = x.data[flat]
                                index = flat
                            }
                        }
                    }
                    expected.append(index)
                }
            }
        }
        let book = MaxPooling(poolHeight: ph, poolWidth: pw, stride: stride, padding: padding)
        let engine = EngineMaxPooling(MaxPooling(poolHeight: ph, poolWidth: pw, stride: stride, padding: padding))
        for (name, layer) in [("book", book as Layer), ("engine", engine)] {
            let out = layer.forward(x, training: true)
            let dout = Tensor.randomNormal(out.shape, rng: &rng)
            let dx = layer.backward(dout)
            var expectedDx = Tensor(shape: x.shape)
            for (o, winner) in expected.enumerated() { expectedDx.data[winner] += dout.data[o] }
            #expect(
                worstDifference(dx.data, expectedDx.data) <= 1e-6,
                "\(name) \(ph)×\(pw): dx does not go to the first maximum")
        }
        #expect(book.winners == expected)
        #expect(engine.winners == expected)
    }

    @Test func maxPoolingSendsGradientToTheWinnerOnly() {
        let x = Tensor(shape: [1, 1, 2, 4], data: [1, 5, 2, 0, 3, 4, 8, 6])
        let layer = MaxPooling(poolHeight: 2, poolWidth: 2, stride: 2, padding: 0)
        #expect(layer.forward(x).data == [5, 8])
        let dx = layer.backward(Tensor(shape: [1, 1, 1, 2], data: [10, 20]))
        #expect(dx.data == [0, 10, 0, 0, 0, 0, 20, 0])
    }

    @Test func gradientChecks() {
        var rng = SeededRandom(seed: 5)
        let x = distinctInput([2, 2, 6, 6], rng: &rng)
        for layer in [
            MaxPooling(poolHeight: 2, poolWidth: 2, stride: 2, padding: 0) as Layer,
            MaxPooling(poolHeight: 3, poolWidth: 3, stride: 1, padding: 1),
            AveragePooling(poolHeight: 2, poolWidth: 2, stride: 2, padding: 0),
            AveragePooling(poolHeight: 3, poolWidth: 3, stride: 1, padding: 1),
        ] {
            // h smaller than half the gap between distinct values, so no nudge changes a winner.
            for result in checkGradients(of: layer, input: x, h: 1e-3, threshold: 1e-3, rng: &rng) {
                print(result)
                #expect(result.passed, "\(result)")
            }
        }
    }
}
