/// Affine (fully connected): every output is a weighted sum of every input, plus a bias.
///
///     x:   N×… (any shape; each item is flattened to D numbers)
///     W:   D×M      b: M
///     out: N×M      = x·W + b
///
/// Backward: dx = dout·Wᵀ (reshaped back to x's shape), dW = xᵀ·dout, db = Σ_rows dout.
public final class Affine: Layer {
    public let W: Parameter
    public let b: Parameter
    public var name: String { "Affine" }
    public var parameters: [Parameter] { [W, b] }
    private var x = Tensor(shape: [0])        // N×D, the flattened input
    private var inputShape: [Int] = []
    // Reused from step to step (see Tensor.reuseStorage).
    private var output = Tensor(shape: [0])   // N×M
    private var dx = Tensor(shape: [0])       // N×D

    public var inputSize: Int { W.value.shape[0] }
    public var outputSize: Int { W.value.shape[1] }
    public var dW: Tensor { W.gradient }
    public var db: Tensor { b.gradient }

    public init(weights: Tensor, bias: Tensor) {
        require(weights.rank == 2, "Affine weights must be D×M, got \(weights.shape)")
        require(bias.shape == [weights.shape[1]], "Affine bias must be [\(weights.shape[1])], got \(bias.shape)")
        W = Parameter("W", weights)
        b = Parameter("b", bias)
    }

    /// Random normal weights with standard deviation `weightStd`, zero biases.
    public convenience init(inputSize: Int, outputSize: Int, weightStd: Float, rng: inout SeededRandom) {
        self.init(weights: .randomNormal([inputSize, outputSize], std: weightStd, rng: &rng), bias: .zeros([outputSize]))
    }

    public func outputShape(for s: [Int]) throws -> [Int] {
        guard s.count >= 2 else { throw ShapeError("Affine needs a batch N×…, got shape \(s)") }
        let d = s.dropFirst().reduce(1, *)
        guard d == inputSize else {
            throw ShapeError("Affine expects \(inputSize) inputs per item, got \(d) (input shape \(s))")
        }
        return [s[0], outputSize]
    }

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        _ = requireOutputShape(for: x.shape)
        inputShape = x.shape
        self.x = x.reshaped([x.shape[0], inputSize])
        matrixMultiply(self.x, W.value, into: &output)
        addBiasPerColumn(&output, b.value)
        return output
    }

    public func backward(_ dout: Tensor) -> Tensor {
        backwardParameters(dout)
        matrixMultiply(dout, W.value, into: &dx, transposeB: true)      // N×D
        return dx.reshaped(inputShape)                                    // x's shape
    }

    /// dW and db only, for a first layer, whose dx nobody uses.
    public func backwardParameters(_ dout: Tensor) {
        require(dout.shape == [x.shape[0], outputSize], "Affine.backward: dout \(dout.shape), expected [\(x.shape[0]), \(outputSize)]")
        matrixMultiply(x, dout, into: &W.gradient, transposeA: true)   // D×M
        sumOverRows(dout, into: &b.gradient)                            // M
    }
}

/// rows[i][j] += bias[j]
func addBiasPerColumn(_ rows: inout Tensor, _ bias: Tensor) {
    let columns = bias.count
    bias.data.withUnsafeBufferPointer { b in
        rows.data.withUnsafeMutableBufferPointer { r in
            for i in 0..<(r.count / columns) { for j in 0..<columns { r[i * columns + j] += b[j] } }
        }
    }
}

/// sum[j] = Σ_i rows[i][j], one value per column.
func sumOverRows(_ rows: Tensor, into sum: inout Tensor) {
    let columns = rows.shape[1]
    sum.reuseStorage(for: [columns])
    rows.data.withUnsafeBufferPointer { r in
        sum.data.withUnsafeMutableBufferPointer { s in
            for j in 0..<columns { s[j] = 0 }
            for i in 0..<rows.shape[0] { for j in 0..<columns { s[j] += r[i * columns + j] } }
        }
    }
}
