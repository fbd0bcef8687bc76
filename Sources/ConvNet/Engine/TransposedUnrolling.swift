// The engine's unrolling: im2col for one image at a time, transposed. This file is
// about speed; the book's im2col and col2im (Layers/Im2col.swift) say what is computed.
//
// The book's col is (N·OH·OW) × (C·FH·FW): one row per window. The engine builds one
// image's col_nᵀ instead, (C·FH·FW) × (OH·OW): one row per filter tap. Then
//   - W · col_nᵀ is the image's output FN × OH·OW, already in N×FN×OH×OW order, so no
//     reshape and transpose follow;
//   - with stride 1, each row of col_nᵀ is made of whole stretches of the image's rows,
//     which copy eight floats at a time;
//   - one image's matrix (576×25 for a digit) stays in the cache, where the batch's
//     (57600×25, 5.8 MB) would not.
// The tests hold both functions to the book's im2col and col2im on many shapes.

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

    var imageSize: Int { channels * height * width }  // C·H·W
    var windowsPerImage: Int { outputHeight * outputWidth }  // OH·OW
    var rowLength: Int { channels * filterHeight * filterWidth }  // C·FH·FW

    /// Window xo's filter column j reads image column xo·stride + shift (shift = j − padding).
    /// That column is inside the image for xo in first..<last; the others are padding.
    func windowsInside(shift: Int) -> (first: Int, last: Int) {
        let first = min(outputWidth, shift >= 0 ? 0 : (-shift + stride - 1) / stride)
        let last = max(first, min(outputWidth, shift >= width ? 0 : (width - 1 - shift) / stride + 1))
        return (first, last)
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
        guard let imageRow else {
            d.update(repeating: 0, count: ow)
            return
        }  // a row of padding
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
        UnsafeMutableRawPointer(destination + i).storeBytes(
            of: UnsafeRawPointer(source + i).loadUnaligned(as: SIMD8<Float>.self),
            as: SIMD8<Float>.self)
    }
    var i = 0
    while i + 8 <= count {
        eight(i)
        i += 8
    }
    if i < count && count >= 8 {
        eight(count - 8)
        return
    }
    while i < count {
        destination[i] = source[i]
        i += 1
    }
}

/// destination[i] += source[i] for `count` floats, eight at a time, then one by one.
/// (The compiler cannot tell that the two never overlap, and left to itself checks for
/// that on every row before it uses SIMD.)
@inline(__always)
private func add(from source: UnsafePointer<Float>, to destination: UnsafeMutablePointer<Float>, count: Int) {
    var i = 0
    while i + 8 <= count {
        let sum =
            UnsafeRawPointer(destination + i).loadUnaligned(as: SIMD8<Float>.self)
            + UnsafeRawPointer(source + i).loadUnaligned(as: SIMD8<Float>.self)
        UnsafeMutableRawPointer(destination + i).storeBytes(of: sum, as: SIMD8<Float>.self)
        i += 8
    }
    while i < count {
        destination[i] += source[i]
        i += 1
    }
}

/// The adjoint of im2colTransposedImage: adds the (C·FH·FW) × (OH·OW) matrix at `colT`
/// back onto C×H×W at `image`. Convolution's backward uses it for dx; with stride 1 each
/// row adds onto whole stretches of the image's rows, eight or sixteen floats at a time.
func col2imTransposedImage(_ colT: UnsafePointer<Float>, _ image: UnsafeMutablePointer<Float>, _ g: WindowGeometry) {
    if g.stride == 1 && g.padding == 0 {
        // As in im2colTransposedImage: the OH rows of filter tap (channel, i, j) add onto
        // the OH×OW block of that channel's plane whose top-left corner is (i, j).
        let ow = g.outputWidth
        var s = colT
        for ch in 0..<g.channels {
            for i in 0..<g.filterHeight {
                for j in 0..<g.filterWidth {
                    let corner = image + (ch * g.height + i) * g.width + j
                    for y in 0..<g.outputHeight {
                        add(from: s, to: corner + y * g.width, count: ow)
                        s += ow
                    }
                }
            }
        }
        return
    }
    forEachTransposedRow(g) { offset, imageRow, shift, first, last in
        guard let imageRow else { return }  // rows of padding collect nothing
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
private func forEachTransposedRow(
    _ g: WindowGeometry,
    _ body: (_ offset: Int, _ imageRow: Int?, _ shift: Int, _ first: Int, _ last: Int) -> Void
) {
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

/// Packs one image's windows for the matrix multiply straight from the image, with no
/// im2col matrix in between: op(B)[k0..<k0+kcb, j0..<j0+ncb] of col_nᵀ (one row per filter
/// tap, one column per window) in `FastMatrixMultiply.packB`'s layout, strips of `nr`
/// windows. Building col_nᵀ first and packing it after writes and reads the matrix twice
/// (871 KB an image for Lesson 10's second convolution, more than the L2 cache holds).
/// Stride 1 and no padding only; other convolutions unroll first.
///
/// With stride 1, tap (channel, i, j) of window (y, x) is the image value at
/// tapOffset + y·W + x, where tapOffset = (channel·H + i)·W + j. Sixteen windows in a row
/// are then sixteen neighbouring floats, or two runs of them when the windows wrap onto
/// the next output row: one or two SIMD loads per tap.
struct WindowPacker {
    let g: WindowGeometry
    let tapOffsets: [Int]  // C·FH·FW: where each tap's value for window (0, 0) lies
    let largestTapOffset: Int

    init(_ g: WindowGeometry) {
        precondition(g.stride == 1 && g.padding == 0, "WindowPacker: stride 1 and no padding only")
        self.g = g
        var offsets: [Int] = []
        offsets.reserveCapacity(g.rowLength)
        for ch in 0..<g.channels {
            for i in 0..<g.filterHeight {
                for j in 0..<g.filterWidth { offsets.append((ch * g.height + i) * g.width + j) }
            }
        }
        tapOffsets = offsets
        largestTapOffset = offsets.max() ?? 0
    }

    /// `readable`: how many floats may be read from `image` on (to the end of the batch),
    /// so that a 16-wide load never reads past it.
    func pack(
        _ image: UnsafePointer<Float>, readable: Int, k0: Int, kcb: Int, j0: Int, ncb: Int, nr: Int,
        into out: UnsafeMutablePointer<Float>
    ) {
        typealias V = SIMD16<Float>
        tapOffsets.withUnsafeBufferPointer { taps in
            let taps = taps.baseAddress! + k0
            var strip = out
            var js = 0
            while js < ncb {
                for half in stride(from: 0, to: nr, by: 16) {
                    let w0 = j0 + js + half
                    let s = SixteenWindows(w0, count: min(16, j0 + ncb - w0), g)
                    let d = strip + half
                    if s.isOneRun && largestTapOffset + s.first + 16 <= readable {
                        for p in 0..<kcb {
                            let v = UnsafeRawPointer(image + taps[p] + s.first).loadUnaligned(as: V.self)
                            UnsafeMutableRawPointer(d + p * nr).storeBytes(of: v, as: V.self)
                        }
                    } else if s.isTwoRuns && largestTapOffset + s.second + 16 <= readable {
                        let inFirst = s.firstRunBits
                        for p in 0..<kcb {
                            let a = UnsafeRawPointer(image + taps[p] + s.first).loadUnaligned(as: SIMD16<Int32>.self)
                            let b = UnsafeRawPointer(image + taps[p] + s.second).loadUnaligned(as: SIMD16<Int32>.self)
                            UnsafeMutableRawPointer(d + p * nr).storeBytes(
                                of: (a & inFirst) | (b & ~inFirst), as: SIMD16<Int32>.self)
                        }
                    } else {
                        // The general case (the last windows, narrow images, the batch's end):
                        // one float at a time, zeros past the last window.
                        withUnsafeTemporaryAllocation(of: Int.self, capacity: 16) { place in
                            for l in 0..<s.count { place[l] = s.place(l) }
                            for p in 0..<kcb {
                                let (row, tap) = (d + p * nr, image + taps[p])
                                for l in 0..<s.count { row[l] = tap[place[l]] }
                                for l in s.count..<16 { row[l] = 0 }
                            }
                        }
                    }
                }
                strip += nr * kcb
                js += nr
            }
        }
    }
}

/// Sixteen neighbouring windows w0 ..< w0+16 of a stride-1 convolution without padding,
/// as places in the image plane: window (y, x) of tap 0 reads y·W + x. They lie in one
/// output row, making one run of neighbouring pixels, or wrap onto the next row and
/// make two: lanes 0..<q at `first + l`, lanes q..<16 at `second + l` (the start of the
/// next image row, shifted back by q so the lane number can be added as it is).
struct SixteenWindows {
    let w0: Int
    let count: Int  // how many of the 16 exist (fewer past the last window)
    let q: Int  // how many lie in w0's output row
    let first: Int  // window w0's place
    let second: Int  // lane l ≥ q is at second + l
    let outputWidth: Int, width: Int

    init(_ w0: Int, count: Int, _ g: WindowGeometry) {
        self.w0 = w0
        self.count = max(0, min(count, g.windowsPerImage - w0))
        (outputWidth, width) = (g.outputWidth, g.width)
        let (y0, x0) = (w0 / g.outputWidth, w0 % g.outputWidth)
        q = min(self.count, g.outputWidth - x0)
        first = y0 * g.width + x0
        second = (y0 + 1) * g.width - q
    }

    var isOneRun: Bool { count == 16 && q == 16 }
    /// Two runs of which the second lies wholly in the next output row.
    var isTwoRuns: Bool { count == 16 && 16 - q <= outputWidth }
    /// All ones in the lanes of the first run, zero in the others: a mask to AND onto the
    /// bits of a vector. (Written with SIMDMask and `replacing`, the compiler makes a
    /// branch of each lane.)
    var firstRunBits: SIMD16<Int32> {
        SIMD16<Int32>(repeating: 0).replacing(
            with: -1, where: SIMD16<Int32>(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15) .< Int32(q))
    }
    /// Where lane l (< count) lies, however many rows the windows span.
    func place(_ l: Int) -> Int { (w0 + l) / outputWidth * width + (w0 + l) % outputWidth }
}
