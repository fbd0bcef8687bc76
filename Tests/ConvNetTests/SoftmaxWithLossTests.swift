import Testing

@testable import ConvNet

@Suite struct SoftmaxWithLossTests {
    @Test func stableForLargeScores() {
        let y = softmax(Tensor(shape: [1, 3], data: [1000, 1001, 1002]))
        #expect(y.data.allSatisfy { $0.isFinite })
        #expect(abs(y.sum() - 1) < 1e-6)
        let small = softmax(Tensor(shape: [1, 3], data: [0, 1, 2]))
        #expect(y.maxAbsDifference(small) < 1e-6)  // shifting the scores changes nothing
    }

    @Test func uniformScoresGiveLn10() {
        let loss = SoftmaxWithLoss().forward(Tensor(shape: [4, 10]), labels: [0, 3, 5, 9])
        #expect(abs(Double(loss) - 2.302585) < 1e-5)
    }

    @Test func labelsAndOneHotAgree() {
        var rng = SeededRandom(seed: 8)
        let x = Tensor.randomNormal([3, 4], rng: &rng)
        let a = SoftmaxWithLoss()
        let b = SoftmaxWithLoss()
        let t = Tensor(shape: [3, 4], data: [0, 1, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0])
        #expect(a.forward(x, labels: [1, 3, 0]) == b.forward(x, oneHot: t))
        #expect(a.backward() == b.backward())
    }

    @Test func gradientIsYMinusTOverN() {
        var rng = SeededRandom(seed: 9)
        let x = Tensor.randomNormal([5, 10], rng: &rng)
        let labels = [1, 7, 3, 3, 0]
        let layer = SoftmaxWithLoss()
        _ = layer.forward(x, labels: labels)
        let dx = layer.backward()
        var xx = x
        let numeric = numericalGradient(
            count: x.count, h: 1e-2, get: { xx.data[$0] }, set: { xx.data[$0] = $1 },
            loss: { Double(SoftmaxWithLoss().forward(xx, labels: labels)) })
        let result = compareGradients(
            layer: "SoftmaxWithLoss", parameter: "dx", analytic: dx.data, numeric: numeric,
            threshold: 1e-3)
        print(result)
        #expect(result.passed, "\(result)")
    }
}
