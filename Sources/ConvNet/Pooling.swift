/// Max pooling. Each output keeps the largest value of its window, and backward sends
/// the gradient only to the position that won (the argmax): the other inputs did not
/// change the output, so their gradient is zero.
///
///     x: N×C×H×W  →  out: N×C×OH×OW,  OH = (H + 2P − poolHeight)/S + 1
///
/// Padding, if any, never wins (it counts as −∞).
public final class MaxPooling: Layer {
    public let poolHeight: Int, poolWidth: Int, stride: Int, padding: Int
    public var name: String { "MaxPooling" }
    private var argmax: [Int] = []      // flat index into x of each output's winner
    private var inputShape: [Int] = []

    public init(poolHeight: Int, poolWidth: Int, stride: Int, padding: Int) {
        require(poolHeight >= 1 && poolWidth >= 1 && stride >= 1 && padding >= 0,
                     "MaxPooling needs positive pool size and stride, padding ≥ 0")
        self.poolHeight = poolHeight; self.poolWidth = poolWidth; self.stride = stride; self.padding = padding
    }

    public func outputShape(for s: [Int]) throws -> [Int] {
        try poolingOutputShape(s, poolHeight, poolWidth, stride, padding, name)
    }

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        let s = requireOutputShape(for: x.shape)
        let (n, c, h, w, oh, ow) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3], s[2], s[3])
        inputShape = x.shape
        var out = Tensor(shape: s)
        argmax = [Int](repeating: 0, count: out.count)
        x.data.withUnsafeBufferPointer { src in
            out.data.withUnsafeMutableBufferPointer { dst in
                argmax.withUnsafeMutableBufferPointer { arg in
                    var o = 0
                    for plane in 0..<(n * c) {
                        let base = plane * h * w
                        for y in 0..<oh {
                            for xo in 0..<ow {
                                var best = -Float.infinity, bestIndex = -1
                                for i in 0..<poolHeight {
                                    let iy = y * stride - padding + i
                                    if iy < 0 || iy >= h { continue }
                                    for j in 0..<poolWidth {
                                        let ix = xo * stride - padding + j
                                        if ix < 0 || ix >= w { continue }
                                        let v = src[base + iy * w + ix]
                                        if v > best || bestIndex < 0 { best = v; bestIndex = base + iy * w + ix }
                                    }
                                }
                                dst[o] = best
                                arg[o] = bestIndex
                                o += 1
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    public func backward(_ dout: Tensor) -> Tensor {
        require(dout.count == argmax.count, "MaxPooling.backward: dout \(dout.shape) does not match the last forward")
        var dx = Tensor(shape: inputShape)
        // Each output's gradient goes to its winner; windows that overlap may share one.
        for o in 0..<argmax.count { dx.data[argmax[o]] += dout.data[o] }
        return dx
    }

    /// Which input won each output (flat indices into x), for showing the argmax mask.
    public var winners: [Int] { argmax }
}

/// Average pooling: each output is the mean of its window, so backward spreads each
/// output's gradient evenly, 1/(poolHeight·poolWidth) to every input of the window.
/// Padding counts as zeros in the mean (the divisor is always the full window).
public final class AveragePooling: Layer {
    public let poolHeight: Int, poolWidth: Int, stride: Int, padding: Int
    public var name: String { "AveragePooling" }
    private var inputShape: [Int] = []

    public init(poolHeight: Int, poolWidth: Int, stride: Int, padding: Int) {
        require(poolHeight >= 1 && poolWidth >= 1 && stride >= 1 && padding >= 0,
                     "AveragePooling needs positive pool size and stride, padding ≥ 0")
        self.poolHeight = poolHeight; self.poolWidth = poolWidth; self.stride = stride; self.padding = padding
    }

    public func outputShape(for s: [Int]) throws -> [Int] {
        try poolingOutputShape(s, poolHeight, poolWidth, stride, padding, name)
    }

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        let s = requireOutputShape(for: x.shape)
        inputShape = x.shape
        var out = Tensor(shape: s)
        let scale = 1 / Float(poolHeight * poolWidth)
        forEachWindow(x.shape, s) { o, i in out.data[o] += x.data[i] * scale }
        return out
    }

    public func backward(_ dout: Tensor) -> Tensor {
        var dx = Tensor(shape: inputShape)
        let scale = 1 / Float(poolHeight * poolWidth)
        forEachWindow(inputShape, dout.shape) { o, i in dx.data[i] += dout.data[o] * scale }
        return dx
    }

    /// Calls body(output index, input index) for every input inside every window.
    private func forEachWindow(_ inShape: [Int], _ outShape: [Int], _ body: (Int, Int) -> Void) {
        let (h, w, oh, ow) = (inShape[2], inShape[3], outShape[2], outShape[3])
        var o = 0
        for plane in 0..<(inShape[0] * inShape[1]) {
            for y in 0..<oh {
                for xo in 0..<ow {
                    for i in 0..<poolHeight {
                        let iy = y * stride - padding + i
                        if iy < 0 || iy >= h { continue }
                        for j in 0..<poolWidth {
                            let ix = xo * stride - padding + j
                            if ix >= 0 && ix < w { body(o, plane * h * w + iy * w + ix) }
                        }
                    }
                    o += 1
                }
            }
        }
    }
}

func poolingOutputShape(_ s: [Int], _ ph: Int, _ pw: Int, _ stride: Int, _ padding: Int, _ name: String) throws -> [Int] {
    guard s.count == 4 else { throw ShapeError("\(name) needs an N×C×H×W batch, got shape \(s)") }
    guard padding < ph && padding < pw else {
        throw ShapeError("\(name): padding \(padding) must be smaller than the \(ph)×\(pw) window")
    }
    let oh = try convolutionOutputSize(input: s[2], filter: ph, stride: stride, padding: padding)
    let ow = try convolutionOutputSize(input: s[3], filter: pw, stride: stride, padding: padding)
    return [s[0], s[1], oh, ow]
}
