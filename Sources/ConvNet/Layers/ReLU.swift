// swift-format-ignore-file
/// ReLU: out = max(0, x). Backward lets the gradient through where x was positive and
/// blocks it where x was not (the mask).
///
///     x: any shape  →  out: the same shape
public final class ReLU: Layer {
    public var name: String { "ReLU" }
    private var mask: [Bool] = []            // true where x ≤ 0, kept for backward

    public init() {}

    public func outputShape(for s: [Int]) throws -> [Int] { s }

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        mask = x.data.map { $0 <= 0 }
        return x.map { $0 > 0 ? $0 : 0 }
    }

    public func backward(_ dout: Tensor) -> Tensor {
        require(dout.count == mask.count, "ReLU.backward: dout \(dout.shape) does not match the last forward")
        // A new tensor: the book zeroes dout itself, we leave it alone.
        let dx = zip(dout.data, mask).map { gradient, blocked in blocked ? 0 : gradient }
        return Tensor(shape: dout.shape, data: dx)
    }
}
