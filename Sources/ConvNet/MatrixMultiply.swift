import Foundation

/// The matrix product of two matrices: op(a) · op(b), where op transposes its matrix
/// when asked.
///
///     op(a): M×K,  op(b): K×N  →  M×N
///
/// This is the one routine the layers spend their time in: a convolution's forward is
/// (N·OH·OW × C·FH·FW) · (C·FH·FW × FN), and its backward two more products. It runs on
/// the engine's fast multiply (Engine/FastMatrixMultiply.swift); `naiveMatrixMultiply`
/// below is the plain definition the tests hold it to.
public func matrixMultiply(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false) -> Tensor {
    var c = Tensor(shape: [0])
    matrixMultiply(a, b, into: &c, transposeA: transposeA, transposeB: transposeB)
    return c
}

/// The definition, three loops: C[i][j] (+)= Σ_p op(A)[i][p] · op(B)[p][j].
/// Slow but obviously right; the tests hold the fast version to it. Sums in Double so
/// that it is the more accurate of the two.
package func naiveMatrixMultiply(
    _ a: [Float], _ b: [Float], m: Int, n: Int, k: Int,
    transposeA: Bool = false, transposeB: Bool = false
) -> [Float] {
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
