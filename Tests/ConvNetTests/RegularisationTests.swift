import Foundation
import Testing

@testable import ConvNet

/// Weight decay and random shifts (Lesson 08), checked against their definitions.
@Suite struct RegularisationTests {
    /// The gradient of loss + λ/2·ΣW², with weight decay added to the network's own
    /// gradient, against numerical differences of that total (relative error below 3e-3
    /// in Float, with h = 1e-2).
    @Test func weightDecayGradientCheck() {
        // Sigmoid, not ReLU: no kinks for the numerical differences to straddle.
        var rng = SeededRandom(seed: 4)
        let network = Network(
            layers: [
                Affine(inputSize: 2, outputSize: 8, weightStd: 0.8, rng: &rng), Sigmoid(),
                Affine(inputSize: 8, outputSize: 3, weightStd: 0.8, rng: &rng),
            ], inputShape: [2])
        let data = Blobs(count: 20, seed: 5)
        let (x, labels) = data.batch(Array(0..<20))
        let lambda: Float = 0.3
        func total() -> Double {
            let penalty = network.parameters.filter { $0.name == "W" }.flatMap(\.value.data).reduce(0) { $0 + $1 * $1 }
            return Double(network.loss(x, labels: labels, training: false) + lambda / 2 * penalty)
        }
        _ = network.gradient(x, labels: labels)
        let penalty = addWeightDecay(lambda, to: network.parameters)
        #expect(penalty > 0)
        for p in network.parameters {
            let numeric = numericalGradient(
                count: p.value.count, h: 1e-2, get: { p.value.data[$0] }, set: { p.value.data[$0] = $1 }, loss: total)
            let result = compareGradients(
                layer: "weight decay", parameter: p.name, analytic: p.gradient.data, numeric: numeric, threshold: 3e-3)
            #expect(result.passed, "\(result)")
        }
    }

    @Test func weightDecayLeavesBiasesAlone() {
        let network = blobNetwork(seed: 4)
        for p in network.parameters { p.gradient = Tensor(shape: p.value.shape) }
        let penalty = addWeightDecay(0.5, to: network.parameters)
        var squares: Float = 0
        for p in network.parameters {
            if p.name == "W" {
                squares += p.value.data.reduce(0) { $0 + $1 * $1 }
                #expect(p.gradient.data == p.value.data.map { 0.5 * $0 })
            } else {
                #expect(p.gradient.data.allSatisfy { $0 == 0 }, "a \(p.name) was decayed")
            }
        }
        #expect(abs(penalty - 0.25 * squares) <= 1e-6 * squares)
    }

    /// Every image comes out as itself moved by one whole-pixel shift of at most k each
    /// way, zeros where nothing was moved in, and over many draws every shift occurs.
    @Test func shiftsMoveEachImageAsAWhole() {
        var rng = SeededRandom(seed: 1)
        let x = Tensor.randomUniform([200, 2, 6, 7], 0.1, 1, rng: &rng)  // no zeros inside
        let out = randomlyShifted(x, upTo: 2, rng: &rng)
        #expect(out.shape == x.shape)
        var seen = Set<[Int]>()
        for n in 0..<200 {
            let found = (-2...2).flatMap { dy in (-2...2).map { dx in [dy, dx] } }.filter { shift in
                (0..<2).allSatisfy { c in
                    (0..<6).allSatisfy { r in
                        (0..<7).allSatisfy { col in
                            let (sr, sc) = (r - shift[0], col - shift[1])
                            let expected = (0..<6).contains(sr) && (0..<7).contains(sc) ? x[n, c, sr, sc] : 0
                            return out[n, c, r, col] == expected
                        }
                    }
                }
            }
            #expect(found.count == 1, "image \(n) is no single shift of its input")
            if let shift = found.first { seen.insert(shift) }
        }
        #expect(seen.count == 25, "only \(seen.count) of the 25 shifts occurred")
        var zero = SeededRandom(seed: 2)
        #expect(randomlyShifted(x, upTo: 0, rng: &zero) == x)
    }

    /// One lit pixel in the middle of each 7×7 image: where it lands is the shift. Every
    /// way is equally likely, so over 4000 images the mean shift is near 0 both ways
    /// (the standard error of each mean is about 0.02) and each way reaches ±2.
    @Test func shiftsAverageToNoMove() {
        var x = Tensor(shape: [4000, 1, 7, 7])
        for n in 0..<4000 { x[n, 0, 3, 3] = 1 }
        var rng = SeededRandom(seed: 3)
        let out = randomlyShifted(x, upTo: 2, rng: &rng)
        var (sumY, sumX, lowest, highest) = (0, 0, 0, 0)
        for n in 0..<4000 {
            let lit = (0..<49).filter { out.data[n * 49 + $0] == 1 }
            #expect(lit.count == 1)
            let (dy, dx) = (lit[0] / 7 - 3, lit[0] % 7 - 3)
            (sumY, sumX) = (sumY + dy, sumX + dx)
            (lowest, highest) = (min(lowest, dy, dx), max(highest, dy, dx))
        }
        #expect(abs(Double(sumY) / 4000) < 0.1 && abs(Double(sumX) / 4000) < 0.1, "mean shift \(sumY), \(sumX) / 4000")
        #expect(lowest == -2 && highest == 2)
    }

    @Test func trainerRefusesShiftsOfFlatData() {
        #expect {
            _ = try Trainer(
                network: blobNetwork(seed: 4), optimizer: SGD(learningRate: 0.1), train: Blobs(count: 10, seed: 1),
                options: {
                    var o = TrainingOptions(epochs: 1, batchSize: 5)
                    o.shiftPixels = 1
                    return o
                }())
        } throws: { "\($0)".contains("needs image batches") }
        #expect {
            _ = try Trainer(
                network: blobNetwork(seed: 4), optimizer: SGD(learningRate: 0.1), train: Blobs(count: 10, seed: 1),
                options: {
                    var o = TrainingOptions(epochs: 1, batchSize: 5)
                    o.weightDecay = -1
                    return o
                }())
        } throws: { "\($0)".contains("weight decay") }
    }
}
