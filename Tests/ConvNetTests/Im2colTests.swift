@testable import ConvNet
import Testing

@Suite struct Im2colTests {
    /// <im2col(x), y> = <x, col2im(y)>: col2im is the adjoint (transpose) of im2col.
    @Test(arguments: [(1, 5, 3, 1, 0), (2, 7, 3, 2, 1), (3, 8, 5, 1, 2), (2, 10, 4, 3, 0), (2, 9, 3, 3, 0)])
    func col2imIsTheAdjoint(c: Int, size: Int, filter: Int, stride: Int, padding: Int) {
        var rng = SeededRandom(seed: UInt64(size * 10 + filter))
        let x = Tensor.randomNormal([2, c, size, size], rng: &rng)
        let col = im2col(x, filterHeight: filter, filterWidth: filter, stride: stride, padding: padding)
        let y = Tensor.randomNormal(col.shape, rng: &rng)
        let back = col2im(y, inputShape: x.shape, filterHeight: filter, filterWidth: filter, stride: stride, padding: padding)
        var left = 0.0, right = 0.0
        for i in 0..<col.count { left += Double(col.data[i]) * Double(y.data[i]) }
        for i in 0..<x.count { right += Double(x.data[i]) * Double(back.data[i]) }
        #expect(abs(left - right) <= 1e-4 * max(abs(left), 1), "⟨im2col(x), y⟩ = \(left), ⟨x, col2im(y)⟩ = \(right)")
    }

    @Test func rowsAreWindows() {
        let x = Tensor(shape: [1, 1, 3, 3], data: (1...9).map(Float.init))
        let col = im2col(x, filterHeight: 2, filterWidth: 2, stride: 1, padding: 0)
        #expect(col.shape == [4, 4])
        #expect(col.data == [1, 2, 4, 5, 2, 3, 5, 6, 4, 5, 7, 8, 5, 6, 8, 9])
        let padded = im2col(x, filterHeight: 3, filterWidth: 3, stride: 2, padding: 1)
        #expect(padded.shape == [4, 9])
        #expect(Array(padded.data[0..<9]) == [0, 0, 0, 0, 1, 2, 0, 4, 5])
    }
}
