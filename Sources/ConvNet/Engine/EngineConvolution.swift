/// The engine's convolution: the same numbers as the book's `Convolution` (Layers/),
/// computed image by image, with the images shared out between threads. See
/// docs/engine.md for why each of these pays.
///
///     x:   N×C×H×W
///     W:   FN×C×FH×FW      b: FN       (the book layer's own parameters)
///     out: N×FN×OH×OW
///
/// The book multiplies the whole batch's matrix in one go (col · Wᵀ, and doutᵀ · col for
/// dW); here the same products are taken one image's rows at a time, which gives the same
/// numbers (dW is a sum over images either way) but keeps each piece in the cache and
/// lets two cores take an image each.
package final class EngineConvolution: Layer {
    /// The book layer whose parameters, stride and padding this one runs.
    package let layer: Convolution
    var weights: Parameter { layer.W }
    var b: Parameter { layer.b }
    var stride: Int { layer.stride }
    var padding: Int { layer.padding }
    package var name: String { "Convolution" }
    package var parameters: [Parameter] { layer.parameters }

    // Kept by forward for backward: the input itself, not its im2col matrix. Unrolling one
    // image again in backward is cheaper than keeping the whole batch unrolled: one
    // image's 576×25 matrix stays in the cache, the batch's 57600×25 (5.8 MB) would not.
    private(set) var x = Tensor(shape: [0])  // N×C×H×W
    /// For a forward computed elsewhere (ConvolutionBlock's pooled way): keeps x for backward.
    func keep(input x: Tensor) { self.x = x }
    // Reused from step to step (see Tensor.reuseStorage).
    private var output = Tensor(shape: [0])  // N×FN×OH×OW
    private var dx = Tensor(shape: [0])  // N×C×H×W

    var filterCount: Int { layer.filterCount }
    var channels: Int { layer.channels }
    var filterHeight: Int { layer.filterHeight }
    var filterWidth: Int { layer.filterWidth }

    package init(_ layer: Convolution) { self.layer = layer }

    package func outputShape(for s: [Int]) throws -> [Int] { try layer.outputShape(for: s) }

    /// Image by image (the images are shared out between threads):
    ///
    ///     col_nᵀ = im2col(x_n)ᵀ         (C·FH·FW) × (OH·OW), unrolled straight into that layout
    ///     out_n  = W · col_nᵀ + b       FN × (OH·OW), already the layout of N×FN×OH×OW
    ///
    /// This is the book's col · Wᵀ, one image's rows at a time and transposed, so the
    /// product lands in place without a reshape and transpose afterwards. With stride 1
    /// and no padding, col_nᵀ is never written out: the multiply's packing step reads
    /// the windows from the image itself (`WindowPacker`). A 3×3 filter with stride 1 and
    /// no padding takes Winograd's way instead (Winograd.swift), with 2.25 times fewer
    /// multiply-adds.
    package func forward(_ x: Tensor, training: Bool) -> Tensor {
        let shape = requireOutputShape(for: x.shape)
        let planeSize = shape[2] * shape[3]
        let bias = b.value.data
        output.reuseStorage(for: shape)
        output.data.withUnsafeMutableBufferPointer { out in
            forwardImages(x, into: out.baseAddress!) { _, outN in
                for f in 0..<filterCount {
                    let plane = outN + f * planeSize
                    for p in 0..<planeSize { plane[p] += bias[f] }
                }
            }
        }
        return output
    }

    /// The image loop of forward, shared with ConvolutionBlock: out_n = W · col_nᵀ, without
    /// the bias, which `then(n, out_n)` adds next, while out_n is in the cache. Image n's
    /// output (FN×OH×OW) goes to its place in `output` (N×FN×OH×OW), or, if `output` is
    /// nil, to a buffer of the thread's own. The caller has checked x's shape.
    func forwardImages(
        _ x: Tensor, into output: UnsafeMutablePointer<Float>?,
        then: (_ n: Int, _ outN: UnsafeMutablePointer<Float>) -> Void
    ) {
        let g = geometry(x.shape)
        let (fn, windows, rowLength) = (filterCount, g.windowsPerImage, g.rowLength)
        let winograd =
            Winograd3x3.applies(to: g)
            ? weights.value.data.withUnsafeBufferPointer { Winograd3x3(g, weights: $0.baseAddress!, filters: fn) } : nil
        let packer = winograd == nil && g.stride == 1 && g.padding == 0 ? WindowPacker(g) : nil
        self.x = x
        x.data.withUnsafeBufferPointer { x in
            weights.value.data.withUnsafeBufferPointer { w in
                parallelFor(g.images, cost: windows * rowLength * fn) { images in
                    // One image's col_nᵀ (unless the packer reads the image itself, or
                    // Winograd's way runs), its output if it has no place in `output`, and
                    // Winograd's transformed tiles.
                    let colSize = packer == nil && winograd == nil ? windows * rowLength : 0
                    let scratch = UnsafeMutablePointer<Float>.allocate(
                        capacity: colSize + (output == nil ? windows * fn : 0) + (winograd?.scratchSize ?? 0))
                    defer { scratch.deallocate() }
                    let col = scratch
                    for n in images {
                        let outN = output.map { $0 + n * fn * windows } ?? scratch + colSize
                        if let winograd {
                            // 3×3, stride 1, no padding: Winograd's F(2×2, 3×3) (Winograd.swift).
                            winograd.forward(
                                x.baseAddress! + n * g.imageSize, into: outN,
                                scratch: scratch + colSize + (output == nil ? windows * fn : 0))
                        } else if let packer {
                            // The windows packed straight from the image (stride 1, no padding).
                            let image = x.baseAddress! + n * g.imageSize
                            let readable = x.count - n * g.imageSize
                            FastMatrixMultiply.serial(
                                w.baseAddress!, outN, rows: 0..<fn, columns: 0..<windows, m: fn, n: windows,
                                k: rowLength, kRange: 0..<rowLength, transposeA: false, accumulate: false,
                                nr: FastMatrixMultiply.widestTile
                            ) { k0, kcb, j0, ncb, packed in
                                packer.pack(
                                    image, readable: readable, k0: k0, kcb: kcb, j0: j0, ncb: ncb,
                                    nr: FastMatrixMultiply.widestTile, into: packed)
                            }
                        } else {
                            im2colTransposedImage(x.baseAddress! + n * g.imageSize, col, g)
                            matrixMultiply(w.baseAddress!, col, outN, m: fn, n: windows, k: rowLength, threads: 1)
                        }
                        then(n, outN)
                    }
                }
            }
        }
    }

    package func backward(_ dout: Tensor) -> Tensor { backward(dout, inputGradient: true) }

    /// As the first layer of a network, nobody needs ∂L/∂x (the input is the data), so
    /// the third product and col2im are skipped.
    package func backwardParameters(_ dout: Tensor) { _ = backward(dout, inputGradient: false) }

    private func backward(_ dout: Tensor, inputGradient: Bool) -> Tensor {
        require(
            dout.shape == (try? outputShape(for: x.shape)),
            "Convolution.backward: dout \(dout.shape) does not match the last forward's output for input \(x.shape)")
        return dout.data.withUnsafeBufferPointer { dout in
            let perImage = dout.count / max(x.shape[0], 1)
            return backwardImages(inputGradient: inputGradient) { n, _ in dout.baseAddress! + n * perImage }
        }
    }

    /// Image by image again, with col_n unrolled afresh from the kept input (as col_nᵀ,
    /// like forward); for a 3×3 filter with stride 1 and no padding, dW and dx_n by
    /// Winograd's way instead of col_n, dcol_n and col2im (see below and Winograd.swift):
    ///
    ///     dW    += dout_n · col_n       FN × (C·FH·FW)   (dout_n: FN × OH·OW)
    ///     db    += Σ_p dout_n[·, p]     FN
    ///     dcol_n = dout_nᵀ · W          (OH·OW) × (C·FH·FW),  dx_n = col2im(dcol_n)
    ///                                   (computed transposed, as Wᵀ · dout_n, like col_n)
    ///
    /// Each thread sums dW and db over its own images; the partial sums are then added in
    /// thread order, so a given number of threads always gives the same bits.
    ///
    /// Shared with ConvolutionBlock: `gradient(n, scratch)` gives image n's dout_n, either
    /// a pointer into dout or `scratch` (FN×OH×OW floats of the thread's own) filled in.
    /// Returns dx (N×C×H×W) if `inputGradient`, else an empty tensor. Without
    /// `parameterGradients`, dW and db are left as they are (the block computes them its
    /// own way).
    func backwardImages(
        inputGradient: Bool, parameterGradients: Bool = true,
        gradient: (_ n: Int, _ scratch: UnsafeMutablePointer<Float>) -> UnsafePointer<Float>
    ) -> Tensor {
        let g = geometry(x.shape)
        let (fn, windows, rowLength) = (filterCount, g.windowsPerImage, g.rowLength)
        let parts = threadCount(items: g.images, cost: windows * rowLength * fn * (inputGradient ? 2 : 1))
        // The bias as one more filter tap whose input is always 1: a row of ones under
        // col_nᵀ makes one product give dW and db together, [dW | db] += dout_n · [col_n | 1],
        // FN × (C·FH·FW + 1), the last column Σ_p dout_n[f, p].
        let taps = rowLength + 1
        let partSize = fn * taps  // one [dW | db] per thread
        var partials = [Float](repeating: 0, count: parts * partSize)
        if inputGradient { dx.reuseStorage(for: x.shape) }
        // A 3×3 filter with stride 1 and no padding: dW by Winograd's F(3×3, 2×2), and dx as
        // a convolution of dout by forward's Winograd way (Winograd.swift).
        let winograd = Winograd3x3.applies(to: g)
        let winogradDW = winograd && parameterGradients ? Winograd3x3(g, weights: nil, filters: fn) : nil
        let winogradDx =
            winograd && inputGradient
            ? weights.value.data.withUnsafeBufferPointer {
                Winograd3x3(inputGradientOf: g, weights: $0.baseAddress!, filters: fn)
            } : nil
        x.data.withUnsafeBufferPointer { x in
            weights.value.data.withUnsafeBufferPointer { w in
                partials.withUnsafeMutableBufferPointer { partials in
                    dx.data.withUnsafeMutableBufferPointer { dx in
                        parallelParts(g.images, parts: parts) { part, images in
                            let dWdb = partials.baseAddress! + part * partSize
                            // One image's col (and the row of ones) unless Winograd's way gives
                            // dW, its dcol when dx is wanted the book's way, and room for its dout;
                            // for Winograd's way, M (summed over this thread's images) and the
                            // transforms' room.
                            let colSize = winogradDW == nil && parameterGradients ? windows * taps : 0
                            let dcolSize = inputGradient && winogradDx == nil ? windows * rowLength : 0
                            let mSize = winogradDW == nil ? 0 : 16 * fn * g.channels
                            let winogradSize = max(
                                winogradDW?.weightGradientScratchSize ?? 0, winogradDx?.inputGradientScratchSize ?? 0)
                            let scratch = UnsafeMutablePointer<Float>.allocate(
                                capacity: colSize + dcolSize + windows * fn + mSize + winogradSize)
                            defer { scratch.deallocate() }
                            let col = scratch
                            if colSize > 0 { (col + windows * rowLength).update(repeating: 1, count: windows) }
                            let dcol = col + colSize
                            let doutScratch = dcol + dcolSize
                            let winogradM = doutScratch + windows * fn
                            winogradM.update(repeating: 0, count: mSize)
                            let winogradScratch = winogradM + mSize
                            for n in images {
                                let d = gradient(n, doutScratch)
                                if let winograd = winogradDW {
                                    winograd.accumulateWeightGradient(
                                        x.baseAddress! + n * g.imageSize, d, into: winogradM, scratch: winogradScratch)
                                    for f in 0..<fn {
                                        var sum: Float = 0
                                        for p in 0..<windows { sum += d[f * windows + p] }
                                        dWdb[f * taps + rowLength] += sum
                                    }
                                } else if parameterGradients {
                                    // Unrolled in forward's layout (col_nᵀ), which is quicker to build.
                                    im2colTransposedImage(x.baseAddress! + n * g.imageSize, col, g)
                                    matrixMultiply(
                                        d, col, dWdb, m: fn, n: taps, k: windows, transposeB: true,
                                        accumulate: true, threads: 1)
                                }
                                if let winograd = winogradDx {
                                    winograd.inputGradient(
                                        d, into: dx.baseAddress! + n * g.imageSize, scratch: winogradScratch)
                                } else if inputGradient {
                                    // dcol_nᵀ = Wᵀ · dout_n, in the layout col2imTransposedImage adds back.
                                    matrixMultiply(
                                        w.baseAddress!, d, dcol, m: rowLength, n: windows, k: fn,
                                        transposeA: true, threads: 1)
                                    let dxN = dx.baseAddress! + n * g.imageSize
                                    dxN.update(repeating: 0, count: g.imageSize)
                                    col2imTransposedImage(dcol, dxN, g)
                                }
                            }
                            winogradDW?.weightGradient(from: winogradM, into: dWdb, filterStride: taps)
                        }
                    }
                }
            }
        }
        if parameterGradients { storeParameterGradients(partials, parts: parts) }
        return inputGradient ? dx : Tensor(shape: [0])
    }

    /// dW and db from each thread's [dW | db] (FN × (C·FH·FW + 1), `parts` of them one
    /// after the other), added up in thread order.
    func storeParameterGradients(_ partials: [Float], parts: Int) {
        let (fn, rowLength) = (filterCount, channels * filterHeight * filterWidth)
        let taps = rowLength + 1
        let partSize = fn * taps
        weights.gradient.reuseStorage(for: weights.value.shape)
        b.gradient.reuseStorage(for: b.value.shape)
        for f in 0..<fn {
            for t in 0..<taps {
                var sum: Float = 0
                for part in 0..<parts { sum += partials[part * partSize + f * taps + t] }
                if t < rowLength { weights.gradient.data[f * rowLength + t] = sum } else { b.gradient.data[f] = sum }
            }
        }
    }

    /// The windows of this convolution over an input of `shape` (N×C×H×W).
    func geometry(_ shape: [Int]) -> WindowGeometry {
        WindowGeometry(
            inputShape: shape, filterHeight: filterHeight, filterWidth: filterWidth, stride: stride, padding: padding)
    }
}
