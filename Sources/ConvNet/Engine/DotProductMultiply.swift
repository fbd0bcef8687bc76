// A second way to multiply, for one shape the packed kernel handles poorly: a small C
// from a long K, with A row-major and B transposed, C (M×N) = A (M×K) · Bᵀ (B: N×K).
//
// Then both operands are read along K where they lie, so each element of C is a dot
// product of two contiguous rows, and nothing needs packing. A convolution's weight
// gradient is this shape, one image at a time: dW (30×25) += dout_n (30×576) · col_n
// (col_nᵀ: 25×576). There the packed kernel spends as long packing 576×25 floats of
// B (a transpose) as multiplying, for a C of only 750 numbers.
//
// The kernel: 6 rows of A against 2 rows of B, 12 SIMD8 accumulators; each step along K
// loads 8 floats of each of the 2 B rows and of the 6 A rows and does 12 fused
// multiply-adds. 12 accumulators + 2 B + 1 A = 15 of the 16 AVX2 registers. At the end
// each accumulator's 8 lanes are added up into one element of C.

extension FastMatrixMultiply {
    /// Whether `run` takes dot products for this product: both operands contiguous
    /// along K, C small enough that the packed path's packing does not pay, and K long
    /// enough that the dot products' final sums are a small part of the work.
    static func usesDotProducts(m: Int, n: Int, k: Int, transposeA: Bool, transposeB: Bool) -> Bool {
        !transposeA && transposeB && m <= 64 && n <= 64 && k >= 64
    }

    /// C (+)= A · Bᵀ, A: M×K and B: N×K, both row-major; on the calling thread.
    static func dotProducts(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
        m: Int, n: Int, k: Int, accumulate: Bool
    ) {
        var i = 0
        while i + 6 <= m {
            var j = 0
            while j + 2 <= n {
                dotTile6x2(a + i * k, b + j * k, c + i * n + j, n: n, k: k, accumulate: accumulate)
                j += 2
            }
            // An odd last column of C.
            if j < n { for r in 0..<6 { store(dot(a + (i + r) * k, b + j * k, k), c + (i + r) * n + j, accumulate) } }
            i += 6
        }
        // The last rows of C, fewer than 6.
        for r in i..<m {
            for j in 0..<n { store(dot(a + r * k, b + j * k, k), c + r * n + j, accumulate) }
        }
    }

    @inline(__always)
    private static func store(_ value: Float, _ c: UnsafeMutablePointer<Float>, _ accumulate: Bool) {
        c.pointee = accumulate ? c.pointee + value : value
    }

    @inline(__always)
    private static func load(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
    }

    /// Six rows of A (at `a`, `k` apart) against two rows of B (at `b`, `k` apart):
    /// the 6×2 block of C at `c` (rows `n` apart).
    private static func dotTile6x2(
        _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
        n: Int, k: Int, accumulate: Bool
    ) {
        let (a0, a1, a2, a3, a4, a5) = (a, a + k, a + 2 * k, a + 3 * k, a + 4 * k, a + 5 * k)
        let (b0, b1) = (b, b + k)
        var (c00, c01, c10, c11, c20, c21) = (
            SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>()
        )
        var (c30, c31, c40, c41, c50, c51) = (
            SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>()
        )
        var p = 0
        while p + 8 <= k {
            let x0 = load(b0 + p)
            let x1 = load(b1 + p)
            var y = load(a0 + p)
            c00 = c00.addingProduct(y, x0)
            c01 = c01.addingProduct(y, x1)
            y = load(a1 + p)
            c10 = c10.addingProduct(y, x0)
            c11 = c11.addingProduct(y, x1)
            y = load(a2 + p)
            c20 = c20.addingProduct(y, x0)
            c21 = c21.addingProduct(y, x1)
            y = load(a3 + p)
            c30 = c30.addingProduct(y, x0)
            c31 = c31.addingProduct(y, x1)
            y = load(a4 + p)
            c40 = c40.addingProduct(y, x0)
            c41 = c41.addingProduct(y, x1)
            y = load(a5 + p)
            c50 = c50.addingProduct(y, x0)
            c51 = c51.addingProduct(y, x1)
            p += 8
        }
        // Each accumulator's lanes added up, then K's last few (fewer than 8) one by one.
        func finish(_ lanes: SIMD8<Float>, _ r: Int, _ s: Int) {
            var total = lanes.sum()
            let (row, column) = (a + r * k, b + s * k)
            for q in p..<k { total += row[q] * column[q] }
            store(total, c + r * n + s, accumulate)
        }
        finish(c00, 0, 0)
        finish(c01, 0, 1)
        finish(c10, 1, 0)
        finish(c11, 1, 1)
        finish(c20, 2, 0)
        finish(c21, 2, 1)
        finish(c30, 3, 0)
        finish(c31, 3, 1)
        finish(c40, 4, 0)
        finish(c41, 4, 1)
        finish(c50, 5, 0)
        finish(c51, 5, 1)
    }

    /// One dot product of length k, with four accumulators so that the additions do
    /// not wait for each other.
    private static func dot(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ k: Int) -> Float {
        var (s0, s1, s2, s3) = (SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>(), SIMD8<Float>())
        var p = 0
        while p + 32 <= k {
            s0 = s0.addingProduct(load(x + p), load(y + p))
            s1 = s1.addingProduct(load(x + p + 8), load(y + p + 8))
            s2 = s2.addingProduct(load(x + p + 16), load(y + p + 16))
            s3 = s3.addingProduct(load(x + p + 24), load(y + p + 24))
            p += 32
        }
        while p + 8 <= k {
            s0 = s0.addingProduct(load(x + p), load(y + p))
            p += 8
        }
        var total = (s0 + s1 + s2 + s3).sum()
        while p < k {
            total += x[p] * y[p]
            p += 1
        }
        return total
    }
}
