/// ConvolutionBlock's forward for one image, when the convolution has stride 1 and no
/// padding (and Winograd's way does not apply): the convolution turned around, windows ×
/// filters instead of filters × windows, so that pooling needs no shuffling of lanes.
///
///     image: C×H×W  →  (the four windows of each pooling window) × (16 filters) in registers
///                   →  pooled: FN×PH×PW, and each winner's index into FN×OH×OW
///
/// Filters × windows (`EngineConvolution.forwardImages`) puts the windows of a map row
/// side by side in a vector, and 2×2 pooling must then pull even and odd lanes apart
/// for every map row, after writing the maps out and reading them back. Here a register
/// tile is the four windows of one pooling window (top-left, top-right, bottom-left,
/// bottom-right) by 16 filters: each of the four rows of the tile is one window's 16
/// filter outputs, and pooling is a lane-by-lane maximum over the four rows, taken
/// before the tile leaves the registers. The maps are never written. The windows are
/// read straight from the image (each step along K broadcasts one pixel per window),
/// so nothing is unrolled or packed either; the filters are, once per forward, into
/// strips of 16 (zero-padded past the last filter).
///
/// The pooled values come out as (pooling window) × (filter); a last pass turns them
/// over into the FN×PH×PW layout, eight by eight in registers. Every convolution output
/// is summed over k = 0, 1, … with fused multiply-adds, then the bias is added and ReLU
/// taken: for a K of at most 512 (one block of the filters × windows product; the
/// network's is 25), the same order, so the pooled values and winners are the same bits.
struct PooledConvolution {
    let g: WindowGeometry
    let filters: Int
    private let groups: Int  // strips of 16 filters
    private let pooledHeight: Int, pooledWidth: Int

    /// Stride 1, no padding, not Winograd's case, and at least one pooling window.
    static func applies(to g: WindowGeometry) -> Bool {
        g.stride == 1 && g.padding == 0 && !Winograd3x3.applies(to: g) && g.outputHeight >= 2 && g.outputWidth >= 2
    }

    init(_ g: WindowGeometry, filters: Int) {
        (self.g, self.filters, groups) = (g, filters, (filters + 15) / 16)
        (pooledHeight, pooledWidth) = (g.outputHeight / 2, g.outputWidth / 2)
    }

    /// Floats of one thread's scratch: pooled values and winners, (pooling window) × 16·groups each.
    var scratchSize: Int { 2 * pooledHeight * pooledWidth * groups * 16 }

    /// W (FN × K, row-major) in strips of 16 filters: strip s, step k holds
    /// W[16s ..< 16s+16][k], zero past the last filter; then b, zero-padded likewise.
    func pack(weights w: [Float], bias: [Float]) -> [Float] {
        let k = g.rowLength
        var packed = [Float](repeating: 0, count: groups * (k + 1) * 16)
        for f in 0..<filters {
            let (s, j) = f.quotientAndRemainder(dividingBy: 16)
            for p in 0..<k { packed[(s * k + p) * 16 + j] = w[f * k + p] }
            packed[groups * k * 16 + f] = bias[f]
        }
        return packed
    }

    /// Where step k of a window reads, from the window's top-left input: channel c, row
    /// ky, column kx of the filter at c·H·W + ky·W + kx (K = C·FH·FW steps, the order of a
    /// row of W).
    func offsets() -> [Int] {
        var offsets: [Int] = []
        offsets.reserveCapacity(g.rowLength)
        for c in 0..<g.channels {
            for ky in 0..<g.filterHeight {
                for kx in 0..<g.filterWidth { offsets.append((c * g.height + ky) * g.width + kx) }
            }
        }
        return offsets
    }

    /// One image: `pooled` gets its FN×PH×PW maxima of ReLU(conv + bias), `winners` the
    /// index of each maximum in the image's FN×OH×OW maps (the first largest in the order
    /// top-left, top-right, bottom-left, bottom-right, as MaxPooling's).
    /// `packed`: the filters and bias as `pack` leaves them; `offsets`: `offsets()`.
    func forward(
        image: UnsafePointer<Float>, packed weights: UnsafePointer<Float>, offsets: UnsafePointer<Int>,
        pooled: UnsafeMutablePointer<Float>, winners: UnsafeMutablePointer<Int32>, scratch: UnsafeMutablePointer<Float>
    ) {
        typealias V = SIMD16<Float>
        typealias I = SIMD16<Int32>
        let (k, w, ow) = (g.rowLength, g.width, g.outputWidth)
        let mapSize = g.outputHeight * ow
        let rowLength = groups * 16  // of the scratch: one pooling window's filters
        let bias = weights + groups * k * 16
        // The winners' indices are kept in the second half as their bits.
        let (values, places) = (scratch, scratch + pooledHeight * pooledWidth * rowLength)
        @inline(__always) func bits(_ m: SIMDMask<I>) -> I { unsafeBitCast(m, to: I.self) }
        for s in 0..<groups {
            let strip = weights + s * k * 16
            let b = UnsafeRawPointer(bias + s * 16).loadUnaligned(as: V.self)
            // Each lane's filter's first map cell: f·OH·OW.
            var firstCell = I()
            for j in 0..<16 { firstCell[j] = Int32((s * 16 + j) * mapSize) }
            for py in 0..<pooledHeight {
                for px in 0..<pooledWidth {
                    let corner = 2 * py * ow + 2 * px  // the top-left window's cell in a map
                    // The four windows' top-left inputs: top-left, top-right, bottom-left, bottom-right.
                    let p0 = image + 2 * py * w + 2 * px
                    let (p1, p2, p3) = (p0 + 1, p0 + w, p0 + w + 1)
                    var (c0, c1, c2, c3) = (V(), V(), V(), V())
                    var pb = strip
                    for p in 0..<k {
                        let o = offsets[p]
                        let filterStep = UnsafeRawPointer(pb).load(as: V.self)
                        c0 = c0.addingProduct(V(repeating: p0[o]), filterStep)
                        c1 = c1.addingProduct(V(repeating: p1[o]), filterStep)
                        c2 = c2.addingProduct(V(repeating: p2[o]), filterStep)
                        c3 = c3.addingProduct(V(repeating: p3[o]), filterStep)
                        pb += 16
                    }
                    @inline(__always) func relu(_ v: V) -> V {
                        let shifted = v + b
                        return V(repeating: 0).replacing(with: shifted, where: shifted .> 0)
                    }
                    let (a0, a1, a2, a3) = (relu(c0), relu(c1), relu(c2), relu(c3))
                    let topRight = a1 .> a0
                    let bottomRight = a3 .> a2
                    let topBest = a0.replacing(with: a1, where: topRight)
                    let bottomBest = a2.replacing(with: a3, where: bottomRight)
                    // The winner's place in its window: 0 or 1 on top, OW or OW + 1 below.
                    let topCell = I(repeating: 0) &- bits(topRight)
                    let bottomCell = I(repeating: Int32(ow)) &- bits(bottomRight)
                    let down = bottomBest .> topBest
                    let q = (py * pooledWidth + px) * rowLength + s * 16
                    UnsafeMutableRawPointer(values + q).storeBytes(
                        of: topBest.replacing(with: bottomBest, where: down), as: V.self)
                    UnsafeMutableRawPointer(places + q).storeBytes(
                        of: firstCell &+ Int32(corner) &+ topCell.replacing(with: bottomCell, where: down), as: I.self)
                }
            }
        }
        // (pooling window) × (filter) → filter × (pooling window).
        let windows = pooledHeight * pooledWidth
        turnOver(values, rows: windows, columns: filters, rowStride: rowLength, into: pooled)
        winners.withMemoryRebound(to: Float.self, capacity: filters * windows) {
            turnOver(places, rows: windows, columns: filters, rowStride: rowLength, into: $0)
        }
    }

    /// destination[c][r] = source[r][c] for r < rows, c < columns (source rows
    /// `rowStride` apart, at least `columns` rounded up to 8; destination rows `rows`
    /// apart): 8×8 blocks in registers; a last block of fewer than 8 columns through a
    /// small buffer, rows past the last multiple of 8 one at a time. (Winners go through
    /// here as their bits: turning over moves lanes, it does no arithmetic.)
    private func turnOver(
        _ source: UnsafePointer<Float>, rows: Int, columns: Int, rowStride: Int,
        into destination: UnsafeMutablePointer<Float>
    ) {
        let fullRows = rows / 8 * 8
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 64) { block in
            for r in stride(from: 0, to: fullRows, by: 8) {
                for c in stride(from: 0, to: columns, by: 8) {
                    let (from, to) = (source + r * rowStride + c, destination + c * rows + r)
                    if c + 8 <= columns {
                        FastMatrixMultiply.transpose8x8(from: from, rowStride: rowStride, to: to, rows)
                    } else {
                        FastMatrixMultiply.transpose8x8(from: from, rowStride: rowStride, to: block.baseAddress!, 8)
                        for q in 0..<(columns - c) {
                            UnsafeMutableRawPointer(to + q * rows).storeBytes(
                                of: UnsafeRawPointer(block.baseAddress! + 8 * q).loadUnaligned(as: SIMD8<Float>.self),
                                as: SIMD8<Float>.self)
                        }
                    }
                }
            }
        }
        for r in fullRows..<rows {
            for c in 0..<columns { destination[c * rows + r] = source[r * rowStride + c] }
        }
    }
}
