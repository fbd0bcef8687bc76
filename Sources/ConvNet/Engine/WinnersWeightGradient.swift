// The weight gradient of a convolution followed by ReLU and 2×2 max pooling
// (ConvolutionBlock), from the pooling's winners alone.
//
// Pooling passes each window's gradient back to one cell of the four, its winner, and
// ReLU stops it if the pooled value is 0. So the convolution's dout_n (FN × OH·OW) is
// zero in at least three cells out of four, and the dense product dW += dout_n · col_n
// spends at least three quarters of its multiply-adds on zeros (and needs dout_n
// written out and col_n unrolled first). Here each winner adds its gradient times its
// window of the input to its own filter's row of dW:
//
//     dW[f, c, i, ·] += g[o] · x_n[c, y·s + i, x·s ..< x·s + FW]   for each pooled output o of filter f
//     db[f]          += g[o]
//
// where (y, x) is the winner's position in the convolution's output and g[o] the
// pooled gradient, or 0 where ReLU stopped it. The same sum as the dense product, over
// the cells that are not zero, in another order: the last bits differ.
//
// A window's row of FW ≤ 8 taps is one load of 8 floats, whose lanes past FW are
// thrown away. The loads read a copy of the image with its zero padding around it and
// 8 floats of slack after it, so no load leaves the copy.

/// dW and db of one convolution (FN filters over C×H×W images) from its pooling's
/// winners, image by image.
struct WinnersWeightGradient {
    let g: WindowGeometry
    let filters: Int
    let paddedHeight: Int, paddedWidth: Int
    /// The pooled plane: OH/2 × OW/2.
    let pooledHeight: Int, pooledWidth: Int
    var pooledPlane: Int { pooledHeight * pooledWidth }
    /// For each pooled position (py, px): 2py, the output row its window starts on.
    private let windowRow: [Int32]

    /// Filters up to 8 wide: one SIMD8 load per row of a window. Each winner costs C·FH
    /// eight-wide multiply-adds, against the dense product's 4 · C·FH·FW / 8 per window
    /// of four: fewer for any FW above 2, but more than Winograd's F(3×3, 2×2) for a 3×3
    /// filter (Lesson 10's second convolution: its block's backward 40 → 48 ms a step
    /// this way), which keeps that case.
    static func applies(to g: WindowGeometry) -> Bool { g.filterWidth <= 8 && !Winograd3x3.applies(to: g) }

    init(_ g: WindowGeometry, filters: Int) {
        (self.g, self.filters) = (g, filters)
        (paddedHeight, paddedWidth) = (g.height + 2 * g.padding, g.width + 2 * g.padding)
        let (ph, pw) = (g.outputHeight / 2, g.outputWidth / 2)
        (pooledHeight, pooledWidth) = (ph, pw)
        windowRow = (0..<(ph * pw)).map { Int32(2 * ($0 / pw)) }
    }

    /// Room for the padded copy of one image and the loads' slack after it, then a
    /// filter's gradients (one per pooled output, rounded up to 8). The caller zeroes
    /// it once; `accumulate` writes only the image's own cells.
    var scratchSize: Int { g.channels * paddedHeight * paddedWidth + 8 + (pooledPlane + 7) / 8 * 8 }
    /// Room for a filter's window offsets, one per pooled output.
    var offsetScratchSize: Int { (pooledPlane + 7) / 8 * 8 }

    /// [dW | db] (FN × (C·FH·FW + 1)) += image n's share.
    ///
    ///     image:    C × H × W
    ///     gradient: FN × PH × PW   the pooled dout of this image
    ///     passed:   FN × PH × PW   the pooled output: a winner passed ReLU where it is above 0
    ///     winners:  FN × PH × PW   each window's winner, an index into FN × OH × OW
    func accumulate(
        image: UnsafePointer<Float>, gradient: UnsafePointer<Float>, passed: UnsafePointer<Float>,
        winners: UnsafePointer<Int32>, into dWdb: UnsafeMutablePointer<Float>,
        scratch: UnsafeMutablePointer<Float>, offsets: UnsafeMutablePointer<Int32>
    ) {
        let (c, h, w, p) = (g.channels, g.height, g.width, g.padding)
        let (ph, pw) = (paddedHeight, paddedWidth)
        let padded = scratch
        for ch in 0..<c {
            for y in 0..<h {
                (padded + (ch * ph + y + p) * pw + p).update(from: image + (ch * h + y) * w, count: w)
            }
        }
        let kept = scratch + c * ph * pw + 8  // one filter's gradients, 0 where ReLU stopped them
        let rows = c * g.filterHeight  // rows of taps in a filter, (c, i)
        let fw = g.filterWidth
        let taps = rows * fw + 1  // [dW | db]'s row length
        let plane = g.outputHeight * g.outputWidth
        for f in 0..<filters {
            let o = f * pooledPlane
            let biasSum = winnersOfFilter(
                gradient + o, passed + o, winners + o, firstCell: f * plane, gradients: kept, offsets: offsets)
            let dW = dWdb + f * taps
            dW[taps - 1] += biasSum
            // The rows of taps 8 at a time.
            var first = 0
            while first < rows {
                let count = min(8, rows - first)
                addRows(first: first, count: count, padded, kept, offsets, to: dW)
                first += count
            }
        }
    }

    /// For one filter's pooled outputs: the gradient kept by ReLU (0 where the winner did
    /// not pass) and where the winner's window starts in the padded image; eight at a
    /// time with SIMD (a branch on `passed > 0` would go either way at random). Returns
    /// the kept gradients' sum, the filter's db.
    @inline(__always)
    private func winnersOfFilter(
        _ gradient: UnsafePointer<Float>, _ passed: UnsafePointer<Float>, _ winners: UnsafePointer<Int32>,
        firstCell: Int, gradients: UnsafeMutablePointer<Float>, offsets: UnsafeMutablePointer<Int32>
    ) -> Float {
        typealias F = SIMD8<Float>
        typealias I = SIMD8<Int32>
        let ow = Int32(g.outputWidth)
        let (s, pw) = (Int32(g.stride), Int32(paddedWidth))
        var sum = F()
        windowRow.withUnsafeBufferPointer { windowRow in
            var o = 0
            // A last group of fewer than 8 is read lane by lane (8 at once could read past
            // the batch's end); its other lanes hold 0 and land in the scratch's rounding.
            while o < pooledPlane {
                var (gv, pv, wv, rv) = (F(), F(), I(), I())
                if o + 8 <= pooledPlane {
                    (gv, pv) = (load(gradient + o), load(passed + o))
                    (wv, rv) = (load(winners + o), load(windowRow.baseAddress! + o))
                } else {
                    for lane in 0..<(pooledPlane - o) {
                        (gv[lane], pv[lane]) = (gradient[o + lane], passed[o + lane])
                        (wv[lane], rv[lane]) = (winners[o + lane], windowRow[o + lane])
                    }
                }
                let keptV = F(repeating: 0).replacing(with: gv, where: pv .> 0)
                // The winner's cell within its two output rows, 0 ..< 2·OW, and so its place.
                // down is 1 on the lower row: the sign bit of within − OW, turned over.
                // (A SIMD comparison of integers, `within .>= ow`, compiles to a loop over
                // the lanes.)
                let within = wv &- Int32(firstCell) &- rv &* ow
                let down = I(repeating: 1) &+ ((within &- ow) &>> 31)
                let (y, x) = (rv &+ down, within &- down &* ow)
                let offset = y &* (s &* pw) &+ x &* s
                UnsafeMutableRawPointer(gradients + o).storeBytes(of: keptV, as: F.self)
                UnsafeMutableRawPointer(offsets + o).storeBytes(of: offset, as: I.self)
                sum += keptV
                o += 8
            }
        }
        return sum.sum()
    }

    @inline(__always)
    private func load<T: SIMDScalar>(_ p: UnsafePointer<T>) -> SIMD8<T> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD8<T>.self)
    }

    /// dW's rows first ..< first + count (count ≤ 8) of one filter += Σ over its winners
    /// of gradient × the window's rows, each row's sum in a register of its own: with the
    /// gradient and a load, 10 of the 16 AVX2 registers.
    private func addRows(
        first: Int, count: Int, _ padded: UnsafePointer<Float>, _ kept: UnsafePointer<Float>,
        _ offsets: UnsafePointer<Int32>, to dW: UnsafeMutablePointer<Float>
    ) {
        typealias V = SIMD8<Float>
        let (ph, pw, fh) = (paddedHeight, paddedWidth, g.filterHeight)
        // Where each row (c, i) of the group starts in the padded image; a row past
        // `count` repeats the last one, and its sum is dropped.
        @inline(__always) func start(_ r: Int) -> Int {
            let row = first + min(r, count - 1)
            return (row / fh) * ph * pw + (row % fh) * pw
        }
        let (r0, r1, r2, r3) = (start(0), start(1), start(2), start(3))
        let (r4, r5, r6, r7) = (start(4), start(5), start(6), start(7))
        @inline(__always) func row(_ window: UnsafePointer<Float>, _ r: Int) -> V {
            UnsafeRawPointer(window + r).loadUnaligned(as: V.self)
        }
        var (s0, s1, s2, s3, s4, s5, s6, s7) = (V(), V(), V(), V(), V(), V(), V(), V())
        for k in 0..<pooledPlane {
            let v = V(repeating: kept[k])
            let window = padded + Int(offsets[k])
            s0.addProduct(v, row(window, r0))
            if count > 1 { s1.addProduct(v, row(window, r1)) }
            if count > 2 { s2.addProduct(v, row(window, r2)) }
            if count > 3 { s3.addProduct(v, row(window, r3)) }
            if count > 4 { s4.addProduct(v, row(window, r4)) }
            if count > 5 { s5.addProduct(v, row(window, r5)) }
            if count > 6 { s6.addProduct(v, row(window, r6)) }
            if count > 7 { s7.addProduct(v, row(window, r7)) }
        }
        let fw = g.filterWidth
        @inline(__always) func add(_ sum: V, _ r: Int) {
            if r < count { for j in 0..<fw { dW[(first + r) * fw + j] += sum[j] } }
        }
        // One call per register, not a loop over an array of them (which would allocate).
        add(s0, 0)
        add(s1, 1)
        add(s2, 2)
        add(s3, 3)
        add(s4, 4)
        add(s5, 5)
        add(s6, 6)
        add(s7, 7)
    }
}
