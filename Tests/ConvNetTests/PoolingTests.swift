@testable import ConvNet
import Testing

@Suite struct PoolingTests {
    @Test(arguments: [(2, 2, 0), (3, 1, 0), (3, 1, 1), (2, 1, 1), (2, 2, 1)])
    func forwardEqualsNaiveLoops(size: Int, stride: Int, padding: Int) {
        var rng = SeededRandom(seed: UInt64(size * 7 + stride))
        let x = Tensor.randomNormal([2, 3, 8, 8], rng: &rng)
        let maxLayer = MaxPooling(poolHeight: size, poolWidth: size, stride: stride, padding: padding)
        let avgLayer = AveragePooling(poolHeight: size, poolWidth: size, stride: stride, padding: padding)
        #expect(maxLayer.forward(x).maxAbsDifference(Naive.pooling(x, size: size, stride: stride, padding: padding, max: true)) <= 1e-5)
        #expect(avgLayer.forward(x).maxAbsDifference(Naive.pooling(x, size: size, stride: stride, padding: padding, max: false)) <= 1e-5)
    }

    @Test func maxPoolingSendsGradientToTheWinnerOnly() {
        let x = Tensor(shape: [1, 1, 2, 4], data: [1, 5, 2, 0, 3, 4, 8, 6])
        let layer = MaxPooling(poolHeight: 2, poolWidth: 2, stride: 2, padding: 0)
        #expect(layer.forward(x).data == [5, 8])
        let dx = layer.backward(Tensor(shape: [1, 1, 1, 2], data: [10, 20]))
        #expect(dx.data == [0, 10, 0, 0, 0, 0, 20, 0])
    }

    @Test func gradientChecks() {
        var rng = SeededRandom(seed: 5)
        let x = distinctInput([2, 2, 6, 6], rng: &rng)
        for layer in [MaxPooling(poolHeight: 2, poolWidth: 2, stride: 2, padding: 0) as Layer,
                      MaxPooling(poolHeight: 3, poolWidth: 3, stride: 1, padding: 1),
                      AveragePooling(poolHeight: 2, poolWidth: 2, stride: 2, padding: 0),
                      AveragePooling(poolHeight: 3, poolWidth: 3, stride: 1, padding: 1)] {
            // h smaller than half the gap between distinct values, so no nudge changes a winner.
            for result in checkGradients(of: layer, input: x, h: 1e-3, threshold: 1e-3, rng: &rng) {
                print(result)
                #expect(result.passed, "\(result)")
            }
        }
    }
}
