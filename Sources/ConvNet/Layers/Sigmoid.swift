// swift-format-ignore-file
import Foundation

/// Sigmoid: out = 1 / (1 + e^(−x)). Its derivative is out·(1 − out), so backward only
/// needs the output it kept.
///
///     x: any shape  →  out: the same shape
public final class Sigmoid: Layer {
    public var name: String { "Sigmoid" }
    private var out = Tensor(shape: [0])

    public init() {}

    public func outputShape(for s: [Int]) throws -> [Int] { s }

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        out = x.map { 1 / (1 + exp(-$0)) }
        return out
    }

    public func backward(_ dout: Tensor) -> Tensor {
        require(dout.shape == out.shape, "Sigmoid.backward: dout \(dout.shape), expected \(out.shape)")
        var dx = dout
        for i in 0..<dx.count { dx.data[i] *= out.data[i] * (1 - out.data[i]) }
        return dx
    }
}
