/// Convolution → ReLU → max pooling (2×2, stride 2), run image by image: the same
/// numbers as the three layers one after the other, only sooner.
///
///     x: N×C×H×W  →  conv: N×FN×OH×OW  →  relu: same  →  out: N×FN×(OH/2)×(OW/2)
///
/// Layer by layer, each of the three passes over the whole batch: the convolution writes
/// 100 images of 30×24×24 (6.9 MB, more than the fast caches hold), ReLU reads them and
/// writes 6.9 MB more, pooling reads those, and backward goes the same way in reverse.
/// Here one image at a time goes through all three while its 69 KB of feature maps are
/// still in the cache; only the pooled quarter is written out. The batch's convolution
/// and ReLU outputs are never stored at all: backward needs only the pooling's winners
/// and its outputs (a winner passed ReLU exactly when its pooled value is above zero).
///
/// A network put on the engine (`Network.onEngine()`) runs every Convolution, ReLU,
/// MaxPooling(2×2, stride 2) sequence of its layers this way; the book layers' parameters
/// are the ones this block reads and whose gradients it fills in. The tests check that
/// both ways give the same outputs and gradients.
package final class ConvolutionBlock: Layer {
    let convolution: EngineConvolution
    let pooling: MaxPooling
    package var name: String { "Convolution+ReLU+MaxPooling" }
    package var parameters: [Parameter] { convolution.parameters }

    // Kept by forward for backward, and reused from step to step. The output, N×FN×PH×PW (PH = OH/2, PW = OW/2), in two buffers used in turn. The
    // next layer (an Affine) keeps its input until its backward, so when the next step's
    // forward comes, the last output is still shared and writing into it would make Swift
    // copy it first (1.7 MB); the other buffer is free by then.
    private var outputs = [Tensor(shape: [0]), Tensor(shape: [0])]
    private var current = 0
    private var output: Tensor { outputs[current] }
    // The winner of each output, as an index into its own image's FN×OH×OW feature maps.
    private var argmax: [Int32] = []
    private var mapsShape: [Int] = []  // the convolution's output shape, N×FN×OH×OW

    /// The three layers as one block, or nil if they are not a Convolution, a ReLU and
    /// a 2×2 max pooling with stride 2 and no padding (the case the fast plane loop covers).
    package init?(_ convolution: Layer, _ relu: Layer, _ pooling: Layer) {
        guard let convolution = convolution as? Convolution, relu is ReLU, let pooling = pooling as? MaxPooling,
            (pooling.poolHeight, pooling.poolWidth, pooling.stride, pooling.padding) == (2, 2, 2, 0)
        else { return nil }
        (self.convolution, self.pooling) = (EngineConvolution(convolution), pooling)
    }

    package func outputShape(for s: [Int]) throws -> [Int] {
        try pooling.outputShape(for: convolution.outputShape(for: s))
    }

    /// Per image: the convolution's FN×OH×OW maps, then each plane's 2×2 maxima of
    /// ReLU(map + bias) and their positions, the bias and ReLU taken as pooling reads
    /// each value (no pass of their own). With stride 1 and no padding (not 3×3, which is
    /// Winograd's), PooledConvolution pools inside the multiply's registers instead, and
    /// the maps are never written.
    package func forward(_ x: Tensor, training: Bool) -> Tensor {
        let s = requireOutputShape(for: x.shape)  // N×FN×PH×PW
        let convShape = convolution.layer.requireOutputShape(for: x.shape)  // N×FN×OH×OW
        mapsShape = convShape
        let (fn, oh, ow) = (convShape[1], convShape[2], convShape[3])
        let mapsPerImage = fn * oh * ow
        require(
            mapsPerImage <= Int(Int32.max), "ConvolutionBlock: one image's feature maps \(convShape) exceed 2³¹ floats")
        let pooledPerImage = fn * s[2] * s[3]
        current = 1 - current
        outputs[current].reuseStorage(for: s)
        if argmax.count != output.count { argmax = [Int32](repeating: 0, count: output.count) }
        let geometry = convolution.geometry(x.shape)
        if PooledConvolution.applies(to: geometry) {
            pooledForward(x, geometry, pooledPerImage: pooledPerImage)
            return output
        }
        let pool = WindowGeometry(inputShape: convShape, filterHeight: 2, filterWidth: 2, stride: 2, padding: 0)
        let bias = convolution.b.value.data
        outputs[current].data.withUnsafeMutableBufferPointer { out in
            argmax.withUnsafeMutableBufferPointer { arg in
                convolution.forwardImages(x, into: UnsafeMutablePointer<Float>?.none) { n, maps in
                    for f in 0..<fn {
                        let o = n * pooledPerImage + f * s[2] * s[3]
                        maxPool2x2Plane(
                            maps, out.baseAddress! + o, arg.baseAddress! + o, base: f * oh * ow, pool,
                            reluOfPlus: bias[f])
                    }
                }
            }
        }
        return output
    }

    /// Stride 1 and no padding: PooledConvolution, image by image (images shared out
    /// between threads), with the maps never written.
    private func pooledForward(_ x: Tensor, _ g: WindowGeometry, pooledPerImage: Int) {
        let pooled = PooledConvolution(g, filters: convolution.filterCount)
        let packed = pooled.pack(weights: convolution.weights.value.data, bias: convolution.b.value.data)
        let offsets = pooled.offsets()
        convolution.keep(input: x)
        x.data.withUnsafeBufferPointer { x in
            outputs[current].data.withUnsafeMutableBufferPointer { out in
                argmax.withUnsafeMutableBufferPointer { arg in
                    parallelFor(g.images, cost: g.windowsPerImage * g.rowLength * convolution.filterCount) { images in
                        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: pooled.scratchSize)
                        defer { scratch.deallocate() }
                        for n in images {
                            pooled.forward(
                                image: x.baseAddress! + n * g.imageSize, packed: packed, offsets: offsets,
                                pooled: out.baseAddress! + n * pooledPerImage,
                                winners: arg.baseAddress! + n * pooledPerImage, scratch: scratch)
                        }
                    }
                }
            }
        }
    }

    package func backward(_ dout: Tensor) -> Tensor { backward(dout, inputGradient: true) }

    /// As the first layer of a network: the parameter gradients only, no ∂L/∂x.
    package func backwardParameters(_ dout: Tensor) { _ = backward(dout, inputGradient: false) }

    /// dW and db from the winners alone (WinnersWeightGradient.swift) when the filters are
    /// at most 8 wide. For dx, per image: the pooled gradient goes back to each window's
    /// winner if that winner passed ReLU (pooled value above zero), zero everywhere else;
    /// that is the convolution's dout_n, and the convolution's backward takes it from
    /// there (and gives dW and db too, for wider filters).
    private func backward(_ dout: Tensor, inputGradient: Bool) -> Tensor {
        require(
            dout.shape == output.shape,
            "ConvolutionBlock.backward: dout \(dout.shape) does not match the last forward's output \(output.shape)")
        let pooledPerImage = output.count / max(output.shape[0], 1)
        let mapsPerImage = mapsShape.dropFirst().reduce(1, *)
        let geometry = convolution.geometry(convolution.x.shape)
        let byWinners = WinnersWeightGradient.applies(to: geometry)
        if byWinners { weightGradientFromWinners(dout, geometry, pooledPerImage: pooledPerImage) }
        if !inputGradient && byWinners { return Tensor(shape: [0]) }
        return dout.data.withUnsafeBufferPointer { dout in
            output.data.withUnsafeBufferPointer { out in
                argmax.withUnsafeBufferPointer { arg in
                    convolution.backwardImages(inputGradient: inputGradient, parameterGradients: !byWinners) { n, d in
                        d.update(repeating: 0, count: mapsPerImage)
                        scatterToWinners(
                            dout.baseAddress! + n * pooledPerImage, passed: out.baseAddress! + n * pooledPerImage,
                            arg.baseAddress! + n * pooledPerImage, into: d, count: pooledPerImage)
                        return UnsafePointer(d)
                    }
                }
            }
        }
    }

    /// dW and db by WinnersWeightGradient, the images shared out between threads; each
    /// thread sums its own [dW | db], and the sums are added in thread order.
    private func weightGradientFromWinners(_ dout: Tensor, _ g: WindowGeometry, pooledPerImage: Int) {
        let winners = WinnersWeightGradient(g, filters: convolution.filterCount)
        let partSize = convolution.filterCount * (g.rowLength + 1)
        let parts = threadCount(items: g.images, cost: pooledPerImage * g.channels * g.filterHeight * 8)
        var partials = [Float](repeating: 0, count: parts * partSize)
        convolution.x.data.withUnsafeBufferPointer { x in
            dout.data.withUnsafeBufferPointer { dout in
                output.data.withUnsafeBufferPointer { out in
                    argmax.withUnsafeBufferPointer { arg in
                        partials.withUnsafeMutableBufferPointer { partials in
                            parallelParts(g.images, parts: parts) { part, images in
                                let scratch = UnsafeMutablePointer<Float>.allocate(capacity: winners.scratchSize)
                                let offsets = UnsafeMutablePointer<Int32>.allocate(capacity: winners.offsetScratchSize)
                                defer {
                                    scratch.deallocate()
                                    offsets.deallocate()
                                }
                                scratch.update(repeating: 0, count: winners.scratchSize)
                                for n in images {
                                    let o = n * pooledPerImage
                                    winners.accumulate(
                                        image: x.baseAddress! + n * g.imageSize, gradient: dout.baseAddress! + o,
                                        passed: out.baseAddress! + o, winners: arg.baseAddress! + o,
                                        into: partials.baseAddress! + part * partSize, scratch: scratch,
                                        offsets: offsets)
                                }
                            }
                        }
                    }
                }
            }
        }
        convolution.storeParameterGradients(partials, parts: parts)
    }
}

/// d[arg[o]] = passed[o] > 0 ? gradient[o] : 0 for each of `count` pooled outputs: each
/// window's gradient to its winner, if the winner passed ReLU. The mask is applied eight
/// at a time with SIMD, without a branch: `if passed[o] > 0` goes either way at random,
/// and its mispredictions made this loop take as long as the weight gradient's product.
/// Windows of 2×2 with stride 2 do not overlap, so each cell wins at most once and a
/// store (not an addition) will do.
private func scatterToWinners(
    _ gradient: UnsafePointer<Float>, passed: UnsafePointer<Float>, _ arg: UnsafePointer<Int32>,
    into d: UnsafeMutablePointer<Float>, count: Int
) {
    var o = 0
    while o + 8 <= count {
        // The mask as all-ones or all-zero bits, ANDed onto the gradient's bits. (Written as
        // `replacing(with: gradient, where: …)`, the compiler loads each lane under a branch.)
        let keep = SIMD8<Int32>(repeating: 0).replacing(
            with: -1, where: UnsafeRawPointer(passed + o).loadUnaligned(as: SIMD8<Float>.self) .> 0)
        let bits =
            unsafeBitCast(UnsafeRawPointer(gradient + o).loadUnaligned(as: SIMD8<Float>.self), to: SIMD8<Int32>.self)
            & keep
        let g = unsafeBitCast(bits, to: SIMD8<Float>.self)
        let winners = UnsafeRawPointer(arg + o).loadUnaligned(as: SIMD8<Int32>.self)
        for lane in 0..<8 { d[Int(winners[lane])] = g[lane] }
        o += 8
    }
    while o < count {
        d[Int(arg[o])] = passed[o] > 0 ? gradient[o] : 0
        o += 1
    }
}
