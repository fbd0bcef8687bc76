import Foundation

/// Updates parameters from their gradients. Optimizers that keep state (velocities,
/// running averages) keep one entry per parameter object.
public protocol Optimizer: AnyObject {
    var name: String { get }
    func update(_ parameters: [Parameter])
    /// What the optimizer remembers about `parameters` (velocities, running averages, the
    /// step count), as arrays in a fixed order, so a checkpoint can save it...
    func state(for parameters: [Parameter]) -> [[Float]]
    /// ...and a resumed run can continue with exactly the same steps.
    func restore(_ state: [[Float]], for parameters: [Parameter]) throws
}

/// A checkpoint's optimizer state does not fit the optimizer or the network.
public struct OptimizerStateError: Error, CustomStringConvertible {
    public let description: String
}

/// Per-parameter state, created zero-filled the first time a parameter is seen.
struct OptimizerState {
    private var slots: [ObjectIdentifier: [Float]] = [:]
    mutating func slot(_ p: Parameter) -> [Float] {
        slots[ObjectIdentifier(p)] ?? [Float](repeating: 0, count: p.value.count)
    }
    /// Hands the state of `p` to `body` to update in place (no copy of the array).
    mutating func withState(_ p: Parameter, _ body: (UnsafeMutableBufferPointer<Float>) -> Void) {
        slots[ObjectIdentifier(p), default: [Float](repeating: 0, count: p.value.count)].withUnsafeMutableBufferPointer
        { body($0) }
    }
    /// Hands the state of `p`, its values and its gradient to `body`, to update in place.
    mutating func update(
        _ p: Parameter,
        _ body: (
            _ state: UnsafeMutableBufferPointer<Float>,
            _ w: UnsafeMutableBufferPointer<Float>, _ g: UnsafeBufferPointer<Float>
        ) -> Void
    ) {
        withState(p) { state in
            p.value.data.withUnsafeMutableBufferPointer { w in
                p.gradient.data.withUnsafeBufferPointer { g in body(state, w, g) }
            }
        }
    }
    mutating func set(_ p: Parameter, _ values: [Float]) { slots[ObjectIdentifier(p)] = values }

    mutating func arrays(for parameters: [Parameter]) -> [[Float]] { parameters.map { slot($0) } }

    mutating func restore(_ arrays: ArraySlice<[Float]>, for parameters: [Parameter], _ name: String) throws {
        guard arrays.count == parameters.count else {
            throw OptimizerStateError(
                description: "\(name) state holds \(arrays.count) arrays for \(parameters.count) parameters")
        }
        for (p, values) in zip(parameters, arrays) {
            guard values.count == p.value.count else {
                throw OptimizerStateError(
                    description:
                        "\(name) state for \(p.name) has \(values.count) numbers, the parameter \(p.value.count)")
            }
            set(p, values)
        }
    }
}

/// Stochastic gradient descent:  W ← W − lr·∂L/∂W
public final class SGD: Optimizer {
    public let learningRate: Float
    public var name: String { "SGD" }
    public init(learningRate: Float) { self.learningRate = learningRate }

    public func update(_ parameters: [Parameter]) {
        for p in parameters {
            for i in 0..<p.value.count { p.value.data[i] -= learningRate * p.gradient.data[i] }
        }
    }

    public func state(for parameters: [Parameter]) -> [[Float]] { [] }
    public func restore(_ state: [[Float]], for parameters: [Parameter]) throws {
        guard state.isEmpty else {
            throw OptimizerStateError(description: "SGD keeps no state, the checkpoint has \(state.count) arrays")
        }
    }
}

/// Momentum:  v ← momentum·v − lr·∂L/∂W;  W ← W + v
/// (a ball rolling downhill keeps some of its speed, which smooths the zig-zag of SGD).
public final class Momentum: Optimizer {
    public let learningRate: Float, momentum: Float
    public var name: String { "Momentum" }
    private var velocity = OptimizerState()
    public init(learningRate: Float, momentum: Float) {
        self.learningRate = learningRate
        self.momentum = momentum
    }

    public func update(_ parameters: [Parameter]) {
        for p in parameters {
            velocity.update(p) { v, w, g in
                for i in 0..<v.count {
                    v[i] = momentum * v[i] - learningRate * g[i]
                    w[i] += v[i]
                }
            }
        }
    }

    public func state(for parameters: [Parameter]) -> [[Float]] { velocity.arrays(for: parameters) }
    public func restore(_ state: [[Float]], for parameters: [Parameter]) throws {
        try velocity.restore(state[...], for: parameters, name)
    }
}

/// AdaGrad:  h ← h + (∂L/∂W)²;  W ← W − lr·∂L/∂W / (√h + ε)
/// (each weight's step shrinks as its gradients add up; ε = 1e-7 avoids dividing by 0).
public final class AdaGrad: Optimizer {
    public let learningRate: Float
    public var name: String { "AdaGrad" }
    private var h = OptimizerState()
    public init(learningRate: Float) { self.learningRate = learningRate }

    public func update(_ parameters: [Parameter]) {
        for p in parameters {
            h.update(p) { h, w, g in
                for i in 0..<h.count {
                    h[i] += g[i] * g[i]
                    w[i] -= learningRate * g[i] / (h[i].squareRoot() + 1e-7)
                }
            }
        }
    }

    public func state(for parameters: [Parameter]) -> [[Float]] { h.arrays(for: parameters) }
    public func restore(_ state: [[Float]], for parameters: [Parameter]) throws {
        try h.restore(state[...], for: parameters, name)
    }
}

/// RMSprop:  h ← ρ·h + (1 − ρ)·(∂L/∂W)²;  W ← W − lr·∂L/∂W / (√h + ε)
/// (like AdaGrad, but old gradients fade away, so steps do not shrink to nothing).
public final class RMSprop: Optimizer {
    public let learningRate: Float, decay: Float
    public var name: String { "RMSprop" }
    private var h = OptimizerState()
    public init(learningRate: Float, decay: Float) {
        self.learningRate = learningRate
        self.decay = decay
    }

    public func update(_ parameters: [Parameter]) {
        for p in parameters {
            h.update(p) { h, w, g in
                for i in 0..<h.count {
                    h[i] = decay * h[i] + (1 - decay) * g[i] * g[i]
                    w[i] -= learningRate * g[i] / (h[i].squareRoot() + 1e-7)
                }
            }
        }
    }

    public func state(for parameters: [Parameter]) -> [[Float]] { h.arrays(for: parameters) }
    public func restore(_ state: [[Float]], for parameters: [Parameter]) throws {
        try h.restore(state[...], for: parameters, name)
    }
}

/// Adam, momentum and RMSprop together, with a bias correction for the first steps:
///
///     t ← t + 1
///     m ← β1·m + (1 − β1)·g                 (running mean of the gradient)
///     v ← β2·v + (1 − β2)·g²                (running mean of its square)
///     W ← W − lr·√(1 − β2ᵗ)/(1 − β1ᵗ) · m / (√v + ε)
///
/// This is the book's form (the correction folded into the learning rate), ε = 1e-7.
public final class Adam: Optimizer {
    public let learningRate: Float, beta1: Float, beta2: Float
    public var name: String { "Adam" }
    public private(set) var step = 0
    private var m = OptimizerState(), v = OptimizerState()

    public init(learningRate: Float, beta1: Float = 0.9, beta2: Float = 0.999) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
    }

    public func update(_ parameters: [Parameter]) {
        step += 1
        let t = Double(step)
        let lrT = Float(Double(learningRate) * (1 - pow(Double(beta2), t)).squareRoot() / (1 - pow(Double(beta1), t)))
        let (beta1, beta2) = (beta1, beta2)
        for p in parameters {
            m.update(p) { m, w, g in
                v.withState(p) { v in
                    // The largest arrays (432,000 weights), so both threads share them.
                    parallelFor(m.count, cost: 8) { range in
                        let start = range.lowerBound
                        let (m, v, w, g) = (
                            m.baseAddress! + start, v.baseAddress! + start,
                            w.baseAddress! + start, g.baseAddress! + start
                        )
                        for i in 0..<range.count {
                            m[i] += (1 - beta1) * (g[i] - m[i])
                            v[i] += (1 - beta2) * (g[i] * g[i] - v[i])
                            w[i] -= lrT * m[i] / (v[i].squareRoot() + 1e-7)
                        }
                    }
                }
            }
        }
    }

    /// [step], then m for each parameter, then v for each parameter. (The step is stored
    /// as a Float, exact up to 2^24 steps.)
    public func state(for parameters: [Parameter]) -> [[Float]] {
        [[Float(step)]] + m.arrays(for: parameters) + v.arrays(for: parameters)
    }
    public func restore(_ state: [[Float]], for parameters: [Parameter]) throws {
        let n = parameters.count
        guard state.count == 1 + 2 * n, state[0].count == 1, state[0][0] >= 0 else {
            throw OptimizerStateError(description: "Adam state holds \(state.count) arrays, \(1 + 2 * n) expected")
        }
        try m.restore(state[1...n], for: parameters, name)
        try v.restore(state[(n + 1)...], for: parameters, name)
        step = Int(state[0][0])
    }
}
