/// im2col: unrolls every filter-sized window of an image batch into one row of a matrix,
/// so that a convolution becomes a single matrix multiply.
///
///     x:   N×C×H×W
///     col: (N·OH·OW) × (C·FH·FW)
///
/// Row n·OH·OW + oh·OW + ow holds the window under output (oh, ow) of image n; its
/// columns run over channel, then filter row, then filter column (the order of a
/// filter's weights in FN×C×FH×FW), so `col · Wᵀ` is the convolution. Windows that
/// hang over the border read zeros (the padding).
public func im2col(_ x: Tensor, filterHeight fh: Int, filterWidth fw: Int, stride: Int, padding: Int) -> Tensor {
    require(x.rank == 4, "im2col needs an N×C×H×W tensor, got \(x.shape)")
    let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let oh = (h + 2 * padding - fh) / stride + 1, ow = (w + 2 * padding - fw) / stride + 1
    require(oh > 0 && ow > 0, "im2col: a \(fh)×\(fw) filter does not fit \(x.shape) with padding \(padding)")
    let rowLength = c * fh * fw
    var col = Tensor(shape: [n * oh * ow, rowLength])
    x.data.withUnsafeBufferPointer { src in
        col.data.withUnsafeMutableBufferPointer { dst in
            for img in 0..<n {
                for y in 0..<oh {
                    for xo in 0..<ow {
                        var d = ((img * oh + y) * ow + xo) * rowLength
                        for ch in 0..<c {
                            let plane = (img * c + ch) * h * w
                            for i in 0..<fh {
                                let iy = y * stride - padding + i
                                let rowInside = iy >= 0 && iy < h
                                for j in 0..<fw {
                                    let ix = xo * stride - padding + j
                                    dst[d] = rowInside && ix >= 0 && ix < w ? src[plane + iy * w + ix] : 0
                                    d += 1
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    return col
}

/// col2im: the adjoint of im2col. Every entry of `col` is added back onto the input
/// pixel it was copied from; a pixel that sat in several windows collects the sum.
/// This is how the gradient of the unrolled matrix flows back to the image.
///
///     col: (N·OH·OW) × (C·FH·FW)  →  dx: N×C×H×W  (the `inputShape`)
public func col2im(_ col: Tensor, inputShape: [Int], filterHeight fh: Int, filterWidth fw: Int,
                   stride: Int, padding: Int) -> Tensor {
    require(inputShape.count == 4, "col2im needs an N×C×H×W input shape, got \(inputShape)")
    let (n, c, h, w) = (inputShape[0], inputShape[1], inputShape[2], inputShape[3])
    let oh = (h + 2 * padding - fh) / stride + 1, ow = (w + 2 * padding - fw) / stride + 1
    let rowLength = c * fh * fw
    require(col.shape == [n * oh * ow, rowLength],
                 "col2im: col is \(col.shape), but input \(inputShape) with a \(fh)×\(fw) filter needs [\(n * oh * ow), \(rowLength)]")
    var x = Tensor(shape: inputShape)
    col.data.withUnsafeBufferPointer { src in
        x.data.withUnsafeMutableBufferPointer { dst in
            for img in 0..<n {
                for y in 0..<oh {
                    for xo in 0..<ow {
                        var s = ((img * oh + y) * ow + xo) * rowLength
                        for ch in 0..<c {
                            let plane = (img * c + ch) * h * w
                            for i in 0..<fh {
                                let iy = y * stride - padding + i
                                for j in 0..<fw {
                                    let ix = xo * stride - padding + j
                                    if iy >= 0 && iy < h && ix >= 0 && ix < w { dst[plane + iy * w + ix] += src[s] }
                                    s += 1
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    return x
}
