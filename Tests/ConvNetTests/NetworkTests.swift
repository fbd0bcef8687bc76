import Foundation
import Testing

@testable import ConvNet

@Suite struct NetworkTests {
    @Test func simpleConvNetShapesAndParameters() throws {
        var rng = SeededRandom(seed: 1)
        let net = Network.simpleConvNet(rng: &rng)
        let rows = try net.summary()
        #expect(
            rows.map(\.outputShape) == [
                [1, 30, 24, 24], [1, 30, 24, 24], [1, 30, 12, 12], [1, 100], [1, 100], [1, 10],
            ])
        #expect(rows.map(\.parameters) == [30 * 25 + 30, 0, 0, 4320 * 100 + 100, 0, 100 * 10 + 10])
        #expect(net.parameterCount == 433_890)
    }

    @Test func mlpShapes() throws {
        var rng = SeededRandom(seed: 1)
        let net = Network.mlp(sizes: [784, 64, 10], rng: &rng)
        #expect(try net.summary().map(\.outputShape) == [[1, 64], [1, 64], [1, 10]])
        #expect(net.parameterCount == 784 * 64 + 64 + 64 * 10 + 10)
    }

    @Test func summaryNamesTheLayerThatDoesNotFit() {
        var rng = SeededRandom(seed: 1)
        let net = Network(
            layers: [
                Convolution(
                    filters: 2, channels: 1, filterHeight: 3, filterWidth: 3, stride: 1, padding: 0,
                    weightStd: 1, rng: &rng),
                Affine(inputSize: 50, outputSize: 3, weightStd: 1, rng: &rng),
            ], inputShape: [1, 6, 6])
        #expect(throws: ShapeError.self) { try net.summary() }
        do { _ = try net.summary() } catch { #expect("\(error)".contains("layer 2 (Affine)")) }
        #expect(throws: ShapeError.self) { try net.checkInput(Tensor(shape: [2, 1, 5, 5])) }
    }

    /// Before training, the network knows nothing: the loss is near −ln(1/10) = 2.303.
    @Test func initialLossIsNearLn10() {
        var rng = SeededRandom(seed: 3)
        let net = Network.simpleConvNet(rng: &rng)
        let x = Tensor.randomUniform([20, 1, 28, 28], 0, 1, rng: &rng)
        let loss = net.loss(x, labels: (0..<20).map { $0 % 10 }, training: false)
        #expect(abs(Double(loss) - log(10)) < 0.5, "initial loss \(loss)")
    }

    /// The gradient of the whole (small) SimpleConvNet, every parameter. The threshold is
    /// 1e-2 rather than the single layers' 1e-3: inside a network a nudge of h can push
    /// a hidden value across a ReLU kink or change a pooling winner. A wrong backward
    /// shows 0.5 or more (BrokenBackwardTests).
    @Test func wholeNetworkGradientCheck() {
        var rng = SeededRandom(seed: 4)
        let net = Network.simpleConvNet(
            inputShape: [1, 8, 8], filters: 3, filterSize: 3, hidden: 6, classes: 4, rng: &rng)
        let x = distinctInput([3, 1, 8, 8], rng: &rng)
        let results = checkGradients(of: net, input: x, labels: [0, 3, 1], h: 1e-2, threshold: 1e-2)
        #expect(results.count == 6)
        for r in results {
            print(r)
            #expect(r.passed, "\(r)")
        }
    }

    @Test func accuracyCountsCorrectPredictions() {
        let affine = Affine(weights: Tensor(shape: [2, 2], data: [1, 0, 0, 1]), bias: .zeros([2]))
        let net = Network(layers: [affine], inputShape: [2])
        let x = Tensor(shape: [4, 2], data: [1, 0, 0, 1, 2, 1, 0, 3])
        #expect(net.classify(x, batchSize: 3) == [0, 1, 0, 1])
        #expect(net.accuracy(x, labels: [0, 1, 1, 1], batchSize: 3) == 0.75)
    }
}
