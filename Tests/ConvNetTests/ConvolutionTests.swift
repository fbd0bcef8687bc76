import Testing

@testable import ConvNet

/// The fast layers equal the direct loops.
@Suite struct ConvolutionTests {
    static let cases: [(channels: Int, filters: Int, size: Int, filter: Int, stride: Int, padding: Int)] = [
        (1, 3, 6, 3, 1, 0), (1, 2, 6, 3, 3, 0), (3, 4, 9, 3, 2, 1), (2, 5, 8, 5, 1, 2), (3, 2, 7, 1, 2, 0),
        (2, 3, 10, 4, 2, 1),
    ]

    @Test(arguments: 0..<cases.count)
    func forwardEqualsNaiveLoops(caseIndex: Int) {
        let k = Self.cases[caseIndex]
        var rng = SeededRandom(seed: UInt64(caseIndex))
        let x = Tensor.randomNormal([2, k.channels, k.size, k.size], rng: &rng)
        let layer = Convolution(
            filters: k.filters, channels: k.channels, filterHeight: k.filter, filterWidth: k.filter,
            stride: k.stride, padding: k.padding, weightStd: 1, rng: &rng)
        layer.b.value = .randomNormal([k.filters], rng: &rng)
        let expected = Naive.convolution(x, layer.W.value, layer.b.value, stride: k.stride, padding: k.padding)
        let out = layer.forward(x)
        #expect(out.shape == expected.shape)
        #expect(out.maxAbsDifference(expected) <= 1e-5, "case \(k)")
    }

    /// Non-square inputs and filters, stride with padding: (C, FN, H, W, FH, FW, stride, padding).
    static let nonSquare: [(Int, Int, Int, Int, Int, Int, Int, Int)] = [
        (2, 3, 7, 9, 3, 5, 2, 1), (3, 2, 6, 8, 2, 4, 1, 0), (2, 2, 12, 11, 4, 3, 3, 2), (1, 4, 5, 6, 3, 2, 1, 1),
    ]

    @Test(arguments: 0..<nonSquare.count)
    func nonSquareEqualsNaiveLoops(caseIndex: Int) {
        let (c, fn, h, w, fh, fw, s, p) = Self.nonSquare[caseIndex]
        var rng = SeededRandom(seed: UInt64(caseIndex + 20))
        let x = Tensor.randomNormal([2, c, h, w], rng: &rng)
        let layer = Convolution(
            filters: fn, channels: c, filterHeight: fh, filterWidth: fw, stride: s, padding: p,
            weightStd: 1, rng: &rng)
        layer.b.value = .randomNormal([fn], rng: &rng)
        let expected = Naive.convolution(x, layer.W.value, layer.b.value, stride: s, padding: p)
        let out = layer.forward(x)
        #expect(out.shape == expected.shape)
        #expect(
            out.shape == expected.shape && out.maxAbsDifference(expected) <= 1e-5, "case \(Self.nonSquare[caseIndex])")
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
            let layer = Convolution(
                filters: 3, channels: 2, filterHeight: 3, filterWidth: 3,
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
        let layer = Convolution(
            filters: 2, channels: 1, filterHeight: 3, filterWidth: 3, stride: 3, padding: 0,
            weightStd: 1, rng: &rng)
        #expect(throws: ShapeError.self) { try layer.outputShape(for: [1, 1, 7, 7]) }  // (7−3)/3 not whole
        #expect(throws: ShapeError.self) { try layer.outputShape(for: [1, 3, 6, 6]) }  // wrong channels
        #expect(throws: ShapeError.self) { try layer.outputShape(for: [6, 6]) }
        #expect((try? layer.outputShape(for: [4, 1, 6, 6])) == [4, 2, 2, 2])
    }
}
