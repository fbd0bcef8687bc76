import Testing

@testable import ConvNet

/// The fast matrix multiply equals the three-loop definition on awkward shapes.
@Suite struct MatrixMultiplyTests {
    /// Relative error max|fast − naive| / max|naive|.
    func relativeError(
        m: Int, n: Int, k: Int, transposeA: Bool, transposeB: Bool, accumulate: Bool = false,
        threads: Int = 2
    ) -> Float {
        var rng = SeededRandom(seed: UInt64(m * 1_000_003 + n * 1009 + k))
        let a = (0..<(m * k)).map { _ in rng.uniform(-1, 1) }
        let b = (0..<(k * n)).map { _ in rng.uniform(-1, 1) }
        let start = (0..<(m * n)).map { _ in rng.uniform(-1, 1) }
        var expected = naiveMatrixMultiply(a, b, m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB)
        if accumulate { for i in 0..<expected.count { expected[i] += start[i] } }
        var c = accumulate ? start : [Float](repeating: .nan, count: m * n)
        matrixMultiply(
            a, b, &c, m: m, n: n, k: k, transposeA: transposeA, transposeB: transposeB, accumulate: accumulate,
            threads: threads)
        let scale = max(expected.map(abs).max() ?? 0, 1e-30)
        return worstDifference(c, expected) / scale
    }

    static let shapes: [(Int, Int, Int)] = [
        (1, 1, 1), (1, 17, 1), (1, 1, 300), (23, 1, 5), (37, 53, 29), (6, 16, 256), (7, 17, 257),
        (100, 30, 25), (25, 30, 700), (95, 130, 300), (200, 2100, 40), (13, 9, 3000), (600, 70, 520), (25, 30, 5000),
    ]

    @Test(arguments: shapes)
    func equalsNaive(shape: (Int, Int, Int)) {
        let (m, n, k) = shape
        for ta in [false, true] {
            for tb in [false, true] {
                let error = relativeError(m: m, n: n, k: k, transposeA: ta, transposeB: tb)
                #expect(
                    error <= 1e-5, "m=\(m) n=\(n) k=\(k) transposeA=\(ta) transposeB=\(tb): relative error \(error)")
            }
        }
    }

    @Test(arguments: [(37, 53, 29), (300, 40, 600), (20, 30, 5000)])
    func accumulatesIntoC(shape: (Int, Int, Int)) {
        let (m, n, k) = shape
        #expect(relativeError(m: m, n: n, k: k, transposeA: false, transposeB: true, accumulate: true) <= 1e-5)
        #expect(
            relativeError(m: m, n: n, k: k, transposeA: true, transposeB: false, accumulate: true, threads: 1) <= 1e-5)
    }

    /// The same product with 1 and 2 threads, split by rows and by K.
    @Test func threadCountsAgree() {
        for (m, n, k) in [(300, 40, 600), (20, 30, 5000)] {
            #expect(relativeError(m: m, n: n, k: k, transposeA: false, transposeB: false, threads: 1) <= 1e-5)
            #expect(relativeError(m: m, n: n, k: k, transposeA: false, transposeB: false, threads: 2) <= 1e-5)
        }
    }

    @Test func zeroKGivesZerosOrLeavesC() {
        var c: [Float] = [1, 2, 3, 4]
        matrixMultiply([], [], &c, m: 2, n: 2, k: 0, accumulate: true)
        #expect(c == [1, 2, 3, 4])
        matrixMultiply([], [], &c, m: 2, n: 2, k: 0)
        #expect(c == [0, 0, 0, 0])
    }

    @Test func tensorProduct() {
        let a = Tensor(shape: [2, 3], data: [1, 2, 3, 4, 5, 6])
        let b = Tensor(shape: [3, 2], data: [7, 8, 9, 10, 11, 12])
        #expect(matrixMultiply(a, b).data == [58, 64, 139, 154])
        #expect(matrixMultiply(b, a, transposeA: true, transposeB: true).data == [58, 139, 64, 154])
    }

    /// Aᵀ · B read in place (the book's convolution weight gradient) sums each element of
    /// C in the same order as the packed path, so it gives the same bits: the lessons'
    /// printed numbers do not depend on which path ran.
    @Test(arguments: [(25, 30, 5000), (64, 10, 2000), (7, 17, 257), (1, 1, 300)])
    func readingInPlaceGivesThePackedPathsBits(shape: (Int, Int, Int)) {
        let (m, n, k) = shape
        var rng = SeededRandom(seed: UInt64(m * 7 + n))
        let a = Tensor.randomNormal([k, m], rng: &rng).data  // stored K×M: op(A) = Aᵀ
        let b = Tensor.randomNormal([k, n], rng: &rng).data
        #expect(FastMatrixMultiply.readsInPlace(m: m, n: n, k: k, transposeA: true, transposeB: false))
        var inPlace = [Float](repeating: .nan, count: m * n)
        var packed = [Float](repeating: .nan, count: m * n)
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                FastMatrixMultiply.inPlace(
                    a.baseAddress!, b.baseAddress!, &inPlace, m: m, n: n, k: k, kRange: 0..<k, accumulate: false)
                // The packed path, through the entry that takes a packing closure.
                FastMatrixMultiply.serial(
                    a.baseAddress!, &packed, rows: 0..<m, columns: 0..<n, m: m, n: n, k: k, kRange: 0..<k,
                    transposeA: true, accumulate: false, nr: 16
                ) { k0, kcb, j0, ncb, into in
                    FastMatrixMultiply.packB(
                        b.baseAddress!, into: into, k0: k0, kcb: kcb, j0: j0, ncb: ncb, n: n, k: k, transposed: false,
                        nr: 16)
                }
            }
        }
        #expect(inPlace == packed)
    }
}
