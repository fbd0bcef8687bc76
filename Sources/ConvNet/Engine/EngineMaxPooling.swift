/// The engine's max pooling: the same winners and numbers as the book's `MaxPooling`
/// (Layers/), which goes through im2col and one argmax per row. Here each plane (one
/// channel of one image) is pooled straight from the input, the planes shared out between
/// threads, and 2×2 windows with stride 2 (the networks' pooling) go eight at a time with
/// SIMD. Ties go to the first largest value in reading order, as in the book layer.
///
///     x: N×C×H×W  →  out: N×C×OH×OW
package final class EngineMaxPooling: Layer {
    package let layer: MaxPooling
    var poolHeight: Int { layer.poolHeight }
    var poolWidth: Int { layer.poolWidth }
    var stride: Int { layer.stride }
    var padding: Int { layer.padding }
    package var name: String { "MaxPooling" }
    // Flat index into x of each output's winner. Int32 halves the memory traffic of Int;
    // forward checks that x has fewer than 2³¹ elements.
    private var argmax: [Int32] = []
    private var inputShape: [Int] = []
    // Reused from step to step (see Tensor.reuseStorage).
    private var output = Tensor(shape: [0])
    private var dx = Tensor(shape: [0])

    package init(_ layer: MaxPooling) { self.layer = layer }

    package func outputShape(for s: [Int]) throws -> [Int] { try layer.outputShape(for: s) }

    package func forward(_ x: Tensor, training: Bool) -> Tensor {
        let s = requireOutputShape(for: x.shape)
        let g = WindowGeometry(
            inputShape: x.shape, filterHeight: poolHeight, filterWidth: poolWidth,
            stride: stride, padding: padding)
        inputShape = x.shape
        output.reuseStorage(for: s)
        require(x.count <= Int(Int32.max), "MaxPooling: input \(x.shape) has more than 2³¹ elements")
        if argmax.count != output.count { argmax = [Int32](repeating: 0, count: output.count) }
        // The network's pooling, 2×2 with stride 2, has a SIMD version of the loop.
        let twoByTwo = (poolHeight, poolWidth, stride, padding) == (2, 2, 2, 0)
        x.data.withUnsafeBufferPointer { src in
            output.data.withUnsafeMutableBufferPointer { dst in
                argmax.withUnsafeMutableBufferPointer { arg in
                    // Each plane (one channel of one image) on its own: planes share out between threads.
                    parallelFor(g.images * g.channels, cost: g.height * g.width) { planes in
                        for plane in planes {
                            let base = plane * g.height * g.width
                            let o = plane * g.outputHeight * g.outputWidth
                            if twoByTwo {
                                maxPool2x2Plane(
                                    src.baseAddress!, dst.baseAddress! + o, arg.baseAddress! + o, base: base, g)
                                continue
                            }
                            for y in 0..<g.outputHeight {
                                let o = o + y * g.outputWidth
                                maxPoolRow(
                                    src.baseAddress!, dst.baseAddress! + o, arg.baseAddress! + o, base: base, y: y, g)
                            }
                        }
                    }
                }
            }
        }
        return output
    }

    package func backward(_ dout: Tensor) -> Tensor {
        require(dout.count == argmax.count, "MaxPooling.backward: dout \(dout.shape) does not match the last forward")
        dx.reuseStorage(for: inputShape)
        let planes = inputShape[0] * inputShape[1]
        let (planeIn, planeOut) = (inputShape[2] * inputShape[3], argmax.count / max(planes, 1))
        dout.data.withUnsafeBufferPointer { dout in
            argmax.withUnsafeBufferPointer { arg in
                dx.data.withUnsafeMutableBufferPointer { dx in
                    parallelFor(planes, cost: planeIn) { range in
                        // Each output's gradient goes to its winner, which lies in the output's
                        // own plane; windows that overlap may share one.
                        (dx.baseAddress! + range.lowerBound * planeIn).update(
                            repeating: 0, count: range.count * planeIn)
                        let (dx, arg, dout) = (dx.baseAddress!, arg.baseAddress!, dout.baseAddress!)
                        for o in (range.lowerBound * planeOut)..<(range.upperBound * planeOut) {
                            dx[Int(arg[o])] += dout[o]
                        }
                    }
                }
            }
        }
        return dx
    }

    /// Which input won each output (flat indices into x).
    var winners: [Int] { argmax.map { Int($0) } }
}

/// One output row of max pooling, any window, stride and padding: each output keeps the
/// first largest value of the window's cells that lie inside the image (padding never wins).
///
///     x: the input batch, whose plane starts at `base`; out, arg: the OW outputs of row y
private func maxPoolRow(
    _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ arg: UnsafeMutablePointer<Int32>,
    base: Int, y: Int, _ g: WindowGeometry
) {
    // The window's rows inside the image (all of them unless padded).
    let top = y * g.stride - g.padding
    let rows = max(0, -top)..<min(g.filterHeight, g.height - top)
    for xo in 0..<g.outputWidth {
        let left = xo * g.stride - g.padding
        let columns = max(0, -left)..<min(g.filterWidth, g.width - left)
        var bestIndex = base + (top + rows.lowerBound) * g.width + left + columns.lowerBound
        var best = x[bestIndex]
        for i in rows {
            let row = base + (top + i) * g.width + left
            for j in columns where x[row + j] > best {
                best = x[row + j]
                bestIndex = row + j
            }
        }
        out[xo] = best
        arg[xo] = Int32(bestIndex)
    }
}

/// One plane of 2×2 max pooling with stride 2, the network's pooling, eight outputs at a
/// time with SIMD (the general loop spends most of its time on bookkeeping). The winner
/// is the same as the general loop's: the first largest value in the order top-left,
/// top-right, bottom-left, bottom-right.
///
///     x: the input batch, whose plane starts at `base`; out, arg: the plane's OH×OW outputs
///
/// With `reluOfPlus`, each value v of x is taken as ReLU(v + reluOfPlus), v + b if that
/// is above 0, else 0: ConvolutionBlock pools its convolution's maps this way, so the
/// bias and ReLU need no pass over the maps of their own. (A whole plane a call, not a
/// row: the network's rows are 12 outputs, and the call's set-up cost as much as they.)
func maxPool2x2Plane(
    _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ arg: UnsafeMutablePointer<Int32>,
    base: Int, _ g: WindowGeometry, reluOfPlus bias: Float? = nil
) {
    let (w, outputs) = (g.width, g.outputWidth)
    @inline(__always) func value(_ v: SIMD16<Float>) -> SIMD16<Float> {
        guard let bias else { return v }
        let shifted = v + bias
        return SIMD16<Float>(repeating: 0).replacing(with: shifted, where: shifted .> 0)
    }
    @inline(__always) func value(_ v: SIMD8<Float>) -> SIMD8<Float> {
        guard let bias else { return v }
        let shifted = v + bias
        return SIMD8<Float>(repeating: 0).replacing(with: shifted, where: shifted .> 0)
    }
    @inline(__always) func value(_ v: Float) -> Float {
        guard let bias else { return v }
        let shifted = v + bias
        return shifted > 0 ? shifted : 0
    }
    // A mask's lanes as integers: -1 where it is true, 0 where false.
    @inline(__always) func bits(_ m: SIMDMask<SIMD8<Int32>>) -> SIMD8<Int32> { unsafeBitCast(m, to: SIMD8<Int32>.self) }
    @inline(__always) func bits(_ m: SIMDMask<SIMD4<Int32>>) -> SIMD4<Int32> { unsafeBitCast(m, to: SIMD4<Int32>.self) }
    let lanes8 = SIMD8<Int32>(0, 2, 4, 6, 8, 10, 12, 14)  // the left cells' columns, windows 0..<8
    let lanes4 = SIMD4<Int32>(0, 2, 4, 6)
    for y in 0..<g.outputHeight {
        let top = x + base + 2 * y * w
        let bottom = top + w
        let rowIndex = Int32(base + 2 * y * w)  // the index of the row's first cell
        let (out, arg) = (out + y * outputs, arg + y * outputs)
        // Eight windows from output x on.
        @inline(__always) func eight(from x: Int) {
            let a = value(UnsafeRawPointer(top + 2 * x).loadUnaligned(as: SIMD16<Float>.self))
            let b = value(UnsafeRawPointer(bottom + 2 * x).loadUnaligned(as: SIMD16<Float>.self))
            // Left and right cells of 8 windows: the even and odd lanes.
            let topRight = a.oddHalf .> a.evenHalf
            let bottomRight = b.oddHalf .> b.evenHalf
            let topBest = a.evenHalf.replacing(with: a.oddHalf, where: topRight)
            let bottomBest = b.evenHalf.replacing(with: b.oddHalf, where: bottomRight)
            // The winner's place in its window: 0 or 1 on top, w or w + 1 below.
            let topCell = SIMD8<Int32>(repeating: 0) &- bits(topRight)
            let bottomCell = SIMD8<Int32>(repeating: Int32(w)) &- bits(bottomRight)
            let down = bottomBest .> topBest
            let best = topBest.replacing(with: bottomBest, where: down)
            let cell = topCell.replacing(with: bottomCell, where: down)
            UnsafeMutableRawPointer(out + x).storeBytes(of: best, as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(arg + x).storeBytes(
                of: lanes8 &+ (rowIndex &+ Int32(2 * x)) &+ cell, as: SIMD8<Int32>.self)
        }
        // Four windows from output x on: the same, half as wide.
        @inline(__always) func four(from x: Int) {
            let a = value(UnsafeRawPointer(top + 2 * x).loadUnaligned(as: SIMD8<Float>.self))
            let b = value(UnsafeRawPointer(bottom + 2 * x).loadUnaligned(as: SIMD8<Float>.self))
            let (topRight, bottomRight) = (a.oddHalf .> a.evenHalf, b.oddHalf .> b.evenHalf)
            let topBest = a.evenHalf.replacing(with: a.oddHalf, where: topRight)
            let bottomBest = b.evenHalf.replacing(with: b.oddHalf, where: bottomRight)
            let topCell = SIMD4<Int32>(repeating: 0) &- bits(topRight)
            let bottomCell = SIMD4<Int32>(repeating: Int32(w)) &- bits(bottomRight)
            let down = bottomBest .> topBest
            UnsafeMutableRawPointer(out + x).storeBytes(
                of: topBest.replacing(with: bottomBest, where: down), as: SIMD4<Float>.self)
            UnsafeMutableRawPointer(arg + x).storeBytes(
                of: lanes4 &+ (rowIndex &+ Int32(2 * x)) &+ topCell.replacing(with: bottomCell, where: down),
                as: SIMD4<Int32>.self)
        }
        var x = 0
        while x + 8 <= outputs {
            eight(from: x)
            x += 8
        }
        // The last few of a row of at least 8 (the network's rows have 12): the last four or
        // eight again with SIMD, some of them for the second time (the same values), rather
        // than one by one with branches the processor cannot predict.
        if x < outputs && outputs >= 8 {
            if outputs - x <= 4 { four(from: outputs - 4) } else { eight(from: outputs - 8) }
            x = outputs
        }
        while x < outputs {
            let (topLeft, topRight) = (value(top[2 * x]), value(top[2 * x + 1]))
            let (bottomLeft, bottomRight) = (value(bottom[2 * x]), value(bottom[2 * x + 1]))
            var best = topLeft
            var cell = 0
            if topRight > best {
                best = topRight
                cell = 1
            }
            if bottomLeft > best {
                best = bottomLeft
                cell = w
            }
            if bottomRight > best {
                best = bottomRight
                cell = w + 1
            }
            out[x] = best
            arg[x] = rowIndex + Int32(2 * x + cell)
            x += 1
        }
    }
}
