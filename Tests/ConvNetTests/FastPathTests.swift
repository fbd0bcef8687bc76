import Testing

@testable import ConvNet

// The speed work (see docs/performance.md) added code paths the older tests might not
// reach: the three ways the matrix multiply splits work between threads, SIMD 2×2 max
// pooling, a first layer that skips dx, layers that reuse their buffers, and predictions
// made a chunk at a time. Each is held here to the plain computation.

@Suite struct FastPathTests {
    /// Shapes chosen so that each split is the cheapest (matrixMultiply's note 4): rows,
    /// columns, and K. All big enough to use two threads.
    @Test(arguments: [(2000, 20, 60), (20, 2000, 60), (20, 20, 5000)])
    func everyThreadSplitEqualsNaive(shape: (Int, Int, Int)) {
        let (m, n, k) = shape
        var rng = SeededRandom(seed: UInt64(m + n + k))
        for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
            let a = (0..<(m * k)).map { _ in rng.uniform(-1, 1) }
            let b = (0..<(k * n)).map { _ in rng.uniform(-1, 1) }
            let expected = naiveMatrixMultiply(a, b, m: m, n: n, k: k, transposeA: ta, transposeB: tb)
            var c = [Float](repeating: .nan, count: m * n)
            matrixMultiply(a, b, &c, m: m, n: n, k: k, transposeA: ta, transposeB: tb, threads: 2)
            let scale = expected.map(abs).max() ?? 1
            let error = worstDifference(c, expected) / scale
            #expect(error <= 1e-5, "\(m)×\(n)×\(k) transposeA \(ta) transposeB \(tb): relative error \(error)")
        }
    }

    /// Both register tiles, 16 columns (AVX2, NEON) and 32 (AVX-512), whichever this
    /// machine would pick, on shapes that leave edge tiles everywhere, with 1 and 2 threads.
    @Test(arguments: [16, 32])
    func bothKernelWidthsEqualNaive(nr: Int) {
        var rng = SeededRandom(seed: UInt64(nr))
        for (m, n, k) in [(1, 1, 1), (7, 33, 5), (37, 53, 29), (13, 70, 300), (200, 65, 40)] {
            for (ta, tb) in [(false, false), (true, true)] {
                for threads in [1, 2] {
                    let a = (0..<(m * k)).map { _ in rng.uniform(-1, 1) }
                    let b = (0..<(k * n)).map { _ in rng.uniform(-1, 1) }
                    let expected = naiveMatrixMultiply(a, b, m: m, n: n, k: k, transposeA: ta, transposeB: tb)
                    let c = fastProduct(
                        a, b, m: m, n: n, k: k, transposeA: ta, transposeB: tb, threads: threads, nr: nr)
                    let scale = max(expected.map(abs).max() ?? 1, 1e-30)
                    let error = worstDifference(c, expected) / scale
                    #expect(
                        error <= 1e-5, "tile width \(nr), \(m)×\(n)×\(k), threads \(threads): relative error \(error)")
                }
            }
        }
    }

    /// The two tile widths must give the same bits, not just close numbers: a trained
    /// network then ends the same on AVX2 and AVX-512 processors, and so do the lessons'
    /// printed figures. Each element is one chain of multiply-adds along K, cut into the
    /// same K blocks whatever the tile's width (note 3). K here runs past one block, to
    /// several, with a split along K (the last shape, 2 threads) among them.
    @Test func bothKernelWidthsGiveTheSameBits() {
        var rng = SeededRandom(seed: 32)
        for (m, n, k) in [(37, 53, 300), (13, 70, 700), (100, 100, 4320), (20, 20, 5000)] {
            for (ta, tb) in [(false, false), (true, true), (false, true)] {
                for threads in [1, 2] {
                    let a = (0..<(m * k)).map { _ in rng.uniform(-1, 1) }
                    let b = (0..<(k * n)).map { _ in rng.uniform(-1, 1) }
                    let results = [16, 32].map {
                        fastProduct(a, b, m: m, n: n, k: k, transposeA: ta, transposeB: tb, threads: threads, nr: $0)
                    }
                    let differing = zip(results[0], results[1]).filter { $0.bitPattern != $1.bitPattern }.count
                    #expect(
                        differing == 0,
                        "\(m)×\(n)×\(k) transposeA \(ta) transposeB \(tb), threads \(threads): \(differing) elements differ"
                    )
                }
            }
        }
    }

    /// FastMatrixMultiply with a given register tile width, into a fresh C.
    func fastProduct(
        _ a: [Float], _ b: [Float], m: Int, n: Int, k: Int, transposeA: Bool, transposeB: Bool, threads: Int, nr: Int
    ) -> [Float] {
        var c = [Float](repeating: .nan, count: m * n)
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                c.withUnsafeMutableBufferPointer { pc in
                    FastMatrixMultiply.run(
                        pa.baseAddress!, pb.baseAddress!, pc.baseAddress!, m: m, n: n, k: k,
                        transposeA: transposeA, transposeB: transposeB, accumulate: false, threads: threads, nr: nr)
                }
            }
        }
        return c
    }

    /// The dot-product path (DotProductMultiply.swift) on the shapes that take it: a
    /// convolution's per-image weight gradient, and shapes that leave a row block, an
    /// odd column and a K that is not a multiple of 8; with and without accumulating.
    @Test func dotProductPathEqualsNaive() {
        var rng = SeededRandom(seed: 12)
        for (m, n, k) in [(30, 25, 576), (7, 5, 67), (1, 1, 64), (13, 2, 100), (64, 64, 129), (6, 3, 1000)] {
            #expect(FastMatrixMultiply.usesDotProducts(m: m, n: n, k: k, transposeA: false, transposeB: true))
            let a = (0..<(m * k)).map { _ in rng.uniform(-1, 1) }
            let b = (0..<(k * n)).map { _ in rng.uniform(-1, 1) }
            let product = naiveMatrixMultiply(a, b, m: m, n: n, k: k, transposeA: false, transposeB: true)
            let start = (0..<(m * n)).map { _ in rng.uniform(-1, 1) }
            for accumulate in [false, true] {
                var c = accumulate ? start : [Float](repeating: .nan, count: m * n)
                matrixMultiply(a, b, &c, m: m, n: n, k: k, transposeB: true, accumulate: accumulate, threads: 1)
                let expected = accumulate ? zip(start, product).map { $0 + $1 } : product
                let scale = max(expected.map(abs).max() ?? 1, 1e-30)
                let error = worstDifference(c, expected) / scale
                #expect(error <= 1e-5, "\(m)×\(n)×\(k) accumulate \(accumulate): relative error \(error)")
            }
        }
    }

    /// Layers keep their output tensors between calls, but a caller's copy never changes:
    /// the first output is still what it was after a second forward with other data.
    @Test func reusedBuffersKeepValueSemantics() {
        var rng = SeededRandom(seed: 13)
        let net = Network.simpleConvNet(inputShape: [1, 12, 12], filters: 3, filterSize: 3, hidden: 8, rng: &rng)
        let x1 = Tensor.randomUniform([4, 1, 12, 12], 0, 1, rng: &rng)
        let x2 = Tensor.randomUniform([4, 1, 12, 12], 0, 1, rng: &rng)
        var kept: [Tensor] = []
        var out = x1
        let layers = net.onEngine(fusesBlocks: false).executedLayers
        for layer in layers {
            out = layer.forward(out, training: true)
            kept.append(out)
        }
        // Real copies (map makes new storage; Array(data) would share it).
        let snapshot = kept.map { Tensor(shape: $0.shape, data: $0.data.map { $0 }) }
        out = x2
        for layer in layers { out = layer.forward(out, training: true) }
        #expect(kept == snapshot)
        #expect(kept.last != out)
        // And gradients: dx returned by one backward is not changed by the next.
        let dout = Tensor.randomNormal(out.shape, rng: &rng)
        let dx1 = layers[5].backward(dout)
        let dx1Copy = Tensor(shape: dx1.shape, data: dx1.data.map { $0 })
        _ = layers[5].backward(dout * 2)
        #expect(dx1 == dx1Copy)
    }

    /// The pass size: 500 on the engine when every layer's output for 500 items fits in
    /// 2²² numbers (SimpleConvNet: the pooled maps, 4320 an item), else 100 (Lesson 10's
    /// network: its first convolution's 28,800 an item), and 100 for the book layers.
    @Test func inferenceChunkFollowsTheLargestOutput() {
        var rng = SeededRandom(seed: 15)
        let simple = Network.simpleConvNet(rng: &rng)
        #expect(simple.inferenceChunk == 100)
        #expect(simple.onEngine().inferenceChunk == 500)
        #expect(Network.deeperConvNet(rng: &rng).onEngine().inferenceChunk == 100)
    }

    /// A batch larger than Network.inferenceChunk is predicted a chunk at a time; the
    /// scores equal those of the items predicted in small batches.
    @Test func chunkedPredictionEqualsSmallBatches() {
        var rng = SeededRandom(seed: 14)
        let net = Network.simpleConvNet(inputShape: [1, 12, 12], filters: 3, filterSize: 3, hidden: 8, rng: &rng)
            .onEngine()
        #expect(net.inferenceChunk == 500)  // its largest output is the 144-pixel input
        let n = net.inferenceChunk * 2 + 17
        let x = Tensor.randomUniform([n, 1, 12, 12], 0, 1, rng: &rng)
        let all = net.predict(x)
        #expect(all.shape == [n, 10])
        var pieces: [Float] = []
        for start in stride(from: 0, to: n, by: 10) { pieces += net.predict(x.slice(start..<min(start + 10, n))).data }
        let worst = worstDifference(all.data, pieces)
        #expect(worst <= 1e-5, "chunked and small-batch scores differ by \(worst)")
    }
}
