// swift-format-ignore-file
/// Affine (fully connected): every output is a weighted sum of every input, plus a bias.
///
///     x:   N×… (any shape; each item is flattened to D numbers)
///     W:   D×M      b: M
///     out: N×M      = x·W + b
public final class Affine: Layer {
    public let W: Parameter
    public let b: Parameter
    public var name: String { "Affine" }
    public var parameters: [Parameter] { [W, b] }
    private var x = Tensor(shape: [0])        // N×D, the flattened input, kept for backward
    private var inputShape: [Int] = []        // x's shape before flattening

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
        self.x = x.reshaped([x.shape[0], inputSize])                      // N×D
        var out = matrixMultiply(self.x, W.value)                         // N×M = x·W
        out.addToEveryRow(b.value)                                        //     + b
        return out
    }

    public func backward(_ dout: Tensor) -> Tensor {
        require(dout.shape == [x.shape[0], outputSize], "Affine.backward: dout \(dout.shape), expected [\(x.shape[0]), \(outputSize)]")
        W.gradient = matrixMultiply(x, dout, transposeA: true)             // D×M = xᵀ·dout
        b.gradient = dout.sumOfRows()                                     // M
        let dx = matrixMultiply(dout, W.value, transposeB: true)          // N×D = dout·Wᵀ
        return dx.reshaped(inputShape)                                    // x's shape
    }
}
