// The engine's ways into the fast matrix multiply: on raw pointers (the engine's layers
// multiply one image's rows in place), on arrays, and into a tensor whose storage is
// kept from step to step. The book layers use the Tensor-level `matrixMultiply`
// (MatrixMultiply.swift), which returns a fresh tensor.

/// C = op(A) · op(B), or C += op(A) · op(B) when `accumulate` is true.
///
///     op(A): M×K   (A is stored M×K, or K×M when transposeA)
///     op(B): K×N   (B is stored K×N, or N×K when transposeB)
///     C:     M×N
///
/// All three are contiguous and row-major. This is the one routine the layers spend
/// their time in: convolution forward is (N·OH·OW × C·FH·FW) · (C·FH·FW × FN), and each
/// backward is two more products. The fast path lives in FastMatrixMultiply.swift;
/// `naiveMatrixMultiply` (MatrixMultiply.swift) is the plain definition the tests compare it against.
package func matrixMultiply(
    _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
    m: Int, n: Int, k: Int,
    transposeA: Bool = false, transposeB: Bool = false, accumulate: Bool = false,
    threads: Int = Parallelism.threads
) {
    require(m >= 0 && n >= 0 && k >= 0, "matrixMultiply: negative size m=\(m) n=\(n) k=\(k)")
    if m == 0 || n == 0 { return }
    if k == 0 {
        if !accumulate { c.update(repeating: 0, count: m * n) }
        return
    }
    FastMatrixMultiply.run(
        a, b, c, m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB,
        accumulate: accumulate, threads: max(1, threads))
}

/// The same on arrays (C is overwritten, or added to when `accumulate`).
package func matrixMultiply(
    _ a: [Float], _ b: [Float], _ c: inout [Float], m: Int, n: Int, k: Int,
    transposeA: Bool = false, transposeB: Bool = false, accumulate: Bool = false,
    threads: Int = Parallelism.threads
) {
    require(
        a.count >= m * k && b.count >= k * n && c.count >= m * n,
        "matrixMultiply: arrays of \(a.count), \(b.count), \(c.count) are too small for m=\(m) n=\(n) k=\(k)")
    a.withUnsafeBufferPointer { pa in
        b.withUnsafeBufferPointer { pb in
            c.withUnsafeMutableBufferPointer { pc in
                // Empty arrays have no base address; a 1-element dummy stands in (k or m·n is 0 then).
                withUnsafeTemporaryAllocation(of: Float.self, capacity: 1) { dummy in
                    matrixMultiply(
                        pa.baseAddress ?? UnsafePointer(dummy.baseAddress!),
                        pb.baseAddress ?? UnsafePointer(dummy.baseAddress!),
                        pc.baseAddress ?? dummy.baseAddress!, m: m, n: n, k: k,
                        transposeA: transposeA, transposeB: transposeB, accumulate: accumulate,
                        threads: threads)
                }
            }
        }
    }
}

/// The same, written into `c`, whose storage is reused when it has the right size (the
/// layers keep their outputs and gradients from step to step this way).
package func matrixMultiply(
    _ a: Tensor, _ b: Tensor, into c: inout Tensor, transposeA: Bool = false, transposeB: Bool = false
) {
    require(a.rank == 2 && b.rank == 2, "matrixMultiply needs two matrices, got \(a.shape) and \(b.shape)")
    let (m, k) = transposeA ? (a.shape[1], a.shape[0]) : (a.shape[0], a.shape[1])
    let (k2, n) = transposeB ? (b.shape[1], b.shape[0]) : (b.shape[0], b.shape[1])
    require(k == k2, "matrixMultiply: op(a) is \(m)×\(k) but op(b) is \(k2)×\(n) (a \(a.shape), b \(b.shape))")
    c.reuseStorage(for: [m, n])
    matrixMultiply(a.data, b.data, &c.data, m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB)
}
