// swift-format-ignore-file
/// im2col: every filter-sized window of an image batch becomes one row of a matrix, so a
/// convolution (or a pooling) becomes one operation on rows.
///
///     x:   N×C×H×W
///     col: (N·OH·OW) × (C·FH·FW),   OH = (H + 2P − FH)/S + 1, OW likewise
///
/// Row (n·OH + oy)·OW + ox holds the window under output (oy, ox) of image n; its columns run
/// over channel, then filter row, then filter column, the order of a filter's weights in
/// FN×C×FH×FW, so `col · Wᵀ` is the convolution. As in the book, the batch is padded
/// first, and a window that hangs over the border reads the padding's zeros.
public func im2col(_ x: Tensor, filterHeight: Int, filterWidth: Int, stride: Int, padding: Int) -> Tensor {
    im2col(x, filterHeight: filterHeight, filterWidth: filterWidth, stride: stride, padding: padding, paddingValue: 0)
}

/// The same, with the border filled with `paddingValue` (max pooling pads with −∞, so
/// that padding never wins).
func im2col(_ x: Tensor, filterHeight fh: Int, filterWidth fw: Int, stride: Int, padding: Int,
            paddingValue: Float) -> Tensor {
    require(x.rank == 4, "im2col needs an N×C×H×W tensor, got \(x.shape)")
    let (n, c) = (x.shape[0], x.shape[1])
    let (oh, ow) = requireOutputSize(x.shape, fh, fw, stride: stride, padding: padding, "im2col")
    let image = padded(x, by: padding, with: paddingValue)          // N×C×(H+2P)×(W+2P)
    let (hp, wp) = (image.shape[2], image.shape[3])
    let rowLength = c * fh * fw                                       // one window: C·FH·FW numbers
    var col = [Float](repeating: 0, count: n * oh * ow * rowLength)   // (N·OH·OW) × (C·FH·FW)
    // The book's loops: one filter position (fy, fx) at a time, every window's number at
    // that position copied in one sweep over the images.
    for fy in 0..<fh {
        for fx in 0..<fw {
            for i in 0..<n {
                for ch in 0..<c {
                    let column = (ch * fh + fy) * fw + fx                 // this position's column of col
                    for oy in 0..<oh {
                        for ox in 0..<ow {
                            let row = (i * oh + oy) * ow + ox             // the window under output (oy, ox)
                            let pixel = ((i * c + ch) * hp + oy * stride + fy) * wp + ox * stride + fx   // image[i, ch, y, x]
                            col[row * rowLength + column] = image.data[pixel]
                        }
                    }
                }
            }
        }
    }
    return Tensor(shape: [n * oh * ow, rowLength], data: col)
}

/// col2im: the adjoint of im2col. Every entry of `col` is added back onto the pixel it was
/// copied from, so a pixel that sat in several windows collects the sum of their
/// gradients. The padding's share is dropped at the end.
///
///     col: (N·OH·OW) × (C·FH·FW)  →  dx: N×C×H×W  (the `inputShape`)
public func col2im(_ col: Tensor, inputShape: [Int], filterHeight fh: Int, filterWidth fw: Int,
                   stride: Int, padding: Int) -> Tensor {
    require(inputShape.count == 4, "col2im needs an N×C×H×W input shape, got \(inputShape)")
    let (n, c, h, w) = (inputShape[0], inputShape[1], inputShape[2], inputShape[3])
    let (oh, ow) = requireOutputSize(inputShape, fh, fw, stride: stride, padding: padding, "col2im")
    require(col.shape == [n * oh * ow, c * fh * fw],
            "col2im: col is \(col.shape), but input \(inputShape) with a \(fh)×\(fw) filter needs [\(n * oh * ow), \(c * fh * fw)]")
    let (hp, wp) = (h + 2 * padding, w + 2 * padding)
    let rowLength = c * fh * fw
    var image = [Float](repeating: 0, count: n * c * hp * wp)         // N×C×(H+2P)×(W+2P), padded like im2col's
    for fy in 0..<fh {
        for fx in 0..<fw {
            for i in 0..<n {
                for ch in 0..<c {
                    let column = (ch * fh + fy) * fw + fx
                    for oy in 0..<oh {
                        for ox in 0..<ow {
                            let row = (i * oh + oy) * ow + ox
                            let pixel = ((i * c + ch) * hp + oy * stride + fy) * wp + ox * stride + fx
                            image[pixel] += col.data[row * rowLength + column]
                        }
                    }
                }
            }
        }
    }
    return cropped(Tensor(shape: [n, c, hp, wp], data: image), by: padding)   // N×C×H×W
}

/// The batch with a border of `padding` pixels on every side, filled with `value`:
/// N×C×H×W → N×C×(H+2P)×(W+2P) (numpy's `np.pad`).
public func padded(_ x: Tensor, by padding: Int, with value: Float) -> Tensor {
    require(x.rank == 4 && padding >= 0, "padded needs an N×C×H×W tensor and padding ≥ 0, got \(x.shape), \(padding)")
    if padding == 0 { return x }
    let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let (hp, wp) = (h + 2 * padding, w + 2 * padding)
    var out = [Float](repeating: value, count: n * c * hp * wp)
    for plane in 0..<(n * c) {                                          // one channel of one image
        for row in 0..<h {
            for column in 0..<w {
                out[(plane * hp + row + padding) * wp + column + padding] = x.data[(plane * h + row) * w + column]
            }
        }
    }
    return Tensor(shape: [n, c, hp, wp], data: out)
}

/// The inverse of `padded`: the border of `padding` pixels cut off every side.
public func cropped(_ x: Tensor, by padding: Int) -> Tensor {
    require(x.rank == 4 && padding >= 0 && x.shape[2] >= 2 * padding && x.shape[3] >= 2 * padding,
            "cropped: cannot cut \(padding) from every side of \(x.shape)")
    if padding == 0 { return x }
    let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2] - 2 * padding, x.shape[3] - 2 * padding)
    let (hp, wp) = (x.shape[2], x.shape[3])
    var out = [Float](repeating: 0, count: n * c * h * w)
    for plane in 0..<(n * c) {
        for row in 0..<h {
            for column in 0..<w {
                out[(plane * h + row) * w + column] = x.data[(plane * hp + row + padding) * wp + column + padding]
            }
        }
    }
    return Tensor(shape: [n, c, h, w], data: out)
}

/// OH and OW for a window over an N×C×H×W shape, where a misfit is a programming error
/// (layers check their input earlier and throw a ShapeError that says why).
func requireOutputSize(_ shape: [Int], _ fh: Int, _ fw: Int, stride: Int, padding: Int, _ caller: String) -> (Int, Int) {
    do {
        return (try convolutionOutputSize(input: shape[2], filter: fh, stride: stride, padding: padding),
                try convolutionOutputSize(input: shape[3], filter: fw, stride: stride, padding: padding))
    } catch {
        require(false, "\(caller): a \(fh)×\(fw) window does not fit \(shape): \(error)")
        return (0, 0)
    }
}
