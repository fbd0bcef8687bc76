@testable import ConvNet
import Testing

/// The fast layers equal the direct loops.
@Suite struct ConvolutionTests {
    static let cases: [(channels: Int, filters: Int, size: Int, filter: Int, stride: Int, padding: Int)] = [
        (1, 3, 6, 3, 1, 0), (1, 2, 6, 3, 3, 0), (3, 4, 9, 3, 2, 1), (2, 5, 8, 5, 1, 2), (3, 2, 7, 1, 2, 0), (2, 3, 10, 4, 2, 1),
    ]

    @Test(arguments: 0..<cases.count)
    func forwardEqualsNaiveLoops(caseIndex: Int) {
        let k = Self.cases[caseIndex]
        var rng = SeededRandom(seed: UInt64(caseIndex))
        let x = Tensor.randomNormal([2, k.channels, k.size, k.size], rng: &rng)
        let layer = Convolution(filters: k.filters, channels: k.channels, filterHeight: k.filter, filterWidth: k.filter,
                                stride: k.stride, padding: k.padding, weightStd: 1, rng: &rng)
        layer.b.value = .randomNormal([k.filters], rng: &rng)
        let expected = Naive.convolution(x, layer.W.value, layer.b.value, stride: k.stride, padding: k.padding)
        let out = layer.forward(x)
        #expect(out.shape == expected.shape)
        #expect(out.maxAbsDifference(expected) <= 1e-5, "case \(k)")
    }

    /// Multi-channel: each output sums C·FH·FW weights plus a bias (an RGB-like input).
    @Test func rgbOutputSumsAllChannels() {
        let x = Tensor(shape: [1, 3, 32, 32], repeating: 1)
        let w = Tensor(shape: [1, 3, 5, 5], repeating: 0.5)
        let layer = Convolution(weights: w, bias: Tensor(shape: [1], data: [0.25]), stride: 1, padding: 0)
        let out = layer.forward(x)
        #expect(out.shape == [1, 1, 28, 28])
        #expect(out.data.allSatisfy { $0 == 3 * 25 * 0.5 + 0.25 })
    }

    @Test func gradientCheck() {
        var rng = SeededRandom(seed: 11)
        for (stride, padding) in [(1, 0), (2, 1)] {
            let layer = Convolution(filters: 3, channels: 2, filterHeight: 3, filterWidth: 3,
                                    stride: stride, padding: padding, weightStd: 0.5, rng: &rng)
            let x = Tensor.randomNormal([2, 2, 7, 7], rng: &rng)
            for result in checkGradients(of: layer, input: x, threshold: 1e-3, rng: &rng) {
                print(result)
                #expect(result.passed, "\(result)")
            }
        }
    }

    @Test func shapeErrorsAreClear() {
        var rng = SeededRandom(seed: 1)
        let layer = Convolution(filters: 2, channels: 1, filterHeight: 3, filterWidth: 3, stride: 3, padding: 0,
                                weightStd: 1, rng: &rng)
        #expect(throws: ShapeError.self) { try layer.outputShape(for: [1, 1, 7, 7]) }   // (7−3)/3 not whole
        #expect(throws: ShapeError.self) { try layer.outputShape(for: [1, 3, 6, 6]) }   // wrong channels
        #expect(throws: ShapeError.self) { try layer.outputShape(for: [6, 6]) }
        #expect((try? layer.outputShape(for: [4, 1, 6, 6])) == [4, 2, 2, 2])
    }
}

@Suite struct OutputSizeTests {
    @Test func formulaCases() throws {
        #expect(try convolutionOutputSize(input: 6, filter: 3, stride: 3, padding: 0) == 2)
        #expect(try convolutionOutputSize(input: 6, filter: 3, stride: 1, padding: 0) == 4)
        #expect(try convolutionOutputSize(input: 28, filter: 5, stride: 1, padding: 2) == 28)    // "same"
        #expect(try convolutionOutputSize(input: 4, filter: 3, stride: 1, padding: 1) == 4)
        #expect(throws: ShapeError.self) { try convolutionOutputSize(input: 7, filter: 3, stride: 3, padding: 0) }
        #expect(throws: ShapeError.self) { try convolutionOutputSize(input: 2, filter: 5, stride: 1, padding: 0) }
        #expect(throws: ShapeError.self) { try convolutionOutputSize(input: 5, filter: 3, stride: 0, padding: 0) }
        #expect(throws: ShapeError.self) { try convolutionOutputSize(input: 5, filter: 3, stride: 1, padding: -1) }
    }

    /// The exercises of Lessons 01 and 02.
    @Test func exerciseCases() throws {
        #expect(throws: ShapeError.self) { try convolutionOutputSize(input: 6, filter: 3, stride: 2, padding: 0) }
        #expect(try convolutionOutputSize(input: 28, filter: 7, stride: 1, padding: 3) == 28)      // "same" for 7×7
        // H 28, FH 5, P 2: 27 must divide by S, so S ∈ {1, 3, 9, 27}.
        let allowed = try (1...30).filter { s in
            do { _ = try convolutionOutputSize(input: 28, filter: 5, stride: s, padding: 2); return true }
            catch is ShapeError { return false }
        }
        #expect(allowed == [1, 3, 9, 27])
        #expect(try convolutionOutputSize(input: 28, filter: 5, stride: 3, padding: 2) == 10)
    }
}

@Suite struct Im2colTests {
    /// <im2col(x), y> = <x, col2im(y)>: col2im is the adjoint (transpose) of im2col.
    @Test(arguments: [(1, 5, 3, 1, 0), (2, 7, 3, 2, 1), (3, 8, 5, 1, 2), (2, 9, 4, 3, 1)])
    func col2imIsTheAdjoint(c: Int, size: Int, filter: Int, stride: Int, padding: Int) {
        var rng = SeededRandom(seed: UInt64(size * 10 + filter))
        let x = Tensor.randomNormal([2, c, size, size], rng: &rng)
        let col = im2col(x, filterHeight: filter, filterWidth: filter, stride: stride, padding: padding)
        let y = Tensor.randomNormal(col.shape, rng: &rng)
        let back = col2im(y, inputShape: x.shape, filterHeight: filter, filterWidth: filter, stride: stride, padding: padding)
        var left = 0.0, right = 0.0
        for i in 0..<col.count { left += Double(col.data[i]) * Double(y.data[i]) }
        for i in 0..<x.count { right += Double(x.data[i]) * Double(back.data[i]) }
        #expect(abs(left - right) <= 1e-4 * max(abs(left), 1), "⟨im2col(x), y⟩ = \(left), ⟨x, col2im(y)⟩ = \(right)")
    }

    /// The same for the one-image, transposed pair Convolution uses:
    /// <im2colTransposedImage(x), y> = <x, col2imTransposedImage(y)>.
    @Test(arguments: [(1, 5, 3, 1, 0), (2, 7, 3, 2, 1), (3, 8, 5, 1, 2), (2, 9, 4, 3, 1), (4, 6, 3, 1, 1)])
    func transposedCol2imIsTheAdjoint(c: Int, size: Int, filter: Int, stride: Int, padding: Int) {
        var rng = SeededRandom(seed: UInt64(size * 10 + filter + 1))
        let g = WindowGeometry(inputShape: [1, c, size, size], filterHeight: filter, filterWidth: filter,
                               stride: stride, padding: padding)
        let x = Tensor.randomNormal([c, size, size], rng: &rng)
        let y = Tensor.randomNormal([g.rowLength, g.windowsPerImage], rng: &rng)
        var colT = [Float](repeating: .nan, count: g.rowLength * g.windowsPerImage)
        var back = [Float](repeating: 0, count: x.count)
        x.data.withUnsafeBufferPointer { im2colTransposedImage($0.baseAddress!, &colT, g) }
        y.data.withUnsafeBufferPointer { col2imTransposedImage($0.baseAddress!, &back, g) }
        var left = 0.0, right = 0.0
        for i in 0..<colT.count { left += Double(colT[i]) * Double(y.data[i]) }
        for i in 0..<x.count { right += Double(x.data[i]) * Double(back[i]) }
        #expect(abs(left - right) <= 1e-4 * max(abs(left), 1), "⟨im2colᵀ(x), y⟩ = \(left), ⟨x, col2imᵀ(y)⟩ = \(right)")
    }

    @Test func rowsAreWindows() {
        let x = Tensor(shape: [1, 1, 3, 3], data: (1...9).map(Float.init))
        let col = im2col(x, filterHeight: 2, filterWidth: 2, stride: 1, padding: 0)
        #expect(col.shape == [4, 4])
        #expect(col.data == [1, 2, 4, 5, 2, 3, 5, 6, 4, 5, 7, 8, 5, 6, 8, 9])
        let padded = im2col(x, filterHeight: 3, filterWidth: 3, stride: 2, padding: 1)
        #expect(padded.shape == [4, 9])
        #expect(Array(padded.data[0..<9]) == [0, 0, 0, 0, 1, 2, 0, 4, 5])
    }
}

@Suite struct PoolingTests {
    @Test(arguments: [(2, 2, 0), (3, 1, 0), (3, 1, 1), (2, 1, 1), (2, 2, 1)])
    func forwardEqualsNaiveLoops(size: Int, stride: Int, padding: Int) {
        var rng = SeededRandom(seed: UInt64(size * 7 + stride))
        let x = Tensor.randomNormal([2, 3, 8, 8], rng: &rng)
        let maxLayer = MaxPooling(poolHeight: size, poolWidth: size, stride: stride, padding: padding)
        let avgLayer = AveragePooling(poolHeight: size, poolWidth: size, stride: stride, padding: padding)
        #expect(maxLayer.forward(x).maxAbsDifference(Naive.pooling(x, size: size, stride: stride, padding: padding, max: true)) <= 1e-5)
        #expect(avgLayer.forward(x).maxAbsDifference(Naive.pooling(x, size: size, stride: stride, padding: padding, max: false)) <= 1e-5)
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
        for layer in [MaxPooling(poolHeight: 2, poolWidth: 2, stride: 2, padding: 0) as Layer,
                      MaxPooling(poolHeight: 3, poolWidth: 3, stride: 1, padding: 1),
                      AveragePooling(poolHeight: 2, poolWidth: 2, stride: 2, padding: 0),
                      AveragePooling(poolHeight: 3, poolWidth: 3, stride: 1, padding: 1)] {
            // h smaller than half the gap between distinct values, so no nudge changes a winner.
            for result in checkGradients(of: layer, input: x, h: 1e-3, threshold: 1e-3, rng: &rng) {
                print(result)
                #expect(result.passed, "\(result)")
            }
        }
    }
}

@Suite struct AffineAndActivationTests {
    @Test func affineFlattensAnyShape() {
        var rng = SeededRandom(seed: 2)
        let layer = Affine(inputSize: 12, outputSize: 4, weightStd: 1, rng: &rng)
        let x = Tensor.randomNormal([3, 3, 2, 2], rng: &rng)
        let out = layer.forward(x)
        #expect(out.shape == [3, 4])
        let expected = matrixMultiply(x.reshaped([3, 12]), layer.W.value)
        #expect(out.maxAbsDifference(expected) <= 1e-6)
        #expect(layer.backward(Tensor(shape: [3, 4], repeating: 1)).shape == [3, 3, 2, 2])
        #expect(throws: ShapeError.self) { try layer.outputShape(for: [3, 13]) }
    }

    @Test func gradientChecks() {
        var rng = SeededRandom(seed: 3)
        let x = distinctInput([4, 2, 3, 2], rng: &rng)
        let dropout = Dropout(ratio: 0.4, seed: 9)
        dropout.freezesMask = true
        let layers: [Layer] = [Affine(inputSize: 12, outputSize: 5, weightStd: 0.5, rng: &rng), ReLU(), Sigmoid(),
                               Flatten(), dropout]
        for layer in layers {
            for result in checkGradients(of: layer, input: x, h: 1e-2, threshold: 1e-3, rng: &rng) {
                print(result)
                #expect(result.passed, "\(result)")
            }
        }
    }

    @Test func backwardLeavesDoutAlone() {
        let relu = ReLU()
        let x = Tensor(shape: [1, 4], data: [-1, 2, -3, 4])
        _ = relu.forward(x)
        let dout = Tensor(shape: [1, 4], data: [1, 1, 1, 1])
        let dx = relu.backward(dout)
        #expect(dx.data == [0, 1, 0, 1])
        #expect(dout.data == [1, 1, 1, 1])
    }

    /// Inverted dropout keeps the mean activation; at test time it does nothing.
    @Test func dropoutKeepsTheMean() {
        let layer = Dropout(ratio: 0.5, seed: 1)
        let x = Tensor(shape: [100, 1000], repeating: 2)
        let trained = layer.forward(x, training: true)
        #expect(abs(trained.mean() - 2) < 0.02)                          // 100000 draws: σ of the mean ≈ 0.006
        let dropped = Double(trained.data.filter { $0 == 0 }.count) / Double(x.count)
        #expect(abs(dropped - 0.5) < 0.01)
        #expect(trained.data.allSatisfy { $0 == 0 || $0 == 4 })
        #expect(layer.forward(x, training: false) == x)
    }

    @Test func dropoutIsSeeded() {
        let x = Tensor(shape: [1, 50], repeating: 1)
        #expect(Dropout(ratio: 0.3, seed: 4).forward(x) == Dropout(ratio: 0.3, seed: 4).forward(x))
        #expect(Dropout(ratio: 0.3, seed: 4).forward(x) != Dropout(ratio: 0.3, seed: 5).forward(x))
    }
}

@Suite struct SoftmaxWithLossTests {
    @Test func stableForLargeScores() {
        let y = softmax(Tensor(shape: [1, 3], data: [1000, 1001, 1002]))
        #expect(y.data.allSatisfy { $0.isFinite })
        #expect(abs(y.sum() - 1) < 1e-6)
        let small = softmax(Tensor(shape: [1, 3], data: [0, 1, 2]))
        #expect(y.maxAbsDifference(small) < 1e-6)                          // shifting the scores changes nothing
    }

    @Test func uniformScoresGiveLn10() {
        let loss = SoftmaxWithLoss().forward(Tensor(shape: [4, 10]), labels: [0, 3, 5, 9])
        #expect(abs(Double(loss) - 2.302585) < 1e-5)
    }

    @Test func labelsAndOneHotAgree() {
        var rng = SeededRandom(seed: 8)
        let x = Tensor.randomNormal([3, 4], rng: &rng)
        let a = SoftmaxWithLoss(), b = SoftmaxWithLoss()
        let t = Tensor(shape: [3, 4], data: [0, 1, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0])
        #expect(a.forward(x, labels: [1, 3, 0]) == b.forward(x, oneHot: t))
        #expect(a.backward() == b.backward())
    }

    @Test func gradientIsYMinusTOverN() {
        var rng = SeededRandom(seed: 9)
        let x = Tensor.randomNormal([5, 10], rng: &rng)
        let labels = [1, 7, 3, 3, 0]
        let layer = SoftmaxWithLoss()
        _ = layer.forward(x, labels: labels)
        let dx = layer.backward()
        var xx = x
        let numeric = numericalGradient(count: x.count, h: 1e-2, get: { xx.data[$0] }, set: { xx.data[$0] = $1 }) {
            Double(SoftmaxWithLoss().forward(xx, labels: labels))
        }
        let result = compareGradients(layer: "SoftmaxWithLoss", parameter: "dx", analytic: dx.data, numeric: numeric,
                                      threshold: 1e-3)
        print(result)
        #expect(result.passed, "\(result)")
    }
}
