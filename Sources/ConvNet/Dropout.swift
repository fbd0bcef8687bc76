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
    private var scaledMask: [Float] = []     // 0 or 1/(1 − ratio) for each value
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
            let (keep, ratio) = (1 / (1 - ratio), ratio)
            if scaledMask.count != x.count { scaledMask = [Float](repeating: 0, count: x.count) }
            // Draw from a local copy of the generator (it then lives in registers rather
            // than in the object), and store its state back: the same numbers either way.
            var generator = rng
            scaledMask.withUnsafeMutableBufferPointer { mask in
                for i in 0..<mask.count { mask[i] = generator.uniform() >= ratio ? keep : 0 }
            }
            rng = generator
        }
        return applyMask(x)
    }

    public func backward(_ dout: Tensor) -> Tensor {
        require(dout.count == scaledMask.count, "Dropout.backward: dout \(dout.shape) does not match the last training forward")
        return applyMask(dout)
    }

    /// values · scaledMask, element by element (forward on x, backward on dout).
    private func applyMask(_ values: Tensor) -> Tensor {
        var out = values
        out.data.withUnsafeMutableBufferPointer { out in
            scaledMask.withUnsafeBufferPointer { mask in
                for i in 0..<out.count { out[i] *= mask[i] }
            }
        }
        return out
    }
}
