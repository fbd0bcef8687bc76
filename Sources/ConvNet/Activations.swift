import Foundation

/// ReLU: out = max(0, x). Backward lets the gradient through where x was positive and
/// blocks it elsewhere (the mask), returning a new tensor rather than editing dout.
public final class ReLU: Layer {
    public var name: String { "ReLU" }
    private var mask: [Bool] = []            // x > 0, kept for backward

    public init() {}

    public func outputShape(for s: [Int]) throws -> [Int] { s }

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        mask = x.data.map { $0 > 0 }
        var out = x
        for i in 0..<out.count where !mask[i] { out.data[i] = 0 }
        return out
    }

    public func backward(_ dout: Tensor) -> Tensor {
        require(dout.count == mask.count, "ReLU.backward: dout \(dout.shape) does not match the last forward")
        var dx = dout                            // a copy: dout itself stays untouched
        for i in 0..<dx.count where !mask[i] { dx.data[i] = 0 }
        return dx
    }
}

/// Sigmoid: out = 1 / (1 + e^(−x)). Its derivative is out·(1 − out), so backward only
/// needs the output it kept.
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

/// Flatten: N×C×H×W → N×(C·H·W). The numbers stay; only the shape changes.
public final class Flatten: Layer {
    public var name: String { "Flatten" }
    private var inputShape: [Int] = []

    public init() {}

    public func outputShape(for s: [Int]) throws -> [Int] {
        guard s.count >= 2 else { throw ShapeError("Flatten needs a batch N×…, got shape \(s)") }
        return [s[0], s.dropFirst().reduce(1, *)]
    }

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        inputShape = x.shape
        return x.reshaped([x.shape[0], -1])
    }

    public func backward(_ dout: Tensor) -> Tensor { dout.reshaped(inputShape) }
}
