/// The few whole-tensor operations the book's layers are written with, numpy's way:
/// `transposed` is `x.transpose(…)`, `sumOfRows` is `x.sum(axis=0)`, `addToEveryRow`
/// is broadcasting `x += b`.
extension Tensor {
    /// The axes put in a new order: axis i of the result is axis `axes[i]` of this tensor,
    /// as numpy's `transpose`. For example `x.transposed(0, 2, 3, 1)` turns N×C×H×W into
    /// N×H×W×C. The elements are copied into the new order. Up to four axes.
    public func transposed(_ axes: Int...) -> Tensor {
        require(
            rank <= 4 && axes.sorted() == Array(0..<rank), "transposed\(axes) is not an order of the axes of \(shape)")
        // How far apart neighbours along each axis lie in `data` (row-major: the last axis is 1).
        var strides = [Int](repeating: 1, count: rank)
        for axis in stride(from: rank - 2, through: 0, by: -1) { strides[axis] = strides[axis + 1] * shape[axis + 1] }
        // The result's axes, each with its size and the step it takes through `data`;
        // padded in front with axes of size 1 to make four.
        let padding = 4 - rank
        let size = Array(repeating: 1, count: padding) + axes.map { shape[$0] }
        let step = Array(repeating: 0, count: padding) + axes.map { strides[$0] }
        let (s0, s1, s2, s3) = (step[0], step[1], step[2], step[3])
        var out = [Float](repeating: 0, count: count)
        var i = 0
        for a in 0..<size[0] {
            for b in 0..<size[1] {
                for c in 0..<size[2] {
                    for d in 0..<size[3] {
                        out[i] = data[a * s0 + b * s1 + c * s2 + d * s3]
                        i += 1
                    }
                }
            }
        }
        return Tensor(shape: size.suffix(rank).map { $0 }, data: out)
    }

    /// The sum of the rows of a matrix: R×C → C (numpy's `x.sum(axis=0)`).
    public func sumOfRows() -> Tensor {
        require(rank == 2, "sumOfRows needs a matrix, got \(shape)")
        let (rows, columns, x) = (shape[0], shape[1], data)
        var sum = [Float](repeating: 0, count: columns)
        for i in 0..<rows {
            for j in 0..<columns { sum[j] += x[i * columns + j] }
        }
        return Tensor(shape: [columns], data: sum)
    }

    /// `row` added to every row of a matrix, in place: R×C += C (numpy's broadcast `x += b`).
    public mutating func addToEveryRow(_ row: Tensor) {
        require(rank == 2 && row.shape == [shape[1]], "addToEveryRow: \(row.shape) does not fit the rows of \(shape)")
        let (rows, columns, b) = (shape[0], shape[1], row.data)
        for i in 0..<rows {
            for j in 0..<columns { data[i * columns + j] += b[j] }
        }
    }
}
