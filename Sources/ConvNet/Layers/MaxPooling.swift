// swift-format-ignore-file
/// Max pooling. Each output keeps the largest value of its window, and backward sends
/// the gradient only to the position that won (the argmax): the other inputs did not
/// change the output, so their gradient is zero.
///
///     x: N×C×H×W  →  out: N×C×OH×OW,  OH = (H + 2P − poolHeight)/S + 1
///
/// The book's way, through im2col: each window of each channel becomes one row, and the
/// output is the largest value of each row. Padding reads −∞, so it never wins; a tie
/// goes to the first largest value of the window in reading order.
/// (The engine pools plane by plane: Engine/EngineMaxPooling.swift.)
public final class MaxPooling: Layer {
    public let poolHeight: Int, poolWidth: Int, stride: Int, padding: Int
    public var name: String { "MaxPooling" }
    private var inputShape: [Int] = []       // N×C×H×W
    private var argmax: [Int] = []           // the winning column of each row of col (0..<PH·PW)

    public init(poolHeight: Int, poolWidth: Int, stride: Int, padding: Int) {
        require(poolHeight >= 1 && poolWidth >= 1 && stride >= 1 && padding >= 0,
                "MaxPooling needs positive pool size and stride, padding ≥ 0")
        self.poolHeight = poolHeight; self.poolWidth = poolWidth; self.stride = stride; self.padding = padding
    }

    public func outputShape(for s: [Int]) throws -> [Int] {
        try poolingOutputShape(s, poolHeight, poolWidth, stride, padding, name)
    }

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        let s = requireOutputShape(for: x.shape)                          // N×C×OH×OW
        let col = im2col(x, filterHeight: poolHeight, filterWidth: poolWidth, stride: stride,
                         padding: padding, paddingValue: -.infinity)
            .reshaped([-1, poolHeight * poolWidth])                       // (N·OH·OW·C) × (PH·PW)
        let (rows, windowSize) = (col.shape[0], col.shape[1])
        argmax = (0..<rows).map { row in                                  // the first largest of each row
            let window = col.data[(row * windowSize)..<((row + 1) * windowSize)]
            return window.indices.reduce(window.startIndex) { window[$1] > window[$0] ? $1 : $0 } - row * windowSize
        }
        let out = Tensor(shape: [rows], data: (0..<rows).map { col.data[$0 * windowSize + argmax[$0]] })
        inputShape = x.shape
        return out.reshaped([s[0], s[2], s[3], s[1]])                     // N×OH×OW×C
            .transposed(0, 3, 1, 2)                                       // N×C×OH×OW
    }

    public func backward(_ dout: Tensor) -> Tensor {
        require(dout.count == argmax.count, "MaxPooling.backward: dout \(dout.shape) does not match the last forward")
        let d = dout.transposed(0, 2, 3, 1).reshaped([-1])                // N·OH·OW·C, the order of col's rows
        var dmax = Tensor(shape: [d.count, poolHeight * poolWidth])       // (N·OH·OW·C) × (PH·PW)
        for row in 0..<d.count {
            dmax.data[row * poolHeight * poolWidth + argmax[row]] = d.data[row]   // only the winner gets the gradient
        }
        let dcol = dmax.reshaped([-1, inputShape[1] * poolHeight * poolWidth])   // (N·OH·OW) × (C·PH·PW)
        return col2im(dcol, inputShape: inputShape, filterHeight: poolHeight, filterWidth: poolWidth,
                      stride: stride, padding: padding)                   // N×C×H×W
    }

    /// Which input won each output, as flat indices into x, in the order of the output
    /// N×C×OH×OW (for drawing the argmax mask).
    public var winners: [Int] {
        guard inputShape.count == 4, let s = try? outputShape(for: inputShape) else { return [] }
        let (c, h, w, oh, ow) = (inputShape[1], inputShape[2], inputShape[3], s[2], s[3])
        var result = [Int](repeating: 0, count: argmax.count)
        for row in 0..<argmax.count {
            // row = ((n·OH + oy)·OW + ox)·C + ch, and the winning column = fy·PW + fx
            let (ch, window) = (row % c, row / c)
            let (n, oy, ox) = (window / (oh * ow), window / ow % oh, window % ow)
            let (fy, fx) = (argmax[row] / poolWidth, argmax[row] % poolWidth)
            let (iy, ix) = (oy * stride - padding + fy, ox * stride - padding + fx)
            result[((n * c + ch) * oh + oy) * ow + ox] = ((n * c + ch) * h + iy) * w + ix
        }
        return result
    }
}

/// Average pooling: each output is the mean of its window, so backward spreads each
/// output's gradient evenly, 1/(poolHeight·poolWidth) to every input of the window.
/// Padding counts as zeros in the mean (the divisor is always the full window). Through
/// im2col, like max pooling.
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
        let s = requireOutputShape(for: x.shape)                          // N×C×OH×OW
        let col = im2col(x, filterHeight: poolHeight, filterWidth: poolWidth, stride: stride, padding: padding)
            .reshaped([-1, poolHeight * poolWidth])                       // (N·OH·OW·C) × (PH·PW)
        let windowSize = poolHeight * poolWidth
        let out = Tensor(shape: [col.shape[0]], data: (0..<col.shape[0]).map { row in   // the mean of each row
            col.data[(row * windowSize)..<((row + 1) * windowSize)].reduce(0, +) / Float(windowSize)
        })
        inputShape = x.shape
        return out.reshaped([s[0], s[2], s[3], s[1]]).transposed(0, 3, 1, 2)   // N×C×OH×OW
    }

    public func backward(_ dout: Tensor) -> Tensor {
        let d = dout.transposed(0, 2, 3, 1).reshaped([-1])                // N·OH·OW·C
        let windowSize = poolHeight * poolWidth
        var dcol = Tensor(shape: [d.count, windowSize])                   // (N·OH·OW·C) × (PH·PW)
        for row in 0..<d.count {
            for j in 0..<windowSize { dcol.data[row * windowSize + j] = d.data[row] / Float(windowSize) }
        }
        return col2im(dcol.reshaped([-1, inputShape[1] * windowSize]), inputShape: inputShape,
                      filterHeight: poolHeight, filterWidth: poolWidth, stride: stride, padding: padding)
    }
}

/// The output shape of a pooling layer, or a ShapeError that says why the input does not fit.
func poolingOutputShape(_ s: [Int], _ ph: Int, _ pw: Int, _ stride: Int, _ padding: Int, _ name: String) throws -> [Int] {
    guard s.count == 4 else { throw ShapeError("\(name) needs an N×C×H×W batch, got shape \(s)") }
    guard padding < ph && padding < pw else {
        throw ShapeError("\(name): padding \(padding) must be smaller than the \(ph)×\(pw) window")
    }
    let oh = try convolutionOutputSize(input: s[2], filter: ph, stride: stride, padding: padding)
    let ow = try convolutionOutputSize(input: s[3], filter: pw, stride: stride, padding: padding)
    return [s[0], s[1], oh, ow]
}
