/// Convolution: FN filters of C×FH×FW slide over the input; each output value is the sum
/// of C·FH·FW products of a window with one filter, plus that filter's bias.
///
///     x:   N×C×H×W
///     W:   FN×C×FH×FW      b: FN
///     out: N×FN×OH×OW      with OH = (H + 2P − FH)/S + 1, OW likewise
///
/// Computed the book's way: im2col turns x into a matrix whose rows are windows, and one
/// matrix multiply with the filters (as rows of length C·FH·FW) does every output at once.
public final class Convolution: Layer {
    public let W: Parameter
    public let b: Parameter
    public let stride: Int
    public let padding: Int
    public var name: String { "Convolution" }
    public var parameters: [Parameter] { [W, b] }

    // Kept by forward for backward.
    private var inputShape: [Int] = []
    private var col = Tensor(shape: [0])          // (N·OH·OW) × (C·FH·FW)

    public var filterCount: Int { W.value.shape[0] }
    public var channels: Int { W.value.shape[1] }
    public var filterHeight: Int { W.value.shape[2] }
    public var filterWidth: Int { W.value.shape[3] }
    /// The book's names for the gradients.
    public var dW: Tensor { W.gradient }
    public var db: Tensor { b.gradient }

    /// A layer with given weights (FN×C×FH×FW) and biases (FN).
    public init(weights: Tensor, bias: Tensor, stride: Int, padding: Int) {
        require(weights.rank == 4, "Convolution weights must be FN×C×FH×FW, got \(weights.shape)")
        require(bias.shape == [weights.shape[0]], "Convolution bias must be [\(weights.shape[0])], got \(bias.shape)")
        require(stride >= 1 && padding >= 0, "Convolution needs stride ≥ 1 and padding ≥ 0, got \(stride), \(padding)")
        W = Parameter("W", weights)
        b = Parameter("b", bias)
        self.stride = stride
        self.padding = padding
    }

    /// Random normal weights with standard deviation `weightStd`, zero biases.
    public convenience init(filters: Int, channels: Int, filterHeight: Int, filterWidth: Int,
                            stride: Int, padding: Int, weightStd: Float, rng: inout SeededRandom) {
        self.init(weights: .randomNormal([filters, channels, filterHeight, filterWidth], std: weightStd, rng: &rng),
                  bias: .zeros([filters]), stride: stride, padding: padding)
    }

    public func outputShape(for s: [Int]) throws -> [Int] {
        try requireImageBatch(s, channels: channels, layer: name)
        let oh = try convolutionOutputSize(input: s[2], filter: filterHeight, stride: stride, padding: padding)
        let ow = try convolutionOutputSize(input: s[3], filter: filterWidth, stride: stride, padding: padding)
        return [s[0], filterCount, oh, ow]
    }

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        let outShape = requireOutputShape(for: x.shape)
        let (n, fn, oh, ow) = (outShape[0], outShape[1], outShape[2], outShape[3])
        inputShape = x.shape
        col = im2col(x, filterHeight: filterHeight, filterWidth: filterWidth, stride: stride, padding: padding)
        // rows: (N·OH·OW) × FN  =  col · Wᵀ   (W seen as FN × C·FH·FW)
        var rows = matrixMultiply(col, W.value.reshaped([fn, -1]), transposeB: true)
        addBiasPerColumn(&rows, b.value)
        return rowsToImages(rows, n: n, channels: fn, height: oh, width: ow)
    }

    public func backward(_ dout: Tensor) -> Tensor {
        let fn = filterCount
        require(dout.rank == 4 && dout.shape[1] == fn, "Convolution.backward: dout \(dout.shape) does not match \(fn) filters")
        // dout: N×FN×OH×OW  →  (N·OH·OW) × FN, the layout of forward's product.
        let d = imagesToRows(dout)
        b.gradient = sumOverRows(d)                                                   // FN
        W.gradient = matrixMultiply(d, col, transposeA: true).reshaped(W.value.shape)  // FN × C·FH·FW
        let dcol = matrixMultiply(d, W.value.reshaped([fn, -1]))                       // (N·OH·OW) × C·FH·FW
        return col2im(dcol, inputShape: inputShape, filterHeight: filterHeight, filterWidth: filterWidth,
                      stride: stride, padding: padding)
    }
}

// Helpers shared by the layers that work on matrices of rows.

/// rows[i][j] += bias[j]
func addBiasPerColumn(_ rows: inout Tensor, _ bias: Tensor) {
    let columns = bias.count
    bias.data.withUnsafeBufferPointer { b in
        rows.data.withUnsafeMutableBufferPointer { r in
            for i in 0..<(r.count / columns) { for j in 0..<columns { r[i * columns + j] += b[j] } }
        }
    }
}

/// Σ_i rows[i][j], one value per column.
func sumOverRows(_ rows: Tensor) -> Tensor {
    let columns = rows.shape[1]
    var sum = [Float](repeating: 0, count: columns)
    rows.data.withUnsafeBufferPointer { r in
        for i in 0..<rows.shape[0] { for j in 0..<columns { sum[j] += r[i * columns + j] } }
    }
    return Tensor(shape: [columns], data: sum)
}

/// (N·H·W) × C  →  N×C×H×W   (the book's reshape(N, OH, OW, −1).transpose(0, 3, 1, 2))
func rowsToImages(_ rows: Tensor, n: Int, channels c: Int, height h: Int, width w: Int) -> Tensor {
    var out = Tensor(shape: [n, c, h, w])
    rows.data.withUnsafeBufferPointer { src in
        out.data.withUnsafeMutableBufferPointer { dst in
            for img in 0..<n { for p in 0..<(h * w) { for ch in 0..<c {
                dst[(img * c + ch) * h * w + p] = src[(img * h * w + p) * c + ch]
            } } }
        }
    }
    return out
}

/// N×C×H×W  →  (N·H·W) × C   (the inverse of rowsToImages)
func imagesToRows(_ x: Tensor) -> Tensor {
    let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    var out = Tensor(shape: [n * h * w, c])
    x.data.withUnsafeBufferPointer { src in
        out.data.withUnsafeMutableBufferPointer { dst in
            for img in 0..<n { for ch in 0..<c { for p in 0..<(h * w) {
                dst[(img * h * w + p) * c + ch] = src[(img * c + ch) * h * w + p]
            } } }
        }
    }
    return out
}
