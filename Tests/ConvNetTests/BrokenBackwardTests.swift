import Testing

@testable import ConvNet

// A gradient check that cannot fail checks nothing. Each test here plants one classic
// bug in a backward pass (by wrapping a correct layer) and asserts that the check
// flags it, naming the layer, the parameter and the worst element.

/// A layer whose backward is the real one, then spoiled by `spoil`.
final class Spoiled: Layer {
    let inner: Layer
    let spoil: (Layer, Tensor) -> Tensor  // (layer, correct dx) → wrong dx
    init(_ inner: Layer, spoil: @escaping (Layer, Tensor) -> Tensor) {
        self.inner = inner
        self.spoil = spoil
    }
    var name: String { inner.name }
    var parameters: [Parameter] { inner.parameters }
    func outputShape(for s: [Int]) throws -> [Int] { try inner.outputShape(for: s) }
    func forward(_ x: Tensor, training: Bool) -> Tensor { inner.forward(x, training: training) }
    func backward(_ dout: Tensor) -> Tensor { spoil(inner, inner.backward(dout)) }
}

@Suite struct BrokenBackwardTests {
    func failures(_ layer: Layer, _ x: Tensor, h: Float = 1e-2) -> [GradientCheckResult] {
        var rng = SeededRandom(seed: 21)
        let results = checkGradients(of: layer, input: x, h: h, threshold: 1e-3, rng: &rng)
        for r in results where !r.passed { print("planted bug: \(r.descriptionAsExpectedFailure)") }
        return results.filter { !$0.passed }
    }

    @Test func wrongSignInConvolutionDx() {
        var rng = SeededRandom(seed: 1)
        let conv = Convolution(
            filters: 2, channels: 2, filterHeight: 3, filterWidth: 3, stride: 1, padding: 1,
            weightStd: 0.5, rng: &rng)
        let broken = Spoiled(conv) { _, dx in dx * -1 }
        let failed = failures(broken, .randomNormal([2, 2, 5, 5], rng: &rng))
        #expect(failed.map(\.parameter) == ["dx"])
        #expect(failed.first?.description.hasPrefix("Convolution dx: relative error") == true)
        #expect((failed.first?.relativeError ?? 0) > 0.5)
    }

    @Test func wrongSignInConvolutionDW() {
        var rng = SeededRandom(seed: 2)
        let conv = Convolution(
            filters: 2, channels: 1, filterHeight: 3, filterWidth: 3, stride: 1, padding: 0,
            weightStd: 0.5, rng: &rng)
        let broken = Spoiled(conv) { layer, dx in
            let c = layer as! Convolution
            c.W.gradient = c.W.gradient * -1
            return dx
        }
        let failed = failures(broken, .randomNormal([2, 1, 5, 5], rng: &rng))
        #expect(failed.map(\.parameter) == ["dW"])
        #expect(failed.first?.description.contains("worst element [") == true)
    }

    @Test func missingReLUMask() {
        var rng = SeededRandom(seed: 3)
        let x = distinctInput([3, 8], rng: &rng)
        // Backward that forgets the mask: the gradient flows through negative inputs too.
        final class NoMaskReLU: Layer {
            let real = ReLU()
            var name: String { "ReLU" }
            func outputShape(for s: [Int]) throws -> [Int] { s }
            func forward(_ x: Tensor, training: Bool) -> Tensor { real.forward(x, training: training) }
            func backward(_ dout: Tensor) -> Tensor { dout }
        }
        let failed = failures(NoMaskReLU(), x)
        #expect(failed.map(\.parameter) == ["dx"])
        #expect(failed.first?.layer == "ReLU")
    }

    @Test func poolingGradientRoutedToTheWrongCell() {
        var rng = SeededRandom(seed: 4)
        let x = distinctInput([1, 2, 4, 4], rng: &rng)
        let pool = MaxPooling(poolHeight: 2, poolWidth: 2, stride: 2, padding: 0)
        // Move every gradient one cell to the right within its 2×2 window's row pair.
        let broken = Spoiled(pool) { layer, dx in
            let winners = (layer as! MaxPooling).winners
            var wrong = Tensor(shape: dx.shape)
            for w in winners { wrong.data[w ^ 1] += dx.data[w] }  // the neighbour in the same row of the window
            return wrong
        }
        let failed = failures(broken, x, h: 1e-3)
        #expect(failed.map(\.parameter) == ["dx"])
        #expect(failed.first?.layer == "MaxPooling")
    }

    @Test func transposedAffineWeightGradient() {
        var rng = SeededRandom(seed: 5)
        let affine = Affine(inputSize: 4, outputSize: 4, weightStd: 0.5, rng: &rng)  // square, so the shapes still fit
        let broken = Spoiled(affine) { layer, dx in
            let a = layer as! Affine
            var t = a.W.gradient
            for i in 0..<4 { for j in 0..<4 { t[i, j] = a.W.gradient[j, i] } }
            a.W.gradient = t
            return dx
        }
        let failed = failures(broken, .randomNormal([3, 4], rng: &rng))
        #expect(failed.map(\.parameter) == ["dW"])
    }

    /// Forgetting 1/N in the loss gradient makes it N times too large.
    @Test func missingOneOverNInTheLoss() {
        var rng = SeededRandom(seed: 6)
        let x = Tensor.randomNormal([4, 10], rng: &rng)
        let labels = [2, 5, 5, 9]
        let layer = SoftmaxWithLoss()
        _ = layer.forward(x, labels: labels)
        let wrong = layer.backward() * 4  // (y − t) instead of (y − t)/N
        var xx = x
        let numeric = numericalGradient(
            count: x.count, h: 1e-2, get: { xx.data[$0] }, set: { xx.data[$0] = $1 },
            loss: { Double(SoftmaxWithLoss().forward(xx, labels: labels)) })
        let result = compareGradients(
            layer: "SoftmaxWithLoss", parameter: "dx", analytic: wrong.data, numeric: numeric,
            threshold: 1e-3)
        print("planted bug: \(result.descriptionAsExpectedFailure)")
        #expect(!result.passed)
        #expect(result.relativeError > 0.3)
    }
}
