// swift-format-ignore-file
/// Dropout, the inverted kind: while training, each value is kept with probability
/// 1 − ratio and the kept ones are divided by 1 − ratio; at test time the layer does
/// nothing. The scaling during training keeps the mean activation the same in both modes,
/// so nothing needs rescaling at test time. (The book instead multiplies by 1 − ratio at
/// test time; the two give the same expected values.)
///
/// The mask comes from the layer's own seeded generator, so runs are repeatable.
public final class Dropout: Layer {
    public let ratio: Float
    public let seed: UInt64
    public var name: String { "Dropout" }
    /// The generator of the masks; a checkpoint saves and restores its state.
    public var rng: SeededRandom
    private(set) var scaledMask: [Float] = []   // 0 or 1/(1 − ratio) for each value
    /// When true, training-mode forward reuses the last mask instead of drawing a new one
    /// (a gradient check needs the same function on every evaluation).
    public var freezesMask = false

    public init(ratio: Float, seed: UInt64) {
        require(ratio >= 0 && ratio < 1, "Dropout ratio must be in [0, 1), got \(ratio)")
        self.ratio = ratio
        self.seed = seed
        rng = SeededRandom(seed: seed)
    }

    public func outputShape(for s: [Int]) throws -> [Int] { s }

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        guard training else { return x }
        if !(freezesMask && scaledMask.count == x.count) {
            let keep = 1 / (1 - ratio)
            scaledMask = (0..<x.count).map { _ in rng.uniform() >= ratio ? keep : 0 }
        }
        return x * Tensor(shape: x.shape, data: scaledMask)
    }

    public func backward(_ dout: Tensor) -> Tensor {
        require(dout.count == scaledMask.count, "Dropout.backward: dout \(dout.shape) does not match the last training forward")
        return dout * Tensor(shape: dout.shape, data: scaledMask)
    }
}
