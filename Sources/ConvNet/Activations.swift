import Foundation

/// ReLU: out = max(0, x). Backward lets the gradient through where x was positive and
/// blocks it elsewhere (the mask), returning a new tensor rather than editing dout.
public final class ReLU: Layer {
    public var name: String { "ReLU" }
    // The output, kept for backward. It is positive exactly where x was, so it serves as
    // the mask without storing one. Both tensors are reused from step to step.
    private var output = Tensor(shape: [0])
    private var dx = Tensor(shape: [0])

    public init() {}

    public func outputShape(for s: [Int]) throws -> [Int] { s }

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        output.reuseStorage(for: x.shape)
        x.data.withUnsafeBufferPointer { x in
            output.data.withUnsafeMutableBufferPointer { out in
                parallelFor(x.count, cost: 1) { range in
                    let (x, out) = (x.baseAddress! + range.lowerBound, out.baseAddress! + range.lowerBound)
                    for i in 0..<range.count { out[i] = x[i] > 0 ? x[i] : 0 }
                }
            }
        }
        return output
    }

    public func backward(_ dout: Tensor) -> Tensor {
        require(dout.count == output.count, "ReLU.backward: dout \(dout.shape) does not match the last forward")
        dx.reuseStorage(for: dout.shape)
        output.data.withUnsafeBufferPointer { out in
            dout.data.withUnsafeBufferPointer { dout in
                dx.data.withUnsafeMutableBufferPointer { dx in
                    parallelFor(dx.count, cost: 1) { range in
                        // Local pointers: the compiler can then vectorise the loop.
                        let start = range.lowerBound
                        let (out, dout, dx) = (out.baseAddress! + start, dout.baseAddress! + start, dx.baseAddress! + start)
                        for i in 0..<range.count { dx[i] = out[i] > 0 ? dout[i] : 0 }     // the mask: x > 0
                    }
                }
            }
        }
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
