/// The engine's dropout: the same masks as the book's `Dropout` (drawn from that layer's
/// own generator, in the same order, so checkpoints and seeds mean the same thing), drawn
/// from a local copy of the generator (it then lives in registers rather than in the
/// object) into an array kept from step to step, and applied through pointers.
package final class EngineDropout: Layer {
    package let layer: Dropout
    package var name: String { "Dropout" }
    private(set) var scaledMask: [Float] = []  // 0 or 1/(1 − ratio) for each value
    // Two output buffers used in turn, as in EngineReLU: the Affine layer after dropout
    // keeps its input until its backward, and writing into it while shared would copy it.
    private var outputs = [Tensor(shape: [0]), Tensor(shape: [0])]
    private var current = 0
    private var dx = Tensor(shape: [0])

    package init(_ layer: Dropout) { self.layer = layer }

    package func outputShape(for s: [Int]) throws -> [Int] { s }

    package func forward(_ x: Tensor, training: Bool) -> Tensor {
        guard training else { return x }
        if !(layer.freezesMask && scaledMask.count == x.count) {
            let (keep, ratio) = (1 / (1 - layer.ratio), layer.ratio)
            if scaledMask.count != x.count { scaledMask = [Float](repeating: 0, count: x.count) }
            var generator = layer.rng
            scaledMask.withUnsafeMutableBufferPointer { mask in
                for i in 0..<mask.count { mask[i] = generator.uniform() >= ratio ? keep : 0 }
            }
            layer.rng = generator
        }
        current = 1 - current
        applyMask(x, into: &outputs[current])
        return outputs[current]
    }

    package func backward(_ dout: Tensor) -> Tensor {
        require(
            dout.count == scaledMask.count,
            "Dropout.backward: dout \(dout.shape) does not match the last training forward")
        applyMask(dout, into: &dx)
        return dx
    }

    /// result = values · scaledMask, element by element.
    private func applyMask(_ values: Tensor, into result: inout Tensor) {
        result.reuseStorage(for: values.shape)
        values.data.withUnsafeBufferPointer { v in
            scaledMask.withUnsafeBufferPointer { mask in
                result.data.withUnsafeMutableBufferPointer { r in
                    for i in 0..<r.count { r[i] = v[i] * mask[i] }
                }
            }
        }
    }
}
