import Foundation
import Testing

@testable import ConvNet

/// First steps worked out by hand, for one weight w = 1 with gradient g = 0.5 each step.
@Suite struct OptimizerTests {
    func steps(_ optimizer: Optimizer, count: Int) -> [Float] {
        let p = Parameter("w", Tensor(shape: [1], data: [1]))
        return (0..<count).map { _ in
            p.gradient = Tensor(shape: [1], data: [0.5])
            optimizer.update([p])
            return p.value.data[0]
        }
    }

    func expectClose(_ got: [Float], _ expected: [Float], _ name: String) {
        for (g, e) in zip(got, expected) { #expect(abs(g - e) < 1e-5, "\(name): got \(got), expected \(expected)") }
    }

    @Test func sgd() {
        // w ← 1 − 0.1·0.5 = 0.95, then 0.90
        expectClose(steps(SGD(learningRate: 0.1), count: 2), [0.95, 0.90], "SGD")
    }

    @Test func momentum() {
        // v = −0.05, w = 0.95;  v = 0.9·(−0.05) − 0.05 = −0.095, w = 0.855
        expectClose(steps(Momentum(learningRate: 0.1, momentum: 0.9), count: 2), [0.95, 0.855], "Momentum")
    }

    @Test func adaGrad() {
        // h = 0.25, w = 1 − 0.05/0.5 = 0.9;  h = 0.5, w = 0.9 − 0.05/√0.5 = 0.8292893
        expectClose(steps(AdaGrad(learningRate: 0.1), count: 2), [0.9, 0.8292893], "AdaGrad")
    }

    @Test func rmsprop() {
        // h = 0.1·0.25 = 0.025, w = 1 − 0.05/√0.025 = 0.6837722
        // h = 0.9·0.025 + 0.025 = 0.0475, w = 0.6837722 − 0.05/√0.0475 = 0.4543561
        expectClose(steps(RMSprop(learningRate: 0.1, decay: 0.9), count: 2), [0.6837722, 0.4543561], "RMSprop")
    }

    @Test func adam() {
        // With a constant gradient, the bias-corrected step is lr each time: 0.9, then 0.8.
        // Step 1: m = 0.05, v = 0.00025, lr_t = 0.1·√0.001/0.1, step = lr_t·m/√v = 0.1.
        expectClose(steps(Adam(learningRate: 0.1, beta1: 0.9, beta2: 0.999), count: 2), [0.9, 0.8], "Adam")
    }

    /// Each optimizer finds the minimum of f(w) = ½ Σ aᵢ (wᵢ − cᵢ)².
    @Test func convergeOnAQuadratic() {
        let a: [Float] = [1, 4, 0.5]
        let c: [Float] = [3, -2, 1]
        let optimizers: [Optimizer] = [
            SGD(learningRate: 0.2), Momentum(learningRate: 0.05, momentum: 0.9),
            AdaGrad(learningRate: 0.9), RMSprop(learningRate: 0.05, decay: 0.9),
            Adam(learningRate: 0.1),
        ]
        for optimizer in optimizers {
            let p = Parameter("w", Tensor(shape: [3]))
            for _ in 0..<600 {
                p.gradient = Tensor(shape: [3], data: (0..<3).map { a[$0] * (p.value.data[$0] - c[$0]) })
                optimizer.update([p])
            }
            let error = (0..<3).map { abs(p.value.data[$0] - c[$0]) }.max()!
            #expect(error < 0.02, "\(optimizer.name) ended at \(p.value.data), minimum at \(c)")
        }
    }

    /// ε = 1e-7 (the documented value) matters when gradients are tiny: one step from 0 with
    /// a gradient of 1e-7, worked out in Double from each update rule. An ε of 1e-8 would
    /// change each of these steps by half or more.
    @Test func epsilonIsTheDocumentedOne() {
        let g = 1e-7
        let eps = 1e-7
        let adaGrad = -0.1 * g / ((g * g).squareRoot() + eps)  // −0.05
        let rmsProp = -0.01 * g / ((0.01 * g * g).squareRoot() + eps)  // −0.00909
        let lrT = 0.001 * (1 - 0.999).squareRoot() / (1 - 0.9)
        let adam = -lrT * (0.1 * g) / ((0.001 * g * g).squareRoot() + eps)  // −3.07e-5
        for (optimizer, expected) in [
            (AdaGrad(learningRate: 0.1) as Optimizer, adaGrad),
            (RMSprop(learningRate: 0.01, decay: 0.99), rmsProp),
            (Adam(learningRate: 0.001), adam),
        ] {
            let p = Parameter("W", Tensor(shape: [1], data: [0]))
            p.gradient = Tensor(shape: [1], data: [Float(g)])
            optimizer.update([p])
            let step = Double(p.value.data[0])
            #expect(
                abs(step - expected) <= 1e-4 * abs(expected), "\(optimizer.name): step \(step), expected \(expected)")
        }
    }
}
