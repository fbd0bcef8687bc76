import Testing

@testable import ConvNet

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
        let layers: [Layer] = [
            Affine(inputSize: 12, outputSize: 5, weightStd: 0.5, rng: &rng), ReLU(), Sigmoid(),
            Flatten(), dropout,
        ]
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
        #expect(abs(trained.mean() - 2) < 0.02)  // 100000 draws: σ of the mean ≈ 0.006
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

    /// Each element-wise layer's dx against its definition, element by element, book and
    /// engine: ReLU passes dout where x > 0, Sigmoid multiplies by y(1 − y), Flatten only
    /// reshapes, Dropout multiplies by the mask its forward applied (out / x).
    @Test func backwardsEqualTheirDefinitions() {
        var rng = SeededRandom(seed: 17)
        let x = distinctInput([3, 2, 3, 4], rng: &rng)
        let dout = Tensor.randomNormal(x.shape, rng: &rng)
        let layers: [(Layer, (Tensor) -> [Float])] = [
            (ReLU(), { _ in zip(x.data, dout.data).map { $0 > 0 ? $1 : 0 } }),
            (EngineReLU(), { _ in zip(x.data, dout.data).map { $0 > 0 ? $1 : 0 } }),
            (Sigmoid(), { out in zip(out.data, dout.data).map { y, d in d * y * (1 - y) } }),
            (Flatten(), { _ in dout.data }),
            (Dropout(ratio: 0.4, seed: 3), { out in (0..<x.count).map { dout.data[$0] * out.data[$0] / x.data[$0] } }),
            (
                EngineDropout(Dropout(ratio: 0.4, seed: 3)),
                { out in (0..<x.count).map { dout.data[$0] * out.data[$0] / x.data[$0] } }
            ),
        ]
        for (layer, definition) in layers {
            let out = layer.forward(x, training: true)
            let expected = definition(out)
            let dx = layer.backward(layer is Flatten ? dout.reshaped(out.shape) : dout)
            #expect(dx.count == expected.count)
            let worst = zip(dx.data, expected).map { abs($0 - $1) / max(abs($0) + abs($1), 1e-6) }.max() ?? 0
            #expect(worst <= 1e-6, "\(layer.name) (\(type(of: layer))): dx differs from its definition by \(worst)")
        }
    }
}
