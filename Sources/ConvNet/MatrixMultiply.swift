import Foundation

/// C = op(A) · op(B), or C += op(A) · op(B) when `accumulate` is true.
///
///     op(A): M×K   (A is stored M×K, or K×M when transposeA)
///     op(B): K×N   (B is stored K×N, or N×K when transposeB)
///     C:     M×N
///
/// All three are contiguous and row-major. This is the one routine the layers spend
/// their time in: convolution forward is (N·OH·OW × C·FH·FW) · (C·FH·FW × FN), and each
/// backward is two more products. The fast path lives in FastMatrixMultiply.swift;
/// `naiveMatrixMultiply` below is the plain definition the tests compare it against.
public func matrixMultiply(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ c: UnsafeMutablePointer<Float>,
                           m: Int, n: Int, k: Int,
                           transposeA: Bool = false, transposeB: Bool = false, accumulate: Bool = false,
                           threads: Int = Parallelism.threads) {
    require(m >= 0 && n >= 0 && k >= 0, "matrixMultiply: negative size m=\(m) n=\(n) k=\(k)")
    if m == 0 || n == 0 { return }
    if k == 0 {
        if !accumulate { c.update(repeating: 0, count: m * n) }
        return
    }
    FastMatrixMultiply.run(a, b, c, m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB,
                           accumulate: accumulate, threads: max(1, threads))
}

/// The same on arrays (C is overwritten, or added to when `accumulate`).
public func matrixMultiply(_ a: [Float], _ b: [Float], _ c: inout [Float], m: Int, n: Int, k: Int,
                           transposeA: Bool = false, transposeB: Bool = false, accumulate: Bool = false,
                           threads: Int = Parallelism.threads) {
    require(a.count >= m * k && b.count >= k * n && c.count >= m * n,
                 "matrixMultiply: arrays of \(a.count), \(b.count), \(c.count) are too small for m=\(m) n=\(n) k=\(k)")
    a.withUnsafeBufferPointer { pa in
        b.withUnsafeBufferPointer { pb in
            c.withUnsafeMutableBufferPointer { pc in
                // Empty arrays have no base address; a 1-element dummy stands in (k or m·n is 0 then).
                withUnsafeTemporaryAllocation(of: Float.self, capacity: 1) { dummy in
                    matrixMultiply(pa.baseAddress ?? UnsafePointer(dummy.baseAddress!), pb.baseAddress ?? UnsafePointer(dummy.baseAddress!),
                                   pc.baseAddress ?? dummy.baseAddress!, m: m, n: n, k: k,
                                   transposeA: transposeA, transposeB: transposeB, accumulate: accumulate,
                                   threads: threads)
                }
            }
        }
    }
}

/// The matrix product of two 2-D tensors: op(a) · op(b).
public func matrixMultiply(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false) -> Tensor {
    var c = Tensor(shape: [0])
    matrixMultiply(a, b, into: &c, transposeA: transposeA, transposeB: transposeB)
    return c
}

/// The same, written into `c`, whose storage is reused when it has the right size (the
/// layers keep their outputs and gradients from step to step this way).
public func matrixMultiply(_ a: Tensor, _ b: Tensor, into c: inout Tensor, transposeA: Bool = false, transposeB: Bool = false) {
    require(a.rank == 2 && b.rank == 2, "matrixMultiply needs two matrices, got \(a.shape) and \(b.shape)")
    let (m, k) = transposeA ? (a.shape[1], a.shape[0]) : (a.shape[0], a.shape[1])
    let (k2, n) = transposeB ? (b.shape[1], b.shape[0]) : (b.shape[0], b.shape[1])
    require(k == k2, "matrixMultiply: op(a) is \(m)×\(k) but op(b) is \(k2)×\(n) (a \(a.shape), b \(b.shape))")
    c.reuseStorage(for: [m, n])
    matrixMultiply(a.data, b.data, &c.data, m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB)
}

/// The definition, three loops: C[i][j] (+)= Σ_p op(A)[i][p] · op(B)[p][j].
/// Slow but obviously right; the tests hold the fast version to it. Sums in Double so
/// that it is the more accurate of the two.
public func naiveMatrixMultiply(_ a: [Float], _ b: [Float], m: Int, n: Int, k: Int,
                                transposeA: Bool = false, transposeB: Bool = false) -> [Float] {
    var c = [Float](repeating: 0, count: m * n)
    for i in 0..<m {
        for j in 0..<n {
            var sum = 0.0
            for p in 0..<k {
                let aip = transposeA ? a[p * m + i] : a[i * k + p]
                let bpj = transposeB ? b[j * k + p] : b[p * n + j]
                sum += Double(aip) * Double(bpj)
            }
            c[i * n + j] = Float(sum)
        }
    }
    return c
}
