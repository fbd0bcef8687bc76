/// An n-dimensional array of Float: a shape and contiguous row-major storage.
///
/// A value type, like a numpy array that copies on write: `var b = a; b[0] = 1` leaves
/// `a` alone. Image batches are N×C×H×W, filters FN×C×FH×FW, matrices rows×columns.
public struct Tensor: Equatable, Sendable, CustomStringConvertible {
    public private(set) var shape: [Int]
    /// The elements in row-major order: the last index varies fastest.
    public var data: [Float]

    public init(shape: [Int], data: [Float]) {
        require(shape.allSatisfy { $0 >= 0 }, "Tensor shape \(shape) has a negative size")
        require(
            shape.reduce(1, *) == data.count,
            "Tensor shape \(shape) holds \(shape.reduce(1, *)) elements, but \(data.count) were given")
        self.shape = shape
        self.data = data
    }

    public init(shape: [Int], repeating value: Float = 0) {
        self.init(shape: shape, data: [Float](repeating: value, count: shape.reduce(1, *)))
    }

    public static func zeros(_ shape: [Int]) -> Tensor { Tensor(shape: shape) }

    /// Normally distributed values with the given standard deviation.
    public static func randomNormal(_ shape: [Int], std: Float = 1, rng: inout SeededRandom) -> Tensor {
        let n = shape.reduce(1, *)
        var data = [Float](repeating: 0, count: n)
        for i in 0..<n { data[i] = std * rng.normal() }
        return Tensor(shape: shape, data: data)
    }

    /// Uniform values in [low, high).
    public static func randomUniform(
        _ shape: [Int], _ low: Float, _ high: Float,
        rng: inout SeededRandom
    ) -> Tensor {
        let n = shape.reduce(1, *)
        var data = [Float](repeating: 0, count: n)
        for i in 0..<n { data[i] = rng.uniform(low, high) }
        return Tensor(shape: shape, data: data)
    }

    public var count: Int { data.count }
    public var rank: Int { shape.count }

    /// The same elements seen with another shape. One size may be -1, meaning
    /// "whatever is left", as in numpy's reshape.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        var resolved = newShape
        if let hole = newShape.firstIndex(of: -1) {
            let known = newShape.enumerated().filter { $0.offset != hole }.map(\.element).reduce(1, *)
            require(
                known > 0 && count % known == 0,
                "cannot reshape \(shape) (\(count) elements) to \(newShape)")
            resolved[hole] = count / known
        }
        require(
            resolved.reduce(1, *) == count,
            "cannot reshape \(shape) (\(count) elements) to \(newShape)")
        return Tensor(shape: resolved, data: data)
    }

    /// Gives this tensor the shape `shape`, keeping its storage when the element count is
    /// unchanged. Layers keep their output tensors from step to step this way, so a
    /// training step does not allocate (and fault in) megabytes of fresh memory. The
    /// values are whatever was there before: the caller overwrites every element.
    /// (If someone else still holds the old tensor, writing copies it first, as for any
    /// value type; nobody sees a change they did not make.)
    mutating func reuseStorage(for newShape: [Int]) {
        if data.count == newShape.reduce(1, *) { shape = newShape } else { self = Tensor(shape: newShape) }
    }

    /// Row-major flat index of a multi-index.
    @inline(__always)
    public func offset(_ index: [Int]) -> Int {
        require(index.count == shape.count, "index \(index) does not fit shape \(shape)")
        var flat = 0
        for (i, n) in zip(index, shape) {
            require(i >= 0 && i < n, "index \(index) is outside shape \(shape)")
            flat = flat * n + i
        }
        return flat
    }

    public subscript(_ index: Int...) -> Float {
        get { data[offset(index)] }
        set { data[offset(index)] = newValue }
    }

    /// Items `range` along the first axis (for example a few images of a batch).
    public func slice(_ range: Range<Int>) -> Tensor {
        require(
            rank >= 1 && range.lowerBound >= 0 && range.upperBound <= shape[0],
            "slice \(range) is outside the first axis of \(shape)")
        if range == 0..<shape[0] { return self }  // the whole batch: no copy needed
        let item = count / Swift.max(shape[0], 1)
        var newShape = shape
        newShape[0] = range.count
        return Tensor(shape: newShape, data: Array(data[(range.lowerBound * item)..<(range.upperBound * item)]))
    }

    /// Item `i` along the first axis, with that axis removed (image 3 of N×C×H×W is C×H×W).
    public func item(_ i: Int) -> Tensor {
        let s = slice(i..<(i + 1))
        return s.reshaped(Array(shape.dropFirst()))
    }

    // MARK: Element-wise arithmetic

    public func map(_ f: (Float) -> Float) -> Tensor {
        Tensor(shape: shape, data: data.map(f))
    }

    private static func checkSameShape(_ a: Tensor, _ b: Tensor, _ op: String) {
        require(a.shape == b.shape, "\(op): shapes \(a.shape) and \(b.shape) differ")
    }

    public static func + (a: Tensor, b: Tensor) -> Tensor {
        checkSameShape(a, b, "+")
        var out = a
        for i in 0..<out.count { out.data[i] += b.data[i] }
        return out
    }

    public static func - (a: Tensor, b: Tensor) -> Tensor {
        checkSameShape(a, b, "-")
        var out = a
        for i in 0..<out.count { out.data[i] -= b.data[i] }
        return out
    }

    /// Element-wise (Hadamard) product.
    public static func * (a: Tensor, b: Tensor) -> Tensor {
        checkSameShape(a, b, "*")
        var out = a
        for i in 0..<out.count { out.data[i] *= b.data[i] }
        return out
    }

    public static func * (a: Tensor, s: Float) -> Tensor { a.map { $0 * s } }
    public static func * (s: Float, a: Tensor) -> Tensor { a.map { $0 * s } }
    public static func + (a: Tensor, s: Float) -> Tensor { a.map { $0 + s } }

    public static func += (a: inout Tensor, b: Tensor) {
        checkSameShape(a, b, "+=")
        for i in 0..<a.count { a.data[i] += b.data[i] }
    }

    public func sum() -> Float { data.reduce(0, +) }
    public func mean() -> Float { count == 0 ? 0 : sum() / Float(count) }
    public func max() -> Float { data.max() ?? 0 }
    public func min() -> Float { data.min() ?? 0 }

    /// Largest absolute element-wise difference (for comparing two computations); NaN if
    /// any difference is NaN, so that a NaN is never mistaken for agreement.
    public func maxAbsDifference(_ other: Tensor) -> Float {
        Tensor.checkSameShape(self, other, "maxAbsDifference")
        var worst: Float = 0
        for i in 0..<count {
            let d = abs(data[i] - other.data[i])
            if d.isNaN { return .nan }
            worst = Swift.max(worst, d)
        }
        return worst
    }

    public var description: String { "Tensor\(shape)" }
}
