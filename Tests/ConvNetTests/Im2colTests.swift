import Testing

@testable import ConvNet

@Suite struct Im2colTests {
    /// <im2col(x), y> = <x, col2im(y)>: col2im is the adjoint (transpose) of im2col.
    /// (C, H, W, FH, FW, stride, padding): square cases, then non-square inputs and filters.
    @Test(arguments: [
        (1, 5, 5, 3, 3, 1, 0), (2, 7, 7, 3, 3, 2, 1), (3, 8, 8, 5, 5, 1, 2), (2, 10, 10, 4, 4, 3, 0),
        (2, 9, 9, 3, 3, 3, 0), (2, 7, 9, 3, 5, 2, 1), (3, 6, 8, 2, 4, 1, 0), (2, 12, 11, 4, 3, 3, 2),
        (1, 5, 6, 3, 2, 1, 1),
    ])
    func col2imIsTheAdjoint(c: Int, h: Int, w: Int, fh: Int, fw: Int, stride: Int, padding: Int) {
        var rng = SeededRandom(seed: UInt64(h * 10 + w + fh))
        let x = Tensor.randomNormal([2, c, h, w], rng: &rng)
        let col = im2col(x, filterHeight: fh, filterWidth: fw, stride: stride, padding: padding)
        let y = Tensor.randomNormal(col.shape, rng: &rng)
        let back = col2im(y, inputShape: x.shape, filterHeight: fh, filterWidth: fw, stride: stride, padding: padding)
        var left = 0.0
        var right = 0.0
        for i in 0..<col.count { left += Double(col.data[i]) * Double(y.data[i]) }
        for i in 0..<x.count { right += Double(x.data[i]) * Double(back.data[i]) }
        #expect(abs(left - right) <= 1e-4 * max(abs(left), 1), "⟨im2col(x), y⟩ = \(left), ⟨x, col2im(y)⟩ = \(right)")
    }

    /// Each row of a non-square im2col is its window, read straight from x.
    @Test func nonSquareRowsAreWindows() {
        var rng = SeededRandom(seed: 33)
        let x = Tensor.randomNormal([2, 2, 6, 7], rng: &rng)
        let (fh, fw, s, p) = (2, 3, 2, 1)
        let col = im2col(x, filterHeight: fh, filterWidth: fw, stride: s, padding: p)
        let (oh, ow) = ((6 + 2 * p - fh) / s + 1, (7 + 2 * p - fw) / s + 1)
        #expect(col.shape == [2 * oh * ow, 2 * fh * fw])
        for n in 0..<2 {
            for oy in 0..<oh {
                for ox in 0..<ow {
                    for ch in 0..<2 {
                        for i in 0..<fh {
                            for j in 0..<fw {
                                let (iy, ix) = (oy * s - p + i, ox * s - p + j)
                                let expected: Float = iy >= 0 && iy < 6 && ix >= 0 && ix < 7 ? x[n, ch, iy, ix] : 0
                                let got = col.data[((n * oh + oy) * ow + ox) * (2 * fh * fw) + (ch * fh + i) * fw + j]
                                #expect(
                                    got == expected,
                                    "window (\(oy), \(ox)) of image \(n), channel \(ch), tap (\(i), \(j))")
                            }
                        }
                    }
                }
            }
        }
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
