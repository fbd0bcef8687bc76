import ConvNet
import Foundation
import Pictures

/// A tensor printed as aligned grids: a matrix as rows, and anything with more axes as
/// one matrix per leading index (`[0, 1]:` then its grid). Whole numbers print
/// without decimals, so a 0/1 image reads as one.
public func formatGrid(_ t: Tensor, decimals: Int? = nil) -> String {
    let allWhole = t.data.allSatisfy { $0 == $0.rounded() && abs($0) < 1e6 }
    let places = decimals ?? (allWhole ? 0 : 2)
    let cells = t.data.map { String(format: "%.\(places)f", $0).replacingOccurrences(of: "-0.00", with: "0.00") }
    let width = cells.map(\.count).max() ?? 1
    let columns = t.rank >= 1 ? t.shape[t.rank - 1] : 1
    let rows = t.rank >= 2 ? t.shape[t.rank - 2] : 1
    let planeSize = max(rows * columns, 1)
    let planes = t.count / planeSize
    var out: [String] = []
    for p in 0..<planes {
        if t.rank > 2 {
            var index: [Int] = []
            var rest = p
            for n in t.shape.dropLast(2).reversed() {
                index.insert(rest % n, at: 0)
                rest /= n
            }
            out.append("[\(index.map(String.init).joined(separator: ", "))]:")
        }
        for r in 0..<rows {
            let row = (0..<columns).map { c -> String in
                let s = cells[p * planeSize + r * columns + c]
                return String(repeating: " ", count: width - s.count) + s
            }
            out.append("  " + row.joined(separator: " "))
        }
    }
    return out.joined(separator: "\n")
}

/// A table with a header, a rule, and right-aligned columns.
public func formatTable(_ header: [String], _ rows: [[String]]) -> String {
    var widths = header.map(\.count)
    for row in rows {
        for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) }
    }
    func line(_ cells: [String]) -> String {
        cells.enumerated().map { i, cell in
            String(repeating: " ", count: widths[i] - cell.count) + cell
        }.joined(separator: "  ")
    }
    return
        ([line(header), widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")]
        + rows.map(line)).map { "  " + $0 }.joined(separator: "\n")
}

extension Matrix {
    /// The last two axes of a tensor whose other axes are all 1 (28×28, 1×28×28, 1×1×5×5).
    public init(_ t: Tensor) {
        require(
            t.rank >= 2 && t.shape.dropLast(2).allSatisfy { $0 == 1 },
            "Matrix(_:) takes one H×W map, got \(t.shape)")
        self.init(rows: t.shape[t.rank - 2], columns: t.shape[t.rank - 1], values: t.data)
    }

    /// Every H×W map of an N×C×H×W (or C×H×W) tensor, in order.
    public static func maps(_ t: Tensor) -> [Matrix] {
        require(t.rank >= 2, "maps(_:) needs at least two axes, got \(t.shape)")
        let h = t.shape[t.rank - 2]
        let w = t.shape[t.rank - 1]
        let size = h * w
        return (0..<(t.count / max(size, 1))).map {
            Matrix(rows: h, columns: w, values: Array(t.data[($0 * size)..<(($0 + 1) * size)]))
        }
    }
}
