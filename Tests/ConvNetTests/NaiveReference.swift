@testable import ConvNet

/// The specifications the fast layers are held to: convolution and pooling as direct
/// loops over every output, every channel and every filter position.
enum Naive {
    /// out[n][f][y][x] = b[f] + Σ_c Σ_i Σ_j W[f][c][i][j] · xpad[n][c][y·S + i][x·S + j]
    static func convolution(_ x: Tensor, _ w: Tensor, _ b: Tensor, stride: Int, padding: Int) -> Tensor {
        let (n, c, h, wd) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (fn, fh, fw) = (w.shape[0], w.shape[2], w.shape[3])
        let oh = (h + 2 * padding - fh) / stride + 1
        let ow = (wd + 2 * padding - fw) / stride + 1
        var out = Tensor(shape: [n, fn, oh, ow])
        for img in 0..<n {
            for f in 0..<fn {
                for y in 0..<oh {
                    for xo in 0..<ow {
                        var sum = Double(b[f])
                        for ch in 0..<c {
                            for i in 0..<fh {
                                for j in 0..<fw {
                                    let iy = y * stride - padding + i
                                    let ix = xo * stride - padding + j
                                    if iy >= 0 && iy < h && ix >= 0 && ix < wd {
                                        sum += Double(w[f, ch, i, j]) * Double(x[img, ch, iy, ix])
                                    }
                                }
                            }
                        }
                        out[img, f, y, xo] = Float(sum)
                    }
                }
            }
        }
        return out
    }

    /// out[n][c][y][x] = max (or mean) of the window; padding never wins the max and
    /// counts as zero in the mean.
    static func pooling(_ x: Tensor, size: Int, stride: Int, padding: Int, max useMax: Bool) -> Tensor {
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let oh = (h + 2 * padding - size) / stride + 1
        let ow = (w + 2 * padding - size) / stride + 1
        var out = Tensor(shape: [n, c, oh, ow])
        for img in 0..<n {
            for ch in 0..<c {
                for y in 0..<oh {
                    for xo in 0..<ow {
                        var best = -Float.infinity
                        var sum: Float = 0
                        for i in 0..<size {
                            for j in 0..<size {
                                let iy = y * stride - padding + i
                                let ix = xo * stride - padding + j
                                if iy >= 0 && iy < h && ix >= 0 && ix < w {
                                    best = Swift.max(best, x[img, ch, iy, ix])
                                    sum += x[img, ch, iy, ix]
                                }
                            }
                        }
                        out[img, ch, y, xo] = useMax ? best : sum / Float(size * size)
                    }
                }
            }
        }
        return out
    }
}

/// Random inputs kept away from the kinks: no value within `gap` of zero (ReLU) and all
/// values distinct (so max pooling has no ties).
func distinctInput(_ shape: [Int], gap: Float = 0.05, rng: inout SeededRandom) -> Tensor {
    let count = shape.reduce(1, *)
    var values = (0..<count).map { Float($0 + 1) / Float(count) * 2 }  // distinct, in (0, 2]
    for i in stride(from: count - 1, to: 0, by: -1) { values.swapAt(i, rng.index(below: i + 1)) }
    for i in 0..<count where i % 2 == 0 { values[i] = -values[i] }  // both signs
    return Tensor(shape: shape, data: values.map { $0 >= 0 ? $0 + gap : $0 - gap })
}

/// The largest |a[i] − b[i]|, or NaN when any difference is NaN (an element the code
/// under test never wrote, for example: outputs start as NaN). `max()` would skip NaNs.
func worstDifference(_ a: [Float], _ b: [Float]) -> Float {
    var worst: Float = 0
    for (x, y) in zip(a, b) {
        let d = abs(x - y)
        if d.isNaN { return .nan }
        worst = max(worst, d)
    }
    return worst
}
