// swift-format-ignore-file
/// Convolution: FN filters of C×FH×FW slide over the input; each output value is the sum
/// of C·FH·FW products of a window with one filter, plus that filter's bias.
///
///     x:   N×C×H×W
///     W:   FN×C×FH×FW      b: FN
///     out: N×FN×OH×OW      with OH = (H + 2P − FH)/S + 1, OW likewise
///
/// The book's way: im2col turns x into a matrix whose rows are windows, and one matrix
/// multiply with the filters (as rows of length C·FH·FW) computes every output at once.
/// (The engine computes the same numbers image by image: Engine/EngineConvolution.swift.)
public final class Convolution: Layer {
    public let W: Parameter
    public let b: Parameter
    public let stride: Int
    public let padding: Int
    public var name: String { "Convolution" }
    public var parameters: [Parameter] { [W, b] }

    // Kept by forward for backward.
    private var x = Tensor(shape: [0])       // N×C×H×W
    private var col = Tensor(shape: [0])     // (N·OH·OW) × (C·FH·FW)

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
        let s = requireOutputShape(for: x.shape)                          // N×FN×OH×OW
        let col = im2col(x, filterHeight: filterHeight, filterWidth: filterWidth,
                         stride: stride, padding: padding)                // (N·OH·OW) × (C·FH·FW)
        let w = W.value.reshaped([filterCount, -1])                       // FN × (C·FH·FW)
        var out = matrixMultiply(col, w, transposeB: true)                // (N·OH·OW) × FN   = col · Wᵀ
        out.addToEveryRow(b.value)                                        //   + b
        (self.x, self.col) = (x, col)
        return out.reshaped([s[0], s[2], s[3], filterCount])              // N×OH×OW×FN
            .transposed(0, 3, 1, 2)                                       // N×FN×OH×OW
    }

    public func backward(_ dout: Tensor) -> Tensor {
        require(dout.shape == (try? outputShape(for: x.shape)),
                "Convolution.backward: dout \(dout.shape) does not match the last forward's output for input \(x.shape)")
        let d = dout.transposed(0, 2, 3, 1).reshaped([-1, filterCount])  // (N·OH·OW) × FN
        b.gradient = d.sumOfRows()                                        // FN
        W.gradient = matrixMultiply(col, d, transposeA: true)             // (C·FH·FW) × FN   = colᵀ · dout
            .transposed(1, 0).reshaped(W.value.shape)                     // FN×C×FH×FW
        let w = W.value.reshaped([filterCount, -1])                       // FN × (C·FH·FW)
        let dcol = matrixMultiply(d, w)                                   // (N·OH·OW) × (C·FH·FW) = dout · W
        return col2im(dcol, inputShape: x.shape, filterHeight: filterHeight, filterWidth: filterWidth,
                      stride: stride, padding: padding)                   // N×C×H×W
    }
}
