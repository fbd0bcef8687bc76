// The fast matrix multiply. This file is about speed, not about neural networks: read
// `naiveMatrixMultiply` in MatrixMultiply.swift for what it computes. The tests check
// that both agree on many shapes, including ones that are not multiples of the tiles.
//
// The idea (the "Goto" or BLIS scheme), from the inside out:
//
// 1. Micro-kernel. A 6×16 block of C is kept in six SIMD16<Float> accumulators (12 of
//    the 16 vector registers of AVX2, each SIMD16 being two 8-wide halves) while we walk
//    along K: each step loads 16 floats of B, broadcasts 6 floats of A, and does 12
//    fused multiply-adds. 12 accumulators + 2 halves of B + 1 broadcast = 15 registers,
//    so nothing spills to memory, and 12 independent FMAs per step hide the FMA latency.
//    A processor with AVX-512 has 32 registers of 16 floats, and `wideMicroKernel` keeps
//    a 6×32 block in 12 of them: twice the work per instruction. The rest of the file
//    only needs to know the tile's width, `nr`. A C whose row count is not a multiple of
//    6 also takes tiles of 5 rows (`fiveRowMicroKernel`), so that no tile works on rows
//    past the edge: 50 rows are five tiles of 6 and four of 5, not nine of 6. Likewise
//    a last tile at most 8 columns wide (an Affine layer's 100 columns are six tiles of
//    16 and one of 4, or three of 32 and one of 4) takes `narrowMicroKernel`, 8-wide, at
//    half the cost of a 16-wide tile, and with 32-wide tiles a last one of 9–16 columns
//    takes the 16-wide `microKernel`.
// 2. Packing. The kernel wants B's 16 columns next to each other in memory, step after
//    step, so we copy ("pack") a KC×NC panel of B into 16-wide strips, padding the edge
//    with zeros. From A it needs only one number per row and step, broadcast to a whole
//    register, and a broadcast reads memory as fast from 6 separate rows as from one
//    packed strip: so a row-major A is read where it lies, and only a transposed A (its
//    6 values of a step contiguous, its rows not) is packed into 6-tall strips. Skipping
//    that copy matters for the many small products of a convolution (one image's
//    30×576 gradient times its 576×25 windows: packing A took longer than the
//    arithmetic). Packing B also turns a transposed B into the same layout, so the
//    kernel never needs to know about transposes.
// 3. Blocking for the caches. KC = 512 steps along K per block. A 16-wide packed B strip
//    is then 32 KB and stays in the L1 cache while all A tiles stream past it (a 32-wide
//    one, 64 KB, is read from L2 as fast as the AVX-512 kernel needs it). The MC×KC block
//    of A (96×512 floats, 192 KB) stays in L2. Each packed value is then reused many
//    times from a fast cache. A longer block also means fewer passes over C, each of
//    which loads and stores all of it (KC 512 against 256: square 1024 about 3 % faster
//    on the AMD EPYC). K is cut into blocks of equal length, so a K of 576 makes two of
//    288, not 512 and 64. Both tile widths cut K the same way, so each element of C is
//    the same chain of multiply-adds, and gives the same bits, on AVX2 and AVX-512.
// 4. Threads. The work is split in one of three ways, and each makes every thread go
//    over one operand in full: splitting the rows of C, every thread packs all of op(B)
//    (K×N); splitting the columns, every thread reads (and, if transposed, packs) all of
//    op(A) (M×K); splitting K, nobody repeats anything, but the partial products (M×N
//    each) must be added up afterwards. We take the way whose
//    repeated work is smallest: rows for the weight gradient of an Affine layer (4320×100
//    from 100×100 pieces), columns for its dx (100×4320), K for its forward (100×100 from
//    a K of 4320) and for a convolution's weight gradient (25×30 from a K of 57600).
//
// One shape skips all this: a small C from a long K with both operands contiguous along
// K (a convolution's weight gradient, one image at a time) is a set of dot products, and
// DotProductMultiply.swift computes it without packing.

enum FastMatrixMultiply {
    static let mr = 6  // rows of the register tile of C
    /// Columns of the register tile: 16 (one SIMD16: two AVX2 registers, or four NEON ones),
    /// or 32 (two 16-wide AVX-512 registers) on a processor that has AVX-512.
    #if CONVNET_HASWELL_CODE
        // Built as AVX2 code (Package.swift): SIMD32 would be four 8-wide registers, and a
        // 6×32 tile would need 24 of AVX2's 16.
        static let widestTile = 16
    #else
        static let widestTile = CPU.hasAVX512 ? 32 : 16
    #endif
    static let mc = 96, nc = 2048
    /// Steps along K per block, whatever the tile's width (note 3).
    static let kc = 512

    /// Products smaller than this (in multiply-adds) run on one thread: starting threads
    /// costs more than it saves.
    static let parallelThreshold = 2_000_000

    /// `nr` is the width of the register tile: 16, or 32 with AVX-512 (the tests try both).
    static func run(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
        m: Int, n: Int, k: Int, transposeA: Bool, transposeB: Bool, accumulate: Bool, threads: Int,
        nr: Int = widestTile
    ) {
        let work = m * n * k
        if threads <= 1 || work < parallelThreshold {
            if usesDotProducts(m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB) {
                dotProducts(a, b, c, m: m, n: n, k: k, accumulate: accumulate)
                return
            }
            serial(
                a, b, c, rows: 0..<m, columns: 0..<n, m: m, n: n, k: k, kRange: 0..<k,
                transposeA: transposeA, transposeB: transposeB, accumulate: accumulate, nr: nr)
            return
        }
        // What each split repeats (see note 4 above); a split needs a tile per thread.
        let rowsCost = m >= threads * mr ? k * n : Int.max
        let columnsCost = n >= threads * nr ? m * k : Int.max
        let kCost = k >= threads * 16 ? m * n : Int.max
        if rowsCost <= columnsCost && rowsCost <= kCost && rowsCost < Int.max {
            // Split the rows of C; round the split to whole micro-tiles.
            let tiles = (m + mr - 1) / mr
            WorkerPool.shared.run(parts: threads) { t in
                let lo = min(m, tiles * t / threads * mr)
                let hi = min(m, tiles * (t + 1) / threads * mr)
                if lo < hi {
                    serial(
                        a, b, c, rows: lo..<hi, columns: 0..<n, m: m, n: n, k: k, kRange: 0..<k,
                        transposeA: transposeA, transposeB: transposeB, accumulate: accumulate, nr: nr)
                }
            }
        } else if columnsCost <= kCost && columnsCost < Int.max {
            let tiles = (n + nr - 1) / nr
            WorkerPool.shared.run(parts: threads) { t in
                let lo = min(n, tiles * t / threads * nr)
                let hi = min(n, tiles * (t + 1) / threads * nr)
                if lo < hi {
                    serial(
                        a, b, c, rows: 0..<m, columns: lo..<hi, m: m, n: n, k: k, kRange: 0..<k,
                        transposeA: transposeA, transposeB: transposeB, accumulate: accumulate, nr: nr)
                }
            }
        } else if kCost < Int.max {
            // Split K. Thread 0 writes into C; the others into scratch that is added
            // afterwards (in a fixed order, so results do not depend on timing).
            let partials = UnsafeMutablePointer<Float>.allocate(capacity: (threads - 1) * m * n)
            defer { partials.deallocate() }
            WorkerPool.shared.run(parts: threads) { t in
                let lo = k * t / threads
                let hi = k * (t + 1) / threads
                let target = t == 0 ? c : partials + (t - 1) * m * n
                serial(
                    a, b, target, rows: 0..<m, columns: 0..<n, m: m, n: n, k: k, kRange: lo..<hi,
                    transposeA: transposeA, transposeB: transposeB, accumulate: t == 0 ? accumulate : false, nr: nr)
            }
            for t in 1..<threads {
                let part = partials + (t - 1) * m * n
                for i in 0..<(m * n) { c[i] += part[i] }
            }
        } else {
            serial(
                a, b, c, rows: 0..<m, columns: 0..<n, m: m, n: n, k: k, kRange: 0..<k,
                transposeA: transposeA, transposeB: transposeB, accumulate: accumulate, nr: nr)
        }
    }

    /// One thread's share: rows `rows` and columns `columns` of C, over the products in
    /// `kRange` of K.
    static func serial(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
        rows: Range<Int>, columns: Range<Int>, m: Int, n: Int, k: Int, kRange: Range<Int>,
        transposeA: Bool, transposeB: Bool, accumulate: Bool, nr: Int
    ) {
        if nr == 16 && rows == 0..<m && columns == 0..<n
            && readsInPlace(m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB)
        {
            inPlace(a, b, c, m: m, n: n, k: k, kRange: kRange, accumulate: accumulate)
            return
        }
        serial(
            a, c, rows: rows, columns: columns, m: m, n: n, k: k, kRange: kRange, transposeA: transposeA,
            accumulate: accumulate, nr: nr
        ) { k0, kcb, j0, ncb, packed in
            packB(b, into: packed, k0: k0, kcb: kcb, j0: j0, ncb: ncb, n: n, k: k, transposed: transposeB, nr: nr)
        }
    }

    /// The same, with op(B) given by what packs it: `packB(k0, kcb, j0, ncb, into)` writes
    /// op(B)[k0..<k0+kcb, j0..<j0+ncb] in `packB`'s layout (strips `nr` wide). A
    /// convolution packs its windows straight from the image this way, with no im2col
    /// matrix in between (`WindowPacker.pack`).
    static func serial(
        _ a: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
        rows: Range<Int>, columns: Range<Int>, m: Int, n: Int, k: Int, kRange: Range<Int>,
        transposeA: Bool, accumulate: Bool, nr: Int,
        packB: (_ k0: Int, _ kcb: Int, _ j0: Int, _ ncb: Int, _ into: UnsafeMutablePointer<Float>) -> Void
    ) {
        if kRange.isEmpty {
            if !accumulate {
                for i in rows { (c + i * n + columns.lowerBound).update(repeating: 0, count: columns.count) }
            }
            return
        }
        // A row-major A is read where it lies (note 2); only a transposed one is packed.
        let packsA = transposeA
        let kcMax = kBlock(kRange.count)
        let packedB = UnsafeMutableRawPointer.allocate(byteCount: kcMax * roundUp(min(n, nc), nr) * 4, alignment: 64)
            .bindMemory(to: Float.self, capacity: kcMax * roundUp(min(n, nc), nr))
        // (+ 8: packA's 8-wide stores may write two floats past the last strip.)
        let packedASize = packsA ? roundUp(mc, mr) * kcMax + 8 : 0
        let packedA = UnsafeMutableRawPointer.allocate(byteCount: packedASize * 4, alignment: 64)
            .bindMemory(to: Float.self, capacity: packedASize)
        defer {
            packedA.deallocate()
            packedB.deallocate()
        }

        var jc = columns.lowerBound
        while jc < columns.upperBound {
            let ncb = min(nc, columns.upperBound - jc)
            var pc = kRange.lowerBound
            while pc < kRange.upperBound {
                let kcb = min(kcMax, kRange.upperBound - pc)
                let overwrite = pc == kRange.lowerBound && !accumulate
                packB(pc, kcb, jc, ncb, packedB)
                var ic = rows.lowerBound
                while ic < rows.upperBound {
                    let mcb = min(mc, rows.upperBound - ic)
                    if packsA {
                        packA(a, into: packedA, i0: ic, mcb: mcb, k0: pc, kcb: kcb, m: m, k: k)
                    }
                    // Macro-kernel: every 6×16 tile of this block of C.
                    let wide = nr == 32
                    // A row-major A read in place may be cut into tiles of 5 rows as well as
                    // 6, so that no tile computes rows past the edge (50 rows: five tiles of
                    // 6 and four of 5, not nine of 6, the last one two-thirds waste).
                    let fiveRowRows = packsA || wide ? 0 : fiveRowTiles(mcb) * 5
                    var jr = 0
                    while jr < ncb {
                        let cols = min(nr, ncb - jr)
                        var ir = 0
                        while ir < mcb {
                            let tileHeight = ir < fiveRowRows ? 5 : mr
                            let rowsHere = min(tileHeight, mcb - ir)
                            // The tile's rows of A: in a packed strip (6 values per step along
                            // K), or in A itself (row i + r at (i + r)·k, one value per step).
                            let (tileA, rowStride, step) =
                                packsA
                                ? (UnsafePointer(packedA + ir * kcb), 1, mr)
                                : (a + (ic + ir) * k + pc, k, 1)
                            if cols <= 8 {
                                // The last few columns (an Affine layer's 100 = 6 × 16 + 4, or
                                // 3 × 32 + 4): an 8-wide tile's work, not a whole one's.
                                narrowMicroKernel(
                                    kcb, tileA, rowStride, step, packedB + jr * kcb,
                                    c + (ic + ir) * n + jc + jr, n, rowsHere, cols, overwrite, bStep: nr)
                            } else if tileHeight == 5 {
                                fiveRowMicroKernel(
                                    kcb, tileA, rowStride, step, packedB + jr * kcb,
                                    c + (ic + ir) * n + jc + jr, n, cols, overwrite)
                            } else if wide && cols > 16 {
                                wideMicroKernel(
                                    kcb, tileA, rowStride, step, packedB + jr * kcb,
                                    c + (ic + ir) * n + jc + jr, n, rowsHere, cols, overwrite)
                            } else {
                                // A 16-wide tile, or the last 9–16 columns of 32-wide strips.
                                microKernel(
                                    kcb, tileA, rowStride, step, packedB + jr * kcb,
                                    c + (ic + ir) * n + jc + jr, n, rowsHere, cols, overwrite, bStep: nr)
                            }
                            ir += tileHeight
                        }
                        jr += nr
                    }
                    ic += mcb
                }
                pc += kcb
            }
            jc += ncb
        }
    }

    /// Whether `serial` reads both operands where they lie (`inPlace`): a small C from a
    /// long K with A stored K×M and B stored K×N, the book's convolution weight gradient
    /// colᵀ · dout (25×30 from a K of 57600). Packing would copy all of A and B once for
    /// a C of 750 numbers; read in place, row k of A gives the tile's 5 or 6 broadcasts
    /// and row k of B its 16 columns.
    static func readsInPlace(m: Int, n: Int, k: Int, transposeA: Bool, transposeB: Bool) -> Bool {
        transposeA && !transposeB && m <= 64 && n <= 64 && k >= 256
    }

    /// C (+)= Aᵀ · B over `kRange` of K, A stored K×M and B stored K×N, neither packed: K
    /// in the blocks `serial` would make (A's and B's rows of a block stay in the L2 cache
    /// while every tile of C passes over them, and each element of C is summed in the same
    /// order, to the same bits), each tile read by the micro-kernel with B's rows `n`
    /// floats apart. A 16-wide load of B's last columns reads past the row; in the block
    /// that ends at B's very last row it would read past B itself, so that one strip of
    /// that block is copied out first, padded with zeros.
    static func inPlace(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
        m: Int, n: Int, k: Int, kRange: Range<Int>, accumulate: Bool
    ) {
        if !accumulate { c.update(repeating: 0, count: m * n) }
        let fiveRowRows = fiveRowTiles(m) * 5
        let kcMax = kBlock(kRange.count)
        let lastStrip = UnsafeMutablePointer<Float>.allocate(capacity: kcMax * 16)
        defer { lastStrip.deallocate() }
        var k0 = kRange.lowerBound
        while k0 < kRange.upperBound {
            let kcb = min(kcMax, kRange.upperBound - k0)
            var jr = 0
            while jr < n {
                let cols = min(16, n - jr)
                var (tileB, bStep) = (b + k0 * n + jr, n)
                if k0 + kcb == k && jr + 16 > n {
                    for p in 0..<kcb {
                        for j in 0..<16 { lastStrip[p * 16 + j] = j < cols ? tileB[p * n + j] : 0 }
                    }
                    (tileB, bStep) = (UnsafePointer(lastStrip), 16)
                }
                var ir = 0
                while ir < m {
                    let tileHeight = ir < fiveRowRows ? 5 : mr
                    let (tileA, tileC) = (a + k0 * m + ir, c + ir * n + jr)
                    if tileHeight == 5 {
                        fiveRowMicroKernel(kcb, tileA, 1, m, tileB, tileC, n, cols, false, bStep: bStep)
                    } else {
                        microKernel(kcb, tileA, 1, m, tileB, tileC, n, min(mr, m - ir), cols, false, bStep: bStep)
                    }
                    ir += tileHeight
                }
                jr += 16
            }
            k0 += kcb
        }
    }

    /// The length of the blocks K is cut into: equal blocks, none longer than kc (note 3).
    /// `inPlace` and both tile widths cut the same way, so all sum each element in the
    /// same order.
    static func kBlock(_ count: Int) -> Int {
        let blocks = (count + kc - 1) / kc
        return (count + blocks - 1) / blocks
    }

    /// How many 5-row tiles make the rest of `rows` a whole number of 6-row tiles: rows
    /// = 6a + 5b with b < 6, which every count of rows from 20 on allows. 0 if none do.
    static func fiveRowTiles(_ rows: Int) -> Int {
        let b = (6 - rows % 6) % 6
        return 5 * b <= rows ? b : 0
    }

    @inline(__always) static func roundUp(_ x: Int, _ to: Int) -> Int { (x + to - 1) / to * to }

    /// Packs op(B)[k0..<k0+kcb, j0..<j0+ncb] into strips 16 columns wide: strip s holds,
    /// for each p, the 16 values op(B)[k0+p][j0+16s ..< j0+16s+16], zero-padded.
    static func packB(
        _ b: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, k0: Int, kcb: Int,
        j0: Int, ncb: Int, n: Int, k: Int, transposed: Bool, nr: Int
    ) {
        var dst = out
        var js = 0
        while js < ncb {
            let cols = min(nr, ncb - js)
            if !transposed {
                for p in 0..<kcb {
                    // Row k0+p of B, columns j0+js ..< j0+js+cols: contiguous.
                    let src = b + (k0 + p) * n + j0 + js
                    if cols == nr {
                        for j in stride(from: 0, to: nr, by: 16) {
                            UnsafeMutableRawPointer(dst + j).storeBytes(
                                of: UnsafeRawPointer(src + j).loadUnaligned(as: SIMD16<Float>.self),
                                as: SIMD16<Float>.self)
                        }
                    } else {
                        for j in 0..<cols { dst[j] = src[j] }
                        for j in cols..<nr { dst[j] = 0 }
                    }
                    dst += nr
                }
            } else {
                // B is stored N×K: op(B)[p][j] = B[j][p]. Column j of the strip is row
                // j0+js+j of B. A whole strip goes as 8×8 blocks turned over in registers
                // (eight rows of B read along p, eight rows of the strip written); the
                // rest, and an edge strip, one float at a time: read row j of B along p
                // (contiguous) and write every nr-th float of the strip, which is small
                // enough to stay in the L1 cache.
                var first = 0
                if cols == nr {
                    first = kcb / 8 * 8
                    for p in stride(from: 0, to: first, by: 8) {
                        for j in stride(from: 0, to: nr, by: 8) {
                            transpose8x8(from: b + (j0 + js + j) * k + k0 + p, rowStride: k, to: dst + p * nr + j, nr)
                        }
                    }
                }
                for j in 0..<nr {
                    var d = dst + first * nr + j
                    if j < cols {
                        let src = b + (j0 + js + j) * k + k0
                        for p in first..<kcb {
                            d.pointee = src[p]
                            d += nr
                        }
                    } else {
                        for _ in 0..<kcb {
                            d.pointee = 0
                            d += nr
                        }
                    }
                }
                dst += nr * kcb
            }
            js += nr
        }
    }

    /// Writes the 8×8 block at `source` (rows `rowStride` apart) turned over into the
    /// block at `destination` (rows `destinationStride` apart): destination[q][r] =
    /// source[r][q]. Three rounds of "pair row i with row i+4, deal their lanes out
    /// alternately": each round moves one bit of the row number into the lane number, so
    /// after three every lane has moved to its row's place, with the rows and lanes in
    /// bit-reversed order, which the loads and stores below undo.
    @inline(__always)
    static func transpose8x8(
        from source: UnsafePointer<Float>, rowStride: Int, to destination: UnsafeMutablePointer<Float>,
        _ destinationStride: Int
    ) {
        typealias V = SIMD8<Float>
        @inline(__always) func row(_ r: Int) -> V { UnsafeRawPointer(source + r * rowStride).loadUnaligned(as: V.self) }
        var r = (row(0), row(4), row(2), row(6), row(1), row(5), row(3), row(7))  // bit-reversed order
        @inline(__always) func deal(_ a: V, _ b: V) -> (V, V) {
            let both = SIMD16(lowHalf: a, highHalf: b)
            return (both.evenHalf, both.oddHalf)
        }
        for _ in 0..<3 {
            let (n0, n1) = deal(r.0, r.4)
            let (n2, n3) = deal(r.1, r.5)
            let (n4, n5) = deal(r.2, r.6)
            let (n6, n7) = deal(r.3, r.7)
            r = (n0, n1, n2, n3, n4, n5, n6, n7)
        }
        @inline(__always) func put(_ q: Int, _ v: V) {
            UnsafeMutableRawPointer(destination + q * destinationStride).storeBytes(of: v, as: V.self)
        }
        put(0, r.0)
        put(4, r.1)
        put(2, r.2)
        put(6, r.3)
        put(1, r.4)
        put(5, r.5)
        put(3, r.6)
        put(7, r.7)
    }

    /// Packs op(A)[i0..<i0+mcb, k0..<k0+kcb] of a transposed A (stored K×M) into strips
    /// 6 rows tall: strip s holds, for each p, the 6 values op(A)[i0+6s ..< i0+6s+6][k0+p],
    /// zero-padded. (A row-major A needs no packing: see note 2.)
    static func packA(
        _ a: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, i0: Int, mcb: Int,
        k0: Int, kcb: Int, m: Int, k: Int
    ) {
        var dst = out
        var rowStart = 0
        while rowStart < mcb {
            let rows = min(mr, mcb - rowStart)
            if rows == mr && i0 + rowStart + 8 <= m {
                // Eight floats moved for the six: the two extra land where the next step's
                // six go (written next), or after the last step on the next strip's first
                // two (written when that strip is packed) or in the slack `serial` leaves
                // after the buffer. One 8-wide load and store instead of six of one float
                // (an Affine layer's weight gradient packs 4320×100 floats a product).
                for p in 0..<kcb {
                    let src = a + (k0 + p) * m + i0 + rowStart
                    UnsafeMutableRawPointer(dst + p * mr).storeBytes(
                        of: UnsafeRawPointer(src).loadUnaligned(as: SIMD8<Float>.self), as: SIMD8<Float>.self)
                }
            } else {
                for p in 0..<kcb {
                    let src = a + (k0 + p) * m + i0 + rowStart
                    let d = dst + p * mr
                    for r in 0..<rows { d[r] = src[r] }
                    for r in rows..<mr { d[r] = 0 }
                }
            }
            dst += mr * kcb
            rowStart += mr
        }
    }

    /// C[0..<rows, 0..<16] (+)= A tile (6×kc) · packed B strip (kc×16): the 6×16 tile in
    /// six SIMD16<Float> accumulators, one per row of C.
    ///
    /// Row r of the A tile, step p, is `a[r·rowStride + p·step]`: a packed strip has
    /// rowStride 1 and step 6, a row-major A read in place rowStride k and step 1. Rows past
    /// `rows` (at the bottom edge of C) read the last real row again; `finish` drops them.
    ///
    /// Why one 16-wide vector a row rather than two 8-wide ones: it is the same 12 AVX2
    /// registers (each SIMD16 is two of them), but written as two separate 8-wide halves
    /// the compiler loads all six broadcasts of a step before the FMAs that use them, runs
    /// out of the 16 registers and keeps four accumulators on the stack (half the speed,
    /// seen in the disassembly). A 16-wide row keeps each broadcast next to its two FMAs.
    @inline(__always)
    static func microKernel(
        _ kc: Int, _ a: UnsafePointer<Float>, _ rowStride: Int, _ step: Int,
        _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>, _ ldc: Int,
        _ rows: Int, _ cols: Int, _ overwrite: Bool, bStep: Int = 16
    ) {
        typealias V = SIMD16<Float>
        var c0 = V()
        var c1 = V()
        var c2 = V()
        var c3 = V()
        var c4 = V()
        var c5 = V()
        let (a0, a1, a2, a3, a4, a5) = tileRows(a, rowStride, rows)
        var p = 0
        var pb = UnsafeRawPointer(b)
        for _ in 0..<kc {
            let b0 = pb.loadUnaligned(as: V.self)  // 16 floats of B
            c0 = c0.addingProduct(V(repeating: a0[p]), b0)  // one value of A, broadcast
            c1 = c1.addingProduct(V(repeating: a1[p]), b0)
            c2 = c2.addingProduct(V(repeating: a2[p]), b0)
            c3 = c3.addingProduct(V(repeating: a3[p]), b0)
            c4 = c4.addingProduct(V(repeating: a4[p]), b0)
            c5 = c5.addingProduct(V(repeating: a5[p]), b0)
            p &+= step
            pb += bStep &* 4
        }
        finish((c0, c1, c2, c3, c4, c5), c, ldc, rows, cols, overwrite)
    }

    /// `microKernel` for a tile of 5 full rows: five accumulators, and no sixth row
    /// computed only to be dropped.
    @inline(__always)
    static func fiveRowMicroKernel(
        _ kc: Int, _ a: UnsafePointer<Float>, _ rowStride: Int, _ step: Int,
        _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ cols: Int, _ overwrite: Bool,
        bStep: Int = 16
    ) {
        typealias V = SIMD16<Float>
        var c0 = V()
        var c1 = V()
        var c2 = V()
        var c3 = V()
        var c4 = V()
        let (a0, a1, a2, a3, a4, _) = tileRows(a, rowStride, 5)
        var p = 0
        var pb = UnsafeRawPointer(b)
        for _ in 0..<kc {
            let b0 = pb.loadUnaligned(as: V.self)
            c0 = c0.addingProduct(V(repeating: a0[p]), b0)
            c1 = c1.addingProduct(V(repeating: a1[p]), b0)
            c2 = c2.addingProduct(V(repeating: a2[p]), b0)
            c3 = c3.addingProduct(V(repeating: a3[p]), b0)
            c4 = c4.addingProduct(V(repeating: a4[p]), b0)
            p &+= step
            pb += bStep &* 4
        }
        finish((c0, c1, c2, c3, c4, c4), c, ldc, 5, cols, overwrite)
    }

    /// `microKernel` for a tile at most 8 columns wide: six 8-wide accumulators, so the
    /// columns past the edge cost half as much as in a 16-wide tile (a quarter of a 32-wide
    /// one). B's strip is still `bStep` wide (packed that way), of which the first 8 floats
    /// of each step are read.
    @inline(__always)
    static func narrowMicroKernel(
        _ kc: Int, _ a: UnsafePointer<Float>, _ rowStride: Int, _ step: Int,
        _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>, _ ldc: Int,
        _ rows: Int, _ cols: Int, _ overwrite: Bool, bStep: Int = 16
    ) {
        typealias V = SIMD8<Float>
        var (c0, c1, c2, c3, c4, c5) = (V(), V(), V(), V(), V(), V())
        let (a0, a1, a2, a3, a4, a5) = tileRows(a, rowStride, rows)
        var p = 0
        var pb = UnsafeRawPointer(b)
        for _ in 0..<kc {
            let b0 = pb.loadUnaligned(as: V.self)
            c0 = c0.addingProduct(V(repeating: a0[p]), b0)
            c1 = c1.addingProduct(V(repeating: a1[p]), b0)
            c2 = c2.addingProduct(V(repeating: a2[p]), b0)
            c3 = c3.addingProduct(V(repeating: a3[p]), b0)
            c4 = c4.addingProduct(V(repeating: a4[p]), b0)
            c5 = c5.addingProduct(V(repeating: a5[p]), b0)
            p &+= step
            pb += bStep &* 4
        }
        @inline(__always) func put(_ row: Int, _ v: V) {
            guard row < rows else { return }
            let dst = c + row * ldc
            for j in 0..<cols { dst[j] = overwrite ? v[j] : dst[j] + v[j] }
        }
        put(0, c0)
        put(1, c1)
        put(2, c2)
        put(3, c3)
        put(4, c4)
        put(5, c5)
    }

    /// Where the six rows of an A tile start. Rows past `rows` (at the bottom edge of C)
    /// point at the last real row again: they compute values that `finish` then drops.
    @inline(__always)
    static func tileRows(_ a: UnsafePointer<Float>, _ rowStride: Int, _ rows: Int)
        -> (
            UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>,
            UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>
        )
    {
        let last = rows - 1
        return (
            a, a + min(1, last) * rowStride, a + min(2, last) * rowStride,
            a + min(3, last) * rowStride, a + min(4, last) * rowStride, a + min(5, last) * rowStride
        )
    }

    /// The AVX-512 kernel: a 6×32 tile, two SIMD16<Float> accumulators a row (12 of the 32
    /// registers), so each broadcast feeds two FMAs. Otherwise as `microKernel`; the two
    /// 16-wide halves of the tile are written by `finish` one after the other.
    @inline(__always)
    static func wideMicroKernel(
        _ kc: Int, _ a: UnsafePointer<Float>, _ rowStride: Int, _ step: Int,
        _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>, _ ldc: Int,
        _ rows: Int, _ cols: Int, _ overwrite: Bool
    ) {
        typealias V = SIMD16<Float>
        var c00 = V()
        var c01 = V()
        var c10 = V()
        var c11 = V()
        var c20 = V()
        var c21 = V()
        var c30 = V()
        var c31 = V()
        var c40 = V()
        var c41 = V()
        var c50 = V()
        var c51 = V()
        let size = MemoryLayout<V>.size  // bytes of one vector: the second one's offset
        let (a0, a1, a2, a3, a4, a5) = tileRows(a, rowStride, rows)
        var p = 0
        var pb = UnsafeRawPointer(b)
        for _ in 0..<kc {
            let b0 = pb.load(as: V.self)
            let b1 = pb.load(fromByteOffset: size, as: V.self)
            var x = V(repeating: a0[p])
            c00 = c00.addingProduct(x, b0)
            c01 = c01.addingProduct(x, b1)
            x = V(repeating: a1[p])
            c10 = c10.addingProduct(x, b0)
            c11 = c11.addingProduct(x, b1)
            x = V(repeating: a2[p])
            c20 = c20.addingProduct(x, b0)
            c21 = c21.addingProduct(x, b1)
            x = V(repeating: a3[p])
            c30 = c30.addingProduct(x, b0)
            c31 = c31.addingProduct(x, b1)
            x = V(repeating: a4[p])
            c40 = c40.addingProduct(x, b0)
            c41 = c41.addingProduct(x, b1)
            x = V(repeating: a5[p])
            c50 = c50.addingProduct(x, b0)
            c51 = c51.addingProduct(x, b1)
            p &+= step
            pb += 2 * size
        }
        finish((c00, c10, c20, c30, c40, c50), c, ldc, rows, min(cols, 16), overwrite)
        if cols > 16 { finish((c01, c11, c21, c31, c41, c51), c + 16, ldc, rows, cols - 16, overwrite) }
    }

    /// Six (or five) 16-wide rows of a tile into C: added (or stored) straight from the registers
    /// for a whole 6×16 tile; for an edge tile spilled to a scratch tile on the stack
    /// first, and only the part that lies inside C written.
    @inline(__always)
    static func finish(
        _ r: (SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>),
        _ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ rows: Int, _ cols: Int, _ overwrite: Bool
    ) {
        typealias V = SIMD16<Float>
        if rows >= 5 && cols == 16 {
            @inline(__always) func put(_ row: Int, _ v: V) {
                let p = UnsafeMutableRawPointer(c + row * ldc)
                p.storeBytes(of: overwrite ? v : p.loadUnaligned(as: V.self) + v, as: V.self)
            }
            put(0, r.0)
            put(1, r.1)
            put(2, r.2)
            put(3, r.3)
            put(4, r.4)
            if rows == 6 { put(5, r.5) }
        } else {
            withUnsafeTemporaryAllocation(of: V.self, capacity: 6) { tile in
                tile[0] = r.0
                tile[1] = r.1
                tile[2] = r.2
                tile[3] = r.3
                tile[4] = r.4
                tile[5] = r.5
                let t = UnsafeRawPointer(tile.baseAddress!).assumingMemoryBound(to: Float.self)
                for row in 0..<rows {
                    let src = t + row * 16
                    let dst = c + row * ldc
                    if overwrite {
                        for j in 0..<cols { dst[j] = src[j] }
                    } else {
                        for j in 0..<cols { dst[j] += src[j] }
                    }
                }
            }
        }
    }
}
