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
    let g = WindowGeometry(inputShape: x.shape, filterHeight: fh, filterWidth: fw, stride: stride, padding: padding)
    require(g.outputHeight > 0 && g.outputWidth > 0,
            "im2col: a \(fh)×\(fw) filter does not fit \(x.shape) with padding \(padding)")
    var col = Tensor(shape: [g.images * g.windowsPerImage, g.rowLength])
    x.data.withUnsafeBufferPointer { src in
        col.data.withUnsafeMutableBufferPointer { dst in
            parallelFor(g.images, cost: g.windowsPerImage * g.rowLength) { images in
                for n in images {
                    im2colImage(src.baseAddress! + n * g.imageSize, dst.baseAddress! + n * g.windowsPerImage * g.rowLength, g)
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
    let g = WindowGeometry(inputShape: inputShape, filterHeight: fh, filterWidth: fw, stride: stride, padding: padding)
    require(col.shape == [g.images * g.windowsPerImage, g.rowLength],
            "col2im: col is \(col.shape), but input \(inputShape) with a \(fh)×\(fw) filter needs [\(g.images * g.windowsPerImage), \(g.rowLength)]")
    var x = Tensor(shape: inputShape)
    col.data.withUnsafeBufferPointer { src in
        x.data.withUnsafeMutableBufferPointer { dst in
            parallelFor(g.images, cost: g.windowsPerImage * g.rowLength) { images in
                for n in images {
                    col2imImage(src.baseAddress! + n * g.windowsPerImage * g.rowLength, dst.baseAddress! + n * g.imageSize, g)
                }
            }
        }
    }
    return x
}

/// The sizes of a window sliding over an image batch: the input N×C×H×W, the window
/// FH×FW, its stride and padding, and the output OH×OW they give.
struct WindowGeometry {
    let images: Int, channels: Int, height: Int, width: Int
    let filterHeight: Int, filterWidth: Int, stride: Int, padding: Int
    let outputHeight: Int, outputWidth: Int

    init(inputShape s: [Int], filterHeight: Int, filterWidth: Int, stride: Int, padding: Int) {
        (images, channels, height, width) = (s[0], s[1], s[2], s[3])
        (self.filterHeight, self.filterWidth, self.stride, self.padding) = (filterHeight, filterWidth, stride, padding)
        outputHeight = (height + 2 * padding - filterHeight) / stride + 1
        outputWidth = (width + 2 * padding - filterWidth) / stride + 1
    }

    var imageSize: Int { channels * height * width }             // C·H·W
    var windowsPerImage: Int { outputHeight * outputWidth }      // OH·OW
    var rowLength: Int { channels * filterHeight * filterWidth } // C·FH·FW

    /// Window xo's filter column j reads image column xo·stride + shift (shift = j − padding).
    /// That column is inside the image for xo in first..<last; the others are padding.
    func windowsInside(shift: Int) -> (first: Int, last: Int) {
        let first = min(outputWidth, shift >= 0 ? 0 : (-shift + stride - 1) / stride)
        let last = max(first, min(outputWidth, shift >= width ? 0 : (width - 1 - shift) / stride + 1))
        return (first, last)
    }
}

/// im2col of one image: C×H×W at `image` → OH·OW rows of C·FH·FW at `col`.
func im2colImage(_ image: UnsafePointer<Float>, _ col: UnsafeMutablePointer<Float>, _ g: WindowGeometry) {
    let (h, w, fh, fw) = (g.height, g.width, g.filterHeight, g.filterWidth)
    var d = col
    for y in 0..<g.outputHeight {
        for xo in 0..<g.outputWidth {
            let left = xo * g.stride - g.padding
            let rowInside = left >= 0 && left + fw <= w       // no column of this window is padding
            for ch in 0..<g.channels {
                let plane = image + ch * h * w
                for i in 0..<fh {
                    let iy = y * g.stride - g.padding + i
                    if iy < 0 || iy >= h {
                        for j in 0..<fw { d[j] = 0 }
                    } else if rowInside {
                        let src = plane + iy * w + left
                        for j in 0..<fw { d[j] = src[j] }
                    } else {
                        for j in 0..<fw {
                            let ix = left + j
                            d[j] = ix >= 0 && ix < w ? plane[iy * w + ix] : 0
                        }
                    }
                    d += fw
                }
            }
        }
    }
}

/// The same matrix for one image, transposed: (C·FH·FW) × (OH·OW), one row per filter
/// tap (channel, i, j) and one column per window. Convolution's forward uses this layout:
/// W · colᵀ is then the output image itself, and with stride 1 each row is made of
/// whole stretches of the image's rows, which copy fast.
func im2colTransposedImage(_ image: UnsafePointer<Float>, _ colT: UnsafeMutablePointer<Float>, _ g: WindowGeometry) {
    let ow = g.outputWidth
    if g.stride == 1 && g.padding == 0 {
        // The networks' usual case, without the general walk's bookkeeping: the OH rows
        // of filter tap (channel, i, j) are the OH×OW block of that channel's plane whose
        // top-left corner is (i, j).
        var d = colT
        for ch in 0..<g.channels {
            for i in 0..<g.filterHeight {
                for j in 0..<g.filterWidth {
                    let corner = image + (ch * g.height + i) * g.width + j
                    for y in 0..<g.outputHeight {
                        copy(from: corner + y * g.width, to: d, count: ow)
                        d += ow
                    }
                }
            }
        }
        return
    }
    forEachTransposedRow(g) { offset, imageRow, shift, first, last in
        let d = colT + offset
        guard let imageRow else { d.update(repeating: 0, count: ow); return }   // a row of padding
        let row = image + imageRow
        for xo in 0..<first { d[xo] = 0 }
        if g.stride == 1 {
            copy(from: row + shift + first, to: d + first, count: last - first)
        } else {
            for xo in first..<last { d[xo] = row[xo * g.stride + shift] }
        }
        for xo in last..<ow { d[xo] = 0 }
    }
}

/// Copies `count` floats eight at a time. (Left to itself, the compiler copies a short
/// row, such as the 24 of a window row, four floats at a time.) The last few of a row of
/// at least 8 go as the last eight, some copied twice, rather than one by one. Source and
/// destination must not overlap.
@inline(__always)
private func copy(from source: UnsafePointer<Float>, to destination: UnsafeMutablePointer<Float>, count: Int) {
    @inline(__always) func eight(_ i: Int) {
        UnsafeMutableRawPointer(destination + i).storeBytes(of: UnsafeRawPointer(source + i).loadUnaligned(as: SIMD8<Float>.self),
                                                            as: SIMD8<Float>.self)
    }
    var i = 0
    while i + 8 <= count {
        eight(i)
        i += 8
    }
    if i < count && count >= 8 { eight(count - 8); return }
    while i < count { destination[i] = source[i]; i += 1 }
}

/// The adjoint of im2colTransposedImage: adds the (C·FH·FW) × (OH·OW) matrix at `colT`
/// back onto C×H×W at `image`. Convolution's backward uses it for dx; with stride 1 each
/// row adds onto whole stretches of the image's rows, eight or sixteen floats at a time.
func col2imTransposedImage(_ colT: UnsafePointer<Float>, _ image: UnsafeMutablePointer<Float>, _ g: WindowGeometry) {
    forEachTransposedRow(g) { offset, imageRow, shift, first, last in
        guard let imageRow else { return }           // rows of padding collect nothing
        let (s, row) = (colT + offset, image + imageRow)
        if g.stride == 1 {
            let dst = row + shift
            for xo in first..<last { dst[xo] += s[xo] }
        } else {
            for xo in first..<last { row[xo * g.stride + shift] += s[xo] }
        }
    }
}

/// The walk both functions above share: for each row of the transposed matrix, i.e. each
/// filter tap (channel, i, j) and output row y, `body` gets
///
///     offset    where that row of OW windows starts in the matrix
///     imageRow  where the image row it reads starts in C×H×W, or nil for a row of padding
///     shift     window xo reads column xo·stride + shift of that image row
///     first, last  the windows whose column lies inside the image (the rest read padding)
@inline(__always)
private func forEachTransposedRow(_ g: WindowGeometry,
                                  _ body: (_ offset: Int, _ imageRow: Int?, _ shift: Int, _ first: Int, _ last: Int) -> Void) {
    var offset = 0
    for ch in 0..<g.channels {
        for i in 0..<g.filterHeight {
            for j in 0..<g.filterWidth {
                let shift = j - g.padding
                let (first, last) = g.windowsInside(shift: shift)
                for y in 0..<g.outputHeight {
                    let iy = y * g.stride - g.padding + i
                    let inside = iy >= 0 && iy < g.height
                    body(offset, inside ? (ch * g.height + iy) * g.width : nil, shift, first, last)
                    offset += g.outputWidth
                }
            }
        }
    }
}

/// col2im of one image: adds OH·OW rows of C·FH·FW at `col` onto C×H×W at `image`.
func col2imImage(_ col: UnsafePointer<Float>, _ image: UnsafeMutablePointer<Float>, _ g: WindowGeometry) {
    let (h, w, fh, fw) = (g.height, g.width, g.filterHeight, g.filterWidth)
    var s = col
    for y in 0..<g.outputHeight {
        for xo in 0..<g.outputWidth {
            let left = xo * g.stride - g.padding
            for ch in 0..<g.channels {
                let plane = image + ch * h * w
                for i in 0..<fh {
                    let iy = y * g.stride - g.padding + i
                    if iy >= 0 && iy < h {
                        for j in 0..<fw {
                            let ix = left + j
                            if ix >= 0 && ix < w { plane[iy * w + ix] += s[j] }
                        }
                    }
                    s += fw
                }
            }
        }
    }
}
