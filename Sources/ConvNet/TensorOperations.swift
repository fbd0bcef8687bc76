/// The few whole-tensor operations the book's layers are written with, numpy's way:
/// `transposed` is `x.transpose(…)`, `sumOfRows` is `x.sum(axis=0)`, `addingToEveryRow`
/// is broadcasting `x + b`.
extension Tensor {
    /// The axes put in a new order: axis i of the result is axis `axes[i]` of this tensor,
    /// as numpy's `transpose`. For example `x.transposed(0, 2, 3, 1)` turns N×C×H×W into
    /// N×H×W×C. The elements are copied into the new order.
    public func transposed(_ axes: Int...) -> Tensor {
        require(axes.sorted() == Array(0..<rank), "transposed\(axes) is not an order of the \(rank) axes of \(shape)")
        let newShape = axes.map { shape[$0] }
        // How far apart neighbours along each axis lie in `data`.
        var strides = [Int](repeating: 1, count: rank)
        for axis in (0..<Swift.max(rank - 1, 0)).reversed() { strides[axis] = strides[axis + 1] * shape[axis + 1] }
        let step = axes.map { strides[$0] }          // the same, for the axes of the result
        var out = [Float]()
        out.reserveCapacity(count)
        var index = [Int](repeating: 0, count: rank) // the result's multi-index, counted up
        for _ in 0..<count {
            var source = 0
            for axis in 0..<rank { source += index[axis] * step[axis] }
            out.append(data[source])
            var axis = rank - 1                      // the next index: the last axis fastest
            while axis >= 0 {
                index[axis] += 1
                if index[axis] < newShape[axis] { break }
                index[axis] = 0
                axis -= 1
            }
        }
        return Tensor(shape: newShape, data: out)
    }

    /// The sum of the rows of a matrix: R×C → C (numpy's `x.sum(axis=0)`).
    public func sumOfRows() -> Tensor {
        require(rank == 2, "sumOfRows needs a matrix, got \(shape)")
        var sum = Tensor(shape: [shape[1]])
        for i in 0..<shape[0] {
            for j in 0..<shape[1] { sum.data[j] += self[i, j] }
        }
        return sum
    }

    /// `row` added to every row of a matrix: R×C + C → R×C (numpy's broadcast `x + b`).
    public func addingToEveryRow(_ row: Tensor) -> Tensor {
        require(rank == 2 && row.shape == [shape[1]], "addingToEveryRow: \(row.shape) does not fit the rows of \(shape)")
        var out = self
        for i in 0..<shape[0] {
            for j in 0..<shape[1] { out[i, j] += row.data[j] }
        }
        return out
    }
}
