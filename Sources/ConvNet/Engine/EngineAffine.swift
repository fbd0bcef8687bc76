/// The engine's Affine: the same products as the book's `Affine`, written into tensors
/// kept from step to step (no fresh megabytes to fault in each step), the bias added in
/// place, and, as a network's first layer, no dx at all.
package final class EngineAffine: Layer {
    package let layer: Affine
    package var name: String { "Affine" }
    package var parameters: [Parameter] { layer.parameters }
    private var x = Tensor(shape: [0])  // N×D, the flattened input
    private var inputShape: [Int] = []
    private var output = Tensor(shape: [0])  // N×M
    private var dx = Tensor(shape: [0])  // N×D

    package init(_ layer: Affine) { self.layer = layer }

    package func outputShape(for s: [Int]) throws -> [Int] { try layer.outputShape(for: s) }

    package func forward(_ x: Tensor, training: Bool) -> Tensor {
        _ = requireOutputShape(for: x.shape)
        inputShape = x.shape
        self.x = x.reshaped([x.shape[0], layer.inputSize])
        matrixMultiply(self.x, layer.W.value, into: &output)
        addBiasPerColumn(&output, layer.b.value)
        return output
    }

    package func backward(_ dout: Tensor) -> Tensor {
        backwardParameters(dout)
        matrixMultiply(dout, layer.W.value, into: &dx, transposeB: true)  // N×D
        return dx.reshaped(inputShape)  // x's shape
    }

    /// dW and db only, for a first layer, whose dx nobody uses.
    package func backwardParameters(_ dout: Tensor) {
        require(
            dout.shape == [x.shape[0], layer.outputSize],
            "Affine.backward: dout \(dout.shape), expected [\(x.shape[0]), \(layer.outputSize)]")
        matrixMultiply(x, dout, into: &layer.W.gradient, transposeA: true)  // D×M
        sumOverRows(dout, into: &layer.b.gradient)  // M
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
