// A 3×3 convolution with stride 1 and no padding, by Winograd's minimal filtering
// F(2×2, 3×3): fewer multiplications for the same sums. This file is about speed; the
// book's Convolution (Layers/) says what is computed, and the tests hold both equal.
//
// Direct, each 2×2 block of an output plane costs 4 · 9 = 36 multiply-adds per input
// channel. Winograd's way takes the 4×4 input tile under that block and the 3×3 filter
// into a space where the convolution becomes 16 elementwise products:
//
//     U = G · g · Gᵀ          the filter g (3×3) → 4×4, once per step for each (f, c)
//     V = Bᵀ · d · B          the input tile d (4×4) → 4×4, once per (c, tile)
//     M = Σ_c U ⊙ V           for each of the 16 positions ξ a matrix product:
//                             M_ξ (FN × tiles) = U_ξ (FN × C) · V_ξ (C × tiles)
//     Y = Aᵀ · M · A          → the 2×2 output block
//
//     G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1]   Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1]
//     Aᵀ = [1 1 1 0; 0 1 −1 −1]
//
// 16 products in place of 36: 2.25 times fewer multiply-adds, at the price of the
// transforms (additions only) and rounding that differs in the last bits. Lesson 10's
// second convolution (50 filters of 50×3×3 on 24×24) spends most of a training step in
// this product.

/// The filters of one 3×3 convolution, transformed (U), ready for any number of images.
struct Winograd3x3 {
    let channels: Int, filters: Int
    let height: Int, width: Int  // the input plane
    let outputHeight: Int, outputWidth: Int
    let tilesY: Int, tilesX: Int
    var tiles: Int { tilesY * tilesX }
    /// U, 16 × FN × C: for position ξ, a row-major FN × C matrix.
    let transformedFilters: [Float]

    static func applies(to g: WindowGeometry) -> Bool {
        g.filterHeight == 3 && g.filterWidth == 3 && g.stride == 1 && g.padding == 0
            && g.outputHeight >= 1 && g.outputWidth >= 1
    }

    /// `weights`: FN × C × 3 × 3. Without them, only the weight gradient can be computed.
    init(_ g: WindowGeometry, weights: UnsafePointer<Float>?, filters: Int) {
        (channels, self.filters, height, width) = (g.channels, filters, g.height, g.width)
        (outputHeight, outputWidth) = (g.outputHeight, g.outputWidth)
        (tilesY, tilesX) = ((g.outputHeight + 1) / 2, (g.outputWidth + 1) / 2)
        guard let weights else {
            transformedFilters = []
            return
        }
        var u = [Float](repeating: 0, count: 16 * filters * g.channels)
        let pairs = filters * g.channels
        for pair in 0..<pairs {
            let w = weights + pair * 9  // g: 3×3, row-major
            // G · g: 4×3
            var gg = [Float](repeating: 0, count: 12)
            for j in 0..<3 {
                let (a, b, c) = (w[j], w[3 + j], w[6 + j])
                gg[j] = a
                gg[3 + j] = 0.5 * (a + b + c)
                gg[6 + j] = 0.5 * (a - b + c)
                gg[9 + j] = c
            }
            // (G · g) · Gᵀ: 4×4
            for i in 0..<4 {
                let (a, b, c) = (gg[i * 3], gg[i * 3 + 1], gg[i * 3 + 2])
                let row = [a, 0.5 * (a + b + c), 0.5 * (a - b + c), c]
                for j in 0..<4 { u[(i * 4 + j) * pairs + pair] = row[j] }
            }
        }
        transformedFilters = u
    }

    /// Room one image needs: V (16 × C × tiles) and M (16 × FN × tiles).
    var scratchSize: Int { 16 * tiles * (channels + filters) }

    /// out (FN × OH × OW) = the convolution of `image` (C × H × W), without the bias.
    func forward(
        _ image: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>
    ) {
        let (c, fn, tiles) = (channels, filters, tiles)
        let v = scratch
        let m = scratch + 16 * c * tiles
        transformInput(image, into: v)
        // M_ξ = U_ξ · V_ξ, 16 products of FN × C by C × tiles.
        transformedFilters.withUnsafeBufferPointer { u in
            for xi in 0..<16 {
                matrixMultiply(
                    u.baseAddress! + xi * fn * c, v + xi * c * tiles, m + xi * fn * tiles, m: fn, n: tiles, k: c,
                    threads: 1)
            }
        }
        // Y = Aᵀ · M · A, each tile's 2×2 block into its place; eight tiles at a time
        // where their blocks lie wholly inside the output plane.
        let groups = tileGroups()
        let planeSize = outputHeight * outputWidth
        for f in 0..<fn {
            let o = out + f * planeSize
            for ty in 0..<tilesY {
                var done = 0
                if 2 * ty + 2 <= outputHeight && !groups.isEmpty && 2 * (tilesX - 8) + 16 <= outputWidth {
                    for tx0 in groups {
                        outputTiles8(m + f * tiles + ty * tilesX + tx0, fn * tiles, o + 2 * ty * outputWidth + 2 * tx0)
                    }
                    done = tilesX
                }
                for tx in done..<tilesX { outputTile(m + f * tiles + ty * tilesX + tx, fn * tiles, o, ty, tx) }
            }
        }
    }

    /// V = Bᵀ · d · B for every channel and tile of `image` (C × H × W), into `v`
    /// (16 × C × tiles); pixels past the plane read as 0. Eight neighbouring tiles at a
    /// time where they lie wholly inside the plane: a row of their 4×4 tiles is two
    /// 16-float loads, split into even and odd columns.
    func transformInput(_ image: UnsafePointer<Float>, into v: UnsafeMutablePointer<Float>) {
        let (c, tiles) = (channels, tiles)
        let groups = tileGroups()
        for ch in 0..<c {
            let plane = image + ch * height * width
            for ty in 0..<tilesY {
                var done = 0  // tiles of this row transformed eight at a time: 0..<done
                if 2 * ty + 4 <= height {
                    for tx0 in groups {
                        inputTiles8(plane + 2 * ty * width + 2 * tx0, v + ch * tiles + ty * tilesX + tx0, c * tiles)
                    }
                    done = groups.isEmpty ? 0 : tilesX
                }
                for tx in done..<tilesX { inputTile(plane, ty, tx, v + ch * tiles + ty * tilesX + tx, c * tiles) }
            }
        }
    }

    /// Where the groups of eight tiles of a row start: 0, 8, 16, … and, for the last few,
    /// tilesX − 8 (some tiles are done twice, with the same result), so that every tile
    /// of the row is in a group. Empty when a group's loads would reach past the row.
    func tileGroups() -> [Int] {
        guard tilesX >= 8, 2 * (tilesX - 8) + 18 <= width else { return [] }
        var starts = Array(stride(from: 0, through: tilesX - 8, by: 8))
        if starts.last != tilesX - 8 { starts.append(tilesX - 8) }
        return starts
    }

    /// V for eight neighbouring tiles whose 4×4 pixels start at `pixels` (rows `width`
    /// apart): 16 vectors of 8, position ξ at v + ξ·`positionStride`.
    @inline(__always)
    private func inputTiles8(_ pixels: UnsafePointer<Float>, _ v: UnsafeMutablePointer<Float>, _ positionStride: Int) {
        typealias V = SIMD8<Float>
        // Row r of the eight tiles: columns 0 and 1 from the even and odd lanes of the
        // 16 floats at 2·tx, columns 2 and 3 from those at 2·tx + 2.
        @inline(__always) func row(_ r: Int) -> (V, V, V, V) {
            let p = UnsafeRawPointer(pixels + r * width)
            let a = p.loadUnaligned(as: SIMD16<Float>.self)
            let b = p.loadUnaligned(fromByteOffset: 8, as: SIMD16<Float>.self)
            return (a.evenHalf, a.oddHalf, b.evenHalf, b.oddHalf)
        }
        let (d0, d1, d2, d3) = (row(0), row(1), row(2), row(3))
        @inline(__always) func columns(_ r: (V, V, V, V), _ i: Int) {
            // (a row of Bᵀ·d) · B
            @inline(__always) func put(_ j: Int, _ x: V) {
                UnsafeMutableRawPointer(v + (i * 4 + j) * positionStride).storeBytes(of: x, as: V.self)
            }
            put(0, r.0 - r.2)
            put(1, r.1 + r.2)
            put(2, r.2 - r.1)
            put(3, r.1 - r.3)
        }
        // Bᵀ · d, row by row
        columns((d0.0 - d2.0, d0.1 - d2.1, d0.2 - d2.2, d0.3 - d2.3), 0)
        columns((d1.0 + d2.0, d1.1 + d2.1, d1.2 + d2.2, d1.3 + d2.3), 1)
        columns((d2.0 - d1.0, d2.1 - d1.1, d2.2 - d1.2, d2.3 - d1.3), 2)
        columns((d1.0 - d3.0, d1.1 - d3.1, d1.2 - d3.2, d1.3 - d3.3), 3)
    }

    /// V for one tile, pixels past the plane read as 0.
    private func inputTile(
        _ plane: UnsafePointer<Float>, _ ty: Int, _ tx: Int, _ v: UnsafeMutablePointer<Float>, _ positionStride: Int
    ) {
        let (y0, x0) = (2 * ty, 2 * tx)
        func row(_ r: Int) -> SIMD4<Float> {
            var s = SIMD4<Float>()
            guard y0 + r < height else { return s }
            for j in 0..<4 where x0 + j < width { s[j] = plane[(y0 + r) * width + x0 + j] }
            return s
        }
        let (d0, d1, d2, d3) = (row(0), row(1), row(2), row(3))
        for (i, r) in [d0 - d2, d1 + d2, d2 - d1, d1 - d3].enumerated() {
            v[(i * 4) * positionStride] = r[0] - r[2]
            v[(i * 4 + 1) * positionStride] = r[1] + r[2]
            v[(i * 4 + 2) * positionStride] = r[2] - r[1]
            v[(i * 4 + 3) * positionStride] = r[1] - r[3]
        }
    }

    /// Y for eight neighbouring tiles: M's 16 positions at m + ξ·`positionStride` (8 tiles
    /// each), their 2×4… output: two rows of 16 at `o` and `o + outputWidth`.
    @inline(__always)
    private func outputTiles8(_ m: UnsafePointer<Float>, _ positionStride: Int, _ o: UnsafeMutablePointer<Float>) {
        typealias V = SIMD8<Float>
        @inline(__always) func at(_ i: Int, _ j: Int) -> V {
            UnsafeRawPointer(m + (i * 4 + j) * positionStride).loadUnaligned(as: V.self)
        }
        // Aᵀ · M: two rows of four
        var r0 = (V(), V(), V(), V())
        var r1 = (V(), V(), V(), V())
        r0.0 = at(0, 0) + at(1, 0) + at(2, 0)
        r0.1 = at(0, 1) + at(1, 1) + at(2, 1)
        r0.2 = at(0, 2) + at(1, 2) + at(2, 2)
        r0.3 = at(0, 3) + at(1, 3) + at(2, 3)
        r1.0 = at(1, 0) - at(2, 0) - at(3, 0)
        r1.1 = at(1, 1) - at(2, 1) - at(3, 1)
        r1.2 = at(1, 2) - at(2, 2) - at(3, 2)
        r1.3 = at(1, 3) - at(2, 3) - at(3, 3)
        // · A, and the two columns of each block interleaved into the output row
        @inline(__always) func put(_ row: Int, _ r: (V, V, V, V)) {
            let left = r.0 + r.1 + r.2
            let right = r.1 - r.2 - r.3
            let both = SIMD16<Float>(
                left[0], right[0], left[1], right[1], left[2], right[2], left[3], right[3],
                left[4], right[4], left[5], right[5], left[6], right[6], left[7], right[7])
            UnsafeMutableRawPointer(o + row * outputWidth).storeBytes(of: both, as: SIMD16<Float>.self)
        }
        put(0, r0)
        put(1, r1)
    }

    /// Y for one tile, the parts of its 2×2 block inside the output plane.
    private func outputTile(
        _ m: UnsafePointer<Float>, _ positionStride: Int, _ o: UnsafeMutablePointer<Float>, _ ty: Int, _ tx: Int
    ) {
        func mrow(_ i: Int) -> SIMD4<Float> {
            SIMD4(
                m[(i * 4) * positionStride], m[(i * 4 + 1) * positionStride], m[(i * 4 + 2) * positionStride],
                m[(i * 4 + 3) * positionStride])
        }
        let (m0, m1, m2, m3) = (mrow(0), mrow(1), mrow(2), mrow(3))
        let r0 = m0 + m1 + m2  // Aᵀ · M: 2 rows of 4
        let r1 = m1 - m2 - m3
        let (y, x) = (2 * ty, 2 * tx)
        o[y * outputWidth + x] = r0[0] + r0[1] + r0[2]
        if x + 1 < outputWidth { o[y * outputWidth + x + 1] = r0[1] - r0[2] - r0[3] }
        if y + 1 < outputHeight {
            o[(y + 1) * outputWidth + x] = r1[0] + r1[1] + r1[2]
            if x + 1 < outputWidth { o[(y + 1) * outputWidth + x + 1] = r1[1] - r1[2] - r1[3] }
        }
    }
}

// The weight gradient by Winograd's F(3×3, 2×2): dW[f, c] is the input plane x_c
// correlated with dout_f, a 3×3 result, which each 2×2 block of dout_f and the 4×4 input
// tile under it contribute to. The same 16 positions, now with dout in the filter's
// role (one input tile per 2×2 block of dout, as forward has):
//
//     U = G' · g · G'ᵀ     g: a 2×2 block of dout_f            G' = [1 0; ½ ½; ½ −½; 0 1]
//     V = B'ᵀ · d · B'     d: the 4×4 input tile (forward's V, last row and column negated)
//     M = Σ_n Σ_tiles U ⊙ V        for each ξ a product FN × tiles by tiles × C
//     dW[f, c] = A'ᵀ · M · A'      A'ᵀ = [1 1 1 0; 0 1 −1 0; 0 1 1 1]
//
// B'ᵀ differs from forward's Bᵀ only in the sign of its last row, so forward's V serves,
// with the signs moved onto U. 16 multiply-adds a block and (f, c) where the direct way
// takes 4 · 9: for Lesson 10's second convolution, 4.8 million an image against 10.9.
extension Winograd3x3 {
    /// Room one thread needs: V (16 × C × tiles), U (16 × FN × tiles), M (16 × FN × C).
    var weightGradientScratchSize: Int { 16 * (tiles * (channels + filters) + filters * channels) }

    /// M (16 × FN × C, at `m`) += the products of one image, `image` (C × H × W) and its
    /// `dout` (FN × OH × OW). `scratch`: room for V and U.
    func accumulateWeightGradient(
        _ image: UnsafePointer<Float>, _ dout: UnsafePointer<Float>, into m: UnsafeMutablePointer<Float>,
        scratch: UnsafeMutablePointer<Float>
    ) {
        let (c, fn, tiles) = (channels, filters, tiles)
        let v = scratch
        let u = scratch + 16 * c * tiles
        transformInput(image, into: v)
        transformGradient(dout, into: u)
        for xi in 0..<16 {
            // M_ξ (FN × C) += U_ξ (FN × tiles) · V_ξᵀ (V_ξ: C × tiles). The packed kernel,
            // not dot products: with K only the number of tiles (121), the dot products'
            // final sums would cost as much as the products.
            FastMatrixMultiply.serial(
                u + xi * fn * tiles, v + xi * c * tiles, m + xi * fn * c, rows: 0..<fn, columns: 0..<c, m: fn, n: c,
                k: tiles, kRange: 0..<tiles, transposeA: false, transposeB: true, accumulate: true,
                nr: FastMatrixMultiply.widestTile)
        }
    }

    /// U = G' · g · G'ᵀ for each filter's 2×2 blocks of `dout` (zero past the plane),
    /// with the last row and column negated (see above), into `u` (16 × FN × tiles).
    private func transformGradient(_ dout: UnsafePointer<Float>, into u: UnsafeMutablePointer<Float>) {
        let (fn, tiles) = (filters, tiles)
        let stride = fn * tiles  // from one ξ to the next
        let groups = tileGroups()
        let eightAtATime = !groups.isEmpty && 2 * (tilesX - 8) + 16 <= outputWidth
        for f in 0..<fn {
            let plane = dout + f * outputHeight * outputWidth
            for ty in 0..<tilesY {
                let at = u + f * tiles + ty * tilesX
                var done = 0
                if eightAtATime && 2 * ty + 2 <= outputHeight {
                    for tx0 in groups {
                        // The two rows of eight blocks: even lanes the left column, odd the right.
                        let top = UnsafeRawPointer(plane + 2 * ty * outputWidth + 2 * tx0)
                            .loadUnaligned(as: SIMD16<Float>.self)
                        let bottom = UnsafeRawPointer(plane + (2 * ty + 1) * outputWidth + 2 * tx0)
                            .loadUnaligned(as: SIMD16<Float>.self)
                        transformBlocks(
                            (top.evenHalf, top.oddHalf), (bottom.evenHalf, bottom.oddHalf), at + tx0, stride)
                    }
                    done = tilesX
                }
                for tx in done..<tilesX {
                    let (y, x) = (2 * ty, 2 * tx)
                    @inline(__always) func g(_ dy: Int, _ dx: Int) -> SIMD8<Float> {
                        y + dy < outputHeight && x + dx < outputWidth
                            ? SIMD8(repeating: plane[(y + dy) * outputWidth + x + dx]) : SIMD8()
                    }
                    // Lane 0 only: the same code as eight blocks, one block wide.
                    withUnsafeTemporaryAllocation(of: Float.self, capacity: 16 * 8) { block in
                        transformBlocks((g(0, 0), g(0, 1)), (g(1, 0), g(1, 1)), block.baseAddress!, 8)
                        for xi in 0..<16 { at[xi * stride + tx] = block[xi * 8] }
                    }
                }
            }
        }
    }

    /// U for eight blocks at once: `g0` and `g1` their top and bottom rows (left, right),
    /// eight blocks to a vector; position ξ stored at u + ξ·`stride`.
    @inline(__always)
    private func transformBlocks(
        _ g0: (SIMD8<Float>, SIMD8<Float>), _ g1: (SIMD8<Float>, SIMD8<Float>), _ u: UnsafeMutablePointer<Float>,
        _ stride: Int
    ) {
        typealias V = SIMD8<Float>
        let half = V(repeating: 0.5)
        @inline(__always) func put(_ i: Int, _ a: V, _ b: V, _ sign: V) {
            // (a row of G'·g) · G'ᵀ, the last column negated, and the row by `sign`
            @inline(__always) func store(_ j: Int, _ x: V) {
                UnsafeMutableRawPointer(u + (i * 4 + j) * stride).storeBytes(of: x, as: V.self)
            }
            store(0, sign * a)
            store(1, sign * half * (a + b))
            store(2, sign * half * (a - b))
            store(3, -sign * b)
        }
        let one = V(repeating: 1)
        put(0, g0.0, g0.1, one)
        put(1, half * (g0.0 + g1.0), half * (g0.1 + g1.1), one)
        put(2, half * (g0.0 - g1.0), half * (g0.1 - g1.1), one)
        put(3, g1.0, g1.1, -one)
    }

    /// dW from M (16 × FN × C): A'ᵀ · M · A' for each (f, c), the 3×3 taps of filter f's
    /// channel c written at dW + f·`filterStride` + c·9.
    func weightGradient(from m: UnsafePointer<Float>, into dW: UnsafeMutablePointer<Float>, filterStride: Int) {
        let (fn, c) = (filters, channels)
        for f in 0..<fn {
            for ch in 0..<c {
                let base = m + f * c + ch
                @inline(__always) func row(_ i: Int) -> SIMD4<Float> {
                    let s = fn * c
                    return SIMD4(base[(i * 4) * s], base[(i * 4 + 1) * s], base[(i * 4 + 2) * s], base[(i * 4 + 3) * s])
                }
                let (m0, m1, m2, m3) = (row(0), row(1), row(2), row(3))
                let out = dW + f * filterStride + ch * 9
                for (i, t) in [m0 + m1 + m2, m1 - m2, m1 + m2 + m3].enumerated() {  // A'ᵀ · M
                    out[i * 3] = t[0] + t[1] + t[2]
                    out[i * 3 + 1] = t[1] - t[2]
                    out[i * 3 + 2] = t[1] + t[2] + t[3]
                }
            }
        }
    }
}

// ∂L/∂x of a 3×3 convolution with stride 1 and no padding is itself one: dout padded by 2
// on every side, convolved with the filters turned by 180° and with their two channel
// dimensions swapped (C filters of FN channels). Forward's way computes it, with no dcol
// and no col2im.
extension Winograd3x3 {
    /// The convolution that gives dx for the convolution `g` with `weights` (FN × C × 3 × 3):
    /// its input is dout padded (FN × (OH+4) × (OW+4)), its output dx (C × H × W).
    init(inputGradientOf g: WindowGeometry, weights: UnsafePointer<Float>, filters fn: Int) {
        let c = g.channels
        var turned = [Float](repeating: 0, count: c * fn * 9)  // C × FN × 3 × 3
        for f in 0..<fn {
            for ch in 0..<c {
                for t in 0..<9 { turned[(ch * fn + f) * 9 + t] = weights[(f * c + ch) * 9 + (8 - t)] }
            }
        }
        let padded = WindowGeometry(
            inputShape: [1, fn, g.outputHeight + 4, g.outputWidth + 4], filterHeight: 3, filterWidth: 3, stride: 1,
            padding: 0)
        self = turned.withUnsafeBufferPointer { Winograd3x3(padded, weights: $0.baseAddress!, filters: c) }
    }

    /// Room one image needs: dout padded, and the transforms'.
    var inputGradientScratchSize: Int { channels * height * width + scratchSize }

    /// dx_n (C × H × W) from dout_n (FN × OH × OW), for a Winograd3x3 made by
    /// `init(inputGradientOf:weights:filters:)`.
    func inputGradient(
        _ dout: UnsafePointer<Float>, into dx: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>
    ) {
        // Its input planes are dout's, with a border of two zeros.
        let (oh, ow) = (height - 4, width - 4)
        let padded = scratch
        for f in 0..<channels {
            let plane = padded + f * height * width
            plane.update(repeating: 0, count: 2 * width)
            for y in 0..<oh {
                let row = plane + (y + 2) * width
                row.update(repeating: 0, count: 2)
                (row + 2).update(from: dout + (f * oh + y) * ow, count: ow)
                (row + 2 + ow).update(repeating: 0, count: 2)
            }
            (plane + (oh + 2) * width).update(repeating: 0, count: 2 * width)
        }
        forward(padded, into: dx, scratch: scratch + channels * height * width)
    }
}
