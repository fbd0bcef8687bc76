@testable import ConvNet
import Testing

@Suite struct AffineAndActivationTests {
    @Test func affineFlattensAnyShape() {
        var rng = SeededRandom(seed: 2)
        let layer = Affine(inputSize: 12, outputSize: 4, weightStd: 1, rng: &rng)
        let x = Tensor.randomNormal([3, 3, 2, 2], rng: &rng)
        let out = layer.forward(x)
        #expect(out.shape == [3, 4])
        let expected = matrixMultiply(x.reshaped([3, 12]), layer.W.value)
        #expect(out.maxAbsDifference(expected) <= 1e-6)
        #expect(layer.backward(Tensor(shape: [3, 4], repeating: 1)).shape == [3, 3, 2, 2])
        #expect(throws: ShapeError.self) { try layer.outputShape(for: [3, 13]) }
    }

    @Test func gradientChecks() {
        var rng = SeededRandom(seed: 3)
        let x = distinctInput([4, 2, 3, 2], rng: &rng)
        let dropout = Dropout(ratio: 0.4, seed: 9)
        dropout.freezesMask = true
        let layers: [Layer] = [Affine(inputSize: 12, outputSize: 5, weightStd: 0.5, rng: &rng), ReLU(), Sigmoid(),
                               Flatten(), dropout]
        for layer in layers {
            for result in checkGradients(of: layer, input: x, h: 1e-2, threshold: 1e-3, rng: &rng) {
                print(result)
                #expect(result.passed, "\(result)")
            }
        }
    }

    @Test func backwardLeavesDoutAlone() {
        let relu = ReLU()
        let x = Tensor(shape: [1, 4], data: [-1, 2, -3, 4])
        _ = relu.forward(x)
        let dout = Tensor(shape: [1, 4], data: [1, 1, 1, 1])
        let dx = relu.backward(dout)
        #expect(dx.data == [0, 1, 0, 1])
        #expect(dout.data == [1, 1, 1, 1])
    }

    /// Inverted dropout keeps the mean activation; at test time it does nothing.
    @Test func dropoutKeepsTheMean() {
        let layer = Dropout(ratio: 0.5, seed: 1)
        let x = Tensor(shape: [100, 1000], repeating: 2)
        let trained = layer.forward(x, training: true)
        #expect(abs(trained.mean() - 2) < 0.02)                          // 100000 draws: σ of the mean ≈ 0.006
        let dropped = Double(trained.data.filter { $0 == 0 }.count) / Double(x.count)
        #expect(abs(dropped - 0.5) < 0.01)
        #expect(trained.data.allSatisfy { $0 == 0 || $0 == 4 })
        #expect(layer.forward(x, training: false) == x)
    }

    @Test func dropoutIsSeeded() {
        let x = Tensor(shape: [1, 50], repeating: 1)
        #expect(Dropout(ratio: 0.3, seed: 4).forward(x) == Dropout(ratio: 0.3, seed: 4).forward(x))
        #expect(Dropout(ratio: 0.3, seed: 4).forward(x) != Dropout(ratio: 0.3, seed: 5).forward(x))
    }
}
