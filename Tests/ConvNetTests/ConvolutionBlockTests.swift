import Testing

@testable import ConvNet

// ConvolutionBlock runs Convolution → ReLU → 2×2 max pooling image by image. It must give
// what the three layers give one after the other: the same output, the same ∂L/∂x and the
// same parameter gradients. (EngineTests checks where a network on the engine uses it.)

@Suite struct ConvolutionBlockTests {
    /// Three layers with the same weights as `conv`, and the block made of them.
    func layersAndBlock(_ conv: Convolution) -> (layers: [Layer], block: ConvolutionBlock?) {
        let copy = Convolution(weights: conv.W.value, bias: conv.b.value, stride: conv.stride, padding: conv.padding)
        let pool = MaxPooling(poolHeight: 2, poolWidth: 2, stride: 2, padding: 0)
        return (
            [copy, ReLU(), MaxPooling(poolHeight: 2, poolWidth: 2, stride: 2, padding: 0)],
            ConvolutionBlock(conv, ReLU(), pool)
        )
    }

    /// (images, channels, size, filters, filter size, stride, padding). The first is the
    /// network's own (and big enough to use two threads); the others have several
    /// channels, padding, stride 2, and pooled rows narrower than the 8 the SIMD loop takes;
    /// 3 channels of 3 rows are more rows of taps than the winners' weight gradient sums
    /// at once (8), and a pooled plane of 25 leaves a last group of 8 with one; filters
    /// 4 wide. dW comes from the dense product for filters 9 wide (too wide for the
    /// winners' way) and from Winograd's for 3×3 with stride 1 and no padding. Forward
    /// goes PooledConvolution's way for stride 1 and no padding (not 3×3): the last case
    /// has 3 channels and 20 filters (two strips of 16; 8 + 8 + 4 to turn over), and the
    /// 5×5 and 3×3 pooled planes leave rows to turn over one at a time. The padded 24×24
    /// case pools the maps the other way, in rows of 12 (eight, then four).
    @Test(arguments: [
        (8, 1, 28, 6, 5, 1, 0), (3, 2, 12, 4, 3, 1, 0), (2, 3, 15, 5, 3, 2, 1), (4, 2, 10, 3, 3, 1, 1),
        (3, 1, 13, 4, 4, 1, 0), (2, 1, 14, 2, 9, 1, 0), (2, 3, 11, 20, 4, 1, 0), (2, 1, 24, 3, 3, 1, 1),
    ])
    func sameAsTheThreeLayers(_ c: (Int, Int, Int, Int, Int, Int, Int)) throws {
        let (n, channels, size, filters, fs, stride, padding) = c
        var rng = SeededRandom(seed: UInt64(n * 100 + size))
        let conv = Convolution(
            filters: filters, channels: channels, filterHeight: fs, filterWidth: fs,
            stride: stride, padding: padding, weightStd: 0.3, rng: &rng)
        conv.b.value = .randomNormal([filters], std: 0.1, rng: &rng)  // some maps mostly below zero
        let (layers, maybeBlock) = layersAndBlock(conv)
        let block = try #require(maybeBlock)
        let x = Tensor.randomNormal([n, channels, size, size], rng: &rng)

        var expected = x
        for layer in layers { expected = layer.forward(expected) }
        let out = block.forward(x)
        #expect(out.shape == expected.shape)
        #expect(
            worstDifference(out.data, expected.data) <= 1e-6, "forward: \(worstDifference(out.data, expected.data))")

        let dout = Tensor.randomNormal(out.shape, rng: &rng)
        var expectedDx = dout
        for layer in layers.reversed() { expectedDx = layer.backward(expectedDx) }
        let dx = block.backward(dout)
        let reference = layers[0] as! Convolution
        expectSameGradients(
            dx: (dx, expectedDx), of: conv, as: reference, within: 1e-6, firstLayer: { block.backwardParameters(dout) })
    }

    /// dx, dW and db within `tolerance` (relative to the largest expected value) of the
    /// layers' one after the other (`reference`); then, as a network's first layer
    /// (`firstLayer` runs backwardParameters), the same dW to the bit without dx.
    func expectSameGradients(
        dx: (got: Tensor, want: Tensor), of conv: Convolution, as reference: Convolution, within tolerance: Float,
        firstLayer: () -> Void
    ) {
        let pairs: [(String, Tensor, Tensor)] = [
            ("dx", dx.got, dx.want), ("dW", conv.W.gradient, reference.W.gradient),
            ("db", conv.b.gradient, reference.b.gradient),
        ]
        for (name, got, want) in pairs {
            #expect(got.shape == want.shape, "\(name)")
            let scale = max(want.data.map(abs).max() ?? 1, 1e-30)
            let error = worstDifference(got.data, want.data) / scale
            #expect(error <= tolerance, "\(name): relative difference \(error)")
        }
        let dW = conv.W.gradient
        conv.W.gradient = Tensor(shape: dW.shape)
        firstLayer()
        #expect(worstDifference(conv.W.gradient.data, dW.data) == 0)
    }

    /// A block of 3 filters 3×3 over 2 channels (padding 1), and a 2×2×6×6 input with
    /// no near-ties, for the gradient checks.
    func smallBlock(_ rng: inout SeededRandom) throws -> (Convolution, ConvolutionBlock, Tensor) {
        let conv = Convolution(
            filters: 3, channels: 2, filterHeight: 3, filterWidth: 3, stride: 1, padding: 1,
            weightStd: 0.5, rng: &rng)
        let block = try #require(layersAndBlock(conv).block)
        return (conv, block, distinctInput([2, 2, 6, 6], rng: &rng))
    }

    /// The block's own gradient check, dx and both parameters, like every layer's. The
    /// input keeps its distance from ties so a nudge of h rarely changes a pooling winner.
    @Test func gradientCheck() throws {
        var rng = SeededRandom(seed: 5)
        let (_, block, x) = try smallBlock(&rng)
        let results = checkGradients(of: block, input: x, h: 1e-3, threshold: 1e-3, rng: &rng)
        #expect(results.map(\.parameter) == ["dx", "dW", "db"])
        for result in results {
            print(result)
            #expect(result.passed, "\(result)")
        }
    }

    /// …and the check flags a block whose backward is wrong: dx with the wrong sign, and
    /// dW transposed (each filter's taps in reverse order).
    @Test func gradientCheckFlagsBrokenBlocks() throws {
        var rng = SeededRandom(seed: 6)
        let (conv, block, x) = try smallBlock(&rng)
        let wrongSign = Spoiled(block) { _, dx in dx * -1 }
        let flaggedDx = checkGradients(of: wrongSign, input: x, h: 1e-3, threshold: 1e-3, rng: &rng).filter {
            !$0.passed
        }
        #expect(flaggedDx.map(\.parameter) == ["dx"])
        #expect(flaggedDx.first?.description.hasPrefix("Convolution+ReLU+MaxPooling dx") == true)

        let reversedTaps = Spoiled(block) { _, dx in
            let taps = 2 * 3 * 3
            var flipped = conv.W.gradient
            for f in 0..<3 {
                for t in 0..<taps { flipped.data[f * taps + t] = conv.W.gradient.data[f * taps + taps - 1 - t] }
            }
            conv.W.gradient = flipped
            return dx
        }
        let flaggedW = checkGradients(of: reversedTaps, input: x, h: 1e-3, threshold: 1e-3, rng: &rng).filter {
            !$0.passed
        }
        #expect(flaggedW.map(\.parameter) == ["dW"])
        for r in flaggedDx + flaggedW { print("planted bug: \(r.descriptionAsExpectedFailure)") }
    }

    /// ConvolutionReLU (a convolution and its ReLU, with no pooling after them, as Lesson
    /// 10's first pair) gives what the two layers give: Lesson 10's first convolution, a
    /// 3×3 one (Winograd's way), and one with stride 2 and padding.
    @Test(arguments: [(8, 1, 28, 6, 5, 1, 0), (3, 5, 24, 7, 3, 1, 0), (2, 3, 15, 5, 3, 2, 1)])
    func convolutionReLUSameAsTheTwoLayers(_ c: (Int, Int, Int, Int, Int, Int, Int)) throws {
        let (n, channels, size, filters, fs, stride, padding) = c
        var rng = SeededRandom(seed: UInt64(n * 10 + size))
        let conv = Convolution(
            filters: filters, channels: channels, filterHeight: fs, filterWidth: fs,
            stride: stride, padding: padding, weightStd: 0.3, rng: &rng)
        conv.b.value = .randomNormal([filters], std: 0.1, rng: &rng)
        let copy = Convolution(weights: conv.W.value, bias: conv.b.value, stride: stride, padding: padding)
        let pair = try #require(ConvolutionReLU(conv, ReLU()))
        let relu = ReLU()
        let x = Tensor.randomNormal([n, channels, size, size], rng: &rng)

        let expected = relu.forward(copy.forward(x))
        let out = pair.forward(x)
        #expect(out.shape == expected.shape)
        #expect(worstDifference(out.data, expected.data) <= 1e-5, "forward")

        let dout = Tensor.randomNormal(out.shape, rng: &rng)
        let expectedDx = copy.backward(relu.backward(dout))
        let dx = pair.backward(dout)
        expectSameGradients(
            dx: (dx, expectedDx), of: conv, as: copy, within: 1e-5, firstLayer: { pair.backwardParameters(dout) })
    }
}
