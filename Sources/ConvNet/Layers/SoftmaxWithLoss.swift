// swift-format-ignore-file
import Foundation

/// Softmax of each row, computed stably: subtracting the row's maximum first changes
/// nothing mathematically (it cancels in the ratio) but keeps exp() from overflowing.
///
///     x: N×K  →  y: N×K, each row positive and summing to 1
public func softmax(_ x: Tensor) -> Tensor {
    require(x.rank == 2, "softmax needs N×K scores, got \(x.shape)")
    let k = x.shape[1]
    var y = x
    for row in 0..<x.shape[0] {
        let r = row * k
        var largest = -Float.infinity
        for j in 0..<k { largest = max(largest, x.data[r + j]) }
        var sum: Float = 0
        for j in 0..<k { let e = exp(x.data[r + j] - largest); y.data[r + j] = e; sum += e }
        for j in 0..<k { y.data[r + j] /= sum }
    }
    return y
}

/// Softmax followed by the cross-entropy loss, as one layer, because together their
/// gradient is simply (y − t)/N.
///
///     x: N×K scores, labels: N class indices (or t: N×K one-hot rows)
///     loss = −(1/N) Σ_n log y[n][label_n]
public final class SoftmaxWithLoss {
    public private(set) var y = Tensor(shape: [0])      // the probabilities of the last forward
    private var t = Tensor(shape: [0])                  // one-hot targets of the last forward

    public init() {}

    /// Loss with labels as class indices.
    public func forward(_ x: Tensor, labels: [Int]) -> Float {
        require(x.rank == 2 && x.shape[0] == labels.count,
                     "SoftmaxWithLoss: \(labels.count) labels for scores of shape \(x.shape)")
        var oneHot = Tensor(shape: x.shape)
        for (n, label) in labels.enumerated() {
            require(label >= 0 && label < x.shape[1], "SoftmaxWithLoss: label \(label) is outside 0..<\(x.shape[1])")
            oneHot.data[n * x.shape[1] + label] = 1
        }
        return forward(x, oneHot: oneHot)
    }

    /// Loss with one-hot (or any probability) rows as targets.
    public func forward(_ x: Tensor, oneHot targets: Tensor) -> Float {
        require(x.shape == targets.shape, "SoftmaxWithLoss: scores \(x.shape) and targets \(targets.shape) differ")
        y = softmax(x)
        t = targets
        let n = x.shape[0]
        // A tiny floor keeps log(0) finite when a probability underflows.
        var total = 0.0
        for i in 0..<y.count where t.data[i] != 0 { total -= Double(t.data[i]) * log(Double(max(y.data[i], 1e-30))) }
        return Float(total / Double(n))
    }

    /// ∂loss/∂x = (y − t)/N, times dout (1 for a loss at the end of a network).
    public func backward(_ dout: Float = 1) -> Tensor {
        let scale = dout / Float(y.shape[0])
        var dx = y
        for i in 0..<dx.count { dx.data[i] = (y.data[i] - t.data[i]) * scale }
        return dx
    }
}
